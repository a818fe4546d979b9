"""Fixtures for the content pages: the demo content built by `manage.py seed_demo`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


def _seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def run_seed_demo(db):
    """`manage.py seed_demo` as a function returning what it printed."""
    return _seed_demo


@pytest.fixture
def demo_content(db):
    _seed_demo()


@pytest.fixture
def english_client(client):
    client.cookies["django_language"] = "en"
    return client
