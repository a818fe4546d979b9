"""The chat sockets against the full ASGI app: queue, take next, messages both ways, typing,
delivered, resume, ending, and who may open which socket."""

from __future__ import annotations

import datetime as dt

import pytest
from chat_support import communicator, drain, run, until
from django.utils import timezone

from chat import services
from chat.models import Conversation, Message

pytestmark = pytest.mark.django_db(transaction=True)


def enter(member, first_line="Hei"):
    return services.conversation_enter_queue(
        member=member, first_line=first_line, now=timezone.now()
    )


def test_a_whole_chat_over_the_sockets(member, supervisor, session_cookie):
    conversation = enter(member, "Jeg vil snakke om søvn")
    member_cookie, staff_cookie = session_cookie(member), session_cookie(supervisor)

    async def scenario():
        visitor = communicator(f"/ws/chat/{conversation.pk}/", cookie=member_cookie)
        console = communicator("/ws/chat/console/", cookie=staff_cookie)
        assert (await visitor.connect())[0]
        state = await until(visitor, "state")
        assert state["state"] == "waiting" and state["position"] == 1
        assert (await console.connect())[0]
        await until(console, "hello")
        queue = await until(console, "queue")
        assert queue["waiting"][0]["first_line"] == "Jeg vil snakke om søvn"

        await console.send_json_to({"type": "take_next"})
        taken = await until(console, "conversation")
        assert taken["id"] == conversation.pk and taken["state"] == "active"
        state = await until(visitor, "state", state="active")
        assert state["supervisor"] == services.staff_name(supervisor)

        # Member → supervisor: acknowledged with its number, then delivered live.
        await visitor.send_json_to({"type": "message", "text": "Hei!", "client_id": "c1"})
        ack = await until(visitor, "ack")
        assert ack["client_id"] == "c1" and ack["seq"] == 1
        got = await until(console, "message")
        assert (got["seq"], got["sender"], got["text"]) == (1, "member", "Hei!")

        # Typing goes only to the other side.
        await console.send_json_to({"type": "typing", "conversation": conversation.pk})
        typing = await until(visitor, "typing")
        assert typing["sender"] == "supervisor"

        # Supervisor → member, and the member's delivered mark comes back.
        await console.send_json_to(
            {"type": "message", "conversation": conversation.pk, "text": "<b>Hei</b> du"}
        )
        got = await until(visitor, "message", seq=2)
        assert got["text"] == "<b>Hei</b> du"  # as written: the page inserts it as text
        assert got["name"] == services.staff_name(supervisor)
        await visitor.send_json_to({"type": "delivered", "seq": 2})
        delivered = await until(console, "delivered")
        assert delivered["seqs"] == [2]

        # The supervisor ends; the member sees the end message and the ended state.
        await console.send_json_to({"type": "end", "conversation": conversation.pk})
        ended = await until(visitor, "message", sender="system")
        assert ended["text"] == str(services.SYSTEM_ENDED_BY_SUPERVISOR)
        assert (await until(visitor, "state", state="ended"))["ended_by"] == "supervisor"
        await visitor.disconnect()
        await console.disconnect()

    run(scenario)


def test_reconnecting_resumes_in_order_without_duplicates(member, supervisor, session_cookie):
    conversation = enter(member)
    services.conversation_take_next(supervisor=supervisor, now=timezone.now())
    for n in range(1, 6):
        services.message_send(
            conversation_id=conversation.pk,
            sender="supervisor" if n % 2 else "member",
            author=supervisor if n % 2 else member,
            text=f"melding {n}",
            now=timezone.now(),
        )
    cookie = session_cookie(member)

    async def scenario():
        ws = communicator(f"/ws/chat/{conversation.pk}/", cookie=cookie)
        await ws.connect()
        await until(ws, "state")
        await ws.send_json_to({"type": "resume", "after": 2})
        frames = []
        while True:
            frame = await ws.receive_json_from()
            if frame["type"] == "resumed":
                break
            frames.append(frame)
        assert [f["seq"] for f in frames] == [3, 4, 5]
        assert frame["last"] == 5
        await ws.disconnect()

    run(scenario)


