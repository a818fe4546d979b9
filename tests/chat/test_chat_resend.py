"""Idempotent send: a client that resends a message after a dropped connection (stored, but
the ack never arrived) gets the stored message's ack again, and nothing is stored twice."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from chat_support import communicator, run, until
from django.utils import timezone

from chat import services
from chat.groups import services as group_services
from chat.groups.models import GroupMessage, Participant
from chat.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


def running_chat(member, supervisor):
    conversation = services.conversation_enter_queue(
        member=member, first_line="Hei", now=timezone.now()
    )
    services.conversation_take_next(supervisor=supervisor, now=timezone.now())
    return conversation


def test_a_resent_message_is_acknowledged_again_and_stored_once(member, supervisor, session_cookie):
    conversation = running_chat(member, supervisor)
    member_cookie, staff_cookie = session_cookie(member), session_cookie(supervisor)

    async def scenario():
        console = communicator("/ws/chat/console/", cookie=staff_cookie)
        assert (await console.connect())[0]
        await until(console, "queue")

        first = communicator(f"/ws/chat/{conversation.pk}/", cookie=member_cookie)
        assert (await first.connect())[0]
        await first.send_json_to({"type": "message", "text": "Er du der?", "client_id": "m-1"})
        ack = await until(first, "ack")
        assert ack["seq"] == 1
        await until(console, "message", seq=1)
        await first.disconnect()  # the line drops: the page never saw the ack

        # The page reconnects and sends the unacknowledged message again, same client id.
        second = communicator(f"/ws/chat/{conversation.pk}/", cookie=member_cookie)
        assert (await second.connect())[0]
        await second.send_json_to({"type": "message", "text": "Er du der?", "client_id": "m-1"})
        again = await until(second, "ack")
        assert (again["client_id"], again["seq"]) == ("m-1", 1)

        # A new message after it gets the next number; the supervisor sees each once by seq.
        await second.send_json_to({"type": "message", "text": "Hallo?", "client_id": "m-2"})
        assert (await until(second, "ack"))["seq"] == 2
        seen = []
        while 2 not in seen:
            seen.append((await until(console, "message"))["seq"])
        assert set(seen) == {1, 2}  # a repeat carries the same seq; the console drops it
        await second.disconnect()
        await console.disconnect()

    run(scenario)
    assert list(Message.objects.filter(conversation=conversation).values_list("seq", "text")) == [
        (1, "Er du der?"),
        (2, "Hallo?"),
    ]


def test_the_supervisors_resend_is_idempotent_too(member, supervisor, session_cookie):
    conversation = running_chat(member, supervisor)
    staff_cookie = session_cookie(supervisor)

    async def scenario():
        for _ in range(2):
            console = communicator("/ws/chat/console/", cookie=staff_cookie)
            assert (await console.connect())[0]
            await until(console, "queue")
            await console.send_json_to(
                {"type": "message", "conversation": conversation.pk, "text": "Ja", "client_id": "s"}
            )
            ack = await until(console, "ack")
            assert (ack["conversation"], ack["seq"]) == (conversation.pk, 1)
            await console.disconnect()

    run(scenario)
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_resend_after_the_chat_ended_still_gets_its_ack(member, supervisor):
    conversation = running_chat(member, supervisor)
    sent = services.message_send(
        conversation_id=conversation.pk,
        sender="member",
        author=member,
        text="Takk",
        now=timezone.now(),
        client_id="last",
    )
    services.conversation_end(
        conversation_id=conversation.pk, by=supervisor, side="supervisor", now=timezone.now()
    )
    again = services.message_send(
        conversation_id=conversation.pk,
        sender="member",
        author=member,
        text="Takk",
        now=timezone.now(),
        client_id="last",
    )
    assert again.repeated and again.message.pk == sent.message.pk
    # Without a known client id a message in an ended chat is still refused.
    with pytest.raises(services.ChatError):
        services.message_send(
            conversation_id=conversation.pk,
            sender="member",
            author=member,
            text="Takk",
            now=timezone.now(),
            client_id="new",
        )


def test_the_same_client_id_from_the_other_side_is_a_different_message(member, supervisor):
    conversation = running_chat(member, supervisor)
    for sender, author in (("member", member), ("supervisor", supervisor)):
        services.message_send(
            conversation_id=conversation.pk,
            sender=sender,
            author=author,
            text="Hei",
            now=timezone.now(),
            client_id="same",
        )
    # And messages without a client id (older clients, referral cards) are never merged.
    for _ in range(2):
        services.message_send(
            conversation_id=conversation.pk,
            sender="member",
            author=member,
            text="Hei",
            now=timezone.now(),
        )
    assert Message.objects.filter(conversation=conversation).exclude(sender="system").count() == 4


def test_a_resent_post_in_the_group_room_is_stored_once_even_when_the_cache_forgot(
    coordinator, supervisor, member, session_cookie
):
    from django.core.cache import cache

    cache.clear()
    now = timezone.now()
    series = group_services.series_create(
        by=coordinator,
        supervisor=supervisor,
        now=now,
        title_nb="Ensomhet",
        title_en="Loneliness",
        topic_nb="Å være alene",
        weekday=now.weekday(),
        start_time=dt.time(19, 0),
        starts_on=now.date(),
        capacity=8,
    )
    room = series.sessions.order_by("starts_at").first()
    room.starts_at = timezone.now() - dt.timedelta(minutes=5)
    room.ends_at = room.starts_at + dt.timedelta(minutes=60)
    room.save(update_fields=["starts_at", "ends_at"])
    Participant.objects.create(
        session=room, user=member, display_name="Kari", region="oslo", created_at=room.starts_at
    )
    cookie = session_cookie(member)

    async def scenario():
        for _ in range(2):
            ws = communicator(f"/ws/samtalerom/{room.pk}/", cookie=cookie)
            assert (await ws.connect())[0]
            await ws.send_json_to({"type": "post", "text": "Hei alle", "client_id": "g-1"})
            ack = await until(ws, "ack")
            assert (ack["seq"], ack["client_id"]) == (1, "g-1")
            await ws.disconnect()
            # A restarted Redis (or a process killed before it wrote anything there) must not
            # let the resend through: the id is kept with the post in the database.
            await sync_to_async(cache.clear)()

    run(scenario)
    assert GroupMessage.objects.filter(session=room).count() == 1
