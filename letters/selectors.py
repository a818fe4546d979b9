"""Read queries of letters, with their joins, so every page keeps a constant query count."""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import TruncMonth, TruncWeek

from letters.conf import app_settings
from letters.models import Feedback, Letter, LetterRecord, Reply, Thread, Topic
from ordrom import cache_versions
from ordrom.kept import Recent
from ordrom.pagination import page_rows
from ordrom.prepared import MAX_ID, PreparedModels, PreparedValues

# --- The writer's side ------------------------------------------------------------------------


def writer_threads(*, writer) -> list[Thread]:
    """The writer's threads, newest first, each with ``has_unread`` (an answer not read yet),
    ``letter_count`` and ``waiting_letters`` (unanswered, by deadline: the page shows the
    first one's). Three small queries compiled once (ordrom.prepared): the threads with their
    topics, every letter's thread and deadline (not its text), and the threads with an answer
    not read. Built through the ORM each time, as a prefetch and annotations, they cost more
    than the rest of the page together."""
    threads = _WRITER_THREADS(writer=writer.pk)
    if not threads:
        return threads
    counts: Counter[int] = Counter()
    waiting: dict[int, list[Letter]] = {}
    for letter in _WRITER_LETTERS(writer=writer.pk):  # by deadline
        counts[letter.thread_id] += 1
        if letter.answered_at is None:
            waiting.setdefault(letter.thread_id, []).append(letter)
    unread = set(_WRITER_UNREAD_THREADS(writer=writer.pk))
    for thread in threads:
        thread.letter_count = counts[thread.pk]
        thread.waiting_letters = waiting.get(thread.pk, [])
        thread.has_unread = thread.pk in unread
    return threads


_WRITER_THREADS = PreparedModels(
    lambda writer: Thread.objects.filter(writer=writer)
    .select_related("topic")
    .order_by("-updated_at", "-pk"),
    ints=["writer"],
)
_WRITER_LETTERS = PreparedModels(
    lambda writer: Letter.objects.filter(thread__writer=writer)
    .only("id", "thread_id", "due_at", "answered_at")
    .order_by("due_at", "pk"),
    ints=["writer"],
)
_WRITER_UNREAD_THREADS = PreparedValues(  # the threads with an answer sent and not yet read
    lambda writer: Reply.objects.filter(
        letter__thread__writer=writer, status=Reply.Status.SENT, read_at__isnull=True
    ).values_list("letter__thread_id", flat=True),
    flat=True,
    ints=["writer"],
)


def writer_thread(*, writer, thread_id: int) -> Thread:
    """One thread of the writer's, with its letters in ``letter_list`` (oldest first, each
    with its reply when there is one); anyone else's id raises DoesNotExist (a 404). Two
    small queries compiled once (ordrom.prepared): built through the ORM each time, as a
    prefetch, they cost the thread page a tenth of its time."""
    if not 0 < int(thread_id) <= MAX_ID:  # an id no row can have (the ORM answers the same)
        raise Thread.DoesNotExist
    found = _WRITER_THREAD(writer=writer.pk, thread=int(thread_id))
    if not found:
        raise Thread.DoesNotExist
    thread = found[0]
    thread.letter_list = _THREAD_LETTERS(thread=thread.pk)
    for letter in thread.letter_list:
        Letter.thread.field.set_cached_value(letter, thread)
    return thread


_WRITER_THREAD = PreparedModels(
    lambda writer, thread: Thread.objects.filter(pk=thread, writer=writer).select_related(
        "topic"
    ),
    ints=["writer", "thread"],
)
_THREAD_LETTERS = PreparedModels(
    lambda thread: Letter.objects.filter(thread=thread)
    .select_related("reply")
    .order_by("received_at", "pk"),
    ints=["thread"],
)


def letter_for_submission(*, submission_key) -> Letter | None:
    """The letter a new-letter form with this one-time token already sent, if any."""
    if submission_key is None:
        return None
    return (
        Letter.objects.select_related("thread__writer")
        .filter(submission_key=submission_key, is_follow_up=False)
        .first()
    )


def follow_ups_due(*, writer, today: dt.date) -> list[Reply]:
    """Replies whose agreed next step is due: "how did it go?" on the letters page."""
    return _FOLLOW_UPS_DUE(writer=writer.pk, today=today)


_FOLLOW_UPS_DUE = PreparedModels(
    lambda writer, today: Reply.objects.filter(
        letter__thread__writer=writer,
        status=Reply.Status.SENT,
        follow_up_on__lte=today,
        follow_up_dismissed=False,
    )
    .exclude(letter__thread__state=Thread.State.CLOSED)
    .select_related("letter")
    # What the prompt shows and links to: not the answer's or the letter's text.
    .only("id", "next_step", "letter__id", "letter__thread_id"),
    ints=["writer"],
    dates=["today"],
)


