"""A database that does not answer: 503 with what was sent kept, never a 500 or 400 that
loses it. (Against real processes and a cut PostgreSQL: tests/proof/test_proof_faults.py.)"""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from letters import services

pytestmark = pytest.mark.django_db

BODY = "Jeg vil ikke miste det jeg skrev.\nAndre linje."


def _new_letter_form(client) -> dict:
    page = client.get("/letters/new/").content.decode()
    token = re.search(r'name="token" value="([^"]*)"', page).group(1)
    return {"subject": "", "body": BODY, "topic": "", "token": token, "started": "", "website": ""}


def test_a_letter_the_database_cannot_store_comes_back_in_a_503_form(member, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    data = {**_new_letter_form(client), "password": "never shown"}

    def database_down(**kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(services, "letter_create", database_down)
    response = client.post("/letters/new/", data)

    assert response.status_code == 503
    assert response["Retry-After"]
    page = response.content.decode()
    assert "Jeg vil ikke miste det jeg skrev." in page and "Andre linje." in page
    assert f'name="token" value="{data["token"]}"' in page
    assert 'action="/letters/new/"' in page
    assert "never shown" not in page


def test_a_session_save_the_database_refuses_is_a_503_not_a_400(member, monkeypatch):
    """Django reports any database error while saving the session as "the session was
    deleted" (400 Bad Request); a locked or unreachable database is an outage instead."""
    client = Client(raise_request_exception=False)
    client.force_login(member)

    def failing_save(self, must_create=False):
        try:
            raise OperationalError("database is locked")
        except OperationalError:
            raise UpdateError  # noqa: B904 - exactly what django.contrib.sessions does

    monkeypatch.setattr(SessionStore, "save", failing_save)
    # The first request of a session records when it was last seen: the session is saved.
    response = client.get("/letters/")

    assert response.status_code == 503
    assert "no-store" in response["Cache-Control"]
