"""Read queries for the help pages, and the referral-card lookup letters and chat use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ordrom import cache_versions
from ordrom.kept import Recent
from pages import opening_hours, page_cache
from pages.models import CallbackRequest, HelpCategory, HelpService, Region
from pages.models.help import Channel

CHANNEL_LABELS = {Channel.PHONE: _("Phone"), Channel.CHAT: _("Chat")}


@dataclass
class ChannelStatus:
    channel: str
    status: opening_hours.Status
    text: str

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS.get(self.channel, ""))


@dataclass
class ServiceCard:
    """A help service with its status at one moment: what a card on a page shows."""

    service: HelpService
    statuses: list[ChannelStatus] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return any(item.status.is_open for item in self.statuses)

    @property
    def is_crisis(self) -> bool:
        return self.service.is_crisis

    @property
    def has_hours(self) -> bool:
        return any(not item.status.no_hours for item in self.statuses)


def _services():
    return HelpService.objects.filter(is_active=True).prefetch_related(
        "categories", "hours", "exceptions"
    )


# The shown services with their categories, hours and exceptions are the same for every
# visitor and change only when an editor saves one: read once into the cache (four queries
# and their rows), forgotten when a service, its hours, exceptions or categories change
# (pages/apps.py). The status at this moment is still worked out on every request.
SERVICES_CACHE_SECONDS = 300
SERVICES_VERSION_KEY = "pages:services:version"


# And this process keeps what it last read from the cache, under the same version: taking
# the seventeen services with their hours out of the cache (unpickling some hundred model
# instances) cost 1.2 ms of every letter thread with a referral card. The version is still
# read from the shared cache each time, so an editor's change reaches every process at once.
_in_process = Recent(limit=16, seconds=SERVICES_CACHE_SECONDS)


def _cached(name: str, build):
    version = cache_versions.current(SERVICES_VERSION_KEY)
    key = f"pages:services:{version}:{name}"
    value = _in_process.get(key)
    if value is not None:
        return value
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, SERVICES_CACHE_SECONDS)
    _in_process.set(key, value)
    return value


def active_services() -> list[HelpService]:
    return _cached("active", lambda: list(_services()))


def forget_services(**kwargs) -> None:
    """Signal receiver: a service, its hours, exceptions or categories changed. Forgotten at
    once, and again when the change is committed: a request that read the rows from before
    the commit in between cannot keep them."""

    def retire():
        _in_process.clear()  # this process at once, even when the cache cannot be reached
        cache_versions.bump(SERVICES_VERSION_KEY)
        page_cache.bump()  # the directory and crisis pages a visitor was served

    retire()
    transaction.on_commit(retire)


def service_card(service: HelpService, *, now: dt.datetime) -> ServiceCard:
    statuses = []
    for channel in service.channels():
        status = service.status(now, channel)
        statuses.append(ChannelStatus(channel, status, opening_hours.describe(status, now)))
    return ServiceCard(service=service, statuses=statuses)


def seconds_unchanged(cards: list[ServiceCard], *, now: dt.datetime) -> float:
    """How long what *cards* say at *now* stays true: until the first of them opens or
    closes, or until midnight in Oslo (where "opens tomorrow" becomes "opens today")."""
    local = now.astimezone(opening_hours.OSLO)
    midnight = dt.datetime.combine(
        local.date() + dt.timedelta(days=1), dt.time(0, 0), tzinfo=opening_hours.OSLO
    )
    changes = [midnight]
    for card in cards:
        for item in card.statuses:
            changes += [m for m in (item.status.until, item.status.next_open) if m is not None]
    return max(0.0, (min(changes) - now).total_seconds())


def services_unchanged_for(*, now: dt.datetime) -> float:
    """Seconds until any shown service opens or closes (or midnight comes): as long as a page
    that shows their status now, however filtered, stays true."""
    return seconds_unchanged([service_card(s, now=now) for s in active_services()], now=now)


def _sorted(cards: list[ServiceCard]) -> list[ServiceCard]:
    # Crisis services always on top, then what is open now, then by name.
    return sorted(
        cards,
        key=lambda card: (
            not card.is_crisis,
            not card.is_open,
            card.service.sort_order,
            card.service.name.casefold(),
        ),
    )


def help_directory_list(
    *, now: dt.datetime, category: str = "", region: str = "", open_now: bool = False
) -> list[ServiceCard]:
    services = active_services()
    if category:
        services = [s for s in services if any(c.slug == category for c in s.categories.all())]
    if region and region != Region.NATIONAL:
        services = [s for s in services if s.region in (Region.NATIONAL, region)]
    cards = [service_card(service, now=now) for service in services]
    if open_now:
        cards = [card for card in cards if card.is_open]
    return _sorted(cards)


def help_categories() -> list[HelpCategory]:
    return _cached("categories", lambda: list(HelpCategory.objects.all()))


def crisis_services(*, now: dt.datetime) -> list[ServiceCard]:
    services = [s for s in active_services() if any(c.is_crisis for c in s.categories.all())]
    return _sorted([service_card(service, now=now) for service in services])


def services_in_categories(
    *, category_ids: set[int], now: dt.datetime, limit: int = 6
) -> list[ServiceCard]:
    if not category_ids:
        return []
    services = [
        s for s in active_services() if any(c.pk in category_ids for c in s.categories.all())
    ]
    cards = [service_card(service, now=now) for service in services]
    # Same order as the directory: crisis lines first, then what is open now.
    return _sorted(cards)[:limit]


# --- Referral cards: the one lookup letters and chat use ---------------------------------------


def referral_card(*, service_id: int, now: dt.datetime) -> ServiceCard | None:
    """A compact card for one help service, or None if it no longer exists or is hidden."""
    service = next((s for s in active_services() if s.pk == service_id), None)
    if service is None:
        return None
    return service_card(service, now=now)


def referral_cards(*, service_ids: list[int], now: dt.datetime) -> dict[int, ServiceCard]:
    """Several cards in one query set, for a thread with many referrals."""
    wanted = set(service_ids)
    return {
        service.pk: service_card(service, now=now)
        for service in active_services()
        if service.pk in wanted
    }


def referral_choices() -> list[tuple[int, str]]:
    """(id, name) of every shown service, for the supervisor's picker."""
    return list(HelpService.objects.filter(is_active=True).values_list("pk", "name"))


# --- Callback queue ---------------------------------------------------------------------------


def callback_queue_list():
    """Open callback requests: urgent first, then by the day and window they asked for."""
    return CallbackRequest.objects.filter(
        status__in=[CallbackRequest.Status.WAITING, CallbackRequest.Status.NOT_REACHED]
    ).order_by("-urgent", "preferred_date", "window", "created_at")
