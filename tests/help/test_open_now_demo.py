"""The demo directory shows the right "open now" states on a Tuesday afternoon and in the
small hours of a Sunday (Europe/Oslo), through the selectors and on the served page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation
from help_support import DIRECTORY_URL, SUNDAY_03, TUESDAY_15

from pages import selectors
from pages.models.help import Channel
from pages.opening_hours import OSLO, describe

pytestmark = pytest.mark.django_db

RUS = "RUStelefonen"
KORS = "Kors på halsen"
ALARM = "Alarmtelefonen for barn og unge"
HELPLINE = "Mental Helse Hjelpetelefonen"
UNG = "Spør Ung.no"


def oslo(day: dt.datetime, hour: int) -> dt.datetime:
    return dt.datetime.combine(day.date(), dt.time(hour), tzinfo=OSLO)


def cards_by_name(now):
    return {card.service.name: card for card in selectors.help_directory_list(now=now)}


def statuses(card):
    return {item.channel: item.status for item in card.statuses}


def test_tuesday_afternoon_states_from_the_selector(demo):
    cards = cards_by_name(TUESDAY_15)

    rus = statuses(cards[RUS])
    assert list(rus) == [Channel.PHONE, Channel.CHAT]
    assert rus[Channel.PHONE].is_open and rus[Channel.PHONE].until == oslo(TUESDAY_15, 19)
    assert rus[Channel.CHAT].is_open and rus[Channel.CHAT].until == oslo(TUESDAY_15, 17)
    kors = statuses(cards[KORS])[Channel.ALL]
    assert kors.is_open and kors.until == oslo(TUESDAY_15, 21)
    # Mon-Fri 15-24 runs into 00-08 the next morning: one opening, until Wednesday 08:00.
    alarm = statuses(cards[ALARM])[Channel.ALL]
    assert alarm.is_open and alarm.until == oslo(TUESDAY_15 + dt.timedelta(days=1), 8)
    assert statuses(cards[HELPLINE])[Channel.ALL].always_open
    assert not cards[UNG].is_open and not cards[UNG].has_hours
    assert [name for name, card in cards.items() if not card.is_open] == [UNG]


def test_sunday_night_states_from_the_selector(demo):
    cards = cards_by_name(SUNDAY_03)

    rus = statuses(cards[RUS])
    assert not cards[RUS].is_open
    assert rus[Channel.PHONE].next_open == oslo(SUNDAY_03, 11)
    assert rus[Channel.CHAT].next_open == oslo(SUNDAY_03 + dt.timedelta(days=1), 14)
    kors = statuses(cards[KORS])[Channel.ALL]
    assert not kors.is_open and kors.next_open == oslo(SUNDAY_03 + dt.timedelta(days=1), 11)
    alarm = statuses(cards[ALARM])[Channel.ALL]
    assert alarm.is_open and alarm.until == oslo(SUNDAY_03 + dt.timedelta(days=1), 8)
    assert statuses(cards[HELPLINE])[Channel.ALL].always_open
    closed = {name for name, card in cards.items() if not card.is_open}
    assert closed == {RUS, KORS, UNG}


def _rendered_cards(html: str) -> dict[str, str]:
    """Service name -> the HTML of its card."""
    cards = re.findall(r'<article class="service-card[^"]*".*?</article>', html, re.S)
    named = {}
    for card in cards:
        name = re.search(r'class="service-card__name">([^<]+)<', card).group(1)
        named[name.replace("&#x27;", "'")] = card
    return named


def _status_lines(card_html: str) -> list[tuple[str, str]]:
    return [
        (kind, re.sub(r"<[^>]+>", "", text).strip())
        for kind, text in re.findall(
            r'<li class="status status--(open|closed)">(.*?)</li>', card_html, re.S
        )
    ]


@pytest.mark.parametrize("moment", [TUESDAY_15, SUNDAY_03], ids=["tuesday-15", "sunday-03"])
def test_directory_page_shows_each_card_with_the_selector_state(
    demo, english_client, frozen, moment
):
    frozen(moment)

    response = english_client.get(DIRECTORY_URL)

    assert response.status_code == 200
    rendered = _rendered_cards(response.content.decode())
    expected = selectors.help_directory_list(now=moment)
    assert list(rendered) == [card.service.name for card in expected]
    with translation.override("en"):
        for card in expected:
            html = rendered[card.service.name]
            assert ("service-card--open" in html.split(">")[0]) == card.is_open
            lines = [
                (
                    "open" if item.status.is_open else "closed",
                    (f"{item.label}: " if item.label else "") + describe(item.status, moment),
                )
                for item in card.statuses
            ]
            assert _status_lines(html) == (lines if card.has_hours else [])


def test_directory_page_on_tuesday_afternoon_reads_right(demo, english_client, frozen):
    frozen(TUESDAY_15)

    cards = _rendered_cards(english_client.get(DIRECTORY_URL).content.decode())

    assert _status_lines(cards[RUS]) == [
        ("open", "Phone: Open now, until 19:00"),
        ("open", "Chat: Open now, until 17:00"),
    ]
    assert _status_lines(cards[KORS]) == [("open", "Open now, until 21:00")]
    assert _status_lines(cards[HELPLINE]) == [("open", "Open day and night")]
    assert _status_lines(cards[UNG]) == []


def test_directory_page_on_sunday_night_reads_right(demo, english_client, frozen):
    frozen(SUNDAY_03)

    cards = _rendered_cards(english_client.get(DIRECTORY_URL).content.decode())

    assert _status_lines(cards[RUS]) == [
        ("closed", "Phone: Closed, opens today at 11:00"),
        ("closed", "Chat: Closed, opens tomorrow at 14:00"),
    ]
    assert _status_lines(cards[KORS]) == [("closed", "Closed, opens tomorrow at 11:00")]
    assert _status_lines(cards[ALARM]) == [("open", "Open now, until tomorrow at 08:00")]
    assert _status_lines(cards["Medisinsk nødtelefon 113"]) == [("open", "Open day and night")]
    assert _status_lines(cards[HELPLINE]) == [("open", "Open day and night")]
    assert "service-card--open" not in cards[RUS].split(">")[0]
    assert "service-card--open" not in cards[KORS].split(">")[0]
