"""Read queries of the members' forum pages, each with a fixed number of SQL queries.

Lists read the counters the services keep (``Category.topic_count``, ``Topic.post_count``)
instead of counting rows, so /forum/ and a category page cost the same at 10 topics and
at 10 000.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, Func, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from forum.models import (
    Category,
    ForumRulesPage,
    ModerationAction,
    Post,
    Reaction,
    Report,
    Standing,
    Topic,
)
from ordrom import pagination, roles
from ordrom.models import Notification
from ordrom.pagination import Built, CountedPaginator
from ordrom.prepared import MAX_ID, PreparedCount, PreparedModels, PreparedValues

TOPICS_PER_PAGE = 25
POSTS_PER_PAGE = 30
RESULTS_PER_PAGE = 20
NOTIFICATIONS_SHOWN = 50


def page_number(value, paginator: Paginator):
    """``?page=last`` as well as numbers; anything else is the first page."""
    if value == "last":
        return paginator.num_pages
    return value


def forum_rules_page() -> ForumRulesPage | None:
    """The live rules page in the reader's language, else any live one (None: not made yet)."""
    from wagtail.models import Locale

    pages = ForumRulesPage.objects.live().order_by("path")
    try:
        active = Locale.get_active()
    except Locale.DoesNotExist:
        return pages.first()
    return pages.filter(locale=active).first() or pages.first()


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def _viewer_suspended(viewer, now):
    """Whether the member *viewer* (an id; 0 for a visitor) may not write at *now*: asked
    in the same query as the category or topic a page opens (``viewer_suspended``)."""
    return Exists(Standing.objects.filter(member=viewer, suspended_until__gt=now))


def _viewer_values(viewer, now) -> dict:
    return {
        "viewer": viewer.pk if viewer.is_authenticated else 0,
        "now": now or timezone.now(),
    }


def category_for_slug(*, slug: str, viewer, now=None) -> Category:
    """An active category, with ``viewer_suspended`` (``_viewer_suspended``)."""
    found = _ACTIVE_CATEGORY(slug=slug, **_viewer_values(viewer, now))
    if not found:
        raise Category.DoesNotExist
    return found[0]


def _category_topics(category) -> QuerySet[Topic]:
    return (
        Topic.objects.filter(category=category, is_visible=True)
        .select_related("author")
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )


def category_topics(*, category: Category) -> CountedPaginator:
    """The category's topics, paginated; a page's topics: ``page_topics``."""
    return CountedPaginator(
        Built(lambda: _category_topics(category)), TOPICS_PER_PAGE, count=category.topic_count
    )


def page_topics(page, *, category: Category) -> list[Topic]:
    """The topics of *page* (of ``category_topics``), with their authors: the first pages
    through SQL compiled once, a deep one as ``ordrom.pagination.page_rows`` reads it."""
    offset = (page.number - 1) * page.paginator.per_page
    if offset < pagination.DEEP_OFFSET:
        return _CATEGORY_TOPICS(category=category.pk, limit=page.paginator.per_page, offset=offset)
    return list(pagination.page_rows(page))


# The category page's two questions, SQL compiled once.
_ACTIVE_CATEGORY = PreparedModels(
    lambda slug, viewer, now: Category.objects.filter(slug=slug, is_active=True).annotate(
        viewer_suspended=_viewer_suspended(viewer, now)
    ),
    texts=["slug"],
    ints=["viewer"],
    datetimes=["now"],
)
_CATEGORY_TOPICS = PreparedModels(_category_topics, ints=["category"], sliced=True)


def is_moderator(user) -> bool:
    return roles.has_role(user, roles.Role.MODERATOR)


_TOPIC_IN_ACTIVE_CATEGORY = PreparedModels(
    lambda topic_id, viewer, now: Topic.objects.select_related("category")
    .filter(pk=topic_id, category__is_active=True)
    .annotate(viewer_suspended=_viewer_suspended(viewer, now)),
    ints=["topic_id", "viewer"],
    datetimes=["now"],
)


