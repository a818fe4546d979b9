"""The forum pages keep a constant number of SQL queries whatever the amount of data:
a category with 10 000 topics and a topic with 2 000 posts cost what small ones cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from forum_pages_support import bulk_posts, bulk_topics, client_as, make_category, trust

from forum.models import Topic

pytestmark = pytest.mark.django_db

# Session, user, roles, Wagtail site and settings, unread count, the member's standing and
# the page's own queries (a category reads its kept topic count: no COUNT over 10 000 rows).
INDEX_QUERIES = 7
CATEGORY_QUERIES = 9
TOPIC_QUERIES = 11


def _count(client, url) -> int:
    client.get(url)  # warm Wagtail's site cache and the session's last-seen time
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ("anonymous", "member", "moderator"))
def test_category_page_queries_do_not_grow_with_10000_topics(
    request, role, member, django_assert_max_num_queries
):
    trust(member)
    small, large = make_category("lite", name="Lite"), make_category("stort", name="Stort")
    bulk_topics(small, member, 10)
    bulk_topics(large, member, 10_000)
    client = client_as(request, role)

    assert _count(client, "/forum/lite/") == _count(client, "/forum/stort/?page=200")
    with django_assert_max_num_queries(CATEGORY_QUERIES):
        client.get("/forum/stort/?page=last")
    with django_assert_max_num_queries(INDEX_QUERIES):
        client.get("/forum/")


@pytest.mark.parametrize("role", ("anonymous", "member", "moderator"))
def test_topic_page_queries_do_not_grow_with_2000_posts(
    request, role, member, other_member, django_assert_max_num_queries
):
    category = make_category()
    small, large = (
        Topic.objects.create(
            category=category,
            author=member,
            title=title,
            is_visible=True,
            created_at="2026-01-01T12:00Z",
            last_activity_at="2026-01-01T12:00Z",
        )
        for title in ("Lite", "Stort")
    )
    bulk_posts(small, [member, other_member], 10)
    bulk_posts(large, [member, other_member, None], 2_000)
    client = client_as(request, role)

    assert _count(client, f"/forum/t/{small.pk}/") == _count(client, f"/forum/t/{large.pk}/")
    # A deep page reads its posts' ids first, then those posts: one query more, at any depth.
    deep = _count(client, f"/forum/t/{large.pk}/?page=5")
    assert deep == _count(client, f"/forum/t/{large.pk}/?page=40")
    assert deep <= _count(client, f"/forum/t/{small.pk}/") + 1
    with django_assert_max_num_queries(TOPIC_QUERIES):
        client.get(f"/forum/t/{large.pk}/?page=last")


def test_search_queries_do_not_grow_with_the_results(client, member, django_assert_max_num_queries):
    topic = make_category().topics.create(
        author=member,
        title="Emne",
        is_visible=True,
        created_at="2026-01-01T12:00Z",
        last_activity_at="2026-01-01T12:00Z",
    )
    bulk_posts(topic, [member], 3)
    few = _count(client, "/forum/search/?q=innlegg")
    bulk_posts(topic, [member], 500)

    assert _count(client, "/forum/search/?q=innlegg") == few
