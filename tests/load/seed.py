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



# --- The forum: 10 000 topics with 200 000 posts ------------------------------------------------

TOPIC_TITLES = [
    "Hvordan kommer man seg gjennom søndagene?",
    "Noen andre som gruer seg til jul?",
    "Tips til å sove bedre",
    "Ny jobb, ingen venner ennå",
    "Å være ensom i et forhold",
    "Turte endelig å si det til legen",
    "Hva gjør dere når tankene kverner?",
    "En god dag i dag",
    "Savner pappa",
    "Flyttet hjemmefra og kjenner ingen",
    "Hvordan si nei uten dårlig samvittighet",
    "Noen som vil gå tur i tankene sammen?",
]
REPLIES = [
    "Jeg kjenner meg så godt igjen i det du skriver.",
    "Takk for at du deler, det hjelper å lese at andre har det likt.",
    "Det som hjalp meg var å ha en fast rutine om kvelden.",
    "Du er ikke alene om dette.",
    "Har du snakket med noen om det? Det kan gjøre en forskjell.",
    "Her har det vært tungt en stund, men det går litt bedre nå.",
    "Jeg prøvde å skrive dagbok, og det hjalp overraskende mye.",
    "Håper du får en fin uke.",
    "Så fint at du skrev dette.",
    "Jeg har også hatt det sånn, og det ble bedre med tiden.",
]
# The bench member's topic: the topic page measured has many pages of posts.
BENCH_TOPIC_POSTS = 600


@dataclass
class ForumData:
    category_slug: str
    topic_id: int
    topics: int
    posts: int
    published_posts: int


def _html_pool(rng: random.Random, pool: list[str], size: int, low: int, high: int):
    """*size* texts made of *pool* sentences, each with its HTML rendered once by the single
    sanitiser (as the services store it): 200 000 posts cost 2 000 renderings, not 200 000."""
    from ordrom.sanitiser import render_user_text

    texts = []
    for _ in range(size):
        paragraphs = [_text(rng, pool, low, high) for _ in range(rng.randint(1, 3))]
        body = "\n\n".join(paragraphs)
        texts.append((body, render_user_text(body)))
    return texts


@transaction.atomic
def seed_forum(*, topics: int, posts: int, now: dt.datetime, member_id: int, log=print,
               seed: int = 7) -> ForumData:
    """*topics* topics with *posts* posts in all by the generated members (and a few by the
    bench member), with the counters, visibility and moderation state the services keep:

    - a topic is visible once its first post is published; ``post_count`` counts its
      published posts, ``last_activity_at`` is its last published post;
    - a category's ``topic_count`` counts its visible topics, ``last_activity_at`` the latest;
    - held posts are queued (``queued_at``) with a reason; hidden and deleted posts were
      published first; a deleted post keeps no text;
    - every author has a Standing whose ``approved_posts`` counts their published posts.
    """
    from forum.models import Category, Post, Standing
    from forum.models import Topic as ForumTopic

    rng = random.Random(seed)
    user_model = get_user_model()
    authors = list(
        user_model.objects.filter(username__startswith="Benkskriver").values_list("pk", flat=True)
    )
    categories = list(Category.objects.filter(is_active=True).order_by("sort_order"))
    # The first category is the big one (as "loneliness" is): the category page measured.
    weights = [4] + [1] * (len(categories) - 1)
    bodies = _html_pool(rng, REPLIES, 2_000, 1, 5)
    year = dt.timedelta(days=365)

    # Posts per topic: a long tail (most topics short, a few long), summing to *posts*.
    shares = [min(rng.paretovariate(1.3), 60.0) for _ in range(topics)]
    spare = max(0, posts - topics - BENCH_TOPIC_POSTS)
    total_share = sum(shares[1:]) or 1.0
    counts = [BENCH_TOPIC_POSTS] + [1 + int(spare * s / total_share) for s in shares[1:]]
    for index in range(posts - sum(counts)):  # what rounding left over
        counts[1 + index % (topics - 1)] += 1

    topic_rows: list[ForumTopic] = []
    post_plan: list[list[Post]] = []
    for index, count in enumerate(counts):
        category = categories[0] if index == 0 else rng.choices(categories, weights)[0]
        start = now - rng.random() * year
        times = sorted(start + rng.random() * (now - start) for _ in range(count - 1))
        times = [start, *times]
        topic = ForumTopic(
            category=category,
            author_id=member_id if index == 0 else rng.choice(authors),
            title=rng.choice(TOPIC_TITLES),
            created_at=start,
            last_activity_at=start,
            is_pinned=index != 0 and rng.random() < 0.002,
            is_locked=index != 0 and rng.random() < 0.01,
        )
        rows = []
        for position, at in enumerate(times):
            body, html = rng.choice(bodies)
            author = topic.author_id if position == 0 else rng.choice(authors)
            if index == 0 and position % 25 == 3:
                author = member_id  # the bench member writes in their own topic now and then
            post = Post(author_id=author, body=body, body_html=html, created_at=at,
                        updated_at=at)
            roll = 0.5 if index == position == 0 else rng.random()
            if index == 0:  # the bench topic: its last post waits (the author sees it)
                held = position == count - 1
            elif position == 0:  # 1 % of topics are not shown yet
                held = roll < 0.01
            else:
                held = roll < 0.015 or (category.moderation == Category.Moderation.PRE
                                        and now - at < dt.timedelta(hours=6))
            if held:
                post.status = Post.Status.HELD
                post.hold_reasons = [str(Post.HoldReason.NEW_MEMBER)]
                post.queued_at = at
                post.urgent = rng.random() < 0.03
            elif roll < 0.02:
                post.status = Post.Status.RETURNED
                post.moderator_reason = "Vennligst fjern navnet på arbeidsplassen."
            else:
                post.status = Post.Status.PUBLISHED
                post.published_at = post.first_published_at = at
                if roll > 0.995:
                    post.status = Post.Status.HIDDEN
                    post.moderator_reason = "Skjult etter rapporter."
                elif roll > 0.99:
                    post.status = Post.Status.DELETED
                    post.body = post.body_html = ""
            rows.append(post)
        published = [p for p in rows if p.status == Post.Status.PUBLISHED]
        topic.is_visible = rows[0].first_published_at is not None
        topic.post_count = len(published)
        if published:
            topic.last_activity_at = published[-1].published_at
        topic_rows.append(topic)
        post_plan.append(rows)

    _bulk(ForumTopic, topic_rows, "forum topics", log)
    all_posts = []
    for topic, rows in zip(topic_rows, post_plan, strict=True):
        for post in rows:
            post.topic = topic
            all_posts.append(post)
    _bulk(Post, all_posts, "forum posts", log)

    for category in categories:
        visible = [t for t in topic_rows if t.category_id == category.pk and t.is_visible]
        Category.objects.filter(pk=category.pk).update(
            topic_count=len(visible),
            last_activity_at=max((t.last_activity_at for t in visible), default=None),
        )
    approved: dict[int, int] = {}
    for post in all_posts:
        approved.setdefault(post.author_id, 0)
        if post.first_published_at is not None:
            approved[post.author_id] += 1
    existing = set(Standing.objects.filter(member_id__in=approved).values_list("member_id",
                                                                                 flat=True))
    _bulk(
        Standing,
        [Standing(member_id=author, approved_posts=n) for author, n in approved.items()
         if author not in existing],
        "forum standings",
        log,
    )
    return ForumData(
        category_slug=categories[0].slug,
        topic_id=topic_rows[0].pk,
        topics=len(topic_rows),
        posts=len(all_posts),
        published_posts=sum(1 for p in all_posts if p.status == Post.Status.PUBLISHED),
    )


