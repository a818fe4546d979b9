"""The group room's WebSocket against the full ASGI application: who may join and when,
posting, mute, remove, resume by sequence number, malformed frames, closing."""

from __future__ import annotations

import datetime as dt

import pytest
from groups_support import make_running, make_series, room_socket, run, session_cookie_for

from chat.groups import services
from chat.groups.models import GroupMessage, GroupSession, Participant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _role_groups(_django_db_helper):
    """Transactional tests flush the groups the data migrations made; put them back."""
    from django.contrib.auth.models import Group

    from ordrom.roles import Role

    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture
def room(coordinator, supervisor):
    from django.utils import timezone

    now = timezone.now()
    series = make_series(coordinator=coordinator, supervisor=supervisor, now=now,
                         starts_on=now.date())
    return make_running(series.sessions.order_by("starts_at").first())


def sign_up(room, user, name="Kari"):
    """A place in a room that is already running (sign-up itself closes at the start)."""
    return Participant.objects.create(session=room, user=user, display_name=name,
                                      region="oslo", created_at=room.starts_at)


async def _open(session_id, cookie):
    ws = room_socket(session_id, cookie=cookie)
    connected, code = await ws.connect()
    return ws, connected, code


def test_participant_and_supervisor_talk_in_the_room(room, member, supervisor):
    sign_up(room, member)
    member_cookie, staff_cookie = session_cookie_for(member), session_cookie_for(supervisor)

    async def scenario():
        staff, ok, _ = await _open(room.pk, staff_cookie)
        assert ok
        hello = await staff.receive_json_from()
        assert hello["type"] == "hello" and hello["staff"] is True
        assert [p["name"] for p in hello["participants"]] == ["Kari"]
        person, ok, _ = await _open(room.pk, member_cookie)
        assert ok
        hello = await person.receive_json_from()
        assert hello["staff"] is False and "muted" not in hello["participants"][0]
        await person.send_json_to({"type": "post", "text": "<b>Hei</b>", "client_id": "c1"})
        ack = await person.receive_json_from()
        assert ack == {"type": "ack", "seq": 1, "client_id": "c1"}
        mine = await person.receive_json_from()
        theirs = await staff.receive_json_from()
        assert mine == theirs
        assert (theirs["seq"], theirs["author"], theirs["text"]) == (1, "Kari", "<b>Hei</b>")
        await staff.send_json_to({"type": "topic", "text": "Det som hjelper"})
        topic = await person.receive_json_from()
        assert (topic["kind"], topic["seq"], topic["staff"]) == ("topic", 2, True)
        await person.disconnect()
        await staff.disconnect()

    run(scenario)
    assert GroupMessage.objects.filter(session=room).count() == 2


def test_member_without_a_place_is_refused(room, other_member):
    cookie = session_cookie_for(other_member)

    async def scenario():
        ws, ok, _ = await _open(room.pk, cookie)
        assert not ok
        await ws.disconnect()

    run(scenario)


def test_another_supervisor_is_refused_but_a_coordinator_may_join(room, user_factory,
                                                                 coordinator):
    from ordrom.roles import Role

    stranger = session_cookie_for(user_factory(roles=(Role.SUPERVISOR,)))
    coordinating = session_cookie_for(coordinator)

    async def scenario():
        ws, ok, _ = await _open(room.pk, stranger)
        assert not ok
        ws2, ok, _ = await _open(room.pk, coordinating)
        assert ok
        assert (await ws2.receive_json_from())["type"] == "hello"
        await ws2.disconnect()

    run(scenario)


def test_anonymous_and_foreign_origin_are_refused(room, member):
    sign_up(room, member)
    cookie = session_cookie_for(member)

    async def scenario():
        ws, ok, _ = await _open(room.pk, None)
        assert not ok
        forged = room_socket(room.pk, cookie=cookie, origin=b"http://evil.example")
        ok, _ = await forged.connect()
        assert not ok

    run(scenario)


