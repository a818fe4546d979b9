"""Helpers for the staff-side letter tests: letters made to order, straight into the tables
(the writer-side limits of ``letter_create`` are tested elsewhere), and the admin URLs."""

from __future__ import annotations

import datetime as dt
import itertools

from letters.models import Letter, LetterRecord, Reply, Thread, Topic

QUEUE_URL = "/admin/letters/"
NEXT_URL = "/admin/letters/next/"
REVIEW_URL = "/admin/letters/review/"
STATISTICS_URL = "/admin/letters/statistics/"
STATISTICS_CSV_URL = "/admin/letters/statistics.csv"
AUDIT_URL = "/admin/letters/audit/"

UTC = dt.UTC
# A Tuesday afternoon, well away from daylight-saving changes.
TUESDAY = dt.datetime(2026, 3, 10, 13, 0, tzinfo=UTC)

_numbers = itertools.count(1)


def letter_url(letter, suffix: str = "") -> str:
    return f"/admin/letters/{letter.pk}/{suffix}"


def make_writer():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username=f"Skriver {next(_numbers)}", password="x" * 20
    )


def make_letter(
    *,
    now: dt.datetime = TUESDAY,
    writer=None,
    thread: Thread | None = None,
    body: str = "Jeg har ingen å snakke med.",
    subject: str = "",
    topic: Topic | None = None,
    received_ago: dt.timedelta = dt.timedelta(hours=1),
    answer_hours: int = 48,
    urgent: bool = False,
    is_follow_up: bool = False,
) -> Letter:
    received_at = now - received_ago
    if thread is None:
        thread = Thread.objects.create(
            writer=writer or make_writer(),
            subject=subject,
            topic=topic,
            created_at=received_at,
            updated_at=received_at,
        )
    letter = Letter.objects.create(
        thread=thread,
        body=body,
        is_follow_up=is_follow_up,
        urgent=urgent,
        received_at=received_at,
        due_at=received_at + dt.timedelta(hours=answer_hours),
    )
    LetterRecord.objects.create(
        letter=letter,
        topic_id=thread.topic_id,
        is_follow_up=is_follow_up,
        urgent=urgent,
        received_at=received_at,
        due_at=letter.due_at,
    )
    return letter


def reload(letter: Letter) -> Letter:
    return Letter.objects.select_related("thread").get(pk=letter.pk)


def reply_of(letter: Letter) -> Reply:
    return Reply.objects.get(letter_id=letter.pk)