def check_forum_consistency() -> dict[str, int]:
    """The forum's kept counters agree with the rows."""
    from django.db.models import Max

    from forum.models import Category, Post
    from forum.models import Topic as ForumTopic

    published = Q(posts__status=Post.Status.PUBLISHED)
    problems = {
        "topics whose post_count is wrong": ForumTopic.objects.annotate(
            n=Count("posts", filter=published)
        ).exclude(n=F("post_count")).count(),
        "categories whose topic_count is wrong": Category.objects.annotate(
            n=Count("topics", filter=Q(topics__is_visible=True))
        ).exclude(n=F("topic_count")).count(),
        "categories whose last activity is wrong": Category.objects.annotate(
            latest=Max("topics__last_activity_at", filter=Q(topics__is_visible=True))
        ).exclude(latest=F("last_activity_at")).count(),
        "held posts not queued": Post.objects.filter(status=Post.Status.HELD,
                                                     queued_at__isnull=True).count(),
    }
    return {name: count for name, count in problems.items() if count}


# --- The friend service: a profile for each of the 20 000 members --------------------------------

ABOUT = [
    "Jeg liker lange turer og gode bøker.",
    "Søker noen å skrive med om hverdagen.",
    "Jeg er litt sjenert, men blir pratsom når jeg blir kjent med folk.",
    "Glad i musikk, særlig gamle plater.",
    "Jobber turnus og er ofte våken om natten.",
    "Har nettopp flyttet og vil gjerne bli kjent med noen.",
    "Liker å lage mat og prøver nye oppskrifter hver helg.",
    "Jeg skriver helst lange brev.",
]
AGE_BANDS = ["13-15", "16-17", "18-25", "26-35", "36-50", "51-65", "66+"]
AGE_WEIGHTS = [3, 5, 20, 22, 25, 17, 8]


@dataclass
class FriendsData:
    profiles: int
    listed: int
    bench_profile_id: int


