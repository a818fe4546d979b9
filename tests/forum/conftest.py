"""Fixtures of the forum service tests (tests/forum/test_services.py). Keep additions additive:
the page tests in this folder have their own helpers in forum_pages_support.py.

The services take ``now``; these tests pass a fixed moment and set each member's sign-up
date relative to it, so trust never depends on the real clock.
"""

from __future__ import annotations

import datetime as dt

import pytest
from forum_services_support import joined, make_trusted

from forum.models import Category


@pytest.fixture
def post_moderated(db):
    """Hverdagen, a default category that publishes trusted members' posts at once."""
    category = Category.objects.get(slug="hverdagen")
    assert category.moderation == Category.Moderation.POST
    return category


@pytest.fixture
def pre_moderated(db):
    """Selvskading, the default category where every post waits for a moderator."""
    category = Category.objects.get(slug="selvskading")
    assert category.moderation == Category.Moderation.PRE
    return category


@pytest.fixture
def newcomer(user_factory):
    """A member who signed up an hour before NOW, with no approved posts (trust level 0)."""
    return joined(user_factory("Ny Stemme"), ago=dt.timedelta(hours=1))


@pytest.fixture
def trusted(member):
    """``member``, trusted by the default rule."""
    return make_trusted(member)


@pytest.fixture
def other_trusted(other_member):
    """``other_member``, trusted by the default rule."""
    return make_trusted(other_member)


@pytest.fixture
def third_member(user_factory):
    return make_trusted(user_factory("Lys Kveld"))
