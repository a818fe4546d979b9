"""Read queries of the friend service, each with a fixed number of SQL queries.

``_group_listing`` is where the age safeguard meets the listing: every query that shows a
profile to a member (browse, and through ``listed_profiles`` the profile page by URL) starts
from it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from friends import age
from friends.conf import app_settings
from friends.models import (
    Block,
    ContactRequest,
    Conversation,
    FriendStanding,
    Interest,
    Message,
    ModerationAction,
    Profile,
    Report,
)
from ordrom import cache_versions, pagination
from ordrom.kept import Recent
from ordrom.pagination import Built, CountedPaginator
from ordrom.prepared import PreparedBatch, PreparedCounts, PreparedModels, PreparedValues


@dataclass(frozen=True)
class BrowseFilters:
    age_band: str = ""
    region: str = ""
    interest_ids: tuple[int, ...] = field(default_factory=tuple)


def profile_of(member) -> Profile | None:
    """The member's own profile (every page of the friend service asks; ordrom.prepared)."""
    if not member.is_authenticated:
        return None
    found = _PROFILE_OF(member=member.pk)
    return found[0] if found else None


_PROFILE_OF = PreparedModels(
    lambda member: Profile.objects.filter(member=member).order_by("pk")[:1], ints=["member"]
)


def active_interests() -> QuerySet[Interest]:
    return Interest.objects.filter(is_active=True)


INTERESTS_SECONDS = 300
_interests_kept = Recent(limit=4, seconds=INTERESTS_SECONDS)


def browse_version() -> int:
    """The version the browse page's kept values are under (one cache round trip): a page
    reads it once and passes it on."""
    return cache_versions.current(BROWSE_COUNT_VERSION_KEY)


def interests_in_order(*, version: int | None = None) -> list[Interest]:
    """Every interest, in the list's order: the ones that can be chosen for the browse filters,
    and all of them for the cards (a profile keeps an interest that can no longer be chosen).
    Kept in each process under the browse version (every browse page reads it), which saving
    or deleting an interest bumps (``forget_interests``). *version*: ``browse_version()``."""
    if version is None:
        version = browse_version()
    return _interests_kept.get_or_set(version, lambda: list(Interest.objects.all()))


def forget_interests(**kwargs) -> None:
    """Signal receiver: an interest was saved or deleted. This process forgets the list at
    once; every process, through the browse version (its filtered counts are old too)."""
    _interests_kept.clear()
    forget_browse_counts()


def interest_ids_of(*, profile_ids: list[int]) -> dict[int, list[int]]:
    """The interests each of these profiles chose, as ids (one query on the link table; the
    names come from ``interests_in_order``, already loaded for the filters)."""
    chosen: dict[int, list[int]] = {}
    if len(profile_ids) <= PAGE_INTERESTS_IDS:  # a page of cards: SQL compiled once
        rows = _PAGE_INTERESTS(profile_ids=profile_ids)
    else:
        rows = Profile.interests.through.objects.filter(profile_id__in=profile_ids).values_list(
            "profile_id", "interest_id"
        )
    for profile_id, interest_id in rows:
        chosen.setdefault(profile_id, []).append(interest_id)
    return chosen


PAGE_INTERESTS_IDS = 50
_PAGE_INTERESTS = PreparedValues(
    lambda profile_ids: Profile.interests.through.objects.filter(
        profile_id__in=profile_ids
    ).values_list("profile_id", "interest_id"),
    id_lists={"profile_ids": PAGE_INTERESTS_IDS},
)


BROWSE_COUNT_SECONDS = 60
BROWSE_COUNT_VERSION_KEY = "friends:browse-count:version"


_NOT_KEPT = object()


def _group_listing(*, viewer_band: str, now: dt.datetime, suspended=_NOT_KEPT) -> QuerySet[Profile]:
    """What every member of the viewer's age group may see: approved, not expired, in the
    group, not suspended. The same for everyone in the group (no per-viewer rule yet).
    *suspended*: ``_suspended_member_ids(now)`` when the caller has it already."""
    listed = Profile.objects.filter(
        status=Profile.Status.APPROVED,
        expires_at__gt=now,
        age_band__in=age.bands_visible_to(viewer_band),
    )
    if suspended is _NOT_KEPT:
        suspended = _suspended_member_ids(now)
    if suspended is None:
        return listed.exclude(
            Exists(
                FriendStanding.objects.filter(
                    member=OuterRef("member_id"), suspended_until__gt=now
                )
            )
        )
    return listed.exclude(member_id__in=suspended) if suspended else listed


