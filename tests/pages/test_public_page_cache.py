"""Anonymous visitors' content pages come from the page cache; nothing personal ever does."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import Page

from pages.models import ArticlePage, HomePage

pytestmark = pytest.mark.django_db


def _home() -> HomePage:
    return HomePage.objects.live().filter(locale__language_code="nb").first()


def test_a_second_anonymous_visit_is_served_without_the_database(
    demo_content, client, django_assert_num_queries
):
    first = client.get("/")
    assert first.status_code == 200

    with django_assert_num_queries(0):
        second = client.get("/")

    assert second.status_code == 200
    assert second.content == first.content
    assert second["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in second


def test_a_published_change_shows_on_the_next_visit(demo_content, client):
    client.get("/")
    home = _home()
    home.title = "Et nytt sted for ord"
    home.save_revision().publish()

    assert "Et nytt sted for ord" in client.get("/").content.decode()


def test_an_unpublished_article_is_gone_at_once(demo_content, client):
    article = ArticlePage.objects.live().filter(locale__language_code="nb").first()
    url = article.get_url()
    assert client.get(url).status_code == 200

    article.unpublish()

    assert client.get(url).status_code == 404


def test_each_language_has_its_own_copy(demo_content, client, english_client):
    norwegian = client.get("/").content.decode()
    english = english_client.get("/").content.decode()

    assert 'lang="nb"' in norwegian
    assert 'lang="en"' in english


def test_a_signed_in_member_never_gets_the_anonymous_copy(demo_content, member):
    Client().get("/")  # an anonymous copy is cached
    client = Client()
    client.force_login(member)

    html = client.get("/").content.decode()

    assert member.username in html
    assert "no-store" in client.get("/")["Cache-Control"]


def test_pages_with_forms_are_not_cached_so_each_visitor_gets_their_own_token(demo_content):
    # The guided check posts a form: its CSRF token is personal to the browser.
    check = Page.objects.live().filter(slug="hva-trenger-du").first()
    assert check is not None, "the demo has a guided check"
    url = check.get_url()

    first, second = Client(), Client()
    first.get(url)
    response = second.get(url)

    assert "csrftoken" in response.cookies


def test_the_language_switch_sets_the_language_and_returns_to_the_page(client):
    response = client.get("/i18n/language/", {"language": "en", "next": "/forum/"})

    assert response.status_code == 302
    assert response["Location"] == "/forum/"
    assert response.cookies["django_language"].value == "en"
    assert 'lang="en"' in client.get("/forum/").content.decode()


def test_the_language_switch_never_sends_a_visitor_to_another_site(client):
    response = client.get("/i18n/language/", {"language": "en", "next": "https://evil.example/"})

    assert response["Location"] == "/"
