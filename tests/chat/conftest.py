"""Fixtures for the chat tests; the WebSocket helpers are in chat_support.py."""

from __future__ import annotations

import pytest
from chat_support import session_cookie_for


@pytest.fixture
def session_cookie():
    """``session_cookie(user)``: the session cookie value of a fresh login (sync; call it
    before entering the async scenario)."""
    return session_cookie_for