# --- The supervisors' queue --------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    mine: bool = False
    unclaimed: bool = False
    due_soon: bool = False
    overdue: bool = False
    urgent: bool = False
    topic_id: int | None = None


def reply_queue(
    *,
    viewer,
    now: dt.datetime,
    filters: QueueFilters = QueueFilters(),
    closed_thread_ids: list[int] | None = None,
):
    """Every open letter: urgent first, then by deadline. One query with its joins.

    An unanswered letter is left out when its thread is closed. With *closed_thread_ids*
    (every closed thread that has an unanswered letter, ``closed_with_waiting_letters``) they
    are left out by id, which the queue's index can test without reading each thread."""
    letters = Letter.objects.filter(answered_at__isnull=True)
    if closed_thread_ids is None:
        letters = letters.exclude(thread__state=Thread.State.CLOSED)
    else:
        letters = letters.exclude(thread_id__in=closed_thread_ids)
    letters = letters.select_related(
        "thread__topic", "thread__supervisor", "claimed_by", "reply"
    )
    active_claim = Q(claimed_by__isnull=False, claim_expires_at__gt=now)
    if filters.mine:
        letters = letters.filter(
            (Q(claimed_by=viewer) & Q(claim_expires_at__gt=now)) | Q(thread__supervisor=viewer)
        )
    if filters.unclaimed:
        letters = letters.exclude(active_claim)
    if filters.due_soon:
        letters = letters.filter(due_at__gt=now, due_at__lte=now + app_settings.DUE_SOON)
    if filters.overdue:
        letters = letters.filter(due_at__lte=now)
    if filters.urgent:
        letters = letters.filter(urgent=True)
    if filters.topic_id:
        letters = letters.filter(thread__topic_id=filters.topic_id)
    return letters.order_by("-urgent", "due_at", "pk")


# What a row of the queue shows, as plain values: 50 rows of six joined models cost the
# ORM about 5 ms a page to build, their values about 1 ms.
QUEUE_ROW_FIELDS = (
    "id", "is_follow_up", "urgent", "due_at", "claimed_by_id", "claim_expires_at",
    "claimed_by__username", "thread__subject", "thread__topic_id", "thread__topic__name_nb",
    "thread__topic__name_en", "thread__supervisor_id", "thread__supervisor__username",
    "reply__status",
)


def reply_queue_open(*, viewer, now: dt.datetime, filters: QueueFilters = QueueFilters()):
    """``reply_queue`` as the queue page lists it: closed threads left out by id
    (``closed_with_waiting_letters``). A deep page takes its ids from this queryset, which
    has none of the joins its rows' values need (ordrom.pagination.page_rows)."""
    return reply_queue(
        viewer=viewer, now=now, filters=filters,
        closed_thread_ids=closed_with_waiting_letters(now=now),
    )


def reply_queue_rows(open_letters):
    """*open_letters* (``reply_queue_open``) as the values a queue row shows
    (QUEUE_ROW_FIELDS), in its order."""
    return open_letters.values(*QUEUE_ROW_FIELDS)


def reply_queue_page(
    *,
    viewer,
    now: dt.datetime,
    filters: QueueFilters,
    number,
    per_page: int,
    open_count: int,
    version: int | None = None,
) -> tuple[Page, list[dict]]:
    """A page of the queue: the paginator's page (for the page links) and its rows' values
    (QUEUE_ROW_FIELDS), in the queue's order. *open_count*: the header's count of open
    letters (``queue_counts``); *version*: ``queue_version()``, when the caller has it.

    Unfiltered, the rows are the same for every supervisor (who holds a letter, and until
    when, is in the values; what that means now is worked out when the row is shown), so a
    page's values are kept as the header counts are: for up to 15 seconds per minute of
    *now* (in this process: the rows hold the subjects), and forgotten at once by every
    service that changes the queue. Building the queryset, compiling and converting 50 rows
    was most of the page's own time; a filtered queue (whose rows can depend on the time or
    the viewer) reads them each time."""
    if filters != QueueFilters():
        open_letters = reply_queue_open(viewer=viewer, now=now, filters=filters)
        page = Paginator(reply_queue_rows(open_letters), per_page).get_page(number)
        return page, list(page_rows(page, ids_from=open_letters))
    # The unfiltered queue is exactly the open letters the header counted.
    page = Paginator(range(open_count), per_page).get_page(number)
    key = _queue_counts_key(now, f"queue-rows:{per_page}:{page.number}", version)
    kept = _kept_pages.get(key)
    if kept is not None:
        return page, kept
    open_letters = reply_queue_open(viewer=viewer, now=now, filters=filters)
    paginator = Paginator(reply_queue_rows(open_letters), per_page)
    paginator.count = open_count
    rows = list(page_rows(paginator.page(page.number), ids_from=open_letters))
    _kept_pages.set(key, rows)
    return page, rows


