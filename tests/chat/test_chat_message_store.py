"""Storing a chat message in one statement (services.message_send's common case).

The common case reserves the sequence number, checks the sender and the state and stores the
message together; a resend, a refusal and a crisis word go the careful way. What a person
notices must not change: numbers stay consecutive, a resend is stored once and keeps its
number, and what the other side sees is the same message.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from chat import services
from chat.models import Conversation, Message

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
Sender = Message.Sender


def _running(member, supervisor) -> Conversation:
    services.conversation_enter_queue(member=member, first_line="Hei", now=NOW)
    return services.conversation_take_next(supervisor=supervisor, now=NOW)


def _send(conversation, sender, author, text, client_id=""):
    return services.message_send(
        conversation_id=conversation.pk,
        sender=sender,
        author=author,
        text=text,
        now=NOW,
        client_id=client_id,
    )


def test_a_stored_message_is_what_the_other_side_is_sent(member, supervisor):
    conversation = _running(member, supervisor)
    sent = _send(conversation, Sender.SUPERVISOR, supervisor, "Hei, jeg heter Kari", "k1")
    stored = Message.objects.get(conversation=conversation, seq=1)
    assert sent.message.pk == stored.pk
    assert sent.message.as_frame() == stored.as_frame()
    assert stored.author == supervisor
    assert stored.author_name == services.staff_name(supervisor)
    assert (stored.sender, stored.client_id, stored.created_at) == ("supervisor", "k1", NOW)
    # The member's own messages carry no name.
    mine = _send(conversation, Sender.MEMBER, member, "Hei")
    assert mine.message.seq == 2
    assert Message.objects.get(pk=mine.message.pk).author_name == ""


def test_a_resend_keeps_its_number_and_uses_up_none(member, supervisor):
    conversation = _running(member, supervisor)
    first = _send(conversation, Sender.MEMBER, member, "Er du der?", "a")
    again = _send(conversation, Sender.MEMBER, member, "Er du der?", "a")
    after = _send(conversation, Sender.MEMBER, member, "Hallo", "b")
    assert again.repeated and again.message.pk == first.message.pk
    assert [first.message.seq, again.message.seq, after.message.seq] == [1, 1, 2]
    assert list(
        Message.objects.filter(conversation=conversation).values_list("seq", flat=True)
    ) == [1, 2]
    conversation.refresh_from_db()
    assert conversation.next_seq == 3


def test_a_refused_message_uses_up_no_number(member, other_member, supervisor):
    conversation = _running(member, supervisor)
    with pytest.raises(services.ChatError) as refused:
        _send(conversation, Sender.MEMBER, other_member, "Hei", "x")
    assert refused.value.code == "forbidden"
    with pytest.raises(services.ChatError) as refused:
        # The supervisor's user on the member's side is not the member either.
        _send(conversation, Sender.MEMBER, supervisor, "Hei", "y")
    assert refused.value.code == "forbidden"
    assert _send(conversation, Sender.MEMBER, member, "Hei").message.seq == 1


def test_after_the_end_a_message_is_refused_as_not_running(member, supervisor):
    conversation = _running(member, supervisor)
    _send(conversation, Sender.MEMBER, member, "Takk for praten")
    services.conversation_end(
        conversation_id=conversation.pk, by=member, side=Sender.MEMBER, now=NOW
    )
    with pytest.raises(services.ChatError) as refused:
        _send(conversation, Sender.SUPERVISOR, supervisor, "Ha det")
    assert refused.value.code == "not_running"
    # The number after the system message "ended" was not used up.
    conversation.refresh_from_db()
    assert conversation.next_seq == 3


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_numbers_stay_consecutive_when_both_sides_and_resends_write_at_once(member, supervisor):
    conversation = _running(member, supervisor)
    writers, each = 6, 8
    barrier = threading.Barrier(writers)
    errors = []

    def write(n):
        sender, author = (Sender.MEMBER, member) if n % 2 else (Sender.SUPERVISOR, supervisor)
        try:
            barrier.wait(timeout=10)
            for k in range(each):
                # Writers n and n + 2 share a side and their client ids: every message is
                # sent twice at once, as a client resending after a lost ack would.
                _send(conversation, sender, author, f"{sender} {k}", f"{n % 4}-{k}")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    stored = list(Message.objects.filter(conversation=conversation).order_by("seq"))
    distinct = {(m.sender, m.client_id) for m in stored}
    # 4 distinct (side, client id) streams of 8 messages, each stored once.
    assert len(stored) == len(distinct) == 4 * each
    assert [m.seq for m in stored] == list(range(1, len(stored) + 1))
    conversation.refresh_from_db()
    assert conversation.next_seq == len(stored) + 1