def topic_for_reader(*, topic_id: int, viewer, now=None) -> Topic:
    """A topic the viewer may read: visible ones for everyone; one whose first post is still
    held only for its author and moderators. Raises Topic.DoesNotExist otherwise. With
    ``viewer_suspended`` (``_viewer_suspended``)."""
    if not 0 < int(topic_id) <= MAX_ID:  # an id no row can have (the ORM answers the same)
        raise Topic.DoesNotExist
    found = _TOPIC_IN_ACTIVE_CATEGORY(topic_id=int(topic_id), **_viewer_values(viewer, now))
    if not found:
        raise Topic.DoesNotExist
    topic = found[0]
    if topic.is_visible:
        return topic
    if viewer.is_authenticated and (topic.author_id == viewer.pk or is_moderator(viewer)):
        return topic
    raise Topic.DoesNotExist


_SHOWN_TO_ALL = Q(status__in=(Post.Status.PUBLISHED, Post.Status.DELETED))


def _readable_posts(viewer) -> Q:
    if not viewer.is_authenticated:
        return _SHOWN_TO_ALL
    if is_moderator(viewer):
        return Q()
    # Authors see their own posts that wait, came back or were hidden, with what to do.
    return _SHOWN_TO_ALL | Q(author=viewer)


def _member_readable_posts(viewer, topic):
    return Post.objects.filter(_SHOWN_TO_ALL | Q(author=viewer), topic=topic)


# A member's view of a topic, counted on every topic page (SQL compiled once).
_MEMBER_POST_COUNT = PreparedCount(_member_readable_posts, ints=["viewer", "topic"])


# What a topic page reads of a post and its author (fragments._key, includes/post.html): the
# rest (the text as written, the hold reasons' JSON, four more timestamps, the author's
# password hash and dates) was read, converted and thrown away thirty times a page.
TOPIC_POST_FIELDS = (
    "id", "topic_id", "author_id", "body_html", "status", "created_at", "edit_note",
    "moderator_reason", "recognise_count", "author__" + get_user_model().USERNAME_FIELD,
)


def _topic_posts(readable: Q, topic):
    return (
        Post.objects.filter(readable, topic=topic)
        .select_related("author")
        .only(*TOPIC_POST_FIELDS)
        .order_by("created_at", "pk")
    )


# A topic's pages for each kind of reader (_readable_posts), SQL compiled once: the first
# pages in one query; a deep page's ids from the topic's index, then those posts by id.
_READERS = {
    "visitor": (lambda topic, viewer: _SHOWN_TO_ALL, ["topic"]),
    "member": (lambda topic, viewer: _SHOWN_TO_ALL | Q(author=viewer), ["topic", "viewer"]),
    "moderator": (lambda topic, viewer: Q(), ["topic"]),
}


def _reader_queries(readable, ints) -> tuple[PreparedModels, PreparedValues]:
    def posts(topic, viewer=None):
        return _topic_posts(readable(topic, viewer), topic)

    return (
        PreparedModels(posts, ints=ints, sliced=True),
        PreparedValues(
            lambda **values: posts(**values).values_list("pk", flat=True),
            flat=True, ints=ints, sliced=True,
        ),
    )


_PAGES = {kind: _reader_queries(*reader) for kind, reader in _READERS.items()}
PAGE_POST_IDS = 50
_POSTS_BY_ID = PreparedModels(
    lambda ids: Post.objects.filter(pk__in=ids)
    .select_related("author")
    .only(*TOPIC_POST_FIELDS)
    .order_by("created_at", "pk"),
    id_lists={"ids": PAGE_POST_IDS},
)
_VISITOR_POST_COUNT = PreparedCount(
    lambda topic: Post.objects.filter(_SHOWN_TO_ALL, topic=topic), ints=["topic"]
)