def test_participant_before_the_start_gets_a_clear_refusal(room, member, supervisor):
    sign_up(room, member)
    room.starts_at = room.starts_at + dt.timedelta(minutes=30)  # starts in 25 minutes
    room.ends_at = room.starts_at + dt.timedelta(minutes=60)
    room.save()
    member_cookie, staff_cookie = session_cookie_for(member), session_cookie_for(supervisor)

    async def scenario():
        ws, ok, _ = await _open(room.pk, member_cookie)
        assert ok
        error = await ws.receive_json_from()
        assert error["type"] == "error" and error["code"] == "room_not_open"
        assert error["message"] == str(services.ERROR_NOT_OPEN_YET)
        assert (await ws.receive_output())["type"] == "websocket.close"
        staff, ok, _ = await _open(room.pk, staff_cookie)  # 25 min early is too early for staff
        assert (await staff.receive_json_from())["message"] == str(services.ERROR_STAFF_EARLY)

    run(scenario)


def test_supervisor_enters_ten_minutes_early_and_opens_the_room(room, supervisor):
    room.starts_at = room.starts_at + dt.timedelta(minutes=13)  # starts in 8 minutes
    room.ends_at = room.starts_at + dt.timedelta(minutes=60)
    room.save()
    cookie = session_cookie_for(supervisor)

    async def scenario():
        ws, ok, _ = await _open(room.pk, cookie)
        assert (await ws.receive_json_from())["type"] == "hello"
        await ws.disconnect()

    run(scenario)
    room.refresh_from_db()
    assert room.state == GroupSession.State.OPEN


def test_after_the_end_posting_is_refused(room, member):
    sign_up(room, member)
    cookie = session_cookie_for(member)

    async def scenario():
        ws, ok, _ = await _open(room.pk, cookie)
        await ws.receive_json_from()
        await _end(room)
        await ws.send_json_to({"type": "post", "text": "Hallo?"})
        error = await ws.receive_json_from()
        assert error["type"] == "error" and error["message"] == str(services.ERROR_ENDED)
        await ws.disconnect()

    run(scenario)
    assert not GroupMessage.objects.exists()


async def _end(room):
    from channels.db import database_sync_to_async
    from django.utils import timezone

    def end():
        GroupSession.objects.filter(pk=room.pk).update(ends_at=timezone.now())

    await database_sync_to_async(end)()


def test_muted_participant_is_told_and_cannot_post(room, member, supervisor):
    place = sign_up(room, member)
    member_cookie, staff_cookie = session_cookie_for(member), session_cookie_for(supervisor)

    async def scenario():
        staff, _, _ = await _open(room.pk, staff_cookie)
        await staff.receive_json_from()
        person, _, _ = await _open(room.pk, member_cookie)
        await person.receive_json_from()
        await staff.send_json_to({"type": "mute", "participant": place.pk, "muted": True})
        assert await person.receive_json_from() == {"type": "muted", "muted": True}
        assert (await person.receive_json_from())["type"] == "participants"
        listing = await staff.receive_json_from()
        assert listing["participants"][0]["muted"] is True
        await person.send_json_to({"type": "post", "text": "Hei"})
        error = await person.receive_json_from()
        assert error["message"] == str(services.ERROR_MUTED)
        assert await staff.receive_nothing()
        await person.disconnect()
        await staff.disconnect()

    run(scenario)


def test_participants_cannot_mute_remove_topic_or_close(room, member, other_member):
    sign_up(room, member)
    other = sign_up(room, other_member, name="Ola")
    cookie = session_cookie_for(member)

    async def scenario():
        ws, _, _ = await _open(room.pk, cookie)
        await ws.receive_json_from()
        for frame in (
            {"type": "mute", "participant": other.pk, "muted": True},
            {"type": "remove", "participant": other.pk},
            {"type": "topic", "text": "Noe"},
            {"type": "close"},
        ):
            await ws.send_json_to(frame)
            error = await ws.receive_json_from()
            assert error["type"] == "error", frame
        await ws.disconnect()

    run(scenario)
    other.refresh_from_db()
    room.refresh_from_db()
    assert not other.muted and not other.removed and not room.is_closed