@dataclass(frozen=True)
class QueueCounts:
    open: int
    due_soon: int
    overdue: int
    unclaimed: int
    in_review: int


QUEUE_COUNTS_VERSION_KEY = "letters:queue-counts:version"
QUEUE_COUNTS_SECONDS = 15

# The queue's pages are kept in each process, not in the shared cache: their rows hold the
# writers' subjects, which have no business in Redis. Under the shared version, so a change
# made through another process is seen here at once.
KEPT_PAGES_LIMIT = 200
_kept_pages = Recent(limit=KEPT_PAGES_LIMIT, seconds=QUEUE_COUNTS_SECONDS)


def queue_version() -> int:
    """The version the queue's kept counts and pages are under (one cache round trip): a
    page that asks for both reads it once and passes it to each."""
    return cache_versions.current(QUEUE_COUNTS_VERSION_KEY)


def queue_topics(*, now: dt.datetime, version: int | None = None) -> list[Topic]:
    """Every letter topic, for the queue's filter: kept as the queue's rows are (in this
    process, up to 15 seconds per minute of *now*, under the shared version), and forgotten
    at once when a topic is saved or deleted (``LettersConfig.ready``)."""
    key = _queue_counts_key(now, "queue-topics", version)
    return _kept_pages.get_or_set(key, lambda: list(Topic.objects.all()))


def forget_queue(**kwargs) -> None:
    """What the queue keeps (counts, rows, topics), forgotten now (this request's next
    read) and again after the commit (a read by another request between the two could have
    kept the old state). Called by every service that changes the queue, and a signal
    receiver for a letter topic saved or deleted (its name is in the rows)."""
    forget_queue_counts()
    transaction.on_commit(forget_queue_counts)


def _queue_counts_key(now: dt.datetime, kind: str = "queue-counts", version=None) -> str:
    if version is None:
        version = queue_version()
    return f"letters:{kind}:{version}:{now:%Y%m%d%H%M}"


# More closed threads with a waiting letter than this, and the listing looks up each letter's
# thread as before (a literal list that long would cost more than it saves).
CLOSED_WITH_WAITING_LIMIT = 100


def closed_with_waiting_letters(*, now: dt.datetime) -> list[int] | None:
    """The ids of closed threads that still hold an unanswered letter (a writer closed the
    thread before the answer came), or None when there are more than
    CLOSED_WITH_WAITING_LIMIT.

    These are the only unanswered letters the queue leaves out, and there are few or none.
    Left out by id, a deep page's ids come from the queue's index alone instead of looking up
    the thread of every letter before it (page 50 of 8 700: 4.2 to 0.25 ms of SQL). Kept as
    the header counts are: for up to 15 seconds per minute of *now*, and forgotten by every
    service that changes the queue (closing a thread included) at once."""
    key = _queue_counts_key(now, "queue-closed")
    kept = cache.get(key)
    if kept is None:
        ids = list(
            Letter.objects.filter(answered_at__isnull=True, thread__state=Thread.State.CLOSED)
            .order_by()
            .values_list("thread_id", flat=True)
            .distinct()[: CLOSED_WITH_WAITING_LIMIT + 1]
        )
        kept = {"ids": sorted(ids) if len(ids) <= CLOSED_WITH_WAITING_LIMIT else None}
        cache.set(key, kept, QUEUE_COUNTS_SECONDS)
    return kept["ids"]


def forget_queue_counts() -> None:
    """Every service that changes what the queue counts calls this (after its commit)."""
    _kept_pages.clear()  # this process at once, even when the cache cannot be reached
    cache_versions.bump(QUEUE_COUNTS_VERSION_KEY)


def queue_counts(*, now: dt.datetime, version: int | None = None) -> QueueCounts:
    """The queue header, in one aggregate query, kept for up to 15 seconds per minute of
    *now*: on a big queue the aggregate is most of the page's time, and every change to a
    letter through the services forgets it at once."""
    key = _queue_counts_key(now, version=version)
    counts = _kept_pages.get(key)  # this process's first
    if counts is None:
        counts = cache.get(key)
    if counts is None:
        open_letters = Letter.objects.filter(answered_at__isnull=True).exclude(
            thread__state=Thread.State.CLOSED
        )
        counts = open_letters.aggregate(
            open=Count("pk"),
            due_soon=Count(
                "pk", filter=Q(due_at__gt=now, due_at__lte=now + app_settings.DUE_SOON)
            ),
            overdue=Count("pk", filter=Q(due_at__lte=now)),
            unclaimed=Count(
                "pk", filter=Q(claimed_by__isnull=True) | Q(claim_expires_at__lte=now)
            ),
            in_review=Count("pk", filter=Q(reply__status=Reply.Status.IN_REVIEW)),
        )
        cache.set(key, counts, QUEUE_COUNTS_SECONDS)
    _kept_pages.set(key, counts)
    return QueueCounts(**counts)


