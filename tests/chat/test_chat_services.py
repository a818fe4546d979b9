"""The chat's services: queue, take next (and its race), messages, ending, handover."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from chat import services
from chat.models import ChatFeedback, Conversation, Message
from ordrom.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)
Sender = Message.Sender


def queue(member, first_line="", *, at=NOW, **kwargs):
    return services.conversation_enter_queue(member=member, first_line=first_line, now=at, **kwargs)


def online(user, at=NOW):
    services.presence_set(user=user, online=True, now=at)


def test_one_place_per_account(member):
    first = queue(member, "hei")
    again = queue(member, "hei igjen")
    assert first.pk == again.pk
    assert Conversation.objects.filter(member=member).count() == 1


def test_crisis_words_in_the_first_line_mark_the_place_urgent_and_first(member, other_member):
    calm = queue(other_member, "Jeg er litt lei meg", at=NOW)
    urgent = queue(member, "Jeg vil ta livet mitt", at=NOW + dt.timedelta(minutes=1))
    assert urgent.urgent
    assert services.queue_position(conversation=urgent) == 1
    assert services.queue_position(conversation=calm) == 2


def test_queue_positions_follow_arrival(member, other_member, user_factory):
    third = user_factory()
    a = queue(member, at=NOW)
    b = queue(other_member, at=NOW + dt.timedelta(seconds=1))
    c = queue(third, at=NOW + dt.timedelta(seconds=2))
    assert [services.queue_position(conversation=x) for x in (a, b, c)] == [1, 2, 3]


def test_estimated_wait_needs_someone_online():
    assert services.estimated_wait_minutes(position=3, online_supervisors=0) is None
    assert services.estimated_wait_minutes(position=1, online_supervisors=1) == 1
    assert services.estimated_wait_minutes(position=5, online_supervisors=1) >= 20


def test_a_place_is_kept_for_two_minutes_after_the_page_went_away(member):
    conversation = queue(member)
    services.conversation_member_away(conversation_id=conversation.pk, now=NOW)
    assert services.waiting_expire(now=NOW + dt.timedelta(seconds=119)) == []
    services.conversation_member_back(conversation_id=conversation.pk)
    assert services.waiting_expire(now=NOW + dt.timedelta(minutes=10)) == []
    services.conversation_member_away(conversation_id=conversation.pk, now=NOW)
    assert services.waiting_expire(now=NOW + dt.timedelta(seconds=121)) == [conversation.pk]
    conversation.refresh_from_db()
    assert conversation.state == Conversation.State.ENDED
    assert conversation.ended_by == Conversation.EndedBy.EXPIRED


def test_take_next_gives_the_first_waiting_and_only_once(
    member, other_member, supervisor, coordinator
):
    a = queue(member, at=NOW)
    b = queue(other_member, at=NOW + dt.timedelta(seconds=5))
    first = services.conversation_take_next(supervisor=supervisor, now=NOW)
    second = services.conversation_take_next(supervisor=coordinator, now=NOW)
    assert (first.pk, second.pk) == (a.pk, b.pk)
    assert first.supervisor == supervisor and first.state == Conversation.State.ACTIVE
    assert services.conversation_take_next(supervisor=supervisor, now=NOW) is None


def test_take_next_respects_the_parallel_limit(supervisor, user_factory):
    for n in range(3):
        queue(user_factory(), at=NOW + dt.timedelta(seconds=n))
    services.conversation_take_next(supervisor=supervisor, now=NOW)
    services.conversation_take_next(supervisor=supervisor, now=NOW)
    with pytest.raises(services.ChatError) as error:
        services.conversation_take_next(supervisor=supervisor, now=NOW)
    assert error.value.messages == [str(services.ERROR_FULL)]


def test_members_and_moderators_cannot_take_chats(member, moderator, other_member):
    queue(other_member)
    for user in (member, moderator):
        with pytest.raises(services.ChatError):
            services.conversation_take_next(supervisor=user, now=NOW)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs SKIP LOCKED")
@pytest.mark.django_db(transaction=True)
def test_two_supervisors_taking_at_once_never_get_the_same_person(
    supervisor, coordinator, user_factory
):
    for n in range(2):
        queue(user_factory(), at=NOW + dt.timedelta(seconds=n))
    for _round in range(2):
        barrier = threading.Barrier(2)
        taken = {}

        def take(user, barrier=barrier, taken=taken):
            try:
                barrier.wait(timeout=5)
                taken[user.pk] = services.conversation_take_next(supervisor=user, now=NOW)
            finally:
                connection.close()

        threads = [threading.Thread(target=take, args=(u,)) for u in (supervisor, coordinator)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        ids = [c.pk for c in taken.values() if c is not None]
        assert len(ids) == len(set(ids))
    assert Conversation.objects.filter(state="active").count() == 2


def test_a_stale_candidate_is_not_taken_twice(member, supervisor, coordinator):
    conversation = queue(member)
    services.conversation_take_next(supervisor=supervisor, now=NOW)
    # The conditional UPDATE is the last word even if a reader saw it waiting.
    won = Conversation.objects.filter(pk=conversation.pk, state="waiting").update(
        supervisor=coordinator
    )
    assert won == 0


def _running(member, supervisor):
    queue(member)
    return services.conversation_take_next(supervisor=supervisor, now=NOW)


def test_messages_get_increasing_sequence_numbers_both_ways(member, supervisor):
    conversation = _running(member, supervisor)
    a = services.message_send(
        conversation_id=conversation.pk, sender=Sender.MEMBER, author=member, text="Hei", now=NOW
    )
    b = services.message_send(
        conversation_id=conversation.pk,
        sender=Sender.SUPERVISOR,
        author=supervisor,
        text="Hei, jeg heter Kari",
        now=NOW,
    )
    assert (a.message.seq, b.message.seq) == (1, 2)
    assert b.message.author_name == services.staff_name(supervisor)
    missed = services.messages_after(conversation_id=conversation.pk, after_seq=1)
    assert [m.text for m in missed] == ["Hei, jeg heter Kari"]


def test_nobody_else_can_write_in_a_conversation(member, other_member, supervisor, coordinator):
    conversation = _running(member, supervisor)
    for sender, author in [(Sender.MEMBER, other_member), (Sender.SUPERVISOR, coordinator)]:
        with pytest.raises(services.ChatError):
            services.message_send(
                conversation_id=conversation.pk, sender=sender, author=author, text="x", now=NOW
            )
    assert not Message.objects.exists()


def test_nothing_can_be_sent_while_waiting_or_after_the_end(member, supervisor):
    conversation = queue(member)
    with pytest.raises(services.ChatError):
        services.message_send(
            conversation_id=conversation.pk, sender=Sender.MEMBER, author=member, text="x", now=NOW
        )


def test_crisis_words_during_the_chat_mark_it_urgent(member, supervisor):
    conversation = _running(member, supervisor)
    sent = services.message_send(
        conversation_id=conversation.pk,
        sender=Sender.MEMBER,
        author=member,
        text="Jeg orker ikke mer, jeg vil dø",
        now=NOW,
    )
    assert sent.became_urgent
    conversation.refresh_from_db()
    assert conversation.urgent


def test_delivered_marks_only_the_other_sides_messages(member, supervisor):
    conversation = _running(member, supervisor)
    services.message_send(
        conversation_id=conversation.pk, sender=Sender.MEMBER, author=member, text="a", now=NOW
    )
    services.message_send(
        conversation_id=conversation.pk,
        sender=Sender.SUPERVISOR,
        author=supervisor,
        text="b",
        now=NOW,
    )
    seqs = services.messages_mark_delivered(
        conversation_id=conversation.pk, reader_side=Sender.SUPERVISOR, up_to_seq=2, now=NOW
    )
    assert seqs == [1]


def test_urgent_chat_needs_the_safety_check_to_end_and_tells_coordinators(
    member, supervisor, coordinator
):
    conversation = _running(member, supervisor)
    services.conversation_mark_urgent(conversation_id=conversation.pk, by=supervisor)
    with pytest.raises(services.ChatError) as error:
        services.conversation_end(
            conversation_id=conversation.pk, by=supervisor, side=Sender.SUPERVISOR, now=NOW
        )
    assert error.value.code == "safety_check"
    ended = services.conversation_end(
        conversation_id=conversation.pk,
        by=supervisor,
        side=Sender.SUPERVISOR,
        now=NOW,
        next_step=True,
        numbers_given=True,
        note="Ringer fastlegen i morgen",
    )
    assert ended.state == Conversation.State.ENDED and ended.safety_next_step
    assert Notification.objects.filter(recipient=coordinator).count() == 1
    # The member sees that it ended, as the last message.
    last = Message.objects.filter(conversation=conversation).last()
    assert last.sender == Sender.SYSTEM and last.text == str(services.SYSTEM_ENDED_BY_SUPERVISOR)


def test_member_can_always_end(member, supervisor):
    conversation = _running(member, supervisor)
    services.conversation_mark_urgent(conversation_id=conversation.pk, by=supervisor)
    ended = services.conversation_end(
        conversation_id=conversation.pk, by=member, side=Sender.MEMBER, now=NOW
    )
    assert ended.ended_by == Conversation.EndedBy.MEMBER


def test_transfer_goes_only_to_an_online_supervisor(member, supervisor, coordinator, moderator):
    conversation = _running(member, supervisor)
    with pytest.raises(services.ChatError):
        services.conversation_transfer(
            conversation_id=conversation.pk, by=supervisor, to=coordinator, now=NOW
        )
    online(coordinator)
    moved = services.conversation_transfer(
        conversation_id=conversation.pk, by=supervisor, to=coordinator, now=NOW
    )
    assert moved.supervisor == coordinator
    with pytest.raises(services.ChatError):
        services.message_send(
            conversation_id=conversation.pk,
            sender=Sender.SUPERVISOR,
            author=supervisor,
            text="x",
            now=NOW,
        )


def test_same_supervisor_as_last_time_goes_to_them_first(
    member, other_member, supervisor, coordinator
):
    old = _running(member, supervisor)
    services.conversation_end(conversation_id=old.pk, by=member, side=Sender.MEMBER, now=NOW)
    online(supervisor)
    online(coordinator)
    later = NOW + dt.timedelta(minutes=1)
    queue(other_member, at=later)
    mine = queue(member, at=later + dt.timedelta(seconds=1), same_supervisor=True)
    assert mine.preferred_supervisor == supervisor
    # The coordinator gets the other person; the member waits for their supervisor.
    assert services.conversation_take_next(supervisor=coordinator, now=later).member == other_member
    assert services.conversation_take_next(supervisor=coordinator, now=later) is None
    assert services.conversation_take_next(supervisor=supervisor, now=later).pk == mine.pk


def test_first_line_becomes_a_letter_with_the_usual_deadline(member):
    conversation = queue(member, "Jeg vil snakke om jobben")
    letter = services.conversation_to_letter(
        member=member, text=conversation.first_line, now=NOW, conversation_id=conversation.pk
    )
    assert letter.due_at - letter.received_at == dt.timedelta(hours=48)
    assert letter.thread.writer == member
    conversation.refresh_from_db()
    assert conversation.state == Conversation.State.ENDED


def test_crisis_contact_is_deleted_with_the_conversation(member, supervisor):
    conversation = _running(member, supervisor)
    services.crisis_contact_set(
        conversation_id=conversation.pk, member=member, contact="Storgata 1"
    )
    conversation.refresh_from_db()
    assert conversation.crisis_contact == "Storgata 1" and conversation.urgent
    services.conversation_end(
        conversation_id=conversation.pk, by=member, side=Sender.MEMBER, now=NOW
    )
    services.conversations_delete_expired(now=NOW + dt.timedelta(days=365))
    assert not Conversation.objects.filter(pk=conversation.pk).exists()


def test_feedback_is_anonymous_and_counted_per_week():
    assert services.feedback_submit(answers={"feel_better": "yes", "bogus": "x"}, now=NOW) == 1
    row = ChatFeedback.objects.get()
    assert row.week == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("given_at", "monday"),
    [
        # Monday 5 January 2026 00:30 in Oslo (winter time): Sunday 23:30 in UTC.
        (dt.datetime(2026, 1, 4, 23, 30, tzinfo=dt.UTC), dt.date(2026, 1, 5)),
        # Monday 15 June 2026 01:30 in Oslo (summer time): Sunday 23:30 in UTC.
        (dt.datetime(2026, 6, 14, 23, 30, tzinfo=dt.UTC), dt.date(2026, 6, 15)),
    ],
    ids=["winter", "summer"],
)
def test_feedback_on_an_oslo_monday_night_counts_in_that_oslo_week(given_at, monday):
    services.feedback_submit(answers={"feel_better": "yes"}, now=given_at)
    assert ChatFeedback.objects.get().week == monday


def test_staff_reading_is_audited(member, supervisor):
    conversation = _running(member, supervisor)
    services.conversation_read_by_staff(conversation=conversation, staff=supervisor, now=NOW)
    assert AuditEntry.objects.filter(target_type="chat", target_id=conversation.pk).exists()
