"""Statistics for coordinators: per local week and month (across the daylight-saving change
of 25 October 2026), times to the first answer, topics, feedback, the page, chart and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from staff_support import STATISTICS_CSV_URL, STATISTICS_URL

from letters import selectors
from letters.models import Feedback, LetterRecord, Topic

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
UTC = dt.UTC
HOUR = dt.timedelta(hours=1)


def record(received_at, *, answered_after=None, follow_up=False, topic=None, hours=48):
    return LetterRecord.objects.create(
        topic=topic,
        is_follow_up=follow_up,
        received_at=received_at,
        due_at=received_at + hours * HOUR,
        answered_at=received_at + answered_after if answered_after is not None else None,
    )


@pytest.fixture
def autumn():
    """Letters around the end of summer time (Sunday 25 October 2026, 03:00 → 02:00)."""
    lonely = Topic.objects.get(slug="ensomhet")
    # Monday 19 Oct 00:30 in Oslo (summer time), Sunday evening in UTC.
    record(dt.datetime(2026, 10, 18, 22, 30, tzinfo=UTC), answered_after=12 * HOUR, topic=lonely)
    # Sunday 25 Oct 00:00 in Oslo, answered 24 real hours later (25 hours on the wall clock).
    record(dt.datetime(2026, 10, 24, 22, 0, tzinfo=UTC), answered_after=24 * HOUR, topic=lonely)
    # Sunday 25 Oct 23:30 in Oslo (winter time), not answered.
    record(dt.datetime(2026, 10, 25, 22, 30, tzinfo=UTC))
    # Monday 26 Oct 00:30 in Oslo, still Sunday in UTC; answered late.
    record(dt.datetime(2026, 10, 25, 23, 30, tzinfo=UTC), answered_after=50 * HOUR)
    # A follow-up answered after an hour: answered, but not a "first answer".
    record(dt.datetime(2026, 10, 27, 10, 0, tzinfo=UTC), answered_after=HOUR, follow_up=True)
    # Sunday 1 November 00:30 in Oslo: November, still the week of 26 October.
    record(dt.datetime(2026, 10, 31, 23, 30, tzinfo=UTC))


def by_period(stats):
    return {
        row.period: (row.received, row.answered, row.answered_in_time, row.median_hours,
                     row.p90_hours)
        for row in stats
    }


def test_weeks_are_local_weeks_across_the_daylight_saving_change(autumn):
    stats = selectors.letter_statistics(
        period="week",
        since=dt.datetime(2026, 10, 12, tzinfo=OSLO),
        until=dt.datetime(2026, 11, 9, tzinfo=OSLO),
    )

    assert by_period(stats) == {
        dt.date(2026, 10, 19): (3, 2, 2, 18.0, pytest.approx(22.8)),
        dt.date(2026, 10, 26): (3, 2, 1, 50.0, 50.0),
    }
    assert stats[0].share_in_time == 1.0


def test_months_are_local_months(autumn):
    stats = selectors.letter_statistics(
        period="month",
        since=dt.datetime(2026, 10, 1, tzinfo=OSLO),
        until=dt.datetime(2026, 12, 1, tzinfo=OSLO),
    )

    received = {row.period: row.received for row in stats}
    assert received == {dt.date(2026, 10, 1): 5, dt.date(2026, 11, 1): 1}


def test_the_90th_percentile_of_first_answers(db):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=OSLO)
    for hours in range(1, 11):
        record(start, answered_after=hours * HOUR)

    (row,) = selectors.letter_statistics(
        period="week", since=start - HOUR, until=start + 7 * 24 * HOUR
    )

    assert (row.received, row.median_hours, row.p90_hours) == (10, 5.5, pytest.approx(9.1))


def _english(settings):
    settings.LANGUAGE_CODE = "en"


def test_statistics_page_shows_table_chart_topics_and_feedback(coordinator_client, autumn,
                                                               travel, settings):
    _english(settings)
    travel(dt.datetime(2026, 11, 2, 12, 0, tzinfo=UTC))
    monday = dt.date(2026, 10, 26)
    for answer in ("yes", "yes", "no"):
        Feedback.objects.create(question="feel_better", answer=answer, week=monday)

    response = coordinator_client.get(STATISTICS_URL)

    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 12
    assert [row.period for row in rows[-3:]] == [
        dt.date(2026, 10, 19), dt.date(2026, 10, 26), dt.date(2026, 11, 2)
    ]
    assert rows[-3].received == 3 and rows[-1].received == 0
    page = response.content.decode()
    assert "<svg" in page and "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Loneliness" in page and "No topic" in page
    feel_better = next(
        item for item in response.context["feedback"] if item["question"].startswith("Do you")
    )
    assert feel_better["total"] == 3
    assert [round(share, 2) for _label, share in feel_better["shares"]] == [0.67, 0.0, 0.33]
    assert "67 %" in page
    assert response.context["overdue_now"] == 0  # records only: no open letters


def test_the_month_switch_and_csv_download(coordinator_client, autumn, travel):
    travel(dt.datetime(2026, 11, 2, 12, 0, tzinfo=UTC))

    monthly = coordinator_client.get(STATISTICS_URL + "?period=month")
    download = coordinator_client.get(STATISTICS_CSV_URL + "?period=week")

    assert [row.period for row in monthly.context["rows"][-2:]] == [
        dt.date(2026, 10, 1), dt.date(2026, 11, 1)
    ]
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    table = list(csv.reader(io.StringIO(download.content.decode())))
    assert table[0][:3] == ["period_start", "received", "answered"]
    assert ["2026-10-19", "3", "2", "2", "1.000", "18.0", "22.8"] in table
    assert ["2026-10-26", "3", "2", "1", "0.500", "50.0", "50.0"] in table
