"""WebSocket helpers for the chat tests, against the full ASGI app (routing, origin, auth).

A module of its own (not conftest.py) so ``from chat_support import ...`` names one file:
tests/chat_groups has a conftest.py too, and ``from conftest import`` found whichever came
first on sys.path when both folders ran together.

There is no pytest-asyncio here: a test writes ``async def scenario()`` and runs it with
``run(scenario)`` (asgiref's async_to_sync, so database_sync_to_async works inside).
"""

from __future__ import annotations

from socket_support import ORIGIN, WAIT_SECONDS, run, session_cookie_for, site_socket

__all__ = ["ORIGIN", "communicator", "drain", "run", "session_cookie_for", "until"]

# The chat tests' name for the shared client (tests/socket_support.py).
communicator = site_socket


async def until(ws, frame_type: str, *, timeout: float = WAIT_SECONDS, **match):
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