def topic_posts(*, topic: Topic, viewer) -> Paginator:
    """The viewer's pages of the topic; a page's posts: ``page_posts``."""
    posts = Built(lambda: _topic_posts(_readable_posts(viewer), topic))
    if not viewer.is_authenticated:
        count = _VISITOR_POST_COUNT(topic=topic.pk)
    elif not is_moderator(viewer):
        count = _MEMBER_POST_COUNT(viewer=viewer.pk, topic=topic.pk)
    else:
        return Paginator(posts, POSTS_PER_PAGE)
    return CountedPaginator(posts, POSTS_PER_PAGE, count=count)


def page_posts(page, *, topic: Topic, viewer) -> list[Post]:
    """The posts of *page* (of ``topic_posts``), with their authors, through SQL compiled
    once. A long topic's later pages take their ids from the topic's index first, as
    ``ordrom.pagination.page_rows`` does: PostgreSQL had hashed every member to join the
    600 posts before the last page's 30."""
    offset = (page.number - 1) * page.paginator.per_page
    limit = page.paginator.per_page
    if limit > PAGE_POST_IDS:
        return list(pagination.page_rows(page))
    if not viewer.is_authenticated:
        kind, values = "visitor", {"topic": topic.pk}
    elif is_moderator(viewer):
        kind, values = "moderator", {"topic": topic.pk}
    else:
        kind, values = "member", {"topic": topic.pk, "viewer": viewer.pk}
    posts, ids = _PAGES[kind]
    if offset < pagination.DEEP_OFFSET:
        return posts(**values, limit=limit, offset=offset)
    found = ids(**values, limit=limit, offset=offset)
    return _POSTS_BY_ID(ids=found) if found else []


def post_for_reader(*, post_id: int, viewer) -> Post:
    """A post the viewer can see in its topic (for quoting, reporting, recognising)."""
    post = Post.objects.select_related("topic", "topic__category", "author").get(pk=post_id)
    topic_for_reader(topic_id=post.topic_id, viewer=viewer)
    if not Post.objects.filter(_readable_posts(viewer), pk=post.pk).exists():
        raise Post.DoesNotExist
    return post


def own_post(*, post_id: int, author) -> Post:
    return Post.objects.select_related("topic", "topic__category").get(pk=post_id, author=author)


def post_position(*, post: Post, viewer) -> int:
    """How many posts the viewer sees before this one: to open the page it is on."""
    return (
        Post.objects.filter(_readable_posts(viewer), topic_id=post.topic_id)
        .filter(Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, pk__lt=post.pk))
        .count()
    )


_RECOGNISED_IDS = 50  # a topic page shows 30 posts
_RECOGNISED = PreparedValues(
    lambda member, post_ids: Reaction.objects.filter(
        member=member, post_id__in=post_ids
    ).values_list("post_id", flat=True),
    flat=True,
    ints=["member"],
    id_lists={"post_ids": _RECOGNISED_IDS},
)


def recognised_post_ids(*, member, post_ids) -> set[int]:
    if not member.is_authenticated or not post_ids:
        return set()
    if len(post_ids) <= _RECOGNISED_IDS:  # a topic page: SQL compiled once
        return set(_RECOGNISED(member=member.pk, post_ids=post_ids))
    return set(
        Reaction.objects.filter(member=member, post_id__in=post_ids).values_list(
            "post_id", flat=True
        )
    )


def standing_of(member) -> Standing | None:
    if not member.is_authenticated:
        return None
    return Standing.objects.filter(member=member).first()


_SUSPENDED = PreparedCount(
    lambda member, now: Standing.objects.filter(member=member, suspended_until__gt=now),
    ints=["member"],
    datetimes=["now"],
)


def is_suspended(member, now) -> bool:
    """Asked on every forum page that offers writing (SQL compiled once)."""
    return member.is_authenticated and _SUSPENDED(member=member.pk, now=now) > 0


