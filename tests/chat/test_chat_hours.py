"""Chat opening hours as the chat page uses them: weekly hours from the Wagtail setting with
dated exceptions (holidays), across the daylight-saving changes in Europe/Oslo."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from wagtail.models import Site

from chat import personal_data, selectors, services
from pages.models import ChatHoursException, ChatOpeningHours, SiteSettings

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def hours():
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    ChatOpeningHours.objects.filter(settings=settings).delete()
    for weekday in range(7):
        ChatOpeningHours.objects.create(
            settings=settings, weekday=weekday, opens=dt.time(18), closes=dt.time(22)
        )
    return settings


def at(*args):
    return dt.datetime(*args, tzinfo=OSLO)


def test_open_in_the_evening_closed_in_the_morning(hours):
    assert selectors.chat_status(now=at(2026, 12, 1, 19, 0)).is_open
    morning = selectors.chat_status(now=at(2026, 12, 1, 9, 0))
    assert not morning.is_open
    assert morning.status.next_open == at(2026, 12, 1, 18, 0)


def test_christmas_eve_closed_and_new_years_eve_short(hours):
    ChatHoursException.objects.create(settings=hours, date=dt.date(2026, 12, 24), closed=True)
    ChatHoursException.objects.create(
        settings=hours,
        date=dt.date(2026, 12, 31),
        closed=False,
        opens=dt.time(12),
        closes=dt.time(15),
    )
    christmas = selectors.chat_status(now=at(2026, 12, 24, 19, 0))
    assert not christmas.is_open
    assert christmas.status.next_open == at(2026, 12, 25, 18, 0)
    assert selectors.chat_status(now=at(2026, 12, 31, 13, 0)).is_open
    assert not selectors.chat_status(now=at(2026, 12, 31, 19, 0)).is_open


@pytest.mark.parametrize(
    "day",
    [dt.date(2026, 3, 29), dt.date(2026, 10, 25)],  # clocks forward, clocks back
)
def test_hours_follow_the_wall_clock_on_daylight_saving_days(hours, day):
    opens = dt.datetime.combine(day, dt.time(18), tzinfo=OSLO)
    before = opens - dt.timedelta(minutes=1)
    assert not selectors.chat_status(now=before).is_open
    assert selectors.chat_status(now=opens).is_open
    status = selectors.chat_status(now=opens).status
    assert status.until.astimezone(OSLO).hour == 22


def test_export_and_erase_cover_the_chat(member, supervisor):
    now = dt.datetime(2026, 12, 1, 19, tzinfo=OSLO)
    conversation = services.conversation_enter_queue(member=member, first_line="Hei", now=now)
    services.conversation_take_next(supervisor=supervisor, now=now)
    services.message_send(
        conversation_id=conversation.pk, sender="member", author=member, text="Hallo", now=now
    )
    exported = personal_data.export_chat(member)
    assert exported["conversations"][0]["messages"][0]["text"] == "Hallo"
    personal_data.erase_chat(member)
    assert personal_data.export_chat(member) == {"conversations": []}


def _weekly(settings, opens: dt.time, closes: dt.time) -> None:
    ChatOpeningHours.objects.filter(settings=settings).delete()
    for weekday in range(7):
        ChatOpeningHours.objects.create(
            settings=settings, weekday=weekday, opens=opens, closes=closes
        )


def test_open_all_day_is_00_to_00_and_the_chat_page_says_day_and_night(hours):
    from django.utils import translation

    _weekly(hours, dt.time(0), dt.time(0))
    with translation.override("en"):
        for now in (at(2026, 12, 1, 0, 0), at(2026, 12, 1, 23, 59), at(2026, 12, 2, 12, 0)):
            status = selectors.chat_status(now=now)
            assert status.is_open and status.text == "Open day and night"


def test_open_until_midnight_is_until_00_00_not_23_59(hours):
    from django.utils import translation

    _weekly(hours, dt.time(20), dt.time(0))
    with translation.override("en"):
        late = selectors.chat_status(now=at(2026, 12, 1, 23, 30))
        assert late.is_open and late.text == "Open now, until 24:00"
    night = selectors.chat_status(now=at(2026, 12, 2, 0, 30))
    assert not night.is_open and night.status.next_open == at(2026, 12, 2, 20, 0)


def test_hours_that_close_before_they_open_are_refused(hours):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ChatOpeningHours.objects.create(
            settings=hours, weekday=0, opens=dt.time(22), closes=dt.time(18)
        )
