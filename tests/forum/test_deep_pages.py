"""Deep pages read their ids first (ordrom.pagination.page_rows): every page of a category
must show the same topics, in the same order, as a plain slice would, with nothing shown
twice or left out, on the shallow pages and the deep ones alike."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from forum_pages_support import make_category

from forum.models import Topic
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