def test_removed_participant_is_disconnected_and_cannot_come_back(room, member, supervisor):
    place = sign_up(room, member)
    member_cookie, staff_cookie = session_cookie_for(member), session_cookie_for(supervisor)

    async def scenario():
        staff, _, _ = await _open(room.pk, staff_cookie)
        await staff.receive_json_from()
        person, _, _ = await _open(room.pk, member_cookie)
        await person.receive_json_from()
        await staff.send_json_to({"type": "remove", "participant": place.pk})
        error = await person.receive_json_from()
        assert error["code"] == "removed"
        assert (await person.receive_output())["type"] == "websocket.close"
        again, ok, _ = await _open(room.pk, member_cookie)
        assert not ok
        await staff.disconnect()

    run(scenario)


def test_reconnecting_client_gets_what_it_missed_in_order(room, member, supervisor):
    sign_up(room, member)
    member_cookie, staff_cookie = session_cookie_for(member), session_cookie_for(supervisor)

    async def scenario():
        person, _, _ = await _open(room.pk, member_cookie)
        await person.receive_json_from()
        await person.send_json_to({"type": "post", "text": "en"})
        first = await person.receive_json_from()
        await person.disconnect()
        staff, _, _ = await _open(room.pk, staff_cookie)
        await staff.receive_json_from()
        for text in ("to", "tre"):
            await staff.send_json_to({"type": "post", "text": text})
            await staff.receive_json_from()
        back, _, _ = await _open(room.pk, member_cookie)
        hello = await back.receive_json_from()
        assert hello["last_seq"] == 3
        await back.send_json_to({"type": "resume", "after": first["seq"]})
        history = await back.receive_json_from()
        assert [(m["seq"], m["text"]) for m in history["messages"]] == [(2, "to"), (3, "tre")]
        assert history["more"] is False
        await back.disconnect()
        await staff.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", "bad_json"),
        ('["post"]', "bad_frame"),
        ('{"type": "post"}', "bad_frame"),
        ('{"type": "post", "text": 5}', "bad_frame"),
        ('{"type": "post", "text": "hei", "html": "<b>"}', "bad_frame"),
        ('{"type": "shout", "text": "hei"}', "unknown_type"),
        ('{"type": "resume", "after": "x"}', "bad_frame"),
        ('{"type": "post", "text": "' + "x" * 4001 + '"}', "too_long"),
    ],
)
def test_malformed_frames_get_an_error_and_reach_nobody(room, member, supervisor, raw, code):
    sign_up(room, member)
    member_cookie, staff_cookie = session_cookie_for(member), session_cookie_for(supervisor)

    async def scenario():
        staff, _, _ = await _open(room.pk, staff_cookie)
        await staff.receive_json_from()
        person, _, _ = await _open(room.pk, member_cookie)
        await person.receive_json_from()
        await person.send_to(text_data=raw)
        error = await person.receive_json_from()
        assert (error["type"], error["code"]) == ("error", code)
        assert await staff.receive_nothing()
        await person.send_json_to({"type": "post", "text": "still here"})
        assert (await person.receive_json_from())["text"] == "still here"
        await person.disconnect()
        await staff.disconnect()

    run(scenario)


