"""Feedback on an answer counts in the Oslo week it was given, as the statistics group weeks:
given in the first hours of an Oslo Monday (still Sunday in UTC), it belongs to the week that
Monday starts and shows in the statistics from that week on."""

from __future__ import annotations

import datetime as dt

import pytest
from staff_support import STATISTICS_URL

from letters import services
from letters.models import Feedback

pytestmark = pytest.mark.django_db

UTC = dt.UTC

MONDAY_NIGHTS = [
    # Monday 5 January 2026 00:30 in Oslo (winter time): Sunday 23:30 in UTC.
    pytest.param(dt.datetime(2026, 1, 4, 23, 30, tzinfo=UTC), dt.date(2026, 1, 5), id="winter"),
    # Monday 15 June 2026 01:30 in Oslo (summer time): Sunday 23:30 in UTC.
    pytest.param(dt.datetime(2026, 6, 14, 23, 30, tzinfo=UTC), dt.date(2026, 6, 15), id="summer"),
]


@pytest.mark.parametrize(("given_at", "monday"), MONDAY_NIGHTS)
def test_feedback_on_an_oslo_monday_night_counts_in_that_oslo_week(
    member, write_letter, answer_letter, given_at, monday
):
    reply = answer_letter(write_letter(member, now=given_at), now=given_at)

    services.feedback_submit(reply=reply, answers={"feel_better": "yes"}, now=given_at)

    assert list(Feedback.objects.values_list("week", flat=True)) == [monday]


@pytest.mark.parametrize(("given_at", "monday"), MONDAY_NIGHTS)
def test_statistics_starting_that_oslo_week_show_the_monday_night_feedback(
    member, write_letter, answer_letter, coordinator_client, travel, settings, given_at, monday
):
    settings.LANGUAGE_CODE = "en"
    reply = answer_letter(write_letter(member, now=given_at), now=given_at)
    services.feedback_submit(reply=reply, answers={"feel_better": "yes"}, now=given_at)
    # Twelve weeks are shown: eleven weeks on, the Monday night's week is the first of them.
    travel(dt.datetime.combine(monday + dt.timedelta(weeks=11), dt.time(12), tzinfo=UTC))

    response = coordinator_client.get(STATISTICS_URL)

    assert response.context["rows"][0].period == monday
    feel_better = next(
        item for item in response.context["feedback"] if item["question"].startswith("Do you")
    )
    assert feel_better["total"] == 1
