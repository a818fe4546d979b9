"""/healthz answers 200 when the database and the channel layer answer, 503 otherwise,
and never says which part failed."""

import pytest
from channels.layers import get_channel_layer
from django.db import OperationalError, connection


@pytest.mark.django_db
def test_healthz_is_ok_when_database_and_channel_layer_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_unavailable_when_the_channel_layer_fails(client, monkeypatch):
    async def refuse(channel, message):
        raise ConnectionError("layer down")

    monkeypatch.setattr(get_channel_layer(), "send", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable"


class BrokenCursor:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.django_db
def test_healthz_is_unavailable_when_the_database_fails(client, monkeypatch):
    monkeypatch.setattr(connection, "cursor", lambda: BrokenCursor())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable"


@pytest.mark.django_db
def test_healthz_for_a_signed_in_visitor_keeps_their_session(member_client):
    response = member_client.get("/healthz")

    assert response.status_code == 200
    assert member_client.get("/accounts/").status_code == 200
