"""Ask to be called: the public form, and the queue in the staff workspace with its
permissions for every role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from help_support import CALLBACK_URL, QUEUE_URL, TUESDAY_15, checked_inputs, make_callback

from pages.models import CallbackRequest
from pages.services import ERROR_ALREADY_DONE, ERROR_PHONE

pytestmark = pytest.mark.django_db

Status = CallbackRequest.Status
Window = CallbackRequest.Window
TODAY = TUESDAY_15.date()
TOMORROW = TODAY + dt.timedelta(days=1)
SENT_URL = "/help/callback/sent/"


def form_data(**overrides) -> dict:
    return {
        "phone": "912 34 567",
        "preferred_date": TODAY.isoformat(),
        "window": Window.AFTERNOON,
        "about": "",
        **overrides,
    }


# --- The public form ----------------------------------------------------------------------------


def test_form_offers_today_and_the_days_up_to_a_week_ahead(english_client, frozen):
    frozen(TUESDAY_15)

    response = english_client.get(CALLBACK_URL)

    assert response.status_code == 200
    days = [value for value, _label in response.context["form"].fields["preferred_date"].choices]
    assert days == [(TODAY + dt.timedelta(days=n)).isoformat() for n in range(7)]
    assert {"no-cache", "no-store"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }


def test_a_sent_request_is_stored_and_the_visitor_is_told(english_client, frozen):
    frozen(TUESDAY_15)

    response = english_client.post(
        CALLBACK_URL,
        form_data(phone="+47 912 34 567", preferred_date=TOMORROW.isoformat(), about="Om rus"),
    )

    assert response.status_code == 302
    assert response["Location"] == SENT_URL
    callback = CallbackRequest.objects.get()
    assert (callback.phone, callback.preferred_date, callback.window) == (
        "+4791234567",
        TOMORROW,
        Window.AFTERNOON,
    )
    assert (callback.about, callback.urgent, callback.status) == ("Om rus", False, Status.WAITING)
    assert english_client.get(SENT_URL).status_code == 200


def test_a_crisis_word_in_the_line_makes_the_request_urgent(client, frozen):
    frozen(TUESDAY_15)

    client.post(CALLBACK_URL, form_data(about="Jeg tenker på selvmord"))

    assert CallbackRequest.objects.get().urgent


def test_asking_for_urgency_makes_the_request_urgent(client, frozen):
    frozen(TUESDAY_15)

    client.post(CALLBACK_URL, form_data(urgent="on"))

    assert CallbackRequest.objects.get().urgent


def test_a_bad_number_is_refused_and_what_was_typed_is_kept(english_client, frozen):
    frozen(TUESDAY_15)

    response = english_client.post(
        CALLBACK_URL,
        form_data(phone="12 34", about="Jeg vil gjerne snakke om angst", urgent="on"),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["phone"] == [str(ERROR_PHONE)]
    html = response.content.decode()
    assert str(ERROR_PHONE) in html
    assert 'value="12 34"' in html
    assert 'value="Jeg vil gjerne snakke om angst"' in html
    assert checked_inputs(html) == {("window", Window.AFTERNOON), ("urgent", "on")}
    assert not CallbackRequest.objects.exists()


def test_missing_window_and_a_day_outside_the_list_are_errors(client, frozen):
    frozen(TUESDAY_15)

    response = client.post(
        CALLBACK_URL,
        form_data(window="", preferred_date=(TODAY + dt.timedelta(days=30)).isoformat()),
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"window", "preferred_date"}
    assert 'value="912 34 567"' in response.content.decode()
    assert not CallbackRequest.objects.exists()


def test_a_day_offered_before_midnight_and_sent_after_is_an_error_on_the_day(client, frozen):
    frozen(dt.datetime(2026, 11, 24, 23, 59, tzinfo=TUESDAY_15.tzinfo))
    offered = client.get(CALLBACK_URL).context["form"].fields["preferred_date"].choices[0][0]
    frozen(dt.datetime(2026, 11, 25, 0, 1, tzinfo=TUESDAY_15.tzinfo))

    response = client.post(CALLBACK_URL, form_data(preferred_date=offered))

    assert response.status_code == 200
    assert "preferred_date" in response.context["form"].errors
    assert not CallbackRequest.objects.exists()


# --- The queue ----------------------------------------------------------------------------------


def queue_items(response) -> list[CallbackRequest]:
    return list(response.context["requests"])


def test_queue_orders_urgent_first_then_day_then_window(supervisor_client):
    now = TUESDAY_15
    today_morning = make_callback(now=now, preferred_date=TODAY, window=Window.MORNING)
    urgent_tomorrow = make_callback(
        now=now, preferred_date=TOMORROW, window=Window.EVENING, urgent=True
    )
    today_afternoon = make_callback(now=now, preferred_date=TODAY, window=Window.AFTERNOON)
    urgent_today = make_callback(now=now, preferred_date=TODAY, window=Window.EVENING, urgent=True)
    tomorrow_morning = make_callback(now=now, preferred_date=TOMORROW, window=Window.MORNING)
    retry_midday = make_callback(
        now=now, preferred_date=TODAY, window=Window.MIDDAY, status=Status.NOT_REACHED, attempts=1
    )
    make_callback(now=now, status=Status.CALLED, done_at=now, phone="", purged_at=now)

    response = supervisor_client.get(QUEUE_URL)

    assert response.status_code == 200
    assert queue_items(response) == [
        urgent_today,
        urgent_tomorrow,
        today_morning,
        retry_midday,
        today_afternoon,
        tomorrow_morning,
    ]
    html = response.content.decode()
    assert html.count('href="tel:91234567"') == 6


def test_queue_query_count_does_not_grow_with_the_requests(
    supervisor_client, django_assert_max_num_queries
):
    supervisor_client.get(QUEUE_URL)
    for _ in range(5):
        make_callback(now=TUESDAY_15)
    with django_assert_max_num_queries(40) as few:
        supervisor_client.get(QUEUE_URL)
    for _ in range(40):
        make_callback(now=TUESDAY_15)
    with django_assert_max_num_queries(len(few)):
        response = supervisor_client.get(QUEUE_URL)

    assert len(queue_items(response)) == 45


@pytest.mark.parametrize(
    ("outcome", "status", "in_queue"),
    [
        (Status.CALLED, Status.CALLED, False),
        (Status.NOT_REACHED, Status.NOT_REACHED, True),
        (Status.CLOSED, Status.CLOSED, False),
    ],
)
def test_supervisor_records_what_happened(supervisor, supervisor_client, outcome, status, in_queue):
    callback = make_callback(now=TUESDAY_15)

    response = supervisor_client.post(f"{QUEUE_URL}{callback.pk}/", {"outcome": outcome})

    assert response.status_code == 302
    assert response["Location"] == QUEUE_URL
    callback.refresh_from_db()
    assert callback.status == status
    assert callback.handled_by == supervisor
    assert bool(callback.phone) is in_queue
    assert (callback in queue_items(supervisor_client.get(QUEUE_URL))) is in_queue


def test_recording_on_a_done_request_is_refused_with_a_message(coordinator_client):
    callback = make_callback(now=TUESDAY_15)
    coordinator_client.post(f"{QUEUE_URL}{callback.pk}/", {"outcome": Status.CALLED})
    coordinator_client.cookies["django_language"] = "en"

    response = coordinator_client.post(
        f"{QUEUE_URL}{callback.pk}/", {"outcome": Status.NOT_REACHED}, follow=True
    )

    assert response.status_code == 200
    assert str(ERROR_ALREADY_DONE) in [str(m) for m in response.context["messages"]]
    callback.refresh_from_db()
    assert (callback.status, callback.attempts) == (Status.CALLED, 1)


@pytest.mark.parametrize("outcome", ["", "waiting", "purge"])
def test_an_unknown_outcome_changes_nothing(supervisor_client, outcome):
    callback = make_callback(now=TUESDAY_15)

    response = supervisor_client.post(f"{QUEUE_URL}{callback.pk}/", {"outcome": outcome})

    assert response.status_code == 302
    callback.refresh_from_db()
    assert (callback.status, callback.attempts) == (Status.WAITING, 0)


def test_recording_on_a_missing_request_redirects_to_the_queue(supervisor_client):
    response = supervisor_client.post(f"{QUEUE_URL}999999/", {"outcome": Status.CALLED})

    assert response.status_code == 302
    assert response["Location"] == QUEUE_URL


def test_recording_needs_a_post(supervisor_client):
    callback = make_callback(now=TUESDAY_15)

    assert supervisor_client.get(f"{QUEUE_URL}{callback.pk}/").status_code == 405


# --- Who may use the queue ----------------------------------------------------------------------

REFUSED = ("anonymous", "member", "moderator", "editor")
ALLOWED = ("supervisor", "coordinator")


def client_as(request, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def assert_refused(response, path, role):
    """Visitors go to the login; members are stopped by the staff area's guard (403); other
    staff get Wagtail's redirect to the dashboard with a "no permission" message."""
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"
    elif role == "member":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"] == "/admin/"


