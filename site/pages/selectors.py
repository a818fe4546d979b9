"""Read queries for the help pages, and the referral-card lookup letters and chat use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from pages import opening_hours
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


def service_card(service: HelpService, *, now: dt.datetime) -> ServiceCard:
    statuses = []
    for channel in service.channels():
        status = service.status(now, channel)
        statuses.append(ChannelStatus(channel, status, opening_hours.describe(status, now)))
    return ServiceCard(service=service, statuses=statuses)


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
    services = _services()
    if category:
        services = services.filter(categories__slug=category).distinct()
    if region and region != Region.NATIONAL:
        services = services.filter(region__in=[Region.NATIONAL, region])
    cards = [service_card(service, now=now) for service in services]
    if open_now:
        cards = [card for card in cards if card.is_open]
    return _sorted(cards)


def help_categories() -> list[HelpCategory]:
    return list(HelpCategory.objects.all())


def crisis_services(*, now: dt.datetime) -> list[ServiceCard]:
    services = _services().filter(categories__is_crisis=True).distinct()
    return _sorted([service_card(service, now=now) for service in services])


def services_in_categories(
    *, category_ids: set[int], now: dt.datetime, limit: int = 6
) -> list[ServiceCard]:
    if not category_ids:
        return []
    services = _services().filter(categories__in=category_ids).distinct()
    cards = [service_card(service, now=now) for service in services]
    # Same order as the directory: crisis lines first, then what is open now.
    return _sorted(cards)[:limit]


# --- Referral cards: the one lookup letters and chat use ---------------------------------------


def referral_card(*, service_id: int, now: dt.datetime) -> ServiceCard | None:
    """A compact card for one help service, or None if it no longer exists or is hidden."""
    service = _services().filter(pk=service_id).first()
    if service is None:
        return None
    return service_card(service, now=now)


def referral_cards(*, service_ids: list[int], now: dt.datetime) -> dict[int, ServiceCard]:
    """Several cards in one query set, for a thread with many referrals."""
    services = _services().filter(pk__in=service_ids)
    return {service.pk: service_card(service, now=now) for service in services}


def referral_choices() -> list[tuple[int, str]]:
    """(id, name) of every shown service, for the supervisor's picker."""
    return list(HelpService.objects.filter(is_active=True).values_list("pk", "name"))


# --- Callback queue ---------------------------------------------------------------------------


def callback_queue_list():
    """Open callback requests: urgent first, then by the day and window they asked for."""
    return CallbackRequest.objects.filter(
        status__in=[CallbackRequest.Status.WAITING, CallbackRequest.Status.NOT_REACHED]
    ).order_by("-urgent", "preferred_date", "window", "created_at")
