"""Moments, addresses and factories the help tests share (imported by name; the fixtures
that wrap them are in conftest.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from pages.models import CallbackRequest, HelpCategory, HelpService, HelpServiceHours
from pages.models.help import Channel
from pages.opening_hours import OSLO

# Ordinary days far from holidays and daylight-saving changes (the demo has no exceptions).
TUESDAY_15 = dt.datetime(2026, 11, 24, 15, 0, tzinfo=OSLO)
SUNDAY_03 = dt.datetime(2026, 11, 29, 3, 0, tzinfo=OSLO)

DIRECTORY_URL = "/finn-hjelp/"
CHECK_URL = "/hva-trenger-du/"
CRISIS_URL = "/akutt-hjelp/"
CALLBACK_URL = "/help/callback/"
QUEUE_URL = "/admin/callbacks/"

_numbers = itertools.count(1)


def make_category(*, slug: str | None = None, is_crisis: bool = False) -> HelpCategory:
    number = next(_numbers)
    return HelpCategory.objects.create(
        slug=slug or f"kategori-{number}", name_nb=f"Kategori {number}", is_crisis=is_crisis
    )


def make_service(
    *,
    name: str | None = None,
    categories=(),
    region: str = "national",
    hours=((Channel.ALL, 0, 6, dt.time(0), dt.time(0)),),
    is_active: bool = True,
    phone: str = "800 12 345",
    **fields,
) -> HelpService:
    """A saved help service; *hours* are (channel, first weekday, last weekday, opens, closes)."""
    number = next(_numbers)
    service = HelpService.objects.create(
        name=name or f"Testtjeneste {number}",
        slug=f"testtjeneste-{number}",
        summary_nb="En tjeneste laget for testene.",
        region=region,
        is_active=is_active,
        phone=phone,
        **fields,
    )
    if categories:
        # A ParentalManyToManyField keeps the set in memory until the next save().
        service.categories.set(categories)
        service.save()
    HelpServiceHours.objects.bulk_create(
        HelpServiceHours(
            service=service,
            sort_order=order,
            channel=channel,
            first_weekday=first,
            last_weekday=last,
            opens=opens,
            closes=closes,
        )
        for order, (channel, first, last, opens, closes) in enumerate(hours)
    )
    return service


def make_callback(*, now: dt.datetime | None = None, **fields) -> CallbackRequest:
    now = now or dt.datetime.now(tz=OSLO)
    values = {
        "phone": "91234567",
        "about": "",
        "preferred_date": now.astimezone(OSLO).date(),
        "window": CallbackRequest.Window.MORNING,
        "created_at": now,
        "updated_at": now,
        **fields,
    }
    return CallbackRequest.objects.create(**values)


def checked_inputs(html: str) -> set[tuple[str, str]]:
    """(name, value) of every ticked radio button and checkbox in *html*."""
    checked = set()
    for tag in re.findall(r"<input\b[^>]*>", html):
        if re.search(r"\schecked[\s>/]", tag):
            name = re.search(r'name="([^"]*)"', tag).group(1)
            value = re.search(r'value="([^"]*)"', tag)
            checked.add((name, value.group(1) if value else "on"))
    return checked
