"""The socket base (chat.sockets): origin, auth, frame rules, limits, logout closing sockets.

A small echo socket is mounted behind the same origin check and auth stack as the site's
ASGI application, so the rules are tested on their own; the chat consumers get their own
tests in test_chat_consumers.py.
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from chat_support import communicator, run
from django.urls import path

from chat import sockets
from chat.sockets import OrdromSocket, Refused, Text
from ordrom.asgi import SiteOriginValidator, is_site_origin

pytestmark = pytest.mark.django_db(transaction=True)


class EchoSocket(OrdromSocket):
    counted_types = {"say"}
    schemas = {"say": {"text": Text()}, "boom": {}, "deny": {}}

    async def handle_say(self, frame):
        await self.send_json({"type": "said", "text": frame["text"]})

    async def handle_boom(self, frame):
        raise RuntimeError("handler bug")

    async def handle_deny(self, frame):
        raise Refused()


APP = SiteOriginValidator(AuthMiddlewareStack(URLRouter([path("ws/echo/", EchoSocket.as_asgi())])))


def echo(cookie=None, **kwargs):
    return communicator("/ws/echo/", cookie=cookie, application=APP, **kwargs)


def test_signed_in_member_with_site_origin_can_talk(member, session_cookie):
    cookie = session_cookie(member)

    async def scenario():
        ws = echo(cookie)
        connected, _ = await ws.connect()
        assert connected
        await ws.send_json_to({"type": "say", "text": "hei"})
        assert await ws.receive_json_from() == {"type": "said", "text": "hei"}
        await ws.send_json_to({"type": "ping"})
        assert await ws.receive_json_from() == {"type": "pong"}
        await ws.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "origin",
    [
        None,
        b"null",
        b"http://evil.example",
        b"http://testserver.evil.example",
        b"https://testserver:8443",
        b"ws://testserver",
        b"file://",
    ],
)
def test_foreign_null_or_missing_origin_is_refused(member, session_cookie, origin):
    cookie = session_cookie(member)

    async def scenario():
        ws = echo(cookie, origin=origin)
        connected, _ = await ws.connect()
        assert not connected
        await ws.disconnect()

    run(scenario)


def test_origin_rules():
    def scope(origin, host=b"testserver"):
        headers = [(b"host", host)]
        if origin is not None:
            headers.append((b"origin", origin))
        return {"type": "websocket", "headers": headers}

    assert is_site_origin(scope(b"http://testserver"))
    assert is_site_origin(scope(b"http://localhost:8000", b"localhost:8000"))
    assert not is_site_origin(scope(b"http://localhost:9000", b"localhost:8000"))
    assert not is_site_origin(scope(b"http://attacker.test", b"attacker.test"))
    assert not is_site_origin(scope(b"null"))
    assert not is_site_origin(scope(None))


def test_anonymous_socket_is_refused():
    async def scenario():
        ws = echo(None)
        connected, _ = await ws.connect()
        assert not connected
        await ws.disconnect()

    run(scenario)


def test_bad_frames_get_clear_errors_and_the_socket_survives(member, session_cookie):
    cookie = session_cookie(member)

    async def scenario():
        ws = echo(cookie)
        await ws.connect()
        cases = [
            ("not json{", "bad_json"),
            ("[1, 2]", "bad_frame"),
            ('"text"', "bad_frame"),
            (json.dumps({"type": "shout", "text": "x"}), "unknown_type"),
            (json.dumps({"type": "say"}), "bad_frame"),
            (json.dumps({"type": "say", "text": 5}), "bad_frame"),
            (json.dumps({"type": "say", "text": "x", "extra": 1}), "bad_frame"),
            (json.dumps({"type": "say", "text": "x" * 4001}), "too_long"),
            # A lone surrogate is valid JSON but no character: refused, not a server error.
            ('{"type": "say", "text": "a\\ud800b"}', "bad_text"),
            ("[" * 5000 + "]" * 5000, "bad_json"),
            (json.dumps({"type": "boom"}), "server_error"),
            (json.dumps({"type": "deny"}), "forbidden"),
        ]
        for text, code in cases:
            await ws.send_to(text_data=text)
            reply = await ws.receive_json_from()
            assert reply["type"] == "error"
            assert reply["code"] == code, text[:40]
            assert reply["message"]
        await ws.send_json_to({"type": "say", "text": "x" * 4000})
        assert (await ws.receive_json_from())["type"] == "said"
        await ws.disconnect()

    run(scenario)


def test_frame_over_64_kb_closes_the_socket(member, session_cookie):
    cookie = session_cookie(member)

    async def scenario():
        ws = echo(cookie)
        await ws.connect()
        await ws.send_to(text_data=json.dumps({"type": "say", "text": "x" * (65 * 1024)}))
        reply = await ws.receive_json_from()
        assert reply["code"] == "too_large"
        closed = await ws.receive_output()
        assert closed["type"] == "websocket.close"
        await ws.disconnect()

    run(scenario)


def test_binary_frame_is_refused(member, session_cookie):
    cookie = session_cookie(member)

    async def scenario():
        ws = echo(cookie)
        await ws.connect()
        await ws.send_to(bytes_data=b"\x00\x01")
        assert (await ws.receive_json_from())["code"] == "bad_frame"
        await ws.disconnect()

    run(scenario)


def test_more_than_30_messages_a_minute_are_refused(member, session_cookie):
    cookie = session_cookie(member)

    async def scenario():
        ws = echo(cookie)
        await ws.connect()
        for number in range(sockets.MAX_MESSAGES_PER_MINUTE):
            await ws.send_json_to({"type": "say", "text": str(number)})
            assert (await ws.receive_json_from())["type"] == "said"
        await ws.send_json_to({"type": "say", "text": "one too many"})
        reply = await ws.receive_json_from()
        assert reply == {
            "type": "error",
            "code": "rate_limited",
            "message": str(sockets.ERROR_RATE_LIMITED),
        }
        await ws.send_json_to({"type": "ping"})  # the connection still answers
        assert (await ws.receive_json_from()) == {"type": "pong"}
        await ws.disconnect()

    run(scenario)


def test_sixth_socket_of_a_session_is_closed(member, session_cookie):
    cookie = session_cookie(member)

    async def scenario():
        open_ones = []
        for _ in range(sockets.MAX_SOCKETS_PER_SESSION):
            ws = echo(cookie)
            assert (await ws.connect())[0]
            open_ones.append(ws)
        sixth = echo(cookie)
        await sixth.connect()
        reply = await sixth.receive_json_from()
        assert reply["code"] == "too_many_sockets"
        assert (await sixth.receive_output())["type"] == "websocket.close"
        await sixth.disconnect()
        # Closing one frees its place.
        await open_ones.pop().disconnect()
        again = echo(cookie)
        await again.connect()
        await again.send_json_to({"type": "ping"})
        assert (await again.receive_json_from()) == {"type": "pong"}
        await again.disconnect()
        for ws in open_ones:
            await ws.disconnect()

    run(scenario)


def test_an_open_socket_keeps_its_place_when_its_slot_lookup_was_slow(
    member, session_cookie, monkeypatch
):
    # On a loaded Redis the first socket's slot lookup can take longer than the next five
    # sockets' together. The socket the member already sees open must keep its place; the
    # one opened last is refused.
    cookie = session_cookie(member)
    slow_first = threading.Event()
    real_acquire = sockets.slot_acquire

    def acquire(**kwargs):
        if not slow_first.is_set():
            slow_first.set()
            time.sleep(0.5)
        return real_acquire(**kwargs)

    monkeypatch.setattr(sockets, "slot_acquire", acquire)

    async def scenario():
        first = echo(cookie)
        assert (await first.connect())[0]
        others = []
        for _ in range(sockets.MAX_SOCKETS_PER_SESSION - 1):
            ws = echo(cookie)
            assert (await ws.connect())[0]
            others.append(ws)
        last = echo(cookie)
        await last.connect()
        assert (await last.receive_json_from())["code"] == "too_many_sockets"
        await last.disconnect()
        await first.send_json_to({"type": "ping"})
        assert (await first.receive_json_from()) == {"type": "pong"}
        for ws in [first, *others]:
            await ws.disconnect()

    run(scenario)


def test_logging_out_closes_that_sessions_sockets(member, client_for):
    from django.conf import settings

    client = client_for(member)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    other_device = client_for(member).cookies[settings.SESSION_COOKIE_NAME].value

    async def scenario():
        ws = echo(cookie)
        other = echo(other_device)
        await ws.connect()
        await other.connect()
        await database_sync_to_async(client.post)("/accounts/logout/")
        reply = await ws.receive_json_from(timeout=1)
        assert reply["code"] == "signed_out"
        assert (await ws.receive_output(timeout=1))["type"] == "websocket.close"
        # The other device's session stays signed in.
        await other.send_json_to({"type": "ping"})
        assert (await other.receive_json_from()) == {"type": "pong"}
        await ws.disconnect()
        await other.disconnect()

    run(scenario)


def test_deleting_the_account_closes_all_its_sockets(member, session_cookie):
    cookie = session_cookie(member)

    async def scenario():
        ws = echo(cookie)
        await ws.connect()
        await database_sync_to_async(member.delete)()
        assert (await ws.receive_json_from(timeout=1))["code"] == "signed_out"
        assert (await ws.receive_output(timeout=1))["type"] == "websocket.close"
        await ws.disconnect()

    run(scenario)
