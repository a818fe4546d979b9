"""Two real daphne processes on one Redis and one database: a member on one, the supervisor
on the other, talking through real WebSocket clients (a small RFC 6455 client over TCP). Then the
member's process is killed and restarted mid-conversation, and nothing the server
acknowledged is lost.

Needs REDIS_URL (the channel layer between processes); CI's second pass sets it. The
database is this test's own (PostgreSQL, or a SQLite file), committed by a transactional
test so the daphne processes see it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from chat import services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL"),
]

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = str(Path(sys.executable).parent / "daphne")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(db.get("USER") or "postgres")
        password = ":" + quote(db["PASSWORD"]) if db.get("PASSWORD") else ""
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"
    name = str(db["NAME"])
    if "memory" in name or not name:
        pytest.skip("the test database is in memory; set ORDROM_TEST_SQLITE to a file")
    return f"sqlite:///{name}?timeout=20"


class Daphne:
    def __init__(self, env: dict, log: Path):
        self.port = _free_port()
        self.env = env
        self.log = log
        self.process = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [DAPHNE, "-b", "127.0.0.1", "-p", str(self.port), "ordrom.asgi:application"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(self.origin + "/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("daphne did not start:\n" + self.log.read_text()[-3000:])

    def kill(self):
        """SIGKILL: no clean shutdown, as when a process crashes."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


class Client:
    """A small but real RFC 6455 client on asyncio streams: handshake over TCP, masked text
    frames out, frames in (daphne's autobahn cannot serve as the client here: this process
    has already set txaio to Twisted)."""

    def __init__(self, server: Daphne, path: str, cookie: str):
        self.server, self.path, self.cookie = server, path, cookie
        self.frames: asyncio.Queue = asyncio.Queue()
        self.reader = self.writer = self.task = None

    async def connect(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.server.port)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {self.path} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{self.server.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: {self.server.origin}\r\n"
            f"Cookie: {settings.SESSION_COOKIE_NAME}={self.cookie}\r\n\r\n"
        )
        self.writer.write(request.encode())
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 10)
        assert head.startswith(b"HTTP/1.1 101"), head
        accept = base64.b64encode(
            hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()  # noqa: S324
        )
        assert accept in head
        self.task = asyncio.ensure_future(self._read())

    async def _read(self):
        try:
            while True:
                first, second = await self.reader.readexactly(2)
                length = second & 0x7F
                if length == 126:
                    length = struct.unpack(">H", await self.reader.readexactly(2))[0]
                elif length == 127:
                    length = struct.unpack(">Q", await self.reader.readexactly(8))[0]
                payload = await self.reader.readexactly(length)
                opcode = first & 0x0F
                if opcode == 1:
                    self.frames.put_nowait(json.loads(payload.decode()))
                elif opcode == 8:
                    self.frames.put_nowait({"type": "_closed"})
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            self.frames.put_nowait({"type": "_closed"})

    def _frame(self, opcode: int, payload: bytes) -> bytes:
        mask = os.urandom(4)
        head = bytes([0x80 | opcode])
        if len(payload) < 126:
            head += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

    def send(self, frame: dict):
        self.writer.write(self._frame(1, json.dumps(frame).encode()))

    async def until(self, frame_type: str, timeout: float = 10, **match) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            frame = await asyncio.wait_for(self.frames.get(), deadline - time.monotonic())
            if frame.get("type") == frame_type and all(frame.get(k) == v for k, v in match.items()):
                return frame

    async def resume(self, after: int, conversation: int | None = None) -> list[dict]:
        frame = {"type": "resume", "after": after}
        if conversation is not None:
            frame["conversation"] = conversation
        self.send(frame)
        got = {}  # by number, as the pages keep them: a broadcast and a resume may overlap
        while True:
            frame = await asyncio.wait_for(self.frames.get(), 10)
            if frame["type"] == "resumed":
                return [got[seq] for seq in sorted(got)]
            if frame["type"] == "message" and frame["seq"] > after:
                got.setdefault(frame["seq"], frame)

    def close(self):
        if self.writer is not None:
            self.writer.write(self._frame(8, struct.pack(">H", 1000)))


def test_member_and_supervisor_on_two_processes_talk_and_survive_a_crash(
    member, supervisor, session_cookie, tmp_path
):
    conversation = services.conversation_enter_queue(
        member=member, first_line="Hei fra prosess A", now=timezone.now()
    )
    member_cookie, staff_cookie = session_cookie(member), session_cookie(supervisor)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="ordrom.settings",
        DATABASE_URL=_database_url(),
        ALLOWED_HOSTS="127.0.0.1",
        ORDROM_CHANNEL_PREFIX=f"ordrom-2p-{secrets.token_hex(4)}",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DJANGO_ENV", None)
    a = Daphne(env, tmp_path / "a.log")
    b = Daphne(env, tmp_path / "b.log")
    member_path = f"/ws/chat/{conversation.pk}/"

    async def scenario():
        visitor = Client(a, member_path, member_cookie)
        console = Client(b, "/ws/chat/console/", staff_cookie)
        await visitor.connect()
        await console.connect()
        assert (await visitor.until("state"))["state"] == "waiting"

        console.send({"type": "take_next"})
        assert (await console.until("conversation"))["id"] == conversation.pk
        await visitor.until("state", state="active")

        # Member on A → supervisor on B, and back.
        visitor.send({"type": "message", "text": "Hei fra A", "client_id": "m1"})
        assert (await visitor.until("ack"))["seq"] == 1
        assert (await console.until("message", seq=1))["text"] == "Hei fra A"
        console.send({"type": "message", "conversation": conversation.pk, "text": "Hei fra B"})
        assert (await visitor.until("message", seq=2))["text"] == "Hei fra B"
        console.send({"type": "typing", "conversation": conversation.pk})
        assert (await visitor.until("typing"))["sender"] == "supervisor"

        # A crashes; the supervisor writes meanwhile (stored and acknowledged by B).
        a.kill()
        console.send({"type": "message", "conversation": conversation.pk, "text": "Er du der?"})
        await console.until("ack", seq=3)
        a.start()
        visitor = Client(a, member_path, member_cookie)
        await visitor.connect()
        assert [f["text"] for f in await visitor.resume(2)] == ["Er du der?"]

        # The member's message is acknowledged, then A is killed at once.
        visitor.send({"type": "message", "text": "Ja, her", "client_id": "m4"})
        await visitor.until("ack", seq=4, client_id="m4")
        a.kill()
        a.start()
        seen_by_staff = await console.resume(3, conversation=conversation.pk)
        assert [f["text"] for f in seen_by_staff] == ["Ja, her"]
        visitor = Client(a, member_path, member_cookie)
        await visitor.connect()
        history = await visitor.resume(0)
        assert [f["seq"] for f in history] == [1, 2, 3, 4]
        assert [f["text"] for f in history] == ["Hei fra A", "Hei fra B", "Er du der?", "Ja, her"]
        visitor.close()
        console.close()
        await asyncio.sleep(0.2)

    try:
        a.start()
        b.start()
        asyncio.run(scenario())
    finally:
        a.kill()
        b.kill()
