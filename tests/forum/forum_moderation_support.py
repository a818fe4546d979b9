"""Helpers of the moderation workspace tests (tests/forum/test_moderation_*.py): posts that
wait for a moderator, made through the services as members make them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from forum_pages_support import make_category, reply, start_topic, trust

from forum import services
from forum.models import Post

QUEUE_URL = "/admin/forum/"
LOG_URL = "/admin/forum/log/"


def post_url(post, suffix: str = "") -> str:
    return f"/admin/forum/posts/{post.pk}/{suffix}"


def topic_url(topic, suffix: str = "") -> str:
    return f"/admin/forum/topics/{topic.pk}/{suffix}"


def held_reply(author, topic, body="Jeg har det likt.", *, now=None) -> Post:
    """A reply by a member who is not trusted yet: held for a moderator."""
    post = reply(author, topic, body, now=now)
    assert post.status == Post.Status.HELD
    return post


def open_topic(author, *, category=None, title="Lange kvelder"):
    trust(author)
    return start_topic(author, category or make_category(), title=title).topic


def reported(post, reporters, *, reason="harassment", text="", now=None) -> Post:
    for reporter in reporters:
        services.post_report(
            post=post, reporter=reporter, reason=reason, text=text, now=now or timezone.now()
        )
    post.refresh_from_db()
    return post


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)
