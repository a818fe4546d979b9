"""Deep pages read their ids first (ordrom.pagination.page_rows): every page of a category
must show the same topics, in the same order, as a plain slice would, with nothing shown
twice or left out, on the shallow pages and the deep ones alike."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from forum_pages_support import client_as, make_category

from forum.models import Post, Topic
from ordrom import pagination

pytestmark = pytest.mark.django_db


def titles(client, slug: str, page: int) -> list[str]:
    html = client.get(f"/forum/{slug}/", {"page": page}).content.decode()
    return re.findall(r'<h2 class="forum-list__title"><a href="[^"]+">([^<]+)</a>', html)


def test_every_page_shows_its_topics_in_order_shallow_or_deep(member_client, monkeypatch):
    monkeypatch.setattr("forum.selectors.TOPICS_PER_PAGE", 3)
    monkeypatch.setattr(pagination, "DEEP_OFFSET", 6)  # pages 3 and on are deep
    category = make_category()
    now = timezone.now()
    hours = [5, 1, 1, 9, 3, 3, 3, 7, 2, 8, 4, 6, 1, 2]  # ties: the newer id comes first
    Topic.objects.bulk_create(
        Topic(
            category=category, title=f"Emne {n:02d}", is_visible=True, is_pinned=n == 11,
            created_at=now, last_activity_at=now - dt.timedelta(hours=hour),
        )
        for n, hour in enumerate(hours)
    )
    Topic.objects.create(category=category, title="Skjult", is_visible=False,
                         created_at=now, last_activity_at=now)
    category.topic_count = len(hours)
    category.save(update_fields=["topic_count"])
    expected = [
        topic.title for topic in sorted(
            Topic.objects.filter(category=category, is_visible=True),
            key=lambda t: (not t.is_pinned, -t.last_activity_at.timestamp(), -t.pk),
        )
    ]

    shown = [titles(member_client, category.slug, page) for page in range(1, 6)]

    assert [len(page) for page in shown] == [3, 3, 3, 3, 2]
    assert sum(shown, []) == expected
    assert expected[0] == "Emne 11"  # the pinned topic first


def post_bodies(client, topic_id: int, page: int) -> list[str]:
    html = client.get(f"/forum/t/{topic_id}/", {"page": page}).content.decode()
    return re.findall(r"<p>(Innlegg \d\d[^<]*)</p>", html)


@pytest.mark.parametrize("role", ["anonymous", "member", "other_member", "moderator"])
def test_every_page_of_a_topic_shows_what_its_reader_may_see_in_order(
    request, role, member, other_member, moderator, monkeypatch
):
    monkeypatch.setattr("forum.selectors.POSTS_PER_PAGE", 3)
    monkeypatch.setattr(pagination, "DEEP_OFFSET", 6)  # pages 3 and on are deep
    category = make_category()
    start = timezone.now() - dt.timedelta(days=2)
    topic = Topic.objects.create(category=category, author=member, title="Lange kvelder",
                                 is_visible=True, created_at=start, last_activity_at=start)
    # Ties in time: the older id first. Member's held posts: shown to them and moderators.
    minutes = [5, 1, 1, 9, 3, 3, 3, 7, 2, 8, 4, 6, 1, 2, 10, 11]
    statuses = {3: Post.Status.HELD, 9: Post.Status.DELETED, 12: Post.Status.HIDDEN}
    Post.objects.bulk_create(
        Post(
            topic=topic,
            author=member if n % 3 == 0 else other_member,
            body=f"Innlegg {n:02d}",
            body_html=f"<p>Innlegg {n:02d}</p>",
            status=statuses.get(n, Post.Status.PUBLISHED),
            created_at=start + dt.timedelta(minutes=minute),
            updated_at=start,
        )
        for n, minute in enumerate(minutes)
    )
    reader = request.getfixturevalue(role) if role != "anonymous" else None
    posts = sorted(Post.objects.filter(topic=topic), key=lambda p: (p.created_at, p.pk))

    def may_see(post) -> bool:
        if post.status in (Post.Status.PUBLISHED, Post.Status.DELETED) or role == "moderator":
            return True
        return reader is not None and post.author_id == reader.pk

    expected = [post.body for post in posts if may_see(post)]
    client = client_as(request, role)
    pages = -(-len(expected) // 3)

    shown = [post_bodies(client, topic.pk, page) for page in range(1, pages + 1)]

    deleted = "Innlegg 09"  # shown as deleted, without its text
    assert [body for body in sum(shown, [])] == [b for b in expected if b != deleted]
    assert pages >= 5  # shallow pages and deep ones
