"""The help directory, the crisis page and referral cards read the shown services from the
cache; an editor's change to a service, its hours or its categories shows on the next
request all the same."""

from __future__ import annotations

import datetime as dt

import pytest
from help_support import CRISIS_URL, DIRECTORY_URL, make_service

from pages import selectors
from pages.models import HelpCategory
from pages.models.help import Channel, HelpServiceHours
from pages.opening_hours import OSLO

pytestmark = pytest.mark.django_db


def names_on(client, url=DIRECTORY_URL, query=None) -> list[str]:
    return [card.service.name for card in client.get(url, query or {}).context["cards"]]


def test_an_edited_service_shows_on_the_next_request(demo, client):
    service = make_service(name="Lyttetelefonen")
    assert "Lyttetelefonen" in names_on(client)  # now in the cache

    service.name = "Lyttetelefonen for alle"
    service.save()
    assert "Lyttetelefonen for alle" in names_on(client)

    service.is_active = False
    service.save()
    assert "Lyttetelefonen for alle" not in names_on(client)


def test_changed_hours_and_categories_show_on_the_next_request(demo, client):
    crisis = HelpCategory.objects.filter(is_crisis=True).first()
    service = make_service(name="Nattlinjen", hours=())
    assert "Nattlinjen" not in names_on(client, query={"open_now": "on"})  # no hours: not open
    assert "Nattlinjen" not in names_on(client, CRISIS_URL)

    HelpServiceHours.objects.create(
        service=service, channel=Channel.ALL, first_weekday=0, last_weekday=6,
        opens=dt.time(0), closes=dt.time(0),
    )
    assert "Nattlinjen" in names_on(client, query={"open_now": "on"})

    service.categories.set([crisis])
    service.save()
    assert "Nattlinjen" in names_on(client, CRISIS_URL)


# --- The whole page, for visitors who are not signed in ----------------------------------------


def _evening_line():
    return make_service(name="Kveldslinjen", hours=((Channel.ALL, 0, 6, dt.time(18), dt.time(22)),))


def test_a_visitor_is_served_the_directory_from_the_cache_until_a_service_opens(
    demo, english_client, frozen, django_assert_num_queries
):
    _evening_line()
    tuesday = dt.datetime(2026, 11, 24, 17, 50, tzinfo=OSLO)
    frozen(tuesday)
    first = english_client.get(DIRECTORY_URL)
    assert "Closed, opens today at 18:00" in _card(first, "Kveldslinjen")

    frozen(tuesday + dt.timedelta(minutes=2))
    with django_assert_num_queries(0):
        again = english_client.get(DIRECTORY_URL)
    assert again.content == first.content
    assert again["Cache-Control"] == first["Cache-Control"]  # still no browser may keep it

    frozen(dt.datetime(2026, 11, 24, 18, 0, 1, tzinfo=OSLO))
    opened = english_client.get(DIRECTORY_URL)
    assert "Open now, until 22:00" in _card(opened, "Kveldslinjen")


def test_the_crisis_page_is_not_kept_past_midnight(demo, english_client, frozen):
    crisis = HelpCategory.objects.filter(is_crisis=True).first()
    make_service(
        name="Morgenlinjen",
        categories=[crisis],
        hours=((Channel.ALL, 0, 6, dt.time(8), dt.time(10)),),
    )
    frozen(dt.datetime(2026, 11, 24, 23, 58, tzinfo=OSLO))
    before = _card(english_client.get(CRISIS_URL), "Morgenlinjen")
    assert "Closed, opens tomorrow at 08:00" in before
    frozen(dt.datetime(2026, 11, 25, 0, 0, 1, tzinfo=OSLO))
    after = _card(english_client.get(CRISIS_URL), "Morgenlinjen")
    assert "Closed, opens today at 08:00" in after


def test_an_edited_service_retires_the_cached_page_at_once(demo, english_client):
    service = make_service(name="Lyttetelefonen")
    assert "Lyttetelefonen" in english_client.get(DIRECTORY_URL).content.decode()
    service.name = "Samtalelinjen"
    service.save()
    page = english_client.get(DIRECTORY_URL).content.decode()
    assert "Samtalelinjen" in page and "Lyttetelefonen" not in page


def test_signed_in_members_get_the_directory_rendered_for_them(demo, client, django_user_model):
    make_service(name="Lyttetelefonen")
    client.get(DIRECTORY_URL)  # a visitor's copy is in the cache now
    member = django_user_model.objects.create_user(username="Leser", password="x" * 12)
    client.force_login(member)
    assert client.get(DIRECTORY_URL).context is not None  # rendered, not the visitor's copy


def test_how_long_a_status_stays_true(demo):
    _evening_line()
    at_17 = dt.datetime(2026, 11, 24, 17, 0, tzinfo=OSLO)
    assert 0 < selectors.services_unchanged_for(now=at_17) <= 3600
    at_23 = dt.datetime(2026, 11, 24, 23, 30, tzinfo=OSLO)
    assert 0 < selectors.services_unchanged_for(now=at_23) <= 1800  # midnight at the latest


def _card(response, name: str) -> str:
    """The HTML of the service card that names *name*."""
    html = response.content.decode()
    start = html.index(name)
    return html[start : html.index("</article>", start)]
