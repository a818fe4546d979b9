"""Fixtures for finding the right help: the demo content, frozen moments, help services
and callback requests made to order.

The demo (``manage.py seed_demo``) takes a second or two to build, so the modules that read
it build it once (``demo``, module scope) inside a transaction that is rolled back after the
module; each test still runs in its own savepoint, as with Django's ``setUpTestData``.
"""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from help_support import make_callback, make_category, make_service


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo help services and pages, built once for the module and rolled back after."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def frozen():
    """freeze(moment): the clock stands still at *moment* until the test ends."""
    travellers = []

    def freeze(moment):
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield freeze
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture
def english_client():
    """An anonymous visitor who chose English (UI strings asserted in English only)."""
    client = Client()
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def service_factory(db):
    return make_service


@pytest.fixture
def category_factory(db):
    return make_category


@pytest.fixture
def callback_factory(db):
    return make_callback