# More suspended members than this, and the listing tests each profile's standing as before.
SUSPENDED_LIMIT = 200


def _suspended_key(version: int, now: dt.datetime) -> str:
    return f"friends:suspended:{version}:{now:%Y%m%d%H%M}"


def _suspended_member_ids(now: dt.datetime, *, version=None, kept=None) -> list[int] | None:
    """The members suspended from the friend service now, or None when there are more than
    SUSPENDED_LIMIT. Kept as the browse counts are: a suspension given or lifted forgets it at
    once (``forget_browse_counts``); one that runs out shows up within the minute. *version*
    and *kept*: the browse version and what the cache kept, when the caller has read them.

    There are few or none, and as a short list the listing leaves them out by the member id
    its index already holds, instead of looking up every profile's standing (building that
    subquery was a tenth of the browse page, and its lookups a fifth of a deep page's SQL)."""
    if version is None:
        version = cache_versions.current(BROWSE_COUNT_VERSION_KEY)
    key = _suspended_key(version, now)
    if kept is None:
        kept = cache.get(key)
    if kept is None:
        ids = list(
            FriendStanding.objects.filter(suspended_until__gt=now)
            .order_by("member_id")
            .values_list("member_id", flat=True)[: SUSPENDED_LIMIT + 1]
        )
        kept = {"ids": ids if len(ids) <= SUSPENDED_LIMIT else None}
        cache.set(key, kept, BROWSE_COUNT_SECONDS)
    return kept["ids"]


def _hidden_member_ids(viewer) -> list[int]:
    """Members whose profile *viewer* never sees: themselves, and blocks either way. One
    small query on the block table; the page's queries then test a short literal list, which
    both databases look up by the unique member id (as subqueries with an OR, PostgreSQL
    guessed they matched most members and hashed the whole listing: 6 ms a page). The
    friend service's menu counts (``menu_counts``) come in the same round trip."""
    hidden = {viewer.pk}
    (pairs,), counts = _BLOCKS_AND_MENU_COUNTS(viewer=viewer.pk)
    for pair in pairs:
        hidden.update(pair)
    viewer._friends_menu_counts = counts
    return sorted(hidden)


def _blocks_and_menu_counts(viewer):  # SQL compiled once: every browse page
    pairs = Block.objects.filter(Q(blocker=viewer) | Q(blocked=viewer)).values_list(
        "blocker_id", "blocked_id"
    )
    return (pairs,), (incoming_requests(member=viewer), _unread_messages(viewer))


def listed_profiles(*, viewer, viewer_band: str, now: dt.datetime) -> QuerySet[Profile]:
    """Profiles *viewer* may see: approved, not expired, in the viewer's age group, not their
    own, no block either way, and not suspended."""
    return _group_listing(viewer_band=viewer_band, now=now).exclude(
        member_id__in=_hidden_member_ids(viewer)
    )


def _filtered(profiles: QuerySet[Profile], filters: BrowseFilters) -> QuerySet[Profile]:
    if filters.age_band:
        profiles = profiles.filter(age_band=filters.age_band)
    if filters.region:
        profiles = profiles.filter(region=filters.region)
    for interest_id in filters.interest_ids:
        # Every chosen interest (a member looking for "music" and "books" wants both).
        profiles = profiles.filter(
            Exists(
                Profile.interests.through.objects.filter(
                    profile_id=OuterRef("pk"), interest_id=interest_id
                )
            )
        )
    return profiles


def forget_browse_counts(**kwargs) -> None:
    """Signal receiver: a profile or a suspension changed, so every cached count is old.
    Forgotten at once, and again when the change is committed: a request that counted the
    rows from before the commit in between cannot keep its count."""

    def bump():
        cache_versions.bump(BROWSE_COUNT_VERSION_KEY)

    bump()
    transaction.on_commit(bump)


def _count_keys(
    version: int, hidden: list[int], *, viewer_band: str, filters: BrowseFilters
) -> dict[str, str]:
    bands = ",".join(age.bands_visible_to(viewer_band))
    interests = ",".join(str(i) for i in sorted(filters.interest_ids))
    shown = f"{version}:{bands}:{filters.age_band}:{filters.region}:{interests}"
    members = ",".join(map(str, hidden))
    if len(members) > 64:
        members = hashlib.sha256(members.encode()).hexdigest()[:32]
    return {
        "group": f"friends:browse-count:{shown}",
        "hidden": f"friends:browse-hidden:{shown}:{members}",
    }