def test_closing_the_room_ends_every_socket_and_deletes_the_transcript(room, member,
                                                                      supervisor):
    sign_up(room, member)
    member_cookie, staff_cookie = session_cookie_for(member), session_cookie_for(supervisor)

    async def scenario():
        staff, _, _ = await _open(room.pk, staff_cookie)
        await staff.receive_json_from()
        person, _, _ = await _open(room.pk, member_cookie)
        await person.receive_json_from()
        await person.send_json_to({"type": "post", "text": "Takk for i dag"})
        await person.receive_json_from()
        await staff.receive_json_from()
        await staff.send_json_to({"type": "close"})
        assert (await person.receive_json_from())["type"] == "closed"
        assert (await person.receive_output())["type"] == "websocket.close"
        again, ok, _ = await _open(room.pk, member_cookie)
        assert ok
        assert (await again.receive_json_from())["message"] == str(services.ERROR_ROOM_CLOSED)

    run(scenario)
    room.refresh_from_db()
    assert room.is_closed and (room.participant_count, room.message_count) == (1, 1)
    assert not GroupMessage.objects.exists()


def test_staff_joining_the_room_is_audited_participants_are_not(room, member, supervisor):
    from ordrom.models import AuditEntry

    sign_up(room, member)
    member_cookie, staff_cookie = session_cookie_for(member), session_cookie_for(supervisor)

    async def scenario():
        for cookie in (member_cookie, staff_cookie):
            ws, _, _ = await _open(room.pk, cookie)
            await ws.receive_json_from()
            await ws.disconnect()

    run(scenario)
    entry = AuditEntry.objects.get(target_type="group_session", target_id=room.pk)
    assert entry.actor == supervisor


def test_more_than_thirty_posts_a_minute_are_refused(room, member):
    sign_up(room, member)
    cookie = session_cookie_for(member)

    async def scenario():
        ws, _, _ = await _open(room.pk, cookie)
        await ws.receive_json_from()
        for n in range(30):
            await ws.send_json_to({"type": "post", "text": f"linje {n}"})
            assert (await ws.receive_json_from())["type"] == "message"
        await ws.send_json_to({"type": "post", "text": "en for mye"})
        error = await ws.receive_json_from()
        assert (error["type"], error["code"]) == ("error", "rate_limited")
        await ws.disconnect()

    run(scenario)
    assert GroupMessage.objects.filter(session=room).count() == 30


def test_a_frame_over_64_kb_closes_the_socket(room, member):
    sign_up(room, member)
    cookie = session_cookie_for(member)

    async def scenario():
        ws, _, _ = await _open(room.pk, cookie)
        await ws.receive_json_from()
        await ws.send_to(text_data='{"type": "post", "text": "' + "x" * 70_000 + '"}')
        assert (await ws.receive_json_from())["code"] == "too_large"
        assert (await ws.receive_output())["type"] == "websocket.close"

    run(scenario)
    assert not GroupMessage.objects.exists()


def test_logging_out_closes_the_room_socket(room, member):
    from channels.db import database_sync_to_async
    from django.conf import settings
    from django.test import Client

    sign_up(room, member)
    client = Client()
    client.force_login(member)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    async def scenario():
        ws, _, _ = await _open(room.pk, cookie)
        await ws.receive_json_from()
        await database_sync_to_async(client.post)("/accounts/logout/")
        assert (await ws.receive_json_from())["code"] == "signed_out"
        assert (await ws.receive_output())["type"] == "websocket.close"

    run(scenario)


def test_a_long_history_comes_in_parts_without_gaps(room, member, supervisor, monkeypatch):
    from django.utils import timezone

    from chat.groups import consumers

    monkeypatch.setattr(consumers, "RESUME_LIMIT", 2)
    sign_up(room, member)
    for text in ("en", "to", "tre"):
        services.message_post(session_id=room.pk, by=supervisor, text=text, now=timezone.now())
    cookie = session_cookie_for(member)

    async def scenario():
        ws, _, _ = await _open(room.pk, cookie)
        await ws.receive_json_from()
        await ws.send_json_to({"type": "resume", "after": 0})
        first = await ws.receive_json_from()
        assert ([m["seq"] for m in first["messages"]], first["more"]) == ([1, 2], True)
        await ws.send_json_to({"type": "resume", "after": 2})
        rest = await ws.receive_json_from()
        assert ([m["seq"] for m in rest["messages"]], rest["more"]) == ([3], False)
        await ws.disconnect()

    run(scenario)