class _NorwegianVector(Func):
    function = "to_tsvector"
    template = "%(function)s('norwegian'::regconfig, %(expressions)s)"


class _NorwegianQuery(Func):
    function = "plainto_tsquery"
    template = "%(function)s('norwegian'::regconfig, %(expressions)s)"


class _Matches(Func):
    """``vector @@ query``: PostgreSQL full-text match, without django.contrib.postgres."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def post_search(*, query: str) -> Paginator:
    """Published posts in visible topics matching the words, newest first.

    PostgreSQL: full-text search with the Norwegian dictionary (plain SQL functions, so
    nothing needs django.contrib.postgres and SQLite is untouched). SQLite: a case-insensitive
    substring match on every word.
    """
    posts = Post.objects.filter(
        status=Post.Status.PUBLISHED, topic__is_visible=True, topic__category__is_active=True
    )
    if connection.vendor == "postgresql":
        posts = posts.filter(_Matches(_NorwegianVector(F("body")), _NorwegianQuery(Value(query))))
    else:
        for word in query.split():
            posts = posts.filter(body__icontains=word)
    posts = posts.select_related("topic", "topic__category", "author").order_by(
        "-published_at", "-pk"
    )
    return Paginator(posts, RESULTS_PER_PAGE)


def member_notifications(*, member) -> list[Notification]:
    return list(Notification.objects.filter(recipient=member)[:NOTIFICATIONS_SHOWN])


# --- The staff workspace ------------------------------------------------------------------------

QUEUE_PER_PAGE = 25
LOG_PER_PAGE = 50


def _open_reports() -> Prefetch:
    return Prefetch(
        "reports",
        queryset=Report.objects.filter(resolved_at__isnull=True).order_by("created_at", "pk"),
        to_attr="open_reports",
    )


def moderation_queue() -> QuerySet[Post]:
    """Held posts and published posts with open reports: urgent first, then the ones that
    have waited longest. Each post comes with its topic, category, author and open reports."""
    return (
        Post.objects.filter(
            Q(status=Post.Status.HELD) | Q(status=Post.Status.PUBLISHED, report_count__gt=0)
        )
        .select_related("topic", "topic__category", "author")
        .prefetch_related(_open_reports())
        .order_by("-urgent", "queued_at", "pk")
    )


def moderation_queue_counts() -> dict[str, int]:
    counts = Post.objects.aggregate(
        held=Count("pk", filter=Q(status=Post.Status.HELD)),
        reported=Count("pk", filter=Q(status=Post.Status.PUBLISHED, report_count__gt=0)),
        urgent=Count(
            "pk",
            filter=Q(urgent=True)
            & (Q(status=Post.Status.HELD) | Q(status=Post.Status.PUBLISHED, report_count__gt=0)),
        ),
    )
    counts["total"] = counts["held"] + counts["reported"]
    return counts


def staff_post(*, post_id: int) -> Post:
    """Any post with what a moderator needs to judge it (raises Post.DoesNotExist)."""
    return (
        Post.objects.select_related("topic", "topic__category", "author", "quote_of")
        .prefetch_related(_open_reports())
        .get(pk=post_id)
    )


def staff_topic(*, topic_id: int) -> Topic:
    return Topic.objects.select_related("category", "author").get(pk=topic_id)


def moderation_log(*, moderator_id: int | None = None, action: str = "") -> QuerySet:
    entries = ModerationAction.objects.select_related("topic", "member").order_by("-at", "-pk")
    if moderator_id:
        entries = entries.filter(moderator_id=moderator_id)
    if action:
        entries = entries.filter(action=action)
    return entries


def moderation_log_moderators() -> list[tuple[int, str]]:
    """Who appears in the log, for its filter: (id, name), by name."""
    return list(
        ModerationAction.objects.filter(moderator__isnull=False)
        .values_list("moderator_id", "moderator_name")
        .distinct()
        .order_by("moderator_name")
    )
