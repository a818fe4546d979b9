"""The demo content: built once, the same after a second run, served in both languages."""

from __future__ import annotations

import pytest
from wagtail.models import Locale, Page, Revision, Site

from pages.models import ArticlePage, SiteSettings

pytestmark = pytest.mark.django_db

HELP_ARTICLE = "/artikler/hvor-kan-jeg-fa-hjelp/"


def page_tree() -> list[tuple]:
    return list(
        Page.objects.order_by("path").values_list(
            "id", "path", "title", "locale__language_code", "live"
        )
    )


def test_seed_demo_twice_leaves_the_same_page_tree(run_seed_demo):
    run_seed_demo()
    tree = page_tree()
    revisions = Revision.objects.count()

    output = run_seed_demo()

    assert page_tree() == tree
    # root + 2 × (home, article index, 4 articles, help directory, guided check, crisis page,
    # forum rules)
    assert Page.objects.count() == len(tree) == 21
    assert Revision.objects.count() == revisions
    assert "0 pages created, 0 updated, 20 unchanged" in output


def test_seed_demo_replaces_the_wagtail_welcome_page_on_the_default_site(run_seed_demo):
    run_seed_demo()

    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("localhost", 80)
    assert site.root_page.specific.title == "Velkommen til Ordrom"
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()
    assert all(page.live for page in Page.objects.filter(depth__gt=1))


def test_every_article_has_an_english_translation_at_the_same_slug(run_seed_demo):
    run_seed_demo()

    english_locale = Locale.objects.get(language_code="en")
    for article in ArticlePage.objects.filter(locale__language_code="nb"):
        english = article.get_translation(english_locale)
        assert english.slug == article.slug
        assert english.live
        assert english.title != article.title


def test_seed_demo_sets_chat_hours_once_and_keeps_the_default_crisis_numbers(run_seed_demo):
    run_seed_demo()
    run_seed_demo()

    settings = SiteSettings.objects.get(site__is_default_site=True)
    assert (settings.emergency_number, settings.helpline_number) == ("113", "116 123")
    hours = [
        (h.weekday, h.opens.hour, h.closes.hour) for h in settings.chat_hours.order_by("weekday")
    ]
    assert hours == [(0, 14, 20), (1, 14, 20), (2, 14, 20), (3, 14, 20), (4, 14, 20), (6, 18, 21)]


def test_home_page_is_in_bokmal_by_default(client, demo_content):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nb"' in html
    assert "Velkommen til Ordrom" in html
    assert "Hva vil du gjøre i dag?" in html
    assert "Welcome to Ordrom" not in html


def test_home_page_features_three_articles_in_the_visitors_language(client, demo_content):
    html = client.get("/").content.decode()

    assert "Når du føler deg ensom" in html
    assert "Hvor kan jeg få hjelp?" in html
    assert "Å skrive om det som er vanskelig" in html
    assert "Trygg på nett" not in html


def test_home_page_is_in_english_with_the_language_cookie(english_client, demo_content):
    response = english_client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert "Welcome to Ordrom" in html
    assert "When you feel lonely" in html
    assert "Velkommen til Ordrom" not in html
    assert "Når du føler deg ensom" not in html


def test_home_page_shows_the_crisis_numbers(client, demo_content):
    html = client.get("/").content.decode()

    assert 'href="tel:113"' in html
    assert 'href="tel:116123"' in html
    assert "116 123" in html


def test_article_shows_its_quote_and_call_out(client, demo_content):
    response = client.get(HELP_ARTICLE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Hvor kan jeg få hjelp?</h1>" in html
    assert "Å be om hjelp er ikke å gi opp." in html
    assert "Trenger du hjelp nå?" in html
    assert "Mental Helse Hjelpetelefonen på <b>116 123</b>" in html
    assert 'class="callout callout--help"' in html


def test_english_article_is_served_at_the_same_address(english_client, demo_content):
    html = english_client.get(HELP_ARTICLE).content.decode()

    assert "<h1>Where can I get help?</h1>" in html
    assert "Asking for help is not giving up." in html
    assert "Do you need help now?" in html


def test_article_index_lists_the_articles(client, demo_content):
    html = client.get("/artikler/").content.decode()

    assert "<h1>Artikler</h1>" in html
    for title in ("Når du føler deg ensom", "Hvor kan jeg få hjelp?", "Trygg på nett"):
        assert title in html


def test_language_switch_sets_the_cookie_and_the_next_page_is_english(client, demo_content):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/artikler/"})

    assert response.status_code == 302
    assert response["Location"] == "/artikler/"
    assert response.cookies["django_language"].value == "en"
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="en"' in html
    assert "<h1>Articles</h1>" in html
    assert "Safe online" in html


def test_switching_back_to_bokmal_shows_norwegian_again(english_client, demo_content):
    english_client.post("/i18n/setlang/", {"language": "nb", "next": "/"})

    html = english_client.get("/").content.decode()
    assert '<html lang="nb"' in html
    assert "Velkommen til Ordrom" in html