def _listed_count(
    group: Callable[[], QuerySet[Profile]],
    hidden: list[int],
    *,
    keys: dict[str, str],
    counts: dict,
) -> int:
    """How many profiles the viewer's browse pages list with these filters: the age group's
    count less the viewer's hidden members in it, each kept for BROWSE_COUNT_SECONDS and read
    in one cache round trip.

    The group's count is the same for everyone in the group; the hidden members' is under
    the hidden members themselves, so a new block or unblock counts again at once. A change to
    a profile or a suspension forgets both (``forget_browse_counts``); an expiry within the
    minute shows up at the next count. The hidden members are counted from their side, each
    looked up in the group by its unique member id: counted from the group's side, SQLite
    tested every listed profile (21 ms at 17 000 listed). *group*: builds the group's
    listing (only when a count is missing); *keys*: ``_count_keys``; *counts*: what the
    cache kept of them."""
    missing = {}
    if keys["group"] not in counts:
        missing[keys["group"]] = group().count()
    if keys["hidden"] not in counts:
        missing[keys["hidden"]] = (
            get_user_model()
            .objects.filter(pk__in=hidden)
            .filter(Exists(group().filter(member_id=OuterRef("pk"))))
            .count()
        )
    if missing:
        cache.set_many(missing, BROWSE_COUNT_SECONDS)
        counts = {**counts, **missing}
    return max(counts[keys["group"]] - counts[keys["hidden"]], 0)


def browse(
    *,
    viewer,
    viewer_band: str,
    now: dt.datetime,
    filters: BrowseFilters,
    version: int | None = None,
) -> Paginator:
    """The viewer's browse page. Its total is the age group's count (cached, the same for the
    whole group) less what only this viewer does not see (themselves and their blocks), so
    no request counts every listed profile. The page's interests: ``interest_ids_of``.

    The browse version is read once, and the suspended members and both counts kept under it
    come back in one more round trip to the cache. *version*: ``browse_version()``."""
    if version is None:
        version = browse_version()
    hidden = _hidden_member_ids(viewer)
    keys = _count_keys(version, hidden, viewer_band=viewer_band, filters=filters)
    suspended_key = _suspended_key(version, now)
    kept = cache.get_many([suspended_key, *keys.values()])
    suspended = _suspended_member_ids(now, version=version, kept=kept.get(suspended_key))

    def group() -> QuerySet[Profile]:
        return _filtered(
            _group_listing(viewer_band=viewer_band, now=now, suspended=suspended), filters
        )

    count = _listed_count(group, hidden, keys=keys, counts=kept)
    per_page = app_settings.PROFILES_PER_PAGE
    bands = age.bands_visible_to(viewer_band)
    prepared = None
    if (
        filters == BrowseFilters()
        and bands
        and suspended is not None
        and len(suspended) <= PREPARED_SUSPENDED_IDS
        and len(hidden) <= PREPARED_HIDDEN_IDS
        and per_page <= PREPARED_PAGE_IDS
    ):
        prepared = PreparedListing(bands, now=now, hidden=hidden, suspended=suspended)
    return BrowsePaginator(
        lambda: group().exclude(member_id__in=hidden).order_by("-listed_at", "-pk"),
        per_page,
        count=count,
        prepared=prepared,
    )


# The unfiltered listing (the browse page as it opens, and its page links) through SQL
# compiled once per age group, while the viewer's hidden and the suspended members fit these
# lists: building the listing's queryset and compiling it was a quarter of the page.
PREPARED_HIDDEN_IDS = 30
PREPARED_SUSPENDED_IDS = 100
PREPARED_PAGE_IDS = 50


def _listing(bands, now, hidden, suspended) -> QuerySet[Profile]:
    """The same rows as ``listed_profiles``, in the browse order."""
    return (
        Profile.objects.filter(
            status=Profile.Status.APPROVED, expires_at__gt=now, age_band__in=bands
        )
        .exclude(member_id__in=hidden)
        .exclude(member_id__in=suspended)
        .order_by("-listed_at", "-pk")
    )


_listing_queries: dict[tuple[str, ...], tuple[PreparedModels, PreparedValues]] = {}
_CARDS_BY_ID = PreparedModels(
    lambda ids: _card_fields(Profile.objects.filter(pk__in=ids).order_by("-listed_at", "-pk")),
    id_lists={"ids": PREPARED_PAGE_IDS},
)


