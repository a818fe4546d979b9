"""The one raw WebSocket test client of the suite: the chat, Samtalerom and authorisation tests
open their sockets here, against the full ASGI application (routing, origin check, session
auth) unless a test mounts its own.

Why a subclass: channels' ``WebsocketCommunicator`` waits 1 s for a frame by default. On
PostgreSQL + Redis under CI's load, a socket's first frame can take longer than that (session
lookup, five slot keys in Redis, a channel-layer subscription), and a correct server failed
``test_sixth_socket_of_a_session_is_closed`` that way. Waiting longer costs nothing when the
frame comes; a test that must see *nothing* arrive still says how long with
``receive_nothing(timeout=...)``, which keeps its own short default.

A module beside tests/conftest.py (which puts this folder on ``sys.path``), imported by name.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

ORIGIN = b"http://testserver"
# How long a test waits for a frame, a handshake or a close before it fails.
WAIT_SECONDS = 10


class PatientCommunicator(WebsocketCommunicator):
    async def connect(self, timeout=WAIT_SECONDS):
        return await super().connect(timeout)

    async def receive_output(self, timeout=WAIT_SECONDS):
        return await super().receive_output(timeout)

    async def receive_from(self, timeout=WAIT_SECONDS):
        return await super().receive_from(timeout)

    async def receive_json_from(self, timeout=WAIT_SECONDS):
        return await super().receive_json_from(timeout)

    async def disconnect(self, code=1000, timeout=WAIT_SECONDS):
        return await super().disconnect(code, timeout)


def run(coro_fn, *args, **kwargs):
    """Run ``async def scenario()`` from a sync test (so database_sync_to_async works inside)."""
    return async_to_sync(coro_fn)(*args, **kwargs)


def session_cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def site_socket(
    path: str,
    *,
    cookie: str | None = None,
    origin: bytes | None = ORIGIN,
    host: bytes = b"testserver",
    application=None,
) -> PatientCommunicator:
    """A client for *path* with the headers a browser on the site sends (host, origin, the
    session cookie); ``origin=None`` leaves the Origin header out."""
    from ordrom.asgi import application as site_application

    headers = [(b"host", host)]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return PatientCommunicator(application or site_application, path, headers=headers)
