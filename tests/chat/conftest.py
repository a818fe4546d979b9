"""Fixtures for the chat tests: signed-in WebSocket communicators against the full ASGI app.

There is no pytest-asyncio here: a test writes ``async def scenario()`` and runs it with
``run(scenario)`` (asgiref's async_to_sync, so database_sync_to_async works inside).
"""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

ORIGIN = b"http://testserver"


def run(coro_fn, *args, **kwargs):
    return async_to_sync(coro_fn)(*args, **kwargs)


def session_cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def communicator(
    path: str,
    *,
    cookie: str | None = None,
    origin: bytes | None = ORIGIN,
    host: bytes = b"testserver",
    application=None,
) -> WebsocketCommunicator:
    from ordrom.asgi import application as site_application

    headers = [(b"host", host)]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application or site_application, path, headers=headers)


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


async def until(ws, frame_type: str, *, timeout: float = 3, **match):
    """Read frames until one of *frame_type* (matching the given fields) arrives."""
    while True:
        frame = await ws.receive_json_from(timeout=timeout)
        if frame.get("type") == frame_type and all(frame.get(k) == v for k, v in match.items()):
            return frame


async def drain(ws, timeout: float = 0.2) -> list[dict]:
    """Every frame that arrives until the socket is quiet."""
    frames = []
    while not await ws.receive_nothing(timeout=timeout):
        frames.append(await ws.receive_json_from())
    return frames
