"""The crisis strip and the help links on every page: cached, yet an editor's change shows
on the next request."""

from __future__ import annotations

import pytest
from wagtail.models import Site

from pages.models import SiteSettings

pytestmark = pytest.mark.django_db


def _settings() -> SiteSettings:
    return SiteSettings.for_site(Site.objects.get(is_default_site=True))


def test_every_page_shows_the_crisis_numbers_and_links(demo_content, client):
    html = client.get("/forum/").content.decode()

    values = _settings()
    assert f'href="tel:{values.emergency_number.replace(" ", "")}"' in html
    assert f'href="tel:{values.helpline_number.replace(" ", "")}"' in html
    assert f'href="{values.crisis_page.get_url()}"' in html
    assert f'href="{values.help_page.get_url()}"' in html


def test_a_changed_number_shows_on_the_next_request(demo_content, client):
    client.get("/forum/")  # cached now
    values = _settings()
    values.helpline_number = "22 40 00 40"
    values.save()

    html = client.get("/forum/").content.decode()

    assert 'href="tel:22400040">22 40 00 40</a>' in html


def test_an_unpublished_crisis_page_loses_its_link_at_once(demo_content, client):
    crisis_url = _settings().crisis_page.get_url()
    assert f'href="{crisis_url}"' in client.get("/forum/").content.decode()

    _settings().crisis_page.specific.unpublish()

    assert f'href="{crisis_url}"' not in client.get("/forum/").content.decode()


def test_the_strip_speaks_the_visitors_language(demo_content, english_client):
    values = _settings()
    html = english_client.get("/forum/").content.decode()
    assert f"({values.helpline_text_en})" in html