def test_crisis_words_mark_the_chat_urgent_for_staff(member, supervisor, session_cookie):
    conversation = enter(member)
    services.conversation_take_next(supervisor=supervisor, now=timezone.now())
    member_cookie, staff_cookie = session_cookie(member), session_cookie(supervisor)

    async def scenario():
        visitor = communicator(f"/ws/chat/{conversation.pk}/", cookie=member_cookie)
        console = communicator("/ws/chat/console/", cookie=staff_cookie)
        await visitor.connect()
        await console.connect()
        await until(console, "queue")
        await visitor.send_json_to({"type": "message", "text": "jeg vil ikke leve lenger"})
        update = await until(console, "conversation", urgent=True)
        assert update["id"] == conversation.pk
        # Ending an urgent chat without the safety check is refused with a clear error.
        await console.send_json_to({"type": "end", "conversation": conversation.pk})
        error = await until(console, "error")
        assert error["code"] == "safety_check"
        await console.send_json_to(
            {
                "type": "end",
                "conversation": conversation.pk,
                "next_step": True,
                "numbers_given": True,
            }
        )
        assert (await until(visitor, "state", state="ended"))["ended_by"] == "supervisor"
        await visitor.disconnect()
        await console.disconnect()

    run(scenario)


def test_member_cannot_open_someone_elses_conversation(member, other_member, session_cookie):
    conversation = enter(member)
    cookie = session_cookie(other_member)

    async def scenario():
        ws = communicator(f"/ws/chat/{conversation.pk}/", cookie=cookie)
        connected, _ = await ws.connect()
        assert not connected
        await ws.disconnect()

    run(scenario)


@pytest.mark.parametrize("role", ["member", "moderator", "editor", "staff_without_2fa"])
def test_only_supervisors_and_coordinators_open_the_console(request, role, session_cookie):
    cookie = session_cookie(request.getfixturevalue(role))

    async def scenario():
        ws = communicator("/ws/chat/console/", cookie=cookie)
        connected, _ = await ws.connect()
        assert not connected
        await ws.disconnect()

    run(scenario)


def test_supervisor_cannot_write_into_a_chat_they_do_not_hold(
    member, supervisor, coordinator, session_cookie
):
    conversation = enter(member)
    services.conversation_take_next(supervisor=supervisor, now=timezone.now())
    cookie = session_cookie(coordinator)

    async def scenario():
        ws = communicator("/ws/chat/console/", cookie=cookie)
        await ws.connect()
        await until(ws, "queue")
        await ws.send_json_to({"type": "message", "conversation": conversation.pk, "text": "x"})
        refused = await until(ws, "error")
        assert refused["code"] == "forbidden"
        # Someone else's chat reads like a made-up id: the error tells nothing about it.
        made_up = {"type": "message", "conversation": conversation.pk + 1000, "text": "x"}
        await ws.send_json_to(made_up)
        assert (await until(ws, "error"))["message"] == refused["message"]
        await ws.send_json_to({"type": "resume", "conversation": conversation.pk, "after": 0})
        assert (await until(ws, "error"))["code"] == "forbidden"
        await ws.disconnect()

    run(scenario)
    assert not Message.objects.exists()


def test_member_frames_that_break_the_rules_never_reach_the_supervisor(
    member, supervisor, session_cookie
):
    conversation = enter(member)
    services.conversation_take_next(supervisor=supervisor, now=timezone.now())
    member_cookie, staff_cookie = session_cookie(member), session_cookie(supervisor)

    async def scenario():
        visitor = communicator(f"/ws/chat/{conversation.pk}/", cookie=member_cookie)
        console = communicator("/ws/chat/console/", cookie=staff_cookie)
        await visitor.connect()
        await console.connect()
        await drain(console)
        for bad in ['{"type":"message"}', '{"type":"message","text":"' + "x" * 4001 + '"}', "{"]:
            await visitor.send_to(text_data=bad)
            assert (await until(visitor, "error"))["type"] == "error"
        await visitor.send_json_to({"type": "message", "text": "   "})
        assert (await until(visitor, "error"))["code"] == "empty"
        assert not [f for f in await drain(console) if f["type"] == "message"]
        await visitor.disconnect()
        await console.disconnect()

    run(scenario)