@transaction.atomic
def seed_friends(*, now: dt.datetime, member_id: int, log=print, seed: int = 11) -> FriendsData:
    """A friend profile with 1–5 interests for every generated member (most approved and
    listed, the rest waiting, paused, returned, expired or deleted, as the services leave
    them), an approved adult profile for the bench member, and what makes the browse
    filter real: blocks both ways, suspended members, open contact requests and two
    conversations with unread letters for the bench member."""
    from friends.models import (
        Block,
        ContactRequest,
        Conversation,
        FriendStanding,
        Interest,
        Message,
        Profile,
        Region,
    )
    from friends.models import Gender as FriendGender

    rng = random.Random(seed)
    user_model = get_user_model()
    members = list(
        user_model.objects.filter(username__startswith="Benkskriver").values_list("pk", flat=True)
    )
    interests = list(Interest.objects.filter(is_active=True).values_list("pk", flat=True))
    texts = _html_pool(rng, ABOUT, 1_000, 1, 4)
    regions = Region.values
    genders = [*FriendGender.values, ""]
    lifetime = dt.timedelta(days=60)
    S = Profile.Status

    profiles = []
    for member in [*members, member_id]:
        about, html = rng.choice(texts)
        submitted = now - dt.timedelta(days=rng.uniform(0, 200))
        profile = Profile(
            member_id=member,
            age_band="36-50" if member == member_id else rng.choices(AGE_BANDS, AGE_WEIGHTS)[0],
            region=rng.choice(regions),
            gender=rng.choice(genders),
            about=about,
            about_html=html,
            created_at=submitted - dt.timedelta(days=rng.uniform(0, 100)),
            submitted_at=submitted,
        )
        roll = 0.0 if member == member_id else rng.random()
        if roll < 0.85:  # approved and listed, within its 60 days
            profile.status = S.APPROVED
            profile.listed_at = now - dt.timedelta(days=rng.uniform(0, 59))
            profile.expires_at = profile.listed_at + lifetime
            profile.submitted_at = min(profile.submitted_at, profile.listed_at)
        elif roll < 0.90:  # approved long ago: expired, asked to renew
            profile.status = S.APPROVED
            profile.listed_at = now - dt.timedelta(days=rng.uniform(61, 200))
            profile.expires_at = profile.listed_at + lifetime
            profile.submitted_at = min(profile.submitted_at, profile.listed_at)
            profile.expiry_notified = True
        elif roll < 0.94:
            profile.status = S.PENDING
            profile.submitted_at = now - dt.timedelta(hours=rng.uniform(0, 72))
        elif roll < 0.97:
            profile.status = S.PAUSED
        elif roll < 0.99:
            profile.status = S.RETURNED
            profile.return_reason = "Vennligst ikke skriv hvor du jobber."
        else:
            profile.status = S.DELETED
            profile.about = profile.about_html = ""
        profiles.append(profile)
    _bulk(Profile, profiles, "friend profiles", log)
    through = Profile.interests.through
    _bulk(
        through,
        [
            through(profile_id=p.pk, interest_id=i)
            for p in profiles
            if p.status != S.DELETED
            for i in rng.sample(interests, min(len(interests), rng.randint(1, 5)))
        ],
        "profile interests",
        log,
    )

    # Around the bench member: 5 blocked by them, 5 who blocked them, 50 suspended members,
    # 4 open requests to them, and 2 conversations with letters, some unread.
    adults = [p.member_id for p in profiles[:-1]
              if p.status == S.APPROVED and p.age_band not in AGE_BANDS[:2]]
    others = rng.sample(adults, 70)
    _bulk(
        Block,
        [Block(blocker_id=member_id, blocked_id=m, created_at=now) for m in others[:5]]
        + [Block(blocker_id=m, blocked_id=member_id, created_at=now) for m in others[5:10]],
        "blocks",
        log,
    )
    _bulk(
        FriendStanding,
        [FriendStanding(member_id=m, suspended_until=now + dt.timedelta(days=7),
                        suspension_reason="Brudd på reglene.") for m in others[10:60]],
        "friend suspensions",
        log,
    )
    ContactRequest.objects.bulk_create(
        [ContactRequest(sender_id=m, recipient_id=member_id, message=about, message_html=html,
                        created_at=now - dt.timedelta(hours=n))
         for n, (m, (about, html)) in enumerate(zip(others[60:64], texts, strict=False))]
    )
    for m in others[64:66]:
        a, b = sorted((m, member_id))
        started = now - dt.timedelta(days=10)
        conversation = Conversation.objects.create(
            member_a_id=a, member_b_id=b, created_at=started, last_message_at=now
        )
        Message.objects.bulk_create(
            [Message(conversation=conversation, author_id=(m, member_id)[n % 2], body=about,
                     body_html=html, created_at=started + dt.timedelta(hours=n * 12),
                     read_at=None if n >= 16 else now)
             for n, (about, html) in enumerate(texts[:20])]
        )
    bench_profile = profiles[-1]
    return FriendsData(
        profiles=len(profiles),
        listed=sum(1 for p in profiles if p.status == S.APPROVED and p.expires_at > now),
        bench_profile_id=bench_profile.pk,
    )
