"""The group-session services: scheduling (incl. daylight saving), places, the room's rules,
closing, private notes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from groups_support import NOW, during, make_series, sign_up

from chat.groups import services
from chat.groups.models import GroupMessage, GroupSession, Participant, PrivateNote
from ordrom.models import Notification

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")


def _oslo(value):
    return value.astimezone(OSLO)


# --- Scheduling ---------------------------------------------------------------------------


def test_series_creates_four_weekly_sessions_at_the_oslo_time(series):
    sessions = list(series.sessions.order_by("starts_at"))
    assert len(sessions) == services.WEEKS_AHEAD
    for session in sessions:
        local = _oslo(session.starts_at)
        assert (local.weekday(), local.hour, local.minute) == (2, 19, 0)
        assert session.ends_at - session.starts_at == dt.timedelta(minutes=60)
        assert session.state == GroupSession.State.SCHEDULED


def test_sessions_keep_their_wall_clock_time_across_daylight_saving(coordinator, supervisor):
    # Clocks go forward on Sunday 29 March 2026: 19:00 is 18:00 UTC before, 17:00 UTC after.
    now = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC)
    series = make_series(coordinator=coordinator, supervisor=supervisor, now=now,
                         starts_on=now.date())
    starts = [s.starts_at for s in series.sessions.order_by("starts_at")]
    assert [s.astimezone(dt.UTC).hour for s in starts[:3]] == [18, 18, 17]
    assert {_oslo(s).hour for s in starts} == {19}


def test_autumn_daylight_saving_change_keeps_the_clock_time(coordinator, supervisor):
    now = dt.datetime(2026, 10, 19, 9, 0, tzinfo=dt.UTC)  # clocks go back on 25 October
    series = make_series(coordinator=coordinator, supervisor=supervisor, now=now,
                         starts_on=now.date())
    starts = [s.starts_at for s in series.sessions.order_by("starts_at")]
    assert [s.astimezone(dt.UTC).hour for s in starts[:2]] == [17, 18]
    assert {_oslo(s).hour for s in starts} == {19}


def test_generating_twice_creates_nothing_new(series):
    assert services.sessions_generate(now=NOW) == 0
    later = NOW + dt.timedelta(days=7)
    assert services.sessions_generate(now=later) == 1
    assert services.sessions_generate(now=later) == 0


def test_only_coordinators_schedule_series(supervisor, member):
    with pytest.raises(PermissionDenied):
        make_series(coordinator=supervisor, supervisor=supervisor)


def test_leading_supervisor_must_be_staff(coordinator, member):
    with pytest.raises(ValidationError) as error:
        make_series(coordinator=coordinator, supervisor=member)
    assert "supervisor" in error.value.message_dict


def test_capacity_above_eight_is_refused(coordinator, supervisor):
    with pytest.raises(ValidationError) as error:
        make_series(coordinator=coordinator, supervisor=supervisor, capacity=9)
    assert "capacity" in error.value.message_dict


def test_moving_a_series_moves_upcoming_sessions_and_keeps_places(series, session, member,
                                                                  coordinator):
    sign_up(session, member)
    services.series_update(series=series, by=coordinator, now=NOW, weekday=3,
                           start_time=dt.time(18, 30))
    session.refresh_from_db()
    local = _oslo(session.starts_at)
    assert (local.weekday(), local.hour, local.minute) == (3, 18, 30)
    assert session.participants.count() == 1
    assert series.sessions.count() == services.WEEKS_AHEAD


def test_deactivating_a_series_drops_its_empty_upcoming_sessions(series, session, member,
                                                                 coordinator):
    sign_up(session, member)
    services.series_update(series=series, by=coordinator, now=NOW, is_active=False)
    assert list(series.sessions.all()) == [session]


# --- Places ---------------------------------------------------------------------------------


def test_sign_up_shows_only_first_name_and_region(session, member):
    place = sign_up(session, member, name="  Kari  ", region="nordland")
    assert (place.display_name, place.region) == ("Kari", "nordland")


def test_one_place_per_member_per_session(session, member):
    sign_up(session, member)
    with pytest.raises(ValidationError) as error:
        sign_up(session, member)
    assert error.value.messages == [str(services.ERROR_ALREADY_SIGNED_UP)]


def test_full_session_refuses_the_next_member(coordinator, supervisor, user_factory):
    series = make_series(coordinator=coordinator, supervisor=supervisor, capacity=2)
    session = series.sessions.first()
    sign_up(session, user_factory())
    sign_up(session, user_factory())
    with pytest.raises(ValidationError) as error:
        sign_up(session, user_factory())
    assert error.value.messages == [str(services.ERROR_FULL)]


def test_a_removed_participant_frees_the_place(coordinator, supervisor, user_factory):
    series = make_series(coordinator=coordinator, supervisor=supervisor, capacity=2)
    session = series.sessions.first()
    first = sign_up(session, user_factory())
    sign_up(session, user_factory())
    services.participant_remove(participant_id=first.pk, by=supervisor, now=NOW)
    sign_up(session, user_factory())
    assert session.participants.filter(removed_at__isnull=True).count() == 2


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("K", services.ERROR_NAME_LENGTH),
        ("Kari Nordmann Hansen Olsen", services.ERROR_NAME_LENGTH),
        ("Kari99", services.ERROR_NAME_CHARACTERS),
        ("kari@ordrom.no", services.ERROR_NAME_CONTACT),
        ("snap kari", services.ERROR_NAME_CONTACT),
        ("91234567", services.ERROR_NAME_CONTACT),
    ],
)
def test_first_name_must_be_short_and_without_contact_details(session, member, name, error):
    with pytest.raises(ValidationError) as raised:
        sign_up(session, member, name=name)
    expected = str(error % {"min": services.NAME_MIN, "max": services.NAME_MAX}) if "%" in str(
        error) else str(error)
    assert raised.value.message_dict["display_name"] == [expected]


def test_unknown_region_is_refused(session, member):
    with pytest.raises(ValidationError) as raised:
        sign_up(session, member, region="mars")
    assert "region" in raised.value.message_dict


def test_sign_up_closes_at_the_start(session, member):
    with pytest.raises(ValidationError):
        sign_up(session, member, now=session.starts_at)


def test_cancel_before_start_frees_the_place_and_not_after(session, member, other_member):
    sign_up(session, member)
    services.participant_cancel(session_id=session.pk, user=member, now=NOW)
    assert not session.participants.exists()
    sign_up(session, other_member)
    with pytest.raises(ValidationError):
        services.participant_cancel(session_id=session.pk, user=other_member,
                                    now=during(session))


def test_the_leading_supervisor_cannot_take_a_place(session, supervisor):
    with pytest.raises(ValidationError):
        sign_up(session, supervisor)


# --- The room's opening window ----------------------------------------------------------------


def test_room_opens_for_the_supervisor_ten_minutes_before(session, supervisor):
    too_early = session.starts_at - dt.timedelta(minutes=11)
    assert services.room_enter_error(session=session, user=supervisor, now=too_early) == (
        services.ERROR_STAFF_EARLY
    )
    ten_before = session.starts_at - dt.timedelta(minutes=10)
    assert services.room_enter_error(session=session, user=supervisor, now=ten_before) is None
    opened = services.room_enter(session_id=session.pk, user=supervisor, now=ten_before)
    assert opened.state == GroupSession.State.OPEN


def test_room_opens_for_participants_at_the_start(session, place, member):
    before = session.starts_at - dt.timedelta(minutes=1)
    assert services.room_enter_error(session=session, user=member, now=before) == (
        services.ERROR_NOT_OPEN_YET
    )
    assert services.room_enter_error(session=session, user=member, now=session.starts_at) is None


def test_room_refuses_members_without_a_place(session, other_member):
    assert services.room_enter_error(session=session, user=other_member,
                                     now=during(session)) == services.ERROR_NOT_IN_SESSION


def test_coordinator_may_enter_any_room(session, coordinator):
    assert services.room_enter_error(session=session, user=coordinator,
                                     now=during(session)) is None


def test_nobody_posts_after_the_end(session, place, member, supervisor):
    for user in (member, supervisor):
        with pytest.raises(PermissionDenied) as error:
            services.message_post(session_id=session.pk, by=user, text="Hei",
                                  now=session.ends_at)
        assert str(error.value) == str(services.ERROR_ENDED)
    assert not GroupMessage.objects.exists()


def test_participant_cannot_post_before_the_start(session, place, member):
    with pytest.raises(PermissionDenied):
        services.message_post(session_id=session.pk, by=member, text="Hei",
                              now=session.starts_at - dt.timedelta(minutes=5))


# --- Messages -------------------------------------------------------------------------------


def test_messages_get_consecutive_sequence_numbers(session, place, member, supervisor):
    at = during(session)
    first = services.message_post(session_id=session.pk, by=supervisor, text="Velkommen", now=at)
    second = services.message_post(session_id=session.pk, by=member, text="Hei", now=at)
    assert (first.seq, second.seq) == (1, 2)
    assert (first.author_name, second.author_name) == (supervisor.get_username(), "Kari")
    assert [m.seq for m in services.messages_after(session_id=session.pk, after_seq=1)] == [2]


def test_a_post_resent_with_its_client_id_is_stored_once(session, place, member, supervisor):
    at = during(session)
    first = services.message_post(
        session_id=session.pk, by=member, text="Hei", now=at, client_id="k-1"
    )
    again = services.message_post(
        session_id=session.pk, by=member, text="Hei", now=at, client_id="k-1"
    )
    assert again.pk == first.pk
    # The same id from someone else, or no id at all, is a post of its own.
    staff = services.message_post(
        session_id=session.pk, by=supervisor, text="Hei", now=at, client_id="k-1"
    )
    plain = [services.message_post(session_id=session.pk, by=member, text="Hei", now=at)
             for _ in range(2)]
    assert len({first.pk, staff.pk, *(m.pk for m in plain)}) == 4
    assert GroupMessage.objects.filter(session=session).count() == 4


def test_message_length_is_limited(session, place, member):
    with pytest.raises(ValidationError):
        services.message_post(session_id=session.pk, by=member, text="x" * 4001,
                              now=during(session))
    with pytest.raises(ValidationError):
        services.message_post(session_id=session.pk, by=member, text="   ", now=during(session))


def test_supervisor_posts_the_agreed_topic(session, supervisor, member, place):
    message = services.topic_post(session_id=session.pk, by=supervisor,
                                  text="Det som hjelper", now=during(session))
    session.refresh_from_db()
    assert session.agreed_topic == "Det som hjelper"
    assert message.kind == GroupMessage.Kind.TOPIC
    with pytest.raises(PermissionDenied):
        services.topic_post(session_id=session.pk, by=member, text="Noe annet",
                            now=during(session))


def test_muted_participant_cannot_post_until_unmuted(session, place, member, supervisor):
    services.participant_mute(participant_id=place.pk, by=supervisor)
    with pytest.raises(PermissionDenied) as error:
        services.message_post(session_id=session.pk, by=member, text="Hei", now=during(session))
    assert str(error.value) == str(services.ERROR_MUTED)
    services.participant_mute(participant_id=place.pk, by=supervisor, muted=False)
    assert services.message_post(session_id=session.pk, by=member, text="Hei",
                                 now=during(session)).seq == 1


def test_removed_participant_is_out_of_the_room(session, place, member, supervisor):
    services.participant_remove(participant_id=place.pk, by=supervisor, now=during(session))
    assert services.room_enter_error(session=session, user=member,
                                     now=during(session)) == services.ERROR_REMOVED
    with pytest.raises(PermissionDenied):
        services.message_post(session_id=session.pk, by=member, text="Hei", now=during(session))


def test_only_the_sessions_staff_mute_or_remove(session, place, other_member, user_factory):
    from ordrom.roles import Role

    other_supervisor = user_factory(roles=(Role.SUPERVISOR,))
    for user in (other_member, other_supervisor):
        with pytest.raises(PermissionDenied):
            services.participant_mute(participant_id=place.pk, by=user)
        with pytest.raises(PermissionDenied):
            services.participant_remove(participant_id=place.pk, by=user, now=NOW)


# --- Closing ------------------------------------------------------------------------------


def test_closing_deletes_the_transcript_and_keeps_the_counts(session, place, member,
                                                            supervisor, other_member):
    sign_up(session, other_member, name="Ola")  # signed up, never came
    at = during(session)
    services.room_enter(session_id=session.pk, user=supervisor, now=at)
    services.room_enter(session_id=session.pk, user=member, now=at)
    for text in ("Velkommen", "Takk"):
        services.message_post(session_id=session.pk, by=supervisor, text=text, now=at)
    services.message_post(session_id=session.pk, by=member, text="Hei", now=at)
    closed = services.room_close(session_id=session.pk, by=supervisor, now=at)
    assert closed.state == GroupSession.State.CLOSED
    assert (closed.participant_count, closed.message_count) == (1, 3)
    assert not GroupMessage.objects.filter(session=session).exists()
    with pytest.raises(PermissionDenied) as error:
        services.message_post(session_id=session.pk, by=member, text="Hallo?", now=at)
    assert str(error.value) == str(services.ERROR_ROOM_CLOSED)


def test_members_cannot_close_the_room(session, place, member):
    with pytest.raises(PermissionDenied):
        services.room_close(session_id=session.pk, by=member, now=during(session))


def test_sweep_closes_ended_sessions_and_deletes_their_transcripts(session, place, member):
    services.message_post(session_id=session.pk, by=member, text="Hei", now=during(session))
    assert services.sessions_close_ended(now=during(session)) == 0
    assert services.sessions_close_ended(now=session.ends_at) == 1
    session.refresh_from_db()
    assert session.is_closed and session.message_count == 1
    assert not GroupMessage.objects.exists()
    assert services.sessions_close_ended(now=session.ends_at) == 0


# --- Private notes ------------------------------------------------------------------------------


def test_supervisor_sends_a_private_note_before_and_after(session, place, member, supervisor):
    before = services.note_send(participant_id=place.pk, by=supervisor,
                                text="Velkommen på onsdag!", now=NOW)
    after = services.note_send(participant_id=place.pk, by=supervisor,
                               text="Takk for i kveld.", now=session.ends_at)
    assert (before.timing, after.timing) == (PrivateNote.Timing.BEFORE, PrivateNote.Timing.AFTER)
    assert Notification.objects.filter(recipient=member, kind=services.NOTE_KIND).count() == 2


def test_notes_are_visible_only_to_their_participant(session, place, member, other_member,
                                                     supervisor):
    from chat.groups import selectors

    sign_up(session, other_member, name="Ola")
    services.note_send(participant_id=place.pk, by=supervisor, text="Til Kari", now=NOW)
    assert [n.text for n in selectors.notes_of(user=member)] == ["Til Kari"]
    assert list(selectors.notes_of(user=other_member)) == []


def test_members_cannot_send_notes(session, place, other_member):
    with pytest.raises(PermissionDenied):
        services.note_send(participant_id=place.pk, by=other_member, text="Hei", now=NOW)


def test_erasing_a_member_removes_places_and_notes(session, place, member, supervisor):
    from ordrom import personal_data

    services.note_send(participant_id=place.pk, by=supervisor, text="Hei", now=NOW)
    assert personal_data.export_user(member)["group_sessions"][0]["notes"][0]["text"] == "Hei"
    personal_data.erase_user(member)
    assert not Participant.objects.exists() and not PrivateNote.objects.exists()


# --- The guided check's "next group session" ---------------------------------------------


def test_next_group_session_comes_from_the_scheduled_series(session):
    from pages.models import SiteSettings

    status = SiteSettings().next_group_session(NOW)
    assert (status.is_open, status.next_open) == (False, session.starts_at)
    running = SiteSettings().next_group_session(during(session))
    assert (running.is_open, running.until) == (True, session.ends_at)


def test_without_scheduled_sessions_the_settings_times_still_apply(db):
    from pages.models import SiteSettings

    assert SiteSettings().next_group_session(NOW).no_hours


def test_the_sweep_generates_sessions_and_closes_ended_rooms(series):
    from ordrom import sweeps

    registered = sweeps.registered()
    assert {"chatgroups.generate_sessions", "chatgroups.close_ended"} <= set(registered)
    registered["chatgroups.generate_sessions"].call()
    registered["chatgroups.close_ended"].call()
    # The fixture's sessions are in January 2026: by the real clock they are over and closed.
    assert not series.sessions.exclude(state=GroupSession.State.CLOSED).filter(
        ends_at__lte=dt.datetime.now(dt.UTC)).exists()
