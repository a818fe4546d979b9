"""Every state change of letters: one function each, transactional, the only writers.

Views and tasks pass ``now`` in; nothing here reads the clock or the request.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from letters.conf import app_settings
from letters.models import Feedback, Letter, LetterRecord, Reply, Thread, Topic
from ordrom import crisis
from ordrom.weeks import week_start


def _changes_queue(service):
    """The queue's counts are cached (selectors.queue_counts): forget them once the
    change is committed."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        result = service(*args, **kwargs)
        from letters.selectors import forget_queue

        forget_queue()
        return result

    return wrapper


ERROR_EMPTY = _("Write something before you send the letter.")
ERROR_TOO_LONG = _("A letter can be at most %(max)d characters. Yours has %(length)d.")
ERROR_TOO_MANY_WAITING = _(
    "You already have %(max)d letters waiting for an answer. You will get an answer to them "
    "soon, and can write again as soon as one of them is answered."
)
ERROR_THREAD_CLOSED = _("This conversation is closed. You are welcome to write a new letter.")
ERROR_CLAIMED = _("%(name)s is working on this letter.")
ERROR_ALREADY_ANSWERED = _("This letter has already been answered.")
ERROR_NOT_CLAIMED = _("Open the letter to answer it first: someone else may have taken it.")
ERROR_EMPTY_REPLY = _("Write an answer before you send it.")
ERROR_IN_REVIEW = _("The answer is waiting for a coordinator's review.")
ERROR_NOT_IN_REVIEW = _("This answer is not waiting for review.")
ERROR_NO_COMMENT = _("Say what should be changed, so the supervisor knows.")
ERROR_FOLLOW_UP_DATE = _("Choose a follow-up date after today.")


@dataclass(frozen=True)
class ClaimResult:
    ok: bool
    holder_name: str = ""


# --- Writing -----------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError(ERROR_EMPTY, code="empty")
    if len(body) > app_settings.MAX_BODY_LENGTH:
        raise ValidationError(
            ERROR_TOO_LONG,
            code="too_long",
            params={"max": app_settings.MAX_BODY_LENGTH, "length": len(body)},
        )
    return body


def waiting_count(*, writer) -> int:
    return Letter.objects.filter(
        thread__writer=writer, answered_at__isnull=True, thread__state=Thread.State.WAITING
    ).count()


def _check_waiting_limit(writer) -> None:
    if waiting_count(writer=writer) >= app_settings.MAX_WAITING_PER_WRITER:
        raise ValidationError(
            ERROR_TOO_MANY_WAITING,
            code="too_many_waiting",
            params={"max": app_settings.MAX_WAITING_PER_WRITER},
        )


def _add_letter(
    *, thread, body, is_follow_up, now, answer_hours, crisis_words, submission_key=None
) -> Letter:
    letter = Letter.objects.create(
        thread=thread,
        submission_key=submission_key,
        body=body,
        is_follow_up=is_follow_up,
        urgent=crisis.signals_crisis(body + "\n" + thread.subject, crisis_words),
        received_at=now,
        due_at=now + dt.timedelta(hours=answer_hours),
    )
    LetterRecord.objects.create(
        letter=letter,
        topic_id=thread.topic_id,
        is_follow_up=is_follow_up,
        urgent=letter.urgent,
        received_at=letter.received_at,
        due_at=letter.due_at,
    )
    return letter


@_changes_queue
@transaction.atomic
def letter_create(
    *,
    writer,
    body: str,
    subject: str = "",
    topic: Topic | None = None,
    now: dt.datetime,
    answer_hours: int = 48,
    crisis_words: list[str] | None = None,
    submission_key: uuid.UUID | None = None,
) -> Letter:
    """Start a new thread with its first letter. Saved before the writer is told it was sent.

    ``submission_key`` is the form's one-time token, stored with the letter and unique: the
    same form stored twice raises IntegrityError (the caller then finds the first with
    ``selectors.letter_for_submission``)."""
    body = _clean_body(body)
    _check_waiting_limit(writer)
    thread = Thread.objects.create(
        writer=writer,
        subject=subject.strip()[:200],
        topic=topic,
        state=Thread.State.WAITING,
        created_at=now,
        updated_at=now,
    )
    return _add_letter(
        thread=thread,
        body=body,
        is_follow_up=False,
        now=now,
        answer_hours=answer_hours,
        crisis_words=crisis_words if crisis_words is not None else list(crisis.DEFAULT_WORDS),
        submission_key=submission_key,
    )


