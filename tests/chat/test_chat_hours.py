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
