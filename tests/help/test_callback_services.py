"""Callback requests, the services: phone numbers, the day window, urgency, what happened,
and the number deleted when done or after seven days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from help_support import TUESDAY_15, make_callback

from pages import selectors, services
from pages.models import CallbackRequest
from pages.opening_hours import OSLO
from pages.services import (
    ERROR_ALREADY_DONE,
    ERROR_DAY,
    ERROR_PHONE,
    RETENTION,
    callback_request_create,
    callback_request_record,
    callback_requests_purge,
    normalise_phone,
)

Status = CallbackRequest.Status
Window = CallbackRequest.Window
TODAY = TUESDAY_15.date()


# --- Phone numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("91234567", "91234567"),
        ("912 34 567", "91234567"),
        (" 91 23 45 67 ", "91234567"),
        ("912-34-567", "91234567"),
        ("+47 912 34 567", "+4791234567"),
        ("+4791234567", "+4791234567"),
        ("0047 912 34 567", "+4791234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("(+47) 22 40 00 40", "+4722400040"),
    ],
)
def test_normalise_phone_accepts_norwegian_and_international_numbers(raw, normalised):
    assert normalise_phone(raw) == normalised


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "abc",
        "9123456",  # 7 digits
        "912345678",  # 9 digits
        "91234567x",
        "ring meg på 91234567",
        "+47",
        "+1234567",  # too short with a country code
        "+1234567890123456",  # longer than E.164 allows
        "912 34 567; DROP TABLE",
        "++4791234567x",
    ],
)
def test_normalise_phone_refuses_what_is_not_a_phone_number(raw):
    with pytest.raises(ValidationError) as error:
        normalise_phone(raw)
    assert error.value.code == "phone"
    assert error.value.messages == [str(ERROR_PHONE)]


# --- Creating a request -------------------------------------------------------------------------


def create(**overrides) -> CallbackRequest:
    values = {
        "phone": "+47 912 34 567",
        "preferred_date": TODAY,
        "window": Window.AFTERNOON,
        "now": TUESDAY_15,
        **overrides,
    }
    return callback_request_create(**values)


@pytest.mark.django_db
def test_create_stores_the_normalised_number_and_the_window():
    callback = create(about="  Lurer på noe  ")

    callback.refresh_from_db()
    assert callback.phone == "+4791234567"
    assert callback.about == "Lurer på noe"
    assert (callback.preferred_date, callback.window) == (TODAY, Window.AFTERNOON)
    assert callback.status == Status.WAITING
    assert callback.attempts == 0
    assert callback.created_at == TUESDAY_15
    assert not callback.urgent
    assert callback.purged_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("days_ahead", [0, 1, services.MAX_DAYS_AHEAD])
def test_create_accepts_today_up_to_a_week_ahead(days_ahead):
    callback = create(preferred_date=TODAY + dt.timedelta(days=days_ahead))

    assert callback.pk


@pytest.mark.django_db
@pytest.mark.parametrize("days_ahead", [-1, services.MAX_DAYS_AHEAD + 1, 365])
def test_create_refuses_a_day_outside_the_window(days_ahead):
    with pytest.raises(ValidationError) as error:
        create(preferred_date=TODAY + dt.timedelta(days=days_ahead))

    assert error.value.code == "day"
    assert error.value.messages == [str(ERROR_DAY)]
    assert not CallbackRequest.objects.exists()


@pytest.mark.django_db
def test_today_is_the_oslo_date_not_the_utc_one():
    # 00:30 in Oslo is still yesterday in UTC: "today" must be the Oslo date.
    just_after_midnight = dt.datetime(2026, 11, 25, 0, 30, tzinfo=OSLO)

    callback = create(preferred_date=dt.date(2026, 11, 25), now=just_after_midnight)
    with pytest.raises(ValidationError):
        create(preferred_date=dt.date(2026, 11, 24), now=just_after_midnight)

    assert callback.pk


@pytest.mark.django_db
def test_create_refuses_an_unknown_window_and_a_bad_number():
    with pytest.raises(ValidationError) as window:
        create(window="03-06")
    with pytest.raises(ValidationError) as phone:
        create(phone="not a number")

    assert window.value.code == "window"
    assert phone.value.code == "phone"
    assert not CallbackRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("about", "urgent", "expected"),
    [
        ("", False, False),
        ("Lurer på noe om rus", False, False),
        ("Jeg har tenkt på selvmord", False, True),
        ("Jeg VIL IKKE LEVE lenger", False, True),
        ("I want to die", False, True),
        ("Bare en prat", True, True),
    ],
)
def test_urgent_when_asked_or_when_the_line_holds_a_crisis_word(about, urgent, expected):
    assert create(about=about, urgent=urgent).urgent is expected


@pytest.mark.django_db
def test_urgency_follows_the_editors_word_list():
    assert create(about="Jeg er helt på kanten", crisis_words=["på kanten"]).urgent
    assert not create(about="Jeg har tenkt på selvmord", crisis_words=["på kanten"]).urgent


# --- Recording what happened --------------------------------------------------------------------


@pytest.fixture
def waiting(db):
    return make_callback(now=TUESDAY_15, phone="91234567", about="Om rus")


LATER = TUESDAY_15 + dt.timedelta(hours=1)


def record(callback, outcome, *, by=None, now=LATER) -> CallbackRequest:
    return callback_request_record(request_id=callback.pk, outcome=outcome, by=by, now=now)


def test_not_reached_keeps_the_request_in_the_queue_with_one_more_attempt(waiting, supervisor):
    record(waiting, Status.NOT_REACHED, by=supervisor)
    callback = record(waiting, Status.NOT_REACHED, by=supervisor, now=LATER + dt.timedelta(hours=1))

    callback.refresh_from_db()
    assert callback.status == Status.NOT_REACHED
    assert callback.attempts == 2
    assert (callback.phone, callback.about) == ("91234567", "Om rus")
    assert callback.done_at is None and callback.purged_at is None
    assert callback.handled_by == supervisor
    assert callback.updated_at == LATER + dt.timedelta(hours=1)
    assert list(selectors.callback_queue_list()) == [callback]


@pytest.mark.parametrize(("outcome", "attempts"), [(Status.CALLED, 1), (Status.CLOSED, 0)])
def test_a_done_request_loses_its_number_and_text_at_once(waiting, supervisor, outcome, attempts):
    callback = record(waiting, outcome, by=supervisor)

    callback.refresh_from_db()
    assert callback.status == outcome
    assert callback.attempts == attempts
    assert (callback.phone, callback.about) == ("", "")
    assert callback.done_at == callback.purged_at == LATER
    assert callback.handled_by == supervisor
    assert list(selectors.callback_queue_list()) == []


def test_called_after_not_reached_counts_both_attempts(waiting):
    record(waiting, Status.NOT_REACHED)
    callback = record(waiting, Status.CALLED)

    assert (callback.status, callback.attempts, callback.phone) == (Status.CALLED, 2, "")


@pytest.mark.parametrize("first", [Status.CALLED, Status.CLOSED])
@pytest.mark.parametrize("second", [Status.CALLED, Status.NOT_REACHED, Status.CLOSED])
def test_recording_on_a_done_request_is_refused(waiting, first, second):
    record(waiting, first)
    before = CallbackRequest.objects.values().get(pk=waiting.pk)

    with pytest.raises(PermissionDenied) as error:
        record(waiting, second, now=LATER + dt.timedelta(hours=1))

    assert str(error.value) == str(ERROR_ALREADY_DONE)
    assert CallbackRequest.objects.values().get(pk=waiting.pk) == before


@pytest.mark.parametrize("outcome", ["waiting", "", "deleted"])
def test_an_unknown_outcome_changes_nothing(waiting, outcome):
    with pytest.raises(ValueError):
        record(waiting, outcome)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts, waiting.phone) == (Status.WAITING, 0, "91234567")


def test_recording_on_a_request_that_does_not_exist_raises_does_not_exist(db):
    with pytest.raises(CallbackRequest.DoesNotExist):
        callback_request_record(request_id=999_999, outcome=Status.CALLED, by=None, now=LATER)


# --- Seven days at most -------------------------------------------------------------------------


@pytest.mark.django_db
def test_purge_deletes_numbers_older_than_seven_days_and_keeps_the_rows():
    now = TUESDAY_15
    old = make_callback(now=now - RETENTION - dt.timedelta(seconds=1), about="gammel")
    old_retry = make_callback(now=now - dt.timedelta(days=9), status=Status.NOT_REACHED, attempts=2)
    exactly_seven_days = make_callback(now=now - RETENTION)
    recent = make_callback(now=now - dt.timedelta(days=2), about="ny")

    purged = callback_requests_purge(now=now)

    assert purged == 2
    for callback in (old, old_retry):
        callback.refresh_from_db()
        assert (callback.phone, callback.about) == ("", "")
        assert callback.status == Status.CLOSED
        assert callback.done_at == callback.purged_at == now
    old_retry.refresh_from_db()
    assert old_retry.attempts == 2
    for callback in (exactly_seven_days, recent):
        callback.refresh_from_db()
        assert callback.phone == "91234567"
        assert callback.purged_at is None
    assert CallbackRequest.objects.count() == 4
    assert set(selectors.callback_queue_list()) == {exactly_seven_days, recent}


@pytest.mark.django_db
def test_purge_is_idempotent():
    now = TUESDAY_15
    make_callback(now=now - dt.timedelta(days=8))
    make_callback(now=now - dt.timedelta(days=1))
    callback_requests_purge(now=now)
    after_first = list(CallbackRequest.objects.order_by("pk").values())

    assert callback_requests_purge(now=now + dt.timedelta(minutes=5)) == 0
    assert list(CallbackRequest.objects.order_by("pk").values()) == after_first


@pytest.mark.django_db
def test_purge_wipes_a_done_request_that_still_holds_a_number():
    """A row marked done some other way (an old version, a data fix) is wiped too."""
    now = TUESDAY_15
    leftover = make_callback(
        now=now - dt.timedelta(hours=1), status=Status.CALLED, done_at=now, about="x"
    )

    assert callback_requests_purge(now=now) == 1

    leftover.refresh_from_db()
    assert (leftover.phone, leftover.about, leftover.purged_at) == ("", "", now)
    assert leftover.status == Status.CALLED


@pytest.mark.django_db
def test_purge_keeps_counts_by_outcome(supervisor):
    now = TUESDAY_15
    called = make_callback(now=now - dt.timedelta(days=3))
    record(called, Status.CALLED, now=now - dt.timedelta(days=2))
    make_callback(now=now - dt.timedelta(days=10))

    callback_requests_purge(now=now)

    counts = {
        status: CallbackRequest.objects.filter(status=status).count() for status in Status.values
    }
    assert counts[Status.CALLED] == 1
    assert counts[Status.CLOSED] == 1
    assert not CallbackRequest.objects.exclude(phone="").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("created_at", [dt.time(0, 0, 1), dt.time(15), dt.time(23, 59)])
def test_the_last_day_offered_ends_before_the_number_is_deleted(created_at):
    """A request for the last day one may choose, in the last window, is still in the queue
    (with its number) until that window is over: seven days' retention must cover it."""
    now = dt.datetime.combine(TODAY, created_at, tzinfo=OSLO)
    last_day = TODAY + dt.timedelta(days=services.MAX_DAYS_AHEAD)
    callback = create(preferred_date=last_day, window=Window.EVENING, now=now)
    window_ends = dt.datetime.combine(last_day, dt.time(21), tzinfo=OSLO)

    callback_requests_purge(now=window_ends)

    callback.refresh_from_db()
    assert callback.phone == "+4791234567"
    assert list(selectors.callback_queue_list()) == [callback]


@pytest.mark.django_db
def test_the_sweep_runs_the_purge():
    from ordrom import sweeps

    old = make_callback(now=dt.datetime.now(tz=OSLO) - dt.timedelta(days=8))

    task = sweeps.registered()["pages.purge_callback_requests"]
    task.enqueue()  # tests run tasks at once (the immediate backend)

    old.refresh_from_db()
    assert (old.phone, old.status) == ("", Status.CLOSED)