@_changes_queue
@transaction.atomic
def letter_follow_up(
    *,
    thread: Thread,
    writer,
    body: str,
    now: dt.datetime,
    answer_hours: int = 48,
    crisis_words: list[str] | None = None,
) -> Letter:
    """The writer answers the supervisor's reply: a new letter in the same thread, with its
    own deadline, back in the queue (shown as a follow-up, and first to its supervisor)."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk, writer=writer)
    if thread.state == Thread.State.CLOSED:
        raise ValidationError(ERROR_THREAD_CLOSED, code="closed")
    body = _clean_body(body)
    _check_waiting_limit(writer)
    letter = _add_letter(
        thread=thread,
        body=body,
        is_follow_up=True,
        now=now,
        answer_hours=answer_hours,
        crisis_words=crisis_words if crisis_words is not None else list(crisis.DEFAULT_WORDS),
    )
    thread.state = Thread.State.WAITING
    thread.updated_at = now
    thread.save(update_fields=["state", "updated_at"])
    Reply.objects.filter(letter__thread=thread, follow_up_dismissed=False).update(
        follow_up_dismissed=True
    )
    return letter


# --- Claiming ----------------------------------------------------------------------------------


def _claimable(by, now) -> Q:
    return Q(claimed_by__isnull=True) | Q(claim_expires_at__lte=now) | Q(claimed_by=by)


@_changes_queue
def letter_claim(*, letter_id: int, by, now: dt.datetime) -> ClaimResult:
    """Claim a letter to answer it: one conditional UPDATE, so of two supervisors who click
    at once exactly one gets it, on every database. The other is told who has it."""
    updated = (
        Letter.objects.filter(pk=letter_id, answered_at__isnull=True)
        .filter(_claimable(by, now))
        .update(
            claimed_by=by, claimed_at=now, claim_expires_at=now + app_settings.CLAIM_LAPSES_AFTER
        )
    )
    if updated:
        return ClaimResult(ok=True)
    letter = Letter.objects.select_related("claimed_by").get(pk=letter_id)
    if letter.answered_at is not None:
        raise ValidationError(ERROR_ALREADY_ANSWERED, code="answered")
    name = letter.claimed_by.get_username() if letter.claimed_by else ""
    return ClaimResult(ok=False, holder_name=name)


@_changes_queue
@transaction.atomic
def letter_claim_next(*, by, now: dt.datetime) -> Letter | None:
    """Take the most urgent unclaimed letter. On PostgreSQL the candidate rows are locked
    with SKIP LOCKED, so supervisors asking at once get different letters, not a wait."""
    candidates = (
        Letter.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(answered_at__isnull=True, thread__state=Thread.State.WAITING)
        .filter(Q(claimed_by__isnull=True) | Q(claim_expires_at__lte=now))
        .order_by("-urgent", "due_at")
    )
    # Lock one row at a time: locking several would make a second supervisor asking at the
    # same moment skip them all and be told nothing is waiting.
    for _attempt in range(5):
        letter = candidates.first()
        if letter is None:
            return None
        if letter_claim(letter_id=letter.pk, by=by, now=now).ok:
            return letter
    return None


@_changes_queue
def letter_release(*, letter_id: int, by) -> None:
    Letter.objects.filter(pk=letter_id, claimed_by=by).update(
        claimed_by=None, claimed_at=None, claim_expires_at=None
    )


@_changes_queue
def _hold_claim(letter_id: int, by, now) -> Letter:
    """The letter, locked, if *by* holds an active claim on it (activity renews the claim)."""
    letter = Letter.objects.select_for_update().select_related("thread").get(pk=letter_id)
    if letter.answered_at is not None:
        raise PermissionDenied(ERROR_ALREADY_ANSWERED)
    if letter.claimed_by_id != by.pk or not letter.claim_is_active(now):
        if letter.claim_is_active(now):
            raise PermissionDenied(ERROR_CLAIMED % {"name": letter.claimed_by.get_username()})
        raise PermissionDenied(ERROR_NOT_CLAIMED)
    letter.claim_expires_at = now + app_settings.CLAIM_LAPSES_AFTER
    letter.save(update_fields=["claim_expires_at"])
    return letter


# --- Replying ----------------------------------------------------------------------------------


@transaction.atomic
def reply_save_draft(
    *,
    letter_id: int,
    by,
    body: str,
    now: dt.datetime,
    referral_service_ids: list[int] | None = None,
    next_step: str = "",
    follow_up_on: dt.date | None = None,
) -> Reply:
    """Save (or autosave) the draft answer. Renews the claim: writing is activity."""
    letter = _hold_claim(letter_id, by, now)
    reply, _created = Reply.objects.get_or_create(letter=letter, defaults={"author": by})
    if reply.status == Reply.Status.IN_REVIEW:
        raise PermissionDenied(ERROR_IN_REVIEW)
    reply.author = by
    reply.body = body.replace("\r\n", "\n")
    reply.referral_service_ids = sorted({int(i) for i in referral_service_ids or []})
    reply.next_step = next_step.strip()[:300]
    reply.follow_up_on = follow_up_on
    reply.draft_saved_at = now
    reply.save()
    return reply


def _check_sendable(reply: Reply, now: dt.datetime) -> None:
    if not reply.body.strip():
        raise ValidationError(ERROR_EMPTY_REPLY, code="empty")
    if reply.follow_up_on is not None and reply.follow_up_on <= now.date():
        raise ValidationError(ERROR_FOLLOW_UP_DATE, code="follow_up_date")


@_changes_queue
@transaction.atomic
def reply_request_review(*, letter_id: int, by, now: dt.datetime) -> Reply:
    letter = _hold_claim(letter_id, by, now)
    reply = Reply.objects.get(letter=letter)
    _check_sendable(reply, now)
    reply.status = Reply.Status.IN_REVIEW
    reply.review_requested_at = now
    reply.review_comment = ""
    reply.save(update_fields=["status", "review_requested_at", "review_comment"])
    # The claim stays with the supervisor while a coordinator reads it, and cannot lapse.
    letter.claim_expires_at = letter.due_at + dt.timedelta(days=365)
    letter.save(update_fields=["claim_expires_at"])
    return reply


@_changes_queue
@transaction.atomic
def reply_review_return(*, letter_id: int, by, comment: str, now: dt.datetime) -> Reply:
    reply = Reply.objects.select_for_update().select_related("letter").get(letter_id=letter_id)
    if reply.status != Reply.Status.IN_REVIEW:
        raise PermissionDenied(ERROR_NOT_IN_REVIEW)
    if not comment.strip():
        raise ValidationError(ERROR_NO_COMMENT, code="no_comment")
    reply.status = Reply.Status.RETURNED
    reply.reviewed_by = by
    reply.review_comment = comment.strip()
    reply.save(update_fields=["status", "reviewed_by", "review_comment"])
    Letter.objects.filter(pk=letter_id).update(
        claim_expires_at=now + app_settings.CLAIM_LAPSES_AFTER
    )
    return reply


def _deliver(reply: Reply, *, sender, now: dt.datetime) -> Reply:
    letter = reply.letter
    reply.status = Reply.Status.SENT
    reply.sent_at = now
    reply.save(update_fields=["status", "sent_at", "reviewed_by"])
    letter.answered_at = now
    letter.claimed_by = None
    letter.claimed_at = None
    letter.claim_expires_at = None
    letter.save(update_fields=["answered_at", "claimed_by", "claimed_at", "claim_expires_at"])
    LetterRecord.objects.filter(letter=letter).update(answered_at=now)
    thread = letter.thread
    still_waiting = thread.letters.filter(answered_at__isnull=True).exists()
    thread.state = Thread.State.WAITING if still_waiting else Thread.State.ANSWERED
    thread.supervisor = reply.author or sender
    thread.updated_at = now
    thread.save(update_fields=["state", "supervisor", "updated_at"])
    if thread.writer.email:
        from letters.tasks import notify_writer

        transaction.on_commit(lambda: notify_writer.enqueue(thread_id=thread.pk))
    return reply


@_changes_queue
@transaction.atomic
def reply_send(*, letter_id: int, by, now: dt.datetime) -> Reply:
    """Send the answer: the writer sees it at once."""
    letter = _hold_claim(letter_id, by, now)
    reply = Reply.objects.select_related("letter__thread__writer").get(letter=letter)
    if reply.status == Reply.Status.IN_REVIEW:
        raise PermissionDenied(ERROR_IN_REVIEW)
    _check_sendable(reply, now)
    return _deliver(reply, sender=by, now=now)


@_changes_queue
@transaction.atomic
def reply_review_approve(*, letter_id: int, by, now: dt.datetime) -> Reply:
    """A coordinator approves an answer waiting for review, which sends it."""
    reply = (
        Reply.objects.select_for_update()
        .select_related("letter__thread__writer")
        .get(letter_id=letter_id)
    )
    if reply.status != Reply.Status.IN_REVIEW:
        raise PermissionDenied(ERROR_NOT_IN_REVIEW)
    reply.reviewed_by = by
    return _deliver(reply, sender=by, now=now)


# --- The writer reads, answers the questions, follows up --------------------------------------


def replies_mark_read(*, thread: Thread, now: dt.datetime) -> int:
    return Reply.objects.filter(
        letter__thread=thread, status=Reply.Status.SENT, read_at__isnull=True
    ).update(read_at=now)


@transaction.atomic
def feedback_submit(*, reply: Reply, answers: dict[str, str], now: dt.datetime) -> None:
    """Store the three answers anonymously (only the local week is kept), once per reply."""
    locked = Reply.objects.select_for_update().get(pk=reply.pk)
    if locked.feedback_given or locked.status != Reply.Status.SENT:
        return
    week = week_start(now)
    Feedback.objects.bulk_create(
        Feedback(question=question, answer=answer, week=week)
        for question, answer in answers.items()
        if question in Feedback.Question.values and answer in Feedback.Answer.values
    )
    locked.feedback_given = True
    locked.save(update_fields=["feedback_given"])


def follow_up_dismiss(*, reply: Reply) -> None:
    Reply.objects.filter(pk=reply.pk).update(follow_up_dismissed=True)


# --- Closing and retention ---------------------------------------------------------------------


@_changes_queue
def thread_close(*, thread: Thread, now: dt.datetime) -> None:
    Thread.objects.filter(pk=thread.pk).exclude(state=Thread.State.CLOSED).update(
        state=Thread.State.CLOSED, closed_at=now, updated_at=now
    )


@_changes_queue
def threads_close_quiet(*, now: dt.datetime) -> int:
    """Close answered threads with no follow-up for a while (idempotent)."""
    return Thread.objects.filter(
        state=Thread.State.ANSWERED, updated_at__lt=now - app_settings.CLOSE_ANSWERED_AFTER
    ).update(state=Thread.State.CLOSED, closed_at=now)


@_changes_queue
def threads_delete_expired(*, now: dt.datetime) -> int:
    """Delete threads closed longer than the retention period. Statistics keep their
    LetterRecord rows (no text, no writer), so the counts stay right."""
    expired = Thread.objects.filter(
        state=Thread.State.CLOSED, closed_at__lt=now - app_settings.RETENTION
    )
    count = expired.count()
    expired.delete()
    return count