def _listing_queries_for(bands: tuple[str, ...]) -> tuple[PreparedModels, PreparedValues]:
    queries = _listing_queries.get(bands)
    if queries is None:
        lists = {"hidden": PREPARED_HIDDEN_IDS, "suspended": PREPARED_SUSPENDED_IDS}
        queries = (
            PreparedModels(
                lambda now, hidden, suspended: _card_fields(
                    _listing(bands, now, hidden, suspended)
                ),
                datetimes=["now"], id_lists=lists, sliced=True,
            ),
            PreparedValues(
                lambda now, hidden, suspended: _listing(
                    bands, now, hidden, suspended
                ).values_list("pk", flat=True),
                flat=True, datetimes=["now"], id_lists=lists, sliced=True,
            ),
        )
        _listing_queries[bands] = queries
    return queries


class PreparedListing:
    """A page of the unfiltered listing: the first pages in one query, a deep one's ids from
    the listing's index first and then their cards by id (as ``pagination.page_rows``)."""

    def __init__(self, bands: tuple[str, ...], *, now, hidden: list[int], suspended: list[int]):
        self._cards, self._ids = _listing_queries_for(tuple(bands))
        self._values = {"now": now, "hidden": hidden, "suspended": suspended}

    def page(self, *, offset: int, limit: int) -> list[Profile]:
        if offset < pagination.DEEP_OFFSET:
            return self._cards(**self._values, limit=limit, offset=offset)
        ids = self._ids(**self._values, limit=limit, offset=offset)
        return _CARDS_BY_ID(ids=ids) if ids else []


def _card_fields(profiles: QuerySet[Profile]) -> QuerySet[Profile]:
    return (
        # The card shows the member's name only: read with the row rather than as a whole
        # user (select_related built twenty user objects a page).
        profiles.annotate(member_name=F(f"member__{get_user_model().USERNAME_FIELD}"))
        # What a short card shows (cards._card): not the sanitised full text, the moderation
        # fields or the five timestamps, read and converted twenty times a page for nothing.
        .only("id", "member_id", "age_band", "region", "gender", "about")
    )


class BrowsePaginator(CountedPaginator):
    """The browse pages. A deep page's twenty ids come from the listing's index first
    (*listed*, without the member names), and its cards are then read by id alone
    (*cards*): page 50 of 17 000 listed profiles took 0.9 ms of SQL, now 0.5
    (ordrom.pagination.page_rows). *listed* builds the listing's queryset, only when a page
    is read through it; *prepared*: a ``PreparedListing`` that reads the pages instead."""

    def __init__(self, listed: Callable[[], QuerySet], per_page, *, count: int, prepared=None):
        super().__init__(Built(lambda: _card_fields(self.listed)), per_page, count=count)
        self._build_listed = listed
        self.prepared = prepared

    @cached_property
    def listed(self) -> QuerySet[Profile]:
        return self._build_listed()

    @cached_property
    def cards(self) -> QuerySet[Profile]:
        return _card_fields(Profile.objects.order_by("-listed_at", "-pk"))


def page_profiles(page) -> list[Profile]:
    """The profiles of a page of ``browse``, in the listing's order, with ``member_name``."""
    paginator = page.paginator
    offset = (page.number - 1) * paginator.per_page
    if paginator.prepared is not None:
        return paginator.prepared.page(offset=offset, limit=paginator.per_page)
    return list(
        pagination.page_rows(
            page, ids_from=lambda: paginator.listed, rows_from=lambda: paginator.cards
        )
    )


def profile_for_viewer(*, profile_id: int, viewer, viewer_band: str, now: dt.datetime) -> Profile:
    """The profile page by URL: the same rule as the listing. Raises Profile.DoesNotExist."""
    return (
        listed_profiles(viewer=viewer, viewer_band=viewer_band, now=now)
        .select_related("member")
        .prefetch_related("interests")
        .get(pk=profile_id)
    )


def incoming_requests(*, member) -> QuerySet[ContactRequest]:
    return (
        ContactRequest.objects.filter(recipient=member, status=ContactRequest.Status.OPEN)
        .exclude(Exists(Block.objects.filter(blocker=member, blocked=OuterRef("sender_id"))))
        .select_related("sender", "sender__friend_profile")
        .order_by("created_at", "pk")
    )


_MENU_COUNTS = PreparedCounts(
    lambda member: (incoming_requests(member=member), _unread_messages(member)), ints=["member"]
)
_BLOCKS_AND_MENU_COUNTS = PreparedBatch(_blocks_and_menu_counts, ints=["viewer"])


