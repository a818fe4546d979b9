"""Helpers of the forum service tests: a fixed moment and members' sign-up dates around it."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from forum.models import Standing

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def joined(user, *, ago: dt.timedelta):
    """Set when *user* signed up, relative to NOW."""
    get_user_model().objects.filter(pk=user.pk).update(date_joined=NOW - ago)
    user.refresh_from_db()
    return user


def make_trusted(user):
    """A member past the default trust rule: 3 approved posts, signed up 30 days before NOW."""
    joined(user, ago=dt.timedelta(days=30))
    Standing.objects.update_or_create(member=user, defaults={"approved_posts": 3})
    return user
