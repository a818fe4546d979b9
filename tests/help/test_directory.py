"""Where to get help: filters, crisis services on top, constant queries, bad filter values,
the crisis page, and no response that a cache may keep across an opening time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from help_support import CRISIS_URL, DIRECTORY_URL, SUNDAY_03, TUESDAY_15, make_service
from wagtail.models import Site

from pages import selectors
from pages.models import HelpCategory, HelpService, SiteSettings
from pages.models.help import Channel, Region

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20  # site, locale, page route, settings, categories, services + 3 prefetches

CRISIS_NAMES = {
    "Medisinsk nødtelefon 113",
    "Legevakt 116 117",
    "Mental Helse Hjelpetelefonen",
    "Kirkens SOS",
}


def names(cards) -> list[str]:
    return [card.service.name for card in cards]


def page_names(response) -> list[str]:
    return names(response.context["cards"])


def assert_never_cached(response):
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store"} <= directives


# --- The selector -------------------------------------------------------------------------------


def test_crisis_services_come_first_whatever_is_open(demo):
    for moment in (TUESDAY_15, SUNDAY_03):
        cards = selectors.help_directory_list(now=moment)
        crisis_flags = [card.is_crisis for card in cards]
        assert crisis_flags == sorted(crisis_flags, reverse=True)
        assert set(names(cards[: len(CRISIS_NAMES)])) == CRISIS_NAMES


def test_a_closed_crisis_service_still_comes_before_an_open_ordinary_one(demo):
    crisis = HelpCategory.objects.get(slug="akutt")
    closed_crisis = make_service(
        name="Stengt krisetelefon",
        categories=[crisis],
        hours=[(Channel.ALL, 0, 0, dt.time(9), dt.time(10))],  # Mondays 9-10 only
    )

    cards = selectors.help_directory_list(now=TUESDAY_15)

    position = names(cards).index(closed_crisis.name)
    assert not cards[position].is_open
    assert all(card.is_crisis for card in cards[: position + 1])
    # Among the crisis services, the open ones first.
    assert names(cards[:position]) and all(card.is_open for card in cards[:position])


def test_category_filter_keeps_only_services_in_that_category(demo):
    cards = selectors.help_directory_list(now=TUESDAY_15, category="rus")

    assert names(cards) == ["RUStelefonen"]


def test_a_service_in_two_matching_categories_is_listed_once(demo):
    cards = selectors.help_directory_list(now=TUESDAY_15, category="ensomhet")

    assert len(names(cards)) == len(set(names(cards)))
    assert set(names(cards)) == set(
        HelpService.objects.filter(categories__slug="ensomhet").values_list("name", flat=True)
    )


def test_region_filter_keeps_national_services_and_that_region(demo):
    oslo = make_service(name="Oslo-linjen", region=Region.OSLO)
    bergen = make_service(name="Bergenslinjen", region=Region.VESTLAND)
    national = set(
        HelpService.objects.filter(region=Region.NATIONAL).values_list("name", flat=True)
    )

    in_oslo = set(names(selectors.help_directory_list(now=TUESDAY_15, region=Region.OSLO)))
    everywhere = set(names(selectors.help_directory_list(now=TUESDAY_15)))

    assert in_oslo == national | {oslo.name}
    assert bergen.name not in in_oslo
    assert {oslo.name, bergen.name} <= everywhere


def test_open_now_filter_drops_closed_services_and_those_without_hours(demo):
    on_sunday_night = selectors.help_directory_list(now=SUNDAY_03, open_now=True)

    assert on_sunday_night and all(card.is_open for card in on_sunday_night)
    assert {"RUStelefonen", "Kors på halsen", "Spør Ung.no"}.isdisjoint(names(on_sunday_night))
    assert "Alarmtelefonen for barn og unge" in names(on_sunday_night)


def test_hidden_services_are_not_listed(demo):
    hidden = make_service(name="Skjult tjeneste", is_active=False)

    assert hidden.name not in names(selectors.help_directory_list(now=TUESDAY_15))


def test_filters_combine(demo):
    rus = HelpCategory.objects.get(slug="rus")
    make_service(name="Rus i Oslo", region=Region.OSLO, categories=[rus])
    make_service(name="Rus i Bergen", region=Region.VESTLAND, categories=[rus])

    cards = selectors.help_directory_list(
        now=SUNDAY_03, category="rus", region=Region.OSLO, open_now=True
    )

    assert names(cards) == ["Rus i Oslo"]  # RUStelefonen is closed at 03:00


# --- The page -----------------------------------------------------------------------------------


def test_directory_page_filters_by_category_region_and_open_now(demo, client, frozen):
    frozen(SUNDAY_03)
    make_service(name="Oslo-linjen", region=Region.OSLO)

    everything = client.get(DIRECTORY_URL)
    drugs = client.get(DIRECTORY_URL, {"category": "rus"})
    oslo = client.get(DIRECTORY_URL, {"region": "oslo"})
    vestland = client.get(DIRECTORY_URL, {"region": "vestland"})
    open_now = client.get(DIRECTORY_URL, {"open_now": "on"})

    assert len(page_names(everything)) == HelpService.objects.filter(is_active=True).count()
    assert page_names(drugs) == ["RUStelefonen"]
    assert "Oslo-linjen" in page_names(oslo)
    assert "Oslo-linjen" not in page_names(vestland)
    assert set(page_names(vestland)) == set(page_names(everything)) - {"Oslo-linjen"}
    assert all(card.is_open for card in open_now.context["cards"])
    assert "RUStelefonen" not in page_names(open_now)
    assert "RUStelefonen" not in open_now.content.decode()
    for response in (everything, drugs, oslo, open_now):
        assert response.status_code == 200
        shown = page_names(response)
        crisis = [name in CRISIS_NAMES for name in shown]
        assert crisis == sorted(crisis, reverse=True)


@pytest.mark.parametrize(
    "query",
    [
        {"category": "finnes-ikke"},
        {"region": "atlantis"},
        {"open_now": "on", "category": "<script>"},
    ],
    ids=["unknown-category", "unknown-region", "markup"],
)
def test_bad_filter_values_answer_with_the_form_error(demo, client, query):
    response = client.get(DIRECTORY_URL, query)

    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_valid()
    assert set(form.errors) <= {"category", "region"}
    assert 'class="error"' in response.content.decode()
    # Nothing filtered on bad input: every service is still there to be found.
    assert len(page_names(response)) == HelpService.objects.filter(is_active=True).count()


def _add_services(count: int):
    category = HelpCategory.objects.get(slug="ensomhet")
    for _ in range(count):
        make_service(
            categories=[category],
            hours=[
                (Channel.PHONE, 0, 4, dt.time(9), dt.time(15)),
                (Channel.CHAT, 5, 6, dt.time(18), dt.time(2)),
            ],
        )


def _queries(client, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DIRECTORY_URL, query)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "query",
    [{}, {"category": "ensomhet", "open_now": "on"}, {"region": "oslo"}],
    ids=["all", "category-open-now", "region"],
)
def test_directory_query_count_does_not_grow_with_the_services(
    demo, client, django_assert_max_num_queries, query
):
    client.get(DIRECTORY_URL)  # warm the site and settings lookups
    _add_services(5)
    with_few = _queries(client, query)
    _add_services(45)
    with django_assert_max_num_queries(MAX_QUERIES):
        with_many = _queries(client, query)

    assert with_many == with_few


def test_directory_and_crisis_pages_are_never_cached(demo, client):
    for response in (
        client.get(DIRECTORY_URL),
        client.get(DIRECTORY_URL, {"open_now": "on"}),
        client.get(CRISIS_URL),
    ):
        assert response.status_code == 200
        assert_never_cached(response)


def test_directory_status_changes_across_an_opening_time(demo, client, frozen):
    """Two requests a minute apart either side of 19:00 get different answers."""
    frozen(dt.datetime(2026, 11, 24, 18, 59, tzinfo=SUNDAY_03.tzinfo))
    before = client.get(DIRECTORY_URL, {"open_now": "on"})
    frozen(dt.datetime(2026, 11, 24, 19, 0, tzinfo=SUNDAY_03.tzinfo))
    after = client.get(DIRECTORY_URL, {"open_now": "on"})

    assert "RUStelefonen" in page_names(before)
    assert "RUStelefonen" not in page_names(after)


# --- The crisis page ----------------------------------------------------------------------------


def test_crisis_page_shows_the_crisis_numbers_and_services_with_their_status(
    demo, english_client, frozen
):
    frozen(SUNDAY_03)
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))

    response = english_client.get(CRISIS_URL)

    assert response.status_code == 200
    html = response.content.decode()
    for number in (settings.emergency_number, settings.helpline_number):
        assert f'href="tel:{number.replace(" ", "")}">{number}</a>' in html
    assert settings.emergency_text_en in html
    cards = response.context["cards"]
    assert set(names(cards)) == CRISIS_NAMES
    assert all(card.is_open for card in cards)
    assert html.count("status--open") >= len(CRISIS_NAMES)
    assert "Open day and night" in html
    assert "RUStelefonen" not in html


def test_crisis_page_takes_its_numbers_from_the_site_settings(demo, client):
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.helpline_number = "22 40 00 40"
    settings.save()

    html = client.get(CRISIS_URL).content.decode()

    assert 'href="tel:22400040">22 40 00 40</a>' in html


def test_crisis_page_lists_a_crisis_service_that_is_closed_now(demo, client, frozen):
    frozen(SUNDAY_03)
    crisis = HelpCategory.objects.get(slug="akutt")
    make_service(
        name="Kveldslinjen",
        categories=[crisis],
        hours=[(Channel.ALL, 0, 4, dt.time(18), dt.time(22))],
    )

    cards = client.get(CRISIS_URL).context["cards"]

    assert names(cards)[-1] == "Kveldslinjen"
    assert not cards[-1].is_open
