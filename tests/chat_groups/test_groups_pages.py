"""The members' pages and the staff workspace of the group sessions: who may use each URL,
what the pages show, and the forms' answers to bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from groups_support import make_running, make_series

from chat.groups import services
from chat.groups.models import GroupMessage, GroupSeries, Participant, PrivateNote
from ordrom.models import AuditEntry
from ordrom.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_series(coordinator, supervisor):
    # Tomorrow's weekday (Oslo): the first session is at least 19 hours ahead, so it cannot
    # start while a test runs (on its own weekday just before 19:00 it would).
    now = timezone.now()
    weekday = (timezone.localdate(now).weekday() + 1) % 7
    return make_series(coordinator=coordinator, supervisor=supervisor, now=now,
                       starts_on=now.date(), weekday=weekday)


@pytest.fixture
def upcoming(live_series):
    return live_series.sessions.order_by("starts_at").first()


@pytest.fixture
def running(upcoming):
    return make_running(upcoming)


@pytest.fixture
def other_supervisor(user_factory):
    return user_factory("Vakt Annen", roles=(Role.SUPERVISOR,), two_factor=True)


@pytest.fixture
def client_as(request, client_for):
    def make(role):
        if role == "anonymous":
            return Client()
        return client_for(request.getfixturevalue(role))

    return make


def _place(session, user, name="Kari"):
    return Participant.objects.create(session=session, user=user, display_name=name,
                                      region="oslo", created_at=timezone.now())


# --- Members' pages --------------------------------------------------------------------------


def test_list_shows_upcoming_sessions_with_free_places_to_everyone(client, upcoming,
                                                                   other_member):
    _place(upcoming, other_member)
    response = client.get("/chat/samtalerom/")
    assert response.status_code == 200
    sessions = response.context["sessions"]
    assert sessions[0].pk == upcoming.pk and sessions[0].free == 7
    assert "Ensomhet" in response.content.decode()


@pytest.mark.parametrize("path", ["mine/", "notes/", "{id}/", "{id}/room/"])
def test_anonymous_visitors_are_sent_to_log_in(client, upcoming, path):
    response = client.get("/chat/samtalerom/" + path.format(id=upcoming.pk))
    assert response.status_code == 302 and "login" in response["Location"]


def test_member_signs_up_with_first_name_and_region(member_client, member, upcoming):
    url = f"/chat/samtalerom/{upcoming.pk}/"
    assert member_client.get(url).status_code == 200
    response = member_client.post(url, {"display_name": "Kari", "region": "vestland"})
    assert response.status_code == 302 and response["Location"] == "/chat/samtalerom/mine/"
    place = Participant.objects.get(user=member)
    assert (place.display_name, place.region) == ("Kari", "vestland")
    mine = member_client.get("/chat/samtalerom/mine/")
    assert "Kari" in mine.content.decode() and "Vestland" in mine.content.decode()


def test_sign_up_with_contact_details_is_refused_and_keeps_the_input(member_client, upcoming):
    response = member_client.post(f"/chat/samtalerom/{upcoming.pk}/",
                                  {"display_name": "kari@ordrom.no", "region": "oslo"})
    assert response.status_code == 200
    assert response.context["form"].errors["display_name"] == [str(services.ERROR_NAME_CONTACT)]
    assert 'value="kari@ordrom.no"' in response.content.decode()
    assert not Participant.objects.exists()


def test_full_session_refuses_on_the_page(member_client, upcoming, user_factory):
    for n in range(8):
        _place(upcoming, user_factory(), name=f"Navn{'abcdefgh'[n]}")
    response = member_client.get(f"/chat/samtalerom/{upcoming.pk}/")
    assert response.context["free"] == 0
    assert 'name="display_name"' not in response.content.decode()
    response = member_client.post(f"/chat/samtalerom/{upcoming.pk}/",
                                  {"display_name": "Kari", "region": "oslo"})
    assert response.context["form"].non_field_errors() == [str(services.ERROR_FULL)]


def test_member_cancels_their_place(member_client, member, upcoming):
    _place(upcoming, member)
    response = member_client.post(f"/chat/samtalerom/{upcoming.pk}/cancel/")
    assert response.status_code == 302
    assert not Participant.objects.exists()


def test_room_page_only_for_participants_and_the_sessions_staff(client_as, running, member,
                                                                 other_member):
    _place(running, member)
    url = f"/chat/samtalerom/{running.pk}/room/"
    for role, status in [("member", 200), ("other_member", 404), ("other_supervisor", 404),
                         ("moderator", 404)]:
        assert client_as(role).get(url).status_code == status, role
    for role in ("supervisor", "coordinator"):  # the session's staff lead from the console
        response = client_as(role).get(url)
        assert response["Location"] == f"/admin/samtalerom/{running.pk}/room/", role


def test_room_page_has_no_transcript_and_explains_without_javascript(client_for, running,
                                                                     member, supervisor):
    _place(running, member)
    services.message_post(session_id=running.pk, by=supervisor, text="Hemmelig linje",
                          now=timezone.now())
    html = client_for(member).get(f"/chat/samtalerom/{running.pk}/room/").content.decode()
    assert "Hemmelig linje" not in html
    assert "<noscript>" in html and "group-room.js" in html
    assert "<script>" not in html  # no inline script under the strict CSP


def test_room_page_before_the_start_says_when_it_opens(client_for, upcoming, member):
    _place(upcoming, member)
    response = client_for(member).get(f"/chat/samtalerom/{upcoming.pk}/room/")
    assert response.context["error"] == services.ERROR_NOT_OPEN_YET


def test_notes_page_shows_only_my_notes_and_marks_them_read(client_for, upcoming, member,
                                                            other_member, supervisor):
    mine = _place(upcoming, member)
    theirs = _place(upcoming, other_member, name="Ola")
    now = timezone.now()
    services.note_send(participant_id=mine.pk, by=supervisor, text="Til Kari", now=now)
    services.note_send(participant_id=theirs.pk, by=supervisor, text="Til Ola", now=now)
    html = client_for(member).get("/chat/samtalerom/notes/").content.decode()
    assert "Til Kari" in html and "Til Ola" not in html
    assert PrivateNote.objects.get(participant=mine).read_at is not None
    assert PrivateNote.objects.get(participant=theirs).read_at is None


# --- The staff workspace ---------------------------------------------------------------------

ROLES = ["anonymous", "member", "moderator", "editor", "other_supervisor", "supervisor",
         "coordinator"]
LEADERS = {"supervisor", "coordinator"}
COORDINATORS = {"coordinator"}


def _admin_urls(session, place):
    base = f"/admin/samtalerom/{session.pk}/"
    people = f"{base}participants/{place.pk}/"
    # (method, url, data, allowed roles, status for other staff who are not allowed)
    return [
        ("get", "/admin/samtalerom/", {}, LEADERS | {"other_supervisor"}, 403),
        ("get", "/admin/samtalerom/series/", {}, COORDINATORS, 403),
        ("get", "/admin/samtalerom/series/new/", {}, COORDINATORS, 403),
        ("get", f"/admin/samtalerom/series/{session.series_id}/", {}, COORDINATORS, 403),
        ("get", base, {}, LEADERS, 404),
        ("get", base + "room/", {}, LEADERS, 404),
        ("post", people + "note/", {"text": "Hei"}, LEADERS, 404),
        ("post", base + "topic/", {"text": "Tema"}, LEADERS, 404),
        ("post", people + "mute/", {"muted": "1"}, LEADERS, 404),
        ("post", people + "remove/", {}, LEADERS, 404),
        ("post", base + "close/", {}, LEADERS, 404),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_workspace_url_answers_each_role_as_it_should(role, client_as, running, member):
    place = _place(running, member)
    client = client_as(role)
    for method, url, data, allowed, refused in _admin_urls(running, place):
        response = getattr(client, method)(url, data)
        where = f"{role} {method.upper()} {url}"
        if role == "anonymous":
            assert response.status_code == 302 and "login" in response["Location"], where
        elif role == "member":
            assert response.status_code == 403, where
        elif role in allowed:
            assert response.status_code in (200, 302), where
            if response.status_code == 302:
                assert "login" not in response["Location"], where
        elif role in ("moderator", "editor") and refused == 404:
            assert response.status_code == 403, where
        else:
            assert response.status_code == refused, where


def test_supervisor_sees_only_the_sessions_they_lead(client_for, running, other_supervisor,
                                                     supervisor):
    assert running.pk in [s.pk for s in client_for(supervisor).get(
        "/admin/samtalerom/").context["upcoming"]]
    assert list(client_for(other_supervisor).get("/admin/samtalerom/").context["upcoming"]) == []


def test_the_console_page_holds_no_transcript(client_for, running, supervisor, member):
    _place(running, member)
    services.message_post(session_id=running.pk, by=member, text="Hemmelig linje",
                          now=timezone.now())
    response = client_for(supervisor).get(f"/admin/samtalerom/{running.pk}/room/")
    assert response.status_code == 200
    assert "Hemmelig linje" not in response.content.decode()
    assert not AuditEntry.objects.exists()  # the socket that reads it writes the entry


def test_supervisor_sends_a_private_note_from_the_session_page(client_for, running, member,
                                                               supervisor):
    place = _place(running, member)
    client = client_for(supervisor)
    page = client.get(f"/admin/samtalerom/{running.pk}/").content.decode()
    assert "Kari" in page
    client.post(f"/admin/samtalerom/{running.pk}/participants/{place.pk}/note/",
                {"text": "Velkommen!"})
    assert PrivateNote.objects.get(participant=place).text == "Velkommen!"


def test_console_actions_mute_remove_topic_and_close(client_for, running, member, other_member,
                                                     supervisor):
    place = _place(running, member)
    other = _place(running, other_member, name="Ola")
    client = client_for(supervisor)
    base = f"/admin/samtalerom/{running.pk}/"
    client.post(base + "topic/", {"text": "Det som hjelper"})
    client.post(f"{base}participants/{place.pk}/mute/", {"muted": "1"})
    client.post(f"{base}participants/{other.pk}/remove/")
    place.refresh_from_db()
    other.refresh_from_db()
    running.refresh_from_db()
    assert place.muted and other.removed and running.agreed_topic == "Det som hjelper"
    assert GroupMessage.objects.filter(session=running).count() == 1
    client.post(base + "close/")
    running.refresh_from_db()
    assert running.is_closed and running.message_count == 1
    assert not GroupMessage.objects.exists()


def test_coordinator_schedules_a_series_from_the_form(client_for, coordinator, supervisor):
    client = client_for(coordinator)
    # Tomorrow's weekday: every one of the coming weeks' sessions lies ahead, whatever the time
    # of day the test runs (a session earlier today would already have started).
    weekday = str((timezone.localdate().weekday() + 1) % 7)
    data = {"title_nb": "Sorg", "title_en": "", "topic_nb": "", "topic_en": "", "weekday": weekday,
            "start_time": "18:00", "capacity": "6", "supervisor": str(supervisor.pk),
            "starts_on": timezone.localdate().isoformat(), "is_active": "on"}
    response = client.post("/admin/samtalerom/series/new/", data)
    assert response.status_code == 302
    series = GroupSeries.objects.get(title_nb="Sorg")
    assert series.sessions.count() == services.WEEKS_AHEAD
    data.update(capacity="12", title_nb="Sorg og tap")
    response = client.post(f"/admin/samtalerom/series/{series.pk}/", data)
    assert response.status_code == 200 and "capacity" in response.context["form"].errors
    assert 'value="Sorg og tap"' in response.content.decode()
    series.refresh_from_db()
    assert series.title_nb == "Sorg"


def test_a_member_cannot_be_made_the_leading_supervisor(client_for, coordinator, member):
    data = {"title_nb": "Sorg", "weekday": "3", "start_time": "18:00", "capacity": "6",
            "supervisor": str(member.pk), "starts_on": timezone.localdate().isoformat()}
    response = client_for(coordinator).post("/admin/samtalerom/series/new/", data)
    assert response.status_code == 200 and "supervisor" in response.context["form"].errors
    assert not GroupSeries.objects.exists()


def test_menu_shows_samtalerom_to_leaders_only(client_for, supervisor, moderator):
    assert "/admin/samtalerom/" in client_for(supervisor).get("/admin/").content.decode()
    assert "/admin/samtalerom/" not in client_for(moderator).get("/admin/").content.decode()


def test_past_sessions_show_only_counts(client_for, running, supervisor, member):
    _place(running, member)
    services.room_close(session_id=running.pk, by=supervisor,
                        now=running.starts_at + dt.timedelta(minutes=60))
    response = client_for(supervisor).get("/admin/samtalerom/")
    assert running.pk in [s.pk for s in response.context["past"]]


def test_session_list_reads_a_fixed_number_of_queries(client_for, member, coordinator,
                                                     supervisor, django_assert_max_num_queries):
    now = timezone.now()
    for title in ("Sorg", "Angst", "Ensomhet"):
        make_series(coordinator=coordinator, supervisor=supervisor, now=now,
                    starts_on=now.date(), title_nb=title)
    client = client_for(member)
    client.get("/chat/samtalerom/")  # warm the session and the site settings
    with django_assert_max_num_queries(12):
        response = client.get("/chat/samtalerom/")
    assert len(response.context["sessions"]) == 12
