"""Referral cards: the one lookup letters and chat use, and the {% referral_card %} tag."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from help_support import SUNDAY_03, TUESDAY_15, make_category, make_service

from pages import selectors
from pages.models.help import Channel
from pages.opening_hours import describe

pytestmark = pytest.mark.django_db

AFTERNOONS = [(Channel.PHONE, 0, 4, dt.time(14), dt.time(17))]


def render_card(service_id, **context) -> str:
    template = Template("{% load help_tags %}{% referral_card service_id %}")
    return template.render(Context({"service_id": service_id, **context}))


def test_referral_card_of_a_shown_service_has_its_status():
    service = make_service(name="Ettermiddagslinjen", hours=AFTERNOONS)

    card = selectors.referral_card(service_id=service.pk, now=TUESDAY_15)

    assert card.service == service
    assert card.is_open
    assert [item.channel for item in card.statuses] == [Channel.PHONE]
    assert card.statuses[0].status.until == dt.datetime(2026, 11, 24, 17, tzinfo=TUESDAY_15.tzinfo)


def test_referral_card_of_a_hidden_or_missing_service_is_none():
    hidden = make_service(is_active=False)

    assert selectors.referral_card(service_id=hidden.pk, now=TUESDAY_15) is None
    assert selectors.referral_card(service_id=999_999, now=TUESDAY_15) is None


def test_referral_cards_skip_hidden_and_missing_services():
    shown = make_service()
    hidden = make_service(is_active=False)

    cards = selectors.referral_cards(service_ids=[shown.pk, hidden.pk, 999_999], now=TUESDAY_15)

    assert list(cards) == [shown.pk]


def _queries_for(ids) -> int:
    with CaptureQueriesContext(connection) as captured:
        cards = selectors.referral_cards(service_ids=ids, now=TUESDAY_15)
        for card in cards.values():  # what the template reads
            _ = (card.is_crisis, card.is_open, [item.text for item in card.statuses])
    return len(captured)


def test_referral_cards_take_the_same_queries_for_two_or_twenty(django_assert_max_num_queries):
    category = make_category()
    services = [make_service(categories=[category], hours=AFTERNOONS) for _ in range(20)]

    two = _queries_for([s.pk for s in services[:2]])
    selectors.forget_services()  # read the services afresh again, as after an editor's change
    with django_assert_max_num_queries(two):
        twenty = _queries_for([s.pk for s in services])

    assert twenty == two == 4  # services, categories, hours, exceptions
    # Until a service changes, the cards come from the cached service list: no query at all.
    assert _queries_for([s.pk for s in services]) == 0


def test_an_edited_service_shows_at_once_though_each_process_keeps_the_list():
    from django.core.cache import cache

    service = make_service(name="Ettermiddagslinjen", hours=AFTERNOONS)

    def name() -> str:
        return selectors.referral_card(service_id=service.pk, now=TUESDAY_15).service.name

    cache.clear()  # a cache with no version yet
    assert name() == "Ettermiddagslinjen"  # now kept by this process
    # An emptied cache (a restarted Redis) starts a new version, never an old one again, so
    # no process takes the list it kept for the list of today.
    type(service).objects.filter(pk=service.pk).update(name="Nattlinjen")  # no signal
    cache.clear()
    assert name() == "Nattlinjen"

    service.refresh_from_db()
    service.name = "Kveldslinjen"
    service.save()  # an editor's change: every process forgets its list
    assert name() == "Kveldslinjen"


def test_tag_renders_a_compact_card_with_name_phone_link_and_status(frozen):
    frozen(SUNDAY_03)
    service = make_service(
        name="Ettermiddagslinjen",
        phone="+47 800 12 345",
        web_url="https://example.org/",
        summary_en="Not shown on a compact card.",
        hours=AFTERNOONS,
    )

    with translation.override("en"):
        html = render_card(service.pk)
        status = service.status(SUNDAY_03, Channel.PHONE)
        expected = describe(status, SUNDAY_03)

    assert "service-card--compact" in html
    assert "Ettermiddagslinjen" in html
    assert 'href="tel:+4780012345"' in html
    assert 'href="https://example.org/"' in html
    assert "status--closed" in html and "status--open" not in html
    assert expected == "Closed, opens tomorrow at 14:00"
    assert expected in html
    assert "Not shown on a compact card." not in html


def test_tag_renders_an_open_service_as_open(frozen):
    frozen(TUESDAY_15)
    service = make_service(hours=AFTERNOONS)

    html = render_card(str(service.pk))  # ids from a template variable may be strings

    assert "service-card--open" in html
    assert "status--open" in html


def test_tag_renders_nothing_for_a_hidden_or_missing_service():
    hidden = make_service(name="Skjult", is_active=False)

    assert render_card(hidden.pk).strip() == ""
    assert render_card(999_999).strip() == ""


def test_two_cards_on_one_page_get_distinct_ids():
    service = make_service()
    template = Template(
        "{% load help_tags %}{% referral_card sid %}{% referral_card sid id_suffix='-2' %}"
    )

    html = template.render(Context({"sid": service.pk}))

    assert f'id="service-{service.pk}"' in html
    assert f'id="service-{service.pk}-2"' in html
