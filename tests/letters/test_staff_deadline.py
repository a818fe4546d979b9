"""Deadline watch: alerts for letters due within 12 hours with nobody on them, the
coordinators' dashboard panel, and the digest email that is sent once however often it runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from staff_support import TUESDAY, make_letter

from letters import notifications, selectors, services, tasks
from ordrom.roles import Role

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def near_deadline(supervisor, travel):
    travel(TUESDAY)
    alone = make_letter(received_ago=40 * HOUR)  # 8 hours left
    overdue = make_letter(received_ago=50 * HOUR)
    taken = make_letter(received_ago=45 * HOUR)
    make_letter(received_ago=10 * HOUR)  # 38 hours left: no alert
    services.letter_claim(letter_id=taken.pk, by=supervisor, now=TUESDAY)
    return {"alone": alone, "overdue": overdue, "taken": taken}


def test_alerts_are_letters_due_within_12_hours_with_nobody_on_them(near_deadline):
    alerts = selectors.deadline_alerts(now=TUESDAY)

    assert alerts == [near_deadline["overdue"], near_deadline["alone"]]
    assert selectors.deadline_alerts(now=TUESDAY, limit=1) == [near_deadline["overdue"]]


def test_a_lapsed_claim_makes_the_letter_an_alert_again(near_deadline):
    later = TUESDAY + 31 * dt.timedelta(minutes=1)

    assert near_deadline["taken"] in selectors.deadline_alerts(now=later)


def test_deadlines_are_stored_so_the_same_moment_gives_the_same_alerts(near_deadline):
    first = selectors.deadline_alerts(now=TUESDAY)
    second = selectors.deadline_alerts(now=TUESDAY)

    assert first == second
    assert selectors.overdue_now(now=TUESDAY) == 1


def test_coordinators_dashboard_shows_the_alerts_panel(coordinator_client, supervisor_client,
                                                       near_deadline, settings):
    settings.LANGUAGE_CODE = "en"

    coordinator_page = coordinator_client.get("/admin/").content.decode()
    supervisor_page = supervisor_client.get("/admin/").content.decode()

    assert "Letters close to the deadline with nobody on them" in coordinator_page
    assert f'href="/admin/letters/{near_deadline["alone"].pk}/"' in coordinator_page
    assert "Letters close to the deadline" not in supervisor_page


def test_no_panel_when_nothing_is_close(coordinator_client, settings):
    settings.LANGUAGE_CODE = "en"

    assert "close to the deadline" not in coordinator_client.get("/admin/").content.decode()


def test_the_digest_task_run_twice_sends_one_email_without_letter_text(user_factory,
                                                                        near_deadline):
    user_factory("Vakt Siv", roles=(Role.COORDINATOR,), two_factor=True, email="siv@example.org")
    user_factory("Vakt Ola", roles=(Role.SUPERVISOR,), two_factor=True, email="ola@example.org")

    tasks.send_deadline_digest.enqueue()
    tasks.send_deadline_digest.enqueue()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["siv@example.org"]
    assert f"#{near_deadline['alone'].pk}" in message.body
    assert near_deadline["alone"].body not in message.body


def test_the_next_hour_gets_a_new_digest_with_the_lapsed_claim_included(user_factory,
                                                                        near_deadline):
    user_factory("Vakt Siv", roles=(Role.COORDINATOR,), two_factor=True, email="siv@example.org")

    assert notifications.deadline_digest(now=TUESDAY) == 2
    assert notifications.deadline_digest(now=TUESDAY + dt.timedelta(minutes=20)) == 0
    assert notifications.deadline_digest(now=TUESDAY + HOUR) == 3  # the claim lapsed

    assert len(mail.outbox) == 2
