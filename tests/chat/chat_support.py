"""WebSocket helpers for the chat tests, against the full ASGI app (routing, origin, auth).

A module of its own (not conftest.py) so ``from chat_support import ...`` names one file:
tests/chat_groups has a conftest.py too, and ``from conftest import`` found whichever came
first on sys.path when both folders ran together.

There is no pytest-asyncio here: a test writes ``async def scenario()`` and runs it with
``run(scenario)`` (asgiref's async_to_sync, so database_sync_to_async works inside).
"""

from __future__ import annotations

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
