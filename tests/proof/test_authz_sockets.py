"""The authorisation matrix of the WebSocket routes: who may open the victim's chat, the
staff chat console and the victim's group room, through the whole ASGI application (origin
check, session cookie, consumers).

"open" means the socket was accepted and stayed open; "refused" that it was closed, before
or just after the handshake. A refused socket must not have carried the victim's text.
"""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from authz_support import ROLES, SECRETS, build_world
from socket_support import session_cookie_for, site_socket

from ordrom.routing import websocket_urlpatterns

OPEN, REFUSED = "open", "refused"

# The member's own socket only for the member (staff reach a chat through the console).
WS_TABLE_TEXT = """
# route                          anonymous member  owner   superv. moder.  coord.  editor  no-2fa
ws/chat/<int:conversation_id>/   refused refused open    refused refused refused refused refused
ws/chat/console/                 refused refused refused open    refused open    refused refused
ws/samtalerom/<int:session_id>/  refused refused open    open    refused open    refused refused
"""
WS_TABLE = {
    line.split()[0]: dict(zip(ROLES, line.split()[1:], strict=True))
    for line in WS_TABLE_TEXT.strip().splitlines()
    if not line.startswith("#")
}

# Cases where the expected outcome is right and the site does otherwise today (the app's
# owner fixes them; strict: the test says so once they are fixed).
# (route, role) → the bug, while one is known; such a cell is left out of the table check.
WS_KNOWN_BUGS: dict[tuple[str, str], str] = {}


def test_every_socket_route_has_a_row():
    routes = {str(pattern.pattern) for pattern in websocket_urlpatterns}
    assert routes == set(WS_TABLE)


async def _try(path: str, cookie: str | None) -> tuple[str, str]:
    socket = site_socket(path, cookie=cookie)
    connected, _code = await socket.connect()
    if not connected:
        return REFUSED, ""
    seen = []
    state = OPEN
    while not await socket.receive_nothing(timeout=0.5):
        message = await socket.receive_output()
        if message["type"] == "websocket.close":
            state = REFUSED
            break
        seen.append(message.get("text") or "")
    if state == OPEN:
        await socket.disconnect()
    return state, json.dumps(seen)


def _world_and_cookies():
    world = build_world()
    world.paths = {
        "ws/chat/<int:conversation_id>/": f"/ws/chat/{world.ids['chat_conversation_id']}/",
        "ws/chat/console/": "/ws/chat/console/",
        "ws/samtalerom/<int:session_id>/": f"/ws/samtalerom/{world.ids['session_id']}/",
    }
    world.cookies = {
        role: session_cookie_for(world.users[role]) for role in ROLES if role != "anonymous"
    }
    return world


def _leaked(role: str, state: str, seen: str) -> list[str]:
    if role == "owner" or (state == OPEN and role in ("supervisor", "coordinator")):
        return []
    return [name for name, secret in SECRETS.items() if secret in seen]


@pytest.mark.django_db(transaction=True)
def test_who_may_open_the_victims_sockets():
    """Every route × role in one test (one world: the consumers need committed rows)."""
    world = _world_and_cookies()
    wrong, leaks = {}, []
    for route, row in WS_TABLE.items():
        for role, expected in row.items():
            if (route, role) in WS_KNOWN_BUGS:
                continue
            state, seen = async_to_sync(_try)(world.paths[route], world.cookies.get(role))
            if state != expected:
                wrong[(route, role)] = f"{state}, expected {expected}"
            if _leaked(role, state, seen):
                leaks.append((route, role, _leaked(role, state, seen)))
    assert not wrong
    assert not leaks
