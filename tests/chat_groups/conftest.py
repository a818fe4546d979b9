"""Fixtures of the group-session tests (helpers in groups_support.py)."""

from __future__ import annotations

import pytest
from groups_support import NOW, make_series, sign_up

from chat.groups.models import GroupSession


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def series(coordinator, supervisor):
    return make_series(coordinator=coordinator, supervisor=supervisor)


@pytest.fixture
def session(series) -> GroupSession:
    return series.sessions.order_by("starts_at").first()


@pytest.fixture
def place(session, member):
    return sign_up(session, member)
