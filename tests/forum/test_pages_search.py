"""Search across published posts in visible topics: full-text on PostgreSQL, a substring
match on SQLite; held posts and hidden topics are never found."""

from __future__ import annotations

import pytest
from django.db import connection
from forum_pages_support import (
    english,  # noqa: F401
    make_category,
    reply,
    start_topic,
    trust,
)

from forum.models import Post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def topic(member):
    trust(member)
    return start_topic(
        member, make_category(), title="Lange kvelder", body="Kveldene er lange og stille."
    ).topic


def test_search_finds_published_posts(client, topic):
    text = client.get("/forum/search/?q=stille").content.decode()

    assert "Kveldene er lange og stille." in text and "Lange kvelder" in text
    assert "1 post found." in text


def test_search_is_case_insensitive(client, topic):
    assert "Kveldene er lange" in client.get("/forum/search/?q=STILLE").content.decode()


def test_search_does_not_find_held_posts(client, topic, other_member):
    held = reply(other_member, topic, "Stille hemmelighet.")
    assert held.status == Post.Status.HELD

    text = client.get("/forum/search/?q=hemmelighet").content.decode()

    assert "Stille hemmelighet." not in text and "No posts found." in text


def test_search_does_not_find_posts_of_a_topic_not_yet_shown(client, topic, other_member):
    post = start_topic(other_member, topic.category, title="Skjult", body="Usynlig ord.")
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED)

    assert "Usynlig ord." not in client.get("/forum/search/?q=usynlig").content.decode()


def test_empty_and_too_short_queries_are_answered_with_a_message(client, topic):
    empty = client.get("/forum/search/").content.decode()
    short = client.get("/forum/search/?q=ab").content.decode()

    assert "Write what you are looking for." in empty
    assert "Write at least 3 letters to search." in short


def test_search_results_are_paginated(client, member, topic):
    from forum_pages_support import bulk_posts

    bulk_posts(topic, [member], 25)

    first = client.get("/forum/search/?q=innlegg").content.decode()
    second = client.get("/forum/search/?q=innlegg&page=2").content.decode()

    assert first.count('class="forum-list__item"') == 20
    assert second.count('class="forum-list__item"') == 5
    assert "q=innlegg&amp;page=2" in first
    # The same page of the same count for another query: its links carry that query.
    other = client.get("/forum/search/?q=INNLEGG").content.decode()
    assert "q=INNLEGG&amp;page=2" in other and "q=innlegg" not in other


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_postgresql_search_matches_norwegian_word_forms(client, topic):
    # The Norwegian dictionary stems "kveldene" and "kvelden" to the same word.
    assert "Kveldene er lange" in client.get("/forum/search/?q=kvelden").content.decode()
