"""Helpers of the members' forum page tests (tests/forum/test_pages_*.py).

Published content is made through the services by a *trusted* member (a Standing at trust
level 1 and an account older than the trust period), so the hold rules stay out of the way;
bulk data for the query-count tests is inserted directly with the counters the services keep.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from forum import services
from forum.models import Category, Post, Standing, Topic

ROLES = ("anonymous", "member", "other_member", "moderator")


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def client_as(request, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def make_category(slug="proverommet", *, name="Prøverommet", moderation=Category.Moderation.POST):
    return Category.objects.create(
        slug=slug, name_nb=name, name_en=name, description_nb="Om dagene", moderation=moderation
    )


def trust(user):
    get_user_model().objects.filter(pk=user.pk).update(
        date_joined=timezone.now() - dt.timedelta(days=30)
    )
    user.refresh_from_db()
    Standing.objects.update_or_create(member=user, defaults={"approved_posts": 5, "trust_level": 1})
    return user


def start_topic(author, category, *, title="Lange kvelder", body="Kveldene er lange.", now=None):
    """A topic with its first post through the service: published when the author is trusted."""
    return services.topic_create(
        author=author, category=category, title=title, body=body, now=now or timezone.now()
    )


def reply(author, topic, body="Jeg kjenner meg igjen.", *, now=None):
    return services.post_create(author=author, topic=topic, body=body, now=now or timezone.now())


def bulk_topics(category, author, count: int) -> None:
    now = timezone.now()
    Topic.objects.bulk_create(
        Topic(
            category=category,
            author=author,
            title=f"Emne {n}",
            created_at=now - dt.timedelta(minutes=n),
            last_activity_at=now - dt.timedelta(minutes=n),
            is_visible=True,
            post_count=1,
        )
        for n in range(count)
    )
    Category.objects.filter(pk=category.pk).update(
        topic_count=Topic.objects.filter(category=category, is_visible=True).count(),
        last_activity_at=now,
    )


def bulk_posts(topic, authors, count: int) -> None:
    start = timezone.now() - dt.timedelta(days=10)
    Post.objects.bulk_create(
        Post(
            topic=topic,
            author=authors[n % len(authors)],
            body=f"Innlegg {n}",
            body_html=f"<p>Innlegg {n}</p>",
            status=Post.Status.PUBLISHED,
            created_at=start + dt.timedelta(seconds=n),
            updated_at=start + dt.timedelta(seconds=n),
            published_at=start + dt.timedelta(seconds=n),
        )
        for n in range(count)
    )
    Topic.objects.filter(pk=topic.pk).update(post_count=_published_count(topic))


def _published_count(topic) -> int:
    return Post.objects.filter(topic=topic, status=Post.Status.PUBLISHED).count()
