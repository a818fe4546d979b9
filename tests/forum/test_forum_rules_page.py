"""The forum rules are an editable page: seeded in both languages, shown at /forum/regler/
(the address every forum form links to), and changed by editors like any page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from forum_pages_support import make_category

from forum.models import ForumRulesPage

pytestmark = pytest.mark.django_db

RULES_URL = "/forum/regler/"


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=StringIO())


def test_before_the_page_exists_the_built_in_rules_are_shown(client):
    response = client.get(RULES_URL)

    assert response.status_code == 200
    assert "113" in response.content.decode()


def test_seed_makes_the_rules_page_in_both_languages(seeded):
    pages = ForumRulesPage.objects.live()

    assert sorted(p.locale.language_code for p in pages) == ["en", "nb"]
    nb = pages.get(locale__language_code="nb")
    assert nb.get_translation(pages.get(locale__language_code="en").locale).title == "Forum rules"


def test_the_rules_address_shows_the_page_in_the_readers_language(seeded, client):
    page = client.get(RULES_URL).content.decode()
    assert "Regler for forumet" in page
    assert "Ikke spekuler i hvem andre medlemmer er." in page

    client.cookies["django_language"] = "en"
    page = client.get(RULES_URL).content.decode()
    assert "Do not speculate about who other members are." in page


def test_an_editors_change_is_what_members_read(seeded, client):
    page = ForumRulesPage.objects.get(locale__language_code="nb")
    page.body = "<p>Ny regel: vær raus med hverandre.</p>"
    page.save_revision().publish()

    assert "Ny regel: vær raus med hverandre." in client.get(RULES_URL).content.decode()


def test_the_page_itself_is_served_by_wagtail(seeded, client):
    page = ForumRulesPage.objects.get(locale__language_code="nb")

    response = client.get(page.url)

    assert response.status_code == 200
    assert "Regler for forumet" in response.content.decode()


def test_every_forum_form_links_the_rules(member_client, member):
    from forum_pages_support import start_topic, trust

    trust(member)
    category = make_category()
    post = start_topic(member, category)
    for url in (
        f"/forum/{category.slug}/new/",
        f"/forum/t/{post.topic_id}/",
        f"/forum/t/{post.topic_id}/reply/",
        f"/forum/p/{post.pk}/edit/",
    ):
        assert f'href="{RULES_URL}"' in member_client.get(url).content.decode(), url