def menu_counts(*, member) -> tuple[int, int]:
    """What the friend service's menu shows waiting for *member*: the requests sent to them
    and the letters from pen pals they have not read, in one round trip (ordrom.prepared),
    or none when the browse listing read them with the member's blocks (used once)."""
    counts = getattr(member, "_friends_menu_counts", None)
    if counts is None:
        return _MENU_COUNTS(member=member.pk)
    del member._friends_menu_counts
    return counts


def outgoing_requests(*, member, limit: int = 50) -> list[ContactRequest]:
    return list(
        ContactRequest.objects.filter(sender=member)
        .select_related("recipient")
        .order_by("-created_at", "-pk")[:limit]
    )


def blocks_by(*, member, blocked_id: int | None = None) -> list[Block]:
    """The blocks *member* made (newest first), or the one of *blocked_id*."""
    blocks = Block.objects.filter(blocker=member).select_related("blocked")
    if blocked_id is not None:
        blocks = blocks.filter(blocked_id=blocked_id)
    return list(blocks.order_by("-created_at", "-pk"))


def request_for_member(*, request_id: int, member) -> ContactRequest:
    """A request the member sent, or one sent to them that reached them (a request a
    moderator holds, or did not pass on, does not exist for its recipient)."""
    return ContactRequest.objects.select_related("sender", "recipient").get(
        Q(sender=member)
        | (
            Q(recipient=member)
            & ~Q(status__in=[ContactRequest.Status.HELD, ContactRequest.Status.NOT_PASSED])
        ),
        pk=request_id,
    )


def conversations_of(*, member) -> list[Conversation]:
    """The member's conversations, newest letter first, each with its unread count."""
    return list(
        Conversation.objects.filter(Q(member_a=member) | Q(member_b=member))
        .select_related("member_a", "member_b")
        .annotate(
            unread=Count(
                "messages",
                filter=Q(
                    messages__status=Message.Status.VISIBLE,
                    messages__read_at__isnull=True,
                )
                & ~Q(messages__author=member),
            )
        )
        .order_by("-last_message_at", "-pk")
    )


def _unread_messages(member) -> QuerySet[Message]:
    return Message.objects.filter(
        Q(conversation__member_a=member) | Q(conversation__member_b=member),
        status=Message.Status.VISIBLE,
        read_at__isnull=True,
    ).exclude(author=member)


def conversation_for_member(*, conversation_id: int, member) -> Conversation:
    """Only the two members of a conversation can open it. Raises DoesNotExist otherwise."""
    return Conversation.objects.select_related("member_a", "member_b").get(
        Q(member_a=member) | Q(member_b=member), pk=conversation_id
    )


def conversation_messages(*, conversation: Conversation, reader) -> list[Message]:
    """What a member sees in a conversation: every delivered letter, and their own held or
    rejected ones (with why); never the partner's held ones."""
    return list(
        Message.objects.filter(
            Q(status=Message.Status.VISIBLE) | Q(author=reader), conversation=conversation
        )
        .select_related("author")
        .order_by("created_at", "pk")
    )


def standing_of(member) -> FriendStanding | None:
    if not member.is_authenticated:
        return None
    return FriendStanding.objects.filter(member=member).first()


# --- Staff -------------------------------------------------------------------------------------


def pending_profiles() -> QuerySet[Profile]:
    return (
        Profile.objects.filter(status=Profile.Status.PENDING)
        .select_related("member")
        .prefetch_related("interests")
        .order_by("submitted_at", "pk")
    )


def held_messages() -> QuerySet[Message]:
    return (
        Message.objects.filter(status=Message.Status.HELD)
        .select_related("author", "conversation")
        .order_by("-urgent", "created_at", "pk")
    )


def held_requests() -> QuerySet[ContactRequest]:
    """Contact requests held for crisis words, urgent first (every one is, today)."""
    return (
        ContactRequest.objects.filter(status=ContactRequest.Status.HELD)
        .select_related("sender", "recipient")
        .order_by("-urgent", "created_at", "pk")
    )


def urgent_held_counts() -> dict[str, int]:
    """How many held requests and letters carry crisis words (two COUNT queries)."""
    return {
        "urgent_requests": held_requests().filter(urgent=True).count(),
        "urgent_letters": held_messages().filter(urgent=True).count(),
    }


def open_reports() -> QuerySet[Report]:
    return (
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("reporter", "reported")
        .annotate(message_count=Count("messages"))
        .order_by("-urgent", "created_at", "pk")
    )


def moderation_log() -> QuerySet[ModerationAction]:
    return ModerationAction.objects.select_related("member").order_by("-at", "-pk")
