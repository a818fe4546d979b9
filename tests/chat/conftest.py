"""Fixtures for the chat tests; the WebSocket helpers are in chat_support.py."""

from __future__ import annotations

import pytest
from chat_support import session_cookie_for


@pytest.fixture
def session_cookie():
    """``session_cookie(user)``: the session cookie value of a fresh login (sync; call it
    before entering the async scenario)."""
    return session_cookie_for


@pytest.fixture(autouse=True)
def _role_groups(request):
    """Transactional tests flush the groups the data migrations made; put them back."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    from django.contrib.auth.models import Group

    from ordrom.roles import Role

    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture(autouse=True)
def _chat_threads_closed():
    """The chat's database threads keep their connections between calls; drop them after
    each test, so none holds the test database when it is flushed or dropped."""
    yield
    from chat.consumers import close_chat_pool

    close_chat_pool()