def deadline_alerts(*, now: dt.datetime, limit: int | None = None) -> list[Letter]:
    """Due within 12 hours (or overdue) with nobody on them: shown to coordinators.

    Pages pass a ``limit`` so a large backlog cannot make them slow."""
    letters = (
        Letter.objects.filter(answered_at__isnull=True, due_at__lte=now + app_settings.DUE_SOON)
        .exclude(thread__state=Thread.State.CLOSED)
        .filter(Q(claimed_by__isnull=True) | Q(claim_expires_at__lte=now))
        .select_related("thread__topic")
        .order_by("due_at", "pk")
    )
    return list(letters[:limit] if limit is not None else letters)


def staff_letter(*, letter_id: int) -> Letter:
    """A letter with its whole thread, for the supervisor's reading and answering page."""
    return (
        Letter.objects.select_related("thread__topic", "thread__supervisor", "claimed_by")
        .prefetch_related(
            Prefetch(
                "thread__letters",
                queryset=Letter.objects.select_related("reply__author").order_by("received_at"),
            )
        )
        .get(pk=letter_id)
    )


def review_queue():
    return (
        Reply.objects.filter(status=Reply.Status.IN_REVIEW)
        .select_related("letter__thread__topic", "author")
        .order_by("review_requested_at")
    )


# --- Statistics --------------------------------------------------------------------------------


@dataclass
class PeriodStats:
    period: dt.date
    received: int
    answered: int
    answered_in_time: int
    median_hours: float | None
    p90_hours: float | None

    @property
    def share_in_time(self) -> float | None:
        return self.answered_in_time / self.answered if self.answered else None


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def letter_statistics(*, period: str = "week", since: dt.datetime, until: dt.datetime):
    """Per week or month: received, answered, share answered in time, median and 90th
    percentile of hours to the first answer. From LetterRecord, so retention and deleted
    accounts do not change the past."""
    # Periods are local weeks and months: truncate in Oslo time, or a letter written late on
    # a Sunday evening lands in the next week (and around a daylight-saving change, by an hour).
    oslo = zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def trunc(field):
        return (TruncWeek if period == "week" else TruncMonth)(field, tzinfo=oslo)

    records = LetterRecord.objects.filter(received_at__gte=since, received_at__lt=until)
    rows = (
        records.annotate(period=trunc("received_at"))
        .values("period")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            in_time=Count("pk", filter=Q(answered_at__isnull=False, answered_at__lte=F("due_at"))),
        )
        .order_by("period")
    )
    first_answer_hours: dict = {}
    for record in records.filter(is_follow_up=False, answered_at__isnull=False).annotate(
        period=trunc("received_at")
    ).values("period", "received_at", "answered_at"):
        hours = (record["answered_at"] - record["received_at"]).total_seconds() / 3600
        first_answer_hours.setdefault(record["period"], []).append(hours)
    result = []
    for row in rows:
        key = row["period"]
        hours = sorted(first_answer_hours.get(key, []))
        result.append(
            PeriodStats(
                period=key.date() if hasattr(key, "date") else key,
                received=row["received"],
                answered=row["answered"],
                answered_in_time=row["in_time"],
                median_hours=statistics.median(hours) if hours else None,
                p90_hours=_percentile(hours, 0.9),
            )
        )
    return result


def topic_statistics(*, since: dt.datetime, until: dt.datetime):
    return list(
        LetterRecord.objects.filter(received_at__gte=since, received_at__lt=until)
        .values("topic__name_nb", "topic__name_en")
        .annotate(received=Count("pk"))
        .order_by("-received")
    )


def feedback_statistics(*, since: dt.date, until: dt.date) -> dict[str, dict[str, int]]:
    rows = (
        Feedback.objects.filter(week__gte=since, week__lt=until)
        .values("question", "answer")
        .annotate(count=Count("pk"))
    )
    result: dict[str, dict[str, int]] = {q: {} for q in Feedback.Question.values}
    for row in rows:
        result[row["question"]][row["answer"]] = row["count"]
    return result


def overdue_now(*, now: dt.datetime) -> int:
    return (
        Letter.objects.filter(answered_at__isnull=True, due_at__lte=now)
        .exclude(thread__state=Thread.State.CLOSED)
        .count()
    )
