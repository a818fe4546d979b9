"""The large data set of `make bench`: members, letter threads, replies and statistics rows.

Written with ``bulk_create`` in batches, not through the services: a service call per
letter (with its transaction, crisis check and Argon2 account) would take far too long. The
rows are still the ones the services would have written (``check_consistency`` below asserts
the countable part after seeding):

- every letter has a LetterRecord with the same times, topic, urgency and answered time;
- only the last letter of a thread can be waiting; a thread is ``waiting`` exactly when it
  is, ``answered`` or ``closed`` (with ``closed_at``) otherwise;
- an answered letter has one sent Reply by a supervisor (``sent_at == answered_at``), and
  the thread's supervisor is the one who answered last;
- ``due_at = received_at + 48 h``; a writer has at most 3 waiting letters;
- a claimed letter is unanswered, and a claim with a draft is held by the draft's author.

Times are spread over the last eight weeks; open letters are due from three weeks ago
(overdue) to 48 hours ahead. Random but reproducible (a fixed seed).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count, F, Q

from letters.models import Letter, LetterRecord, Reply, Thread, Topic
from ordrom.roles import Role

BATCH = 2_000
ANSWER_HOURS = 48
MAX_WAITING = 3
SUPERVISORS = 12

SUBJECTS = [
    "Kveldene er lange",
    "Ingen å snakke med",
    "Ny i byen",
    "Jeg vet ikke hvem jeg skal spørre",
    "Etter skilsmissen",
    "Søvnløse netter",
    "Om mamma",
    "Jobben tar all energi",
    "Savner venner",
    "Bare trengte å skrive",
]
SENTENCES = [
    "Jeg har ikke fortalt dette til noen før.",
    "Det er vanskelig å vite hvor jeg skal begynne.",
    "Om kveldene blir det veldig stille her.",
    "Jeg flyttet hit for et år siden og kjenner nesten ingen.",
    "Noen dager går det fint, andre dager orker jeg ikke å stå opp.",
    "Jeg savner å ha noen å ringe når noe skjer.",
    "På jobben later jeg som alt er greit.",
    "Familien min bor langt unna, og vi snakkes sjelden.",
    "Jeg prøvde å gå på en trening, men turte ikke gå inn.",
    "Takk for at dere finnes.",
    "Jeg sover dårlig og tenker mye om natten.",
    "Det hjalp å skrive dette ned.",
]
ANSWERS = [
    "Takk for at du skrev til oss og delte dette.",
    "Det du beskriver, kjenner mange seg igjen i.",
    "Det er modig å sette ord på hvordan du har det.",
    "Kanskje kan et lite steg være å sende en melding til noen du kjenner.",
    "Du er velkommen til å skrive igjen og fortelle hvordan det går.",
    "Hvis det blir veldig tungt, kan du ringe Hjelpetelefonen på 116 123, døgnet rundt.",
]


@dataclass
class BenchData:
    supervisor_id: int
    member_id: int
    member_thread_id: int
    letters: int
    threads: int
    members: int
    open_letters: int


def _text(rng: random.Random, pool: list[str], low: int, high: int) -> str:
    return " ".join(rng.choice(pool) for _ in range(rng.randint(low, high)))


class _Builder:
    """Collects unsaved rows for one thread at a time; inserted in bulk afterwards."""

    def __init__(self, *, rng, now, topics, supervisors, services):
        self.rng = rng
        self.now = now
        self.topics = topics
        self.supervisors = supervisors
        self.services = services
        self.threads: list[Thread] = []
        # (thread, [(letter, reply-or-None)])
        self.plan: list[tuple[Thread, list[tuple[Letter, Reply | None]]]] = []

    def _hours(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(hours=self.rng.uniform(low, high))

    def thread(self, *, writer_id: int, letters: int, waiting: bool, start=None, referrals=False):
        rng, now = self.rng, self.now
        if start is None:
            if waiting:
                # The waiting letter is the last one; most were written in the last 48 hours,
                # some are overdue by up to three weeks.
                last = now - (self._hours(0, 47.5) if rng.random() < 0.75 else self._hours(49, 500))
            else:
                last = now - self._hours(2, 8 * 7 * 24)
            start = last - (letters - 1) * self._hours(30, 120)
        topic = rng.choice(self.topics) if rng.random() < 0.8 else None
        thread = Thread(
            writer_id=writer_id,
            subject=rng.choice(SUBJECTS) if rng.random() < 0.6 else "",
            topic=topic,
            created_at=start,
            updated_at=start,
        )
        rows = []
        received = start
        supervisor = None
        for index in range(letters):
            is_last = index == letters - 1
            letter = Letter(
                body=_text(rng, SENTENCES, 2, 8),
                is_follow_up=index > 0,
                urgent=rng.random() < 0.04,
                received_at=received,
                due_at=received + dt.timedelta(hours=ANSWER_HOURS),
            )
            reply = None
            if is_last and waiting:
                roll = rng.random()
                if roll < 0.05:  # someone is on it, with a draft
                    holder = rng.choice(self.supervisors)
                    letter.claimed_by_id = holder
                    letter.claimed_at = now - self._hours(0, 0.4)
                    letter.claim_expires_at = letter.claimed_at + dt.timedelta(minutes=30)
                    reply = Reply(author_id=holder, body=_text(rng, ANSWERS, 1, 3),
                                  draft_saved_at=letter.claimed_at)
                elif roll < 0.07:  # a claim that lapsed
                    letter.claimed_by_id = rng.choice(self.supervisors)
                    letter.claimed_at = now - self._hours(1, 30)
                    letter.claim_expires_at = letter.claimed_at + dt.timedelta(minutes=30)
            else:
                answered = min(received + self._hours(0.5, 60), now - dt.timedelta(minutes=5))
                supervisor = rng.choice(self.supervisors)
                letter.answered_at = answered
                ids = self.services[:2] if referrals else (
                    rng.sample(self.services, rng.randint(0, 2)) if self.services else []
                )
                reply = Reply(
                    author_id=supervisor,
                    body=_text(rng, ANSWERS, 2, 5),
                    status=Reply.Status.SENT,
                    referral_service_ids=sorted(ids),
                    draft_saved_at=answered,
                    sent_at=answered,
                    read_at=None if (is_last and rng.random() < 0.2) else answered
                    + self._hours(1, 30),
                    feedback_given=rng.random() < 0.3,
                )
                received = answered + self._hours(1, 100)
            rows.append((letter, reply))
        last_letter, _last_reply = rows[-1]
        if waiting:
            thread.state = Thread.State.WAITING
            thread.updated_at = last_letter.received_at
        else:
            thread.state = Thread.State.ANSWERED
            thread.updated_at = last_letter.answered_at
            if now - thread.updated_at > dt.timedelta(days=30) and rng.random() < 0.6:
                thread.state = Thread.State.CLOSED
                thread.closed_at = thread.updated_at + dt.timedelta(days=30)
        thread.supervisor_id = supervisor
        self.threads.append(thread)
        self.plan.append((thread, rows))
        return thread


def _bulk(model, objects, label, log):
    model.objects.bulk_create(objects, batch_size=BATCH)
    log(f"  {len(objects):>7} {label}")


@transaction.atomic
def seed_large(*, letters: int, members: int, now: dt.datetime, log=print,
               supervisor_username: str, supervisor_password: str,
               member_username: str, seed: int = 5) -> BenchData:
    """Seed about *letters* letters by *members* members, plus the bench's own supervisor and
    member. Returns the ids the benchmark needs."""
    rng = random.Random(seed)
    user_model = get_user_model()
    groups = {role: Group.objects.get(name=role) for role in (Role.MEMBER, Role.SUPERVISOR)}
    memberships = user_model.groups.through

    # Nobody logs in as a generated member: an unusable password costs no hashing.
    unusable = make_password(None)
    staff = [
        user_model(username=f"Benkveileder{i:02d}", password=unusable) for i in range(SUPERVISORS)
    ]
    known_supervisor = user_model(
        username=supervisor_username, password=make_password(supervisor_password)
    )
    writers = [user_model(username=f"Benkskriver{i:05d}", password=unusable)
               for i in range(members)]
    known_member = user_model(username=member_username, password=unusable)
    _bulk(user_model, [*staff, known_supervisor, *writers, known_member], "accounts", log)
    _bulk(
        memberships,
        [memberships(user_id=u.pk, group_id=groups[Role.SUPERVISOR].pk)
         for u in [*staff, known_supervisor]]
        + [memberships(user_id=u.pk, group_id=groups[Role.MEMBER].pk)
           for u in [*writers, known_member]],
        "role memberships",
        log,
    )

    from pages.models import HelpService

    builder = _Builder(
        rng=rng,
        now=now,
        topics=list(Topic.objects.all()),
        supervisors=[u.pk for u in staff],
        services=list(HelpService.objects.filter(is_active=True).values_list("pk", flat=True)),
    )

    # The bench's own member: several threads, one of them a long answered conversation with
    # referrals and a follow-up still waiting (the thread page measured).
    for waiting in (False, False, False, True, True):
        builder.thread(writer_id=known_member.pk, letters=rng.randint(1, 3), waiting=waiting)
    member_thread = builder.thread(
        writer_id=known_member.pk, letters=3, waiting=True, referrals=True,
        start=now - dt.timedelta(days=9),
    )

    total = sum(len(rows) for _t, rows in builder.plan)
    writer_ids = [u.pk for u in writers]
    waiting_by_writer: dict[int, int] = {}
    while total < letters:
        writer_id = rng.choice(writer_ids)
        count = min(rng.choices((1, 2, 3), weights=(45, 35, 20))[0], letters - total)
        waiting = rng.random() < 0.15 and waiting_by_writer.get(writer_id, 0) < MAX_WAITING
        if waiting:
            waiting_by_writer[writer_id] = waiting_by_writer.get(writer_id, 0) + 1
        builder.thread(writer_id=writer_id, letters=count, waiting=waiting)
        total += count

    _bulk(Thread, builder.threads, "threads", log)
    all_letters, replies, records = [], [], []
    for thread, rows in builder.plan:
        for letter, _reply in rows:
            letter.thread = thread
            all_letters.append(letter)
    _bulk(Letter, all_letters, "letters", log)
    for thread, rows in builder.plan:
        for letter, reply in rows:
            if reply is not None:
                reply.letter = letter
                replies.append(reply)
            records.append(
                LetterRecord(
                    letter=letter,
                    topic_id=thread.topic_id,
                    is_follow_up=letter.is_follow_up,
                    urgent=letter.urgent,
                    received_at=letter.received_at,
                    due_at=letter.due_at,
                    answered_at=letter.answered_at,
                )
            )
    _bulk(Reply, replies, "replies", log)
    _bulk(LetterRecord, records, "letter records", log)

    return BenchData(
        supervisor_id=known_supervisor.pk,
        member_id=known_member.pk,
        member_thread_id=member_thread.pk,
        letters=len(all_letters),
        threads=len(builder.threads),
        members=members + 1,
        open_letters=sum(1 for letter in all_letters if letter.answered_at is None),
    )


def check_consistency() -> dict[str, int]:
    """The invariants the services keep, counted over the whole data set."""
    letters = Letter.objects.count()
    answered = Letter.objects.filter(answered_at__isnull=False).count()
    problems = {
        "letters without a record": letters - LetterRecord.objects.count(),
        "answered letters without a sent reply": answered
        - Reply.objects.filter(status=Reply.Status.SENT).count(),
        "records answered differently": LetterRecord.objects.exclude(
            answered_at=F("letter__answered_at")
        ).filter(Q(answered_at__isnull=False) | Q(letter__answered_at__isnull=False)).count(),
        "waiting threads with no open letter": Thread.objects.filter(state=Thread.State.WAITING)
        .exclude(letters__answered_at__isnull=True).count(),
        "answered threads with an open letter": Thread.objects.exclude(
            state=Thread.State.WAITING
        ).filter(letters__answered_at__isnull=True).count(),
        "writers with more than 3 waiting letters": Letter.objects.filter(
            answered_at__isnull=True
        ).values("thread__writer").annotate(n=Count("pk")).filter(n__gt=MAX_WAITING).count(),
    }
    return {name: count for name, count in problems.items() if count}

