
"""The services the staff workspace calls: claiming, releasing, drafts, review and sending."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from staff_support import TUESDAY, make_letter, reload, reply_of

from letters import selectors, services
from letters.models import LetterRecord, Reply, Thread
from letters.selectors import QueueFilters

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def draft(letter, by, now=TUESDAY, body="Takk for at du skrev.", **extra):
    return services.reply_save_draft(letter_id=letter.pk, by=by, body=body, now=now, **extra)


# --- Claiming -----------------------------------------------------------------------------------


def test_claim_gives_the_letter_to_the_supervisor_for_30_minutes(supervisor):
    letter = make_letter()

    result = services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    assert result.ok
    letter = reload(letter)
    assert letter.claimed_by == supervisor
    assert letter.claim_expires_at == TUESDAY + 30 * MINUTE


def test_claim_by_second_supervisor_is_refused_with_the_holders_name(supervisor, coordinator):
    letter = make_letter()
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    result = services.letter_claim(letter_id=letter.pk, by=coordinator, now=TUESDAY + MINUTE)

    assert result == services.ClaimResult(ok=False, holder_name="Vakt Kari")
    assert reload(letter).claimed_by == supervisor


def test_claim_lapses_after_30_minutes_without_activity(supervisor, coordinator, travel):
    letter = make_letter()
    travel(TUESDAY)
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)
    travel(TUESDAY + 29 * MINUTE)

    assert not services.letter_claim(letter_id=letter.pk, by=coordinator, now=timezone.now()).ok

    travel(TUESDAY + 30 * MINUTE)

    assert services.letter_claim(letter_id=letter.pk, by=coordinator, now=timezone.now()).ok
    assert reload(letter).claimed_by == coordinator


def test_a_lapsed_claim_shows_as_unclaimed_in_the_queue(supervisor):
    letter = make_letter()
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)
    later = TUESDAY + 31 * MINUTE

    unclaimed = selectors.reply_queue(
        viewer=supervisor, now=later, filters=QueueFilters(unclaimed=True)
    )

    assert list(unclaimed) == [letter]
    assert selectors.queue_counts(now=later).unclaimed == 1


def test_release_frees_the_letter_at_once(supervisor, coordinator):
    letter = make_letter()
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    services.letter_release(letter_id=letter.pk, by=supervisor)

    assert reload(letter).claimed_by is None
    assert services.letter_claim(letter_id=letter.pk, by=coordinator, now=TUESDAY).ok


def test_release_by_someone_else_changes_nothing(supervisor, coordinator):
    letter = make_letter()
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    services.letter_release(letter_id=letter.pk, by=coordinator)

    assert reload(letter).claimed_by == supervisor


def test_claiming_an_answered_letter_is_refused(supervisor):
    letter = make_letter()
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)
    draft(letter, supervisor)
    services.reply_send(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    with pytest.raises(ValidationError) as error:
        services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    assert services.ERROR_ALREADY_ANSWERED in error.value.messages


def test_claim_next_takes_the_most_urgent_then_the_earliest_deadline(supervisor, coordinator):
    early = make_letter(received_ago=dt.timedelta(hours=40))
    urgent = make_letter(received_ago=dt.timedelta(hours=1), urgent=True)
    make_letter(received_ago=dt.timedelta(hours=2))

    first = services.letter_claim_next(by=supervisor, now=TUESDAY)
    second = services.letter_claim_next(by=coordinator, now=TUESDAY)

    assert (first, second) == (urgent, early)
    assert reload(first).claimed_by == supervisor


def test_claim_next_returns_none_when_everything_is_taken(supervisor, coordinator):
    letter = make_letter()
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    assert services.letter_claim_next(by=coordinator, now=TUESDAY) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_two_supervisors_claiming_at_once_exactly_one_gets_it(supervisor, coordinator):
    letter = make_letter()
    barrier = threading.Barrier(2)
    results = {}

    def claim(user):
        try:
            barrier.wait(timeout=5)
            results[user.pk] = services.letter_claim(letter_id=letter.pk, by=user, now=TUESDAY)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in (supervisor, coordinator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    outcomes = sorted(result.ok for result in results.values())
    assert outcomes == [False, True]
    winner = reload(letter).claimed_by
    loser = next(result for result in results.values() if not result.ok)
    assert loser.holder_name == winner.get_username()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs SKIP LOCKED")
@pytest.mark.django_db(transaction=True)
def test_two_supervisors_taking_the_next_letter_at_once_get_different_letters(
    supervisor, coordinator
):
    make_letter(received_ago=dt.timedelta(hours=3))
    make_letter(received_ago=dt.timedelta(hours=2))
    barrier = threading.Barrier(2)
    taken = {}

    def take(user):
        try:
            barrier.wait(timeout=5)
            taken[user.pk] = services.letter_claim_next(by=user, now=TUESDAY)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(user,)) for user in (supervisor, coordinator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    letters = [letter.pk for letter in taken.values() if letter is not None]
    assert len(letters) == 2 and len(set(letters)) == 2


# --- Drafts -------------------------------------------------------------------------------------


def test_saving_a_draft_renews_the_claim(supervisor):
    letter = make_letter()
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    reply = draft(letter, supervisor, now=TUESDAY + 20 * MINUTE, referral_service_ids=["3", 1])

    assert reload(letter).claim_expires_at == TUESDAY + 50 * MINUTE
    assert (reply.body, reply.status, reply.referral_service_ids) == (
        "Takk for at du skrev.", Reply.Status.DRAFT, [1, 3]
    )
    assert reply.draft_saved_at == TUESDAY + 20 * MINUTE


def test_saving_a_draft_without_the_claim_is_refused(supervisor, coordinator):
    letter = make_letter()
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    held_by_kari = re.escape(str(services.ERROR_CLAIMED % {"name": "Vakt Kari"}))
    with pytest.raises(PermissionDenied, match=held_by_kari):
        draft(letter, coordinator)
    with pytest.raises(PermissionDenied):
        draft(letter, supervisor, now=TUESDAY + 31 * MINUTE)


# --- Review -------------------------------------------------------------------------------------


def _claimed_with_draft(supervisor, **extra):
    letter = make_letter()
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)
    draft(letter, supervisor, **extra)
    return letter


def test_asking_for_review_keeps_the_claim_while_the_coordinator_reads(supervisor, coordinator):
    letter = _claimed_with_draft(supervisor)

    reply = services.reply_request_review(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    assert reply.status == Reply.Status.IN_REVIEW
    assert reload(letter).claim_is_active(TUESDAY + dt.timedelta(hours=5))
    assert list(selectors.review_queue()) == [reply]
    with pytest.raises(PermissionDenied):
        services.reply_send(letter_id=letter.pk, by=supervisor, now=TUESDAY)


def test_returning_needs_a_comment_and_the_supervisor_can_edit_again(supervisor, coordinator):
    letter = _claimed_with_draft(supervisor)
    services.reply_request_review(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    with pytest.raises(ValidationError):
        services.reply_review_return(letter_id=letter.pk, by=coordinator, comment=" ", now=TUESDAY)
    reply = services.reply_review_return(
        letter_id=letter.pk, by=coordinator, comment="Mildere tone.", now=TUESDAY
    )

    assert (reply.status, reply.review_comment, reply.reviewed_by) == (
        Reply.Status.RETURNED, "Mildere tone.", coordinator
    )
    assert reload(letter).claim_expires_at == TUESDAY + 30 * MINUTE
    draft(letter, supervisor, body="Ny versjon")
    assert reply_of(letter).body == "Ny versjon"


def test_approving_sends_the_answer(supervisor, coordinator):
    letter = _claimed_with_draft(supervisor)
    services.reply_request_review(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    reply = services.reply_review_approve(
        letter_id=letter.pk, by=coordinator, now=TUESDAY + MINUTE
    )

    assert (reply.status, reply.reviewed_by) == (Reply.Status.SENT, coordinator)
    letter = reload(letter)
    assert letter.answered_at == TUESDAY + MINUTE
    assert letter.thread.supervisor == supervisor  # the author, not the reviewer


def test_approving_what_is_not_in_review_is_refused(supervisor, coordinator):
    letter = _claimed_with_draft(supervisor)

    with pytest.raises(PermissionDenied):
        services.reply_review_approve(letter_id=letter.pk, by=coordinator, now=TUESDAY)


# --- Sending ------------------------------------------------------------------------------------


def test_send_marks_letter_and_thread_answered_and_keeps_the_supervisor(supervisor):
    letter = _claimed_with_draft(
        supervisor, next_step="Ring kusina di", follow_up_on=dt.date(2026, 3, 14)
    )

    reply = services.reply_send(letter_id=letter.pk, by=supervisor, now=TUESDAY + MINUTE)

    assert (reply.status, reply.sent_at) == (Reply.Status.SENT, TUESDAY + MINUTE)
    letter = reload(letter)
    assert letter.answered_at == TUESDAY + MINUTE
    assert letter.claimed_by is None
    assert letter.thread.state == Thread.State.ANSWERED
    assert letter.thread.supervisor == supervisor
    assert LetterRecord.objects.get(letter=letter).answered_at == TUESDAY + MINUTE
    assert letter not in selectors.reply_queue(viewer=supervisor, now=TUESDAY + MINUTE)


def test_an_empty_answer_or_a_past_follow_up_date_cannot_be_sent(supervisor):
    letter = _claimed_with_draft(supervisor, body="  ")
    with pytest.raises(ValidationError) as error:
        services.reply_send(letter_id=letter.pk, by=supervisor, now=TUESDAY)
    assert services.ERROR_EMPTY_REPLY in error.value.messages

    draft(letter, supervisor, follow_up_on=TUESDAY.date())
    with pytest.raises(ValidationError) as error:
        services.reply_send(letter_id=letter.pk, by=supervisor, now=TUESDAY)
    assert services.ERROR_FOLLOW_UP_DATE in error.value.messages
    assert reload(letter).answered_at is None


def test_a_follow_up_returns_to_the_queue_marked_with_the_previous_supervisor(supervisor):
    letter = _claimed_with_draft(supervisor)
    services.reply_send(letter_id=letter.pk, by=supervisor, now=TUESDAY)
    later = TUESDAY + dt.timedelta(days=2)

    follow_up = services.letter_follow_up(
        thread=letter.thread, writer=letter.thread.writer, body="Det gikk bra!", now=later
    )

    queue = list(selectors.reply_queue(viewer=supervisor, now=later))
    assert queue == [follow_up]
    assert queue[0].is_follow_up and queue[0].thread.supervisor == supervisor
    assert follow_up.due_at == later + dt.timedelta(hours=48)
    mine = selectors.reply_queue(viewer=supervisor, now=later, filters=QueueFilters(mine=True))
    assert list(mine) == [follow_up]