@pytest.mark.parametrize("role", REFUSED + ALLOWED)
def test_queue_page_by_role(request, role):
    callback = make_callback(now=TUESDAY_15)

    response = client_as(request, role).get(QUEUE_URL)

    if role in ALLOWED:
        assert response.status_code == 200
        assert queue_items(response) == [callback]
    else:
        assert_refused(response, QUEUE_URL, role)
        assert "91234567" not in response.content.decode()


@pytest.mark.parametrize("role", REFUSED + ALLOWED)
def test_recording_by_role(request, role):
    callback = make_callback(now=TUESDAY_15)
    path = f"{QUEUE_URL}{callback.pk}/"

    response = client_as(request, role).post(path, {"outcome": Status.CALLED})

    callback.refresh_from_db()
    if role in ALLOWED:
        assert response.status_code == 302
        assert callback.status == Status.CALLED
    else:
        assert_refused(response, path, role)
        assert (callback.status, callback.phone) == (Status.WAITING, "91234567")


def test_anonymous_is_sent_to_the_login(client):
    response = client.get(QUEUE_URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={QUEUE_URL}"


def test_staff_without_two_factor_must_set_it_up_first(staff_without_2fa_client):
    response = staff_without_2fa_client.get(QUEUE_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


@pytest.mark.parametrize("role", ["moderator", "editor", *ALLOWED])
def test_menu_item_only_for_those_who_work_the_queue(request, role):
    html = client_as(request, role).get("/admin/").content.decode()

    # The sidebar is built by Wagtail's script from JSON in the page.
    assert (f'"url": "{QUEUE_URL}"' in html) is (role in ALLOWED)