def test_leaving_the_waiting_page_keeps_the_place(member, session_cookie):
    conversation = enter(member)
    cookie = session_cookie(member)

    async def scenario():
        ws = communicator(f"/ws/chat/{conversation.pk}/", cookie=cookie)
        await ws.connect()
        await until(ws, "state")
        await ws.disconnect()

    run(scenario)
    conversation.refresh_from_db()
    assert conversation.state == Conversation.State.WAITING
    assert conversation.place_kept_until > timezone.now() + dt.timedelta(seconds=100)

    async def back():
        ws = communicator(f"/ws/chat/{conversation.pk}/", cookie=cookie)
        await ws.connect()
        assert (await until(ws, "state"))["position"] == 1
        await ws.disconnect()

    run(back)


def test_waiting_members_see_their_position_move(member, other_member, supervisor, session_cookie):
    first = enter(member)
    second = enter(other_member)
    cookie, staff_cookie = session_cookie(other_member), session_cookie(supervisor)

    async def scenario():
        ws = communicator(f"/ws/chat/{second.pk}/", cookie=cookie)
        console = communicator("/ws/chat/console/", cookie=staff_cookie)
        await ws.connect()
        assert (await until(ws, "state"))["position"] == 2
        await console.connect()
        await console.send_json_to({"type": "take_next"})
        assert (await until(console, "conversation"))["id"] == first.pk
        assert (await until(ws, "state", position=1))["state"] == "waiting"
        await ws.disconnect()
        await console.disconnect()

    run(scenario)


def test_handover_moves_the_chat_to_the_other_supervisors_console(
    member, supervisor, coordinator, session_cookie
):
    conversation = enter(member)
    services.conversation_take_next(supervisor=supervisor, now=timezone.now())
    member_cookie = session_cookie(member)
    first_cookie, second_cookie = session_cookie(supervisor), session_cookie(coordinator)

    async def scenario():
        visitor = communicator(f"/ws/chat/{conversation.pk}/", cookie=member_cookie)
        first = communicator("/ws/chat/console/", cookie=first_cookie)
        second = communicator("/ws/chat/console/", cookie=second_cookie)
        for ws in (visitor, first, second):
            assert (await ws.connect())[0]
        await until(second, "queue")
        await first.send_json_to(
            {"type": "transfer", "conversation": conversation.pk, "to": coordinator.pk}
        )
        assert (await until(first, "transferred"))["conversation"] == conversation.pk
        assert (await until(second, "conversation"))["id"] == conversation.pk
        handed = await until(visitor, "message", sender="system")
        assert handed["text"] == str(services.SYSTEM_TRANSFERRED)
        await visitor.send_json_to({"type": "message", "text": "Hei igjen"})
        assert (await until(second, "message", sender="member"))["text"] == "Hei igjen"
        for ws in (visitor, first, second):
            await ws.disconnect()

    run(scenario)


def test_referral_card_reaches_the_member_as_text(member, supervisor, session_cookie):
    from pages.models import HelpService

    service = HelpService.objects.create(
        name="Hjelpetelefonen", slug="hjelpetelefonen", summary_nb="Døgnåpen", phone="116 123"
    )
    conversation = enter(member)
    services.conversation_take_next(supervisor=supervisor, now=timezone.now())
    member_cookie, staff_cookie = session_cookie(member), session_cookie(supervisor)

    async def scenario():
        visitor = communicator(f"/ws/chat/{conversation.pk}/", cookie=member_cookie)
        console = communicator("/ws/chat/console/", cookie=staff_cookie)
        await visitor.connect()
        await console.connect()
        await until(console, "queue")
        await console.send_json_to(
            {"type": "referral", "conversation": conversation.pk, "service": service.pk}
        )
        card = await until(visitor, "message", sender="supervisor")
        assert "Hjelpetelefonen" in card["text"] and "116 123" in card["text"]
        await console.send_json_to(
            {"type": "referral", "conversation": conversation.pk, "service": 999999}
        )
        assert (await until(console, "error"))["code"] == "forbidden"
        await visitor.disconnect()
        await console.disconnect()

    run(scenario)
