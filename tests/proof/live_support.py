"""Real processes for the fault and load suites: a private redis-server, daphne on a database
of its own, a TCP proxy that can cut PostgreSQL, and a small HTTP client for many at once.

Nothing here uses pytest-django's test database: each server gets a copy of one database
migrated once per test session (a SQLite file copied, or a PostgreSQL database cloned with
CREATE DATABASE … TEMPLATE on the server DATABASE_URL names), and the tests seed and read it
through `manage.py shell`, as an operator would. The shared Redis and PostgreSQL are never
stopped: a test that stops Redis starts its own redis-server; a test that "restarts"
PostgreSQL cuts the proxy in front of it.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from pg_admin import maintenance_connect

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _base_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))
    }
    env.pop("DJANGO_ENV", None)
    env.update(DJANGO_SETTINGS_MODULE="ordrom.settings", PYTHONUNBUFFERED="1")
    return env


def is_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


# --- A private Redis -----------------------------------------------------------------------


class RedisServer:
    """redis-server on a free port, in memory only, that a test may stop and start again."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--protected-mode",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock,
            ):
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        """SIGKILL, as when the Redis host goes away."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


# --- A database per server, migrated once per session --------------------------------------


_template: dict[str, str] = {}
_cleanups: list = []


def _drop_postgres(url: str, name: str) -> None:
    from psycopg import sql

    with contextlib.suppress(Exception), maintenance_connect(url) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))


@atexit.register
def _clean_up() -> None:
    while _cleanups:
        _cleanups.pop()()


def _migrated_template() -> str:
    """A migrated database to copy from: a SQLite path, or a PostgreSQL database name."""
    if "name" in _template:
        return _template["name"]
    env = _base_env()
    if is_postgres():
        from psycopg import sql

        url = os.environ["DATABASE_URL"]
        name = f"ordrom_proof_tmpl_{os.getpid()}_{secrets.token_hex(3)}"
        with maintenance_connect(url) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        _cleanups.append(lambda: _drop_postgres(url, name))
        env["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path="/" + name))
    else:
        directory = Path(tempfile.mkdtemp(prefix="ordrom-proof-"))
        _cleanups.append(lambda: shutil.rmtree(directory, ignore_errors=True))
        name = str(directory / "template.sqlite3")
        env["DATABASE_URL"] = f"sqlite:///{name}"
    env.pop("REDIS_URL", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    if not is_postgres():
        # One file: the copies must not need the template's write-ahead log.
        import sqlite3

        with contextlib.closing(sqlite3.connect(name)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
    _template["name"] = name
    return name


def fresh_database(directory: Path) -> tuple[str, str]:
    """(DATABASE_URL for the server, the same for a direct PostgreSQL connection)."""
    template = _migrated_template()
    if not is_postgres():
        path = directory / f"ordrom-{secrets.token_hex(3)}.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}", ""
    from psycopg import sql

    url = os.environ["DATABASE_URL"]
    name = f"ordrom_proof_{os.getpid()}_{secrets.token_hex(3)}"
    with maintenance_connect(url) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    _cleanups.append(lambda: _drop_postgres(url, name))
    database_url = urlunsplit(urlsplit(url)._replace(path="/" + name))
    return database_url, database_url


# --- The site -------------------------------------------------------------------------------


@dataclass
class Daphne:
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Ordrom:
    """Ordrom served by one or more daphne processes on a database of its own."""

    directory: Path
    redis_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    database_url: str = ""
    # How `shell` reaches the database when the servers go through a proxy.
    direct_database_url: str = ""
    servers: list[Daphne] = field(default_factory=list)

    def __post_init__(self):
        if not self.database_url:
            self.database_url, _direct = fresh_database(self.directory)

    @property
    def env(self) -> dict[str, str]:
        env = _base_env()
        env.update(
            DATABASE_URL=self.database_url,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            ORDROM_CACHE_PREFIX=f"ordrom-proof-{id(self)}",
            ORDROM_CHANNEL_PREFIX=f"ordrom-proof-{id(self)}",
            ORDROM_MEDIA_ROOT=str(self.directory / "media"),
        )
        env.pop("REDIS_URL", None)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.extra_env)
        return env

    def shell(self, code: str) -> object:
        """Run Python in `manage.py shell` against this site's database; the code sets
        ``result``, which comes back through JSON."""
        script = code + "\nimport json as _json\nprint('@@RESULT@@' + _json.dumps(result))\n"
        env = self.env
        if self.direct_database_url:
            env["DATABASE_URL"] = self.direct_database_url
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "shell", "--no-startup", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
        line = next(x for x in done.stdout.splitlines() if x.startswith("@@RESULT@@"))
        return json.loads(line[len("@@RESULT@@") :])

    def start(self, count: int = 1, *, wait_healthy: bool = True) -> list[Daphne]:
        for _ in range(count):
            log = self.directory / f"daphne-{len(self.servers)}.log"
            server = Daphne(port=free_port(), log=log)
            self.servers.append(server)
            self._spawn(server)
        for server in self.servers[-count:]:
            self._wait(server, healthy=wait_healthy)
        return self.servers[-count:]

    def _spawn(self, server: Daphne) -> None:
        with server.log.open("a") as log:
            server.process = subprocess.Popen(  # noqa: S603
                [
                    str(BIN / "daphne"),
                    "--access-log",
                    "/dev/null",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(server.port),
                    "ordrom.asgi:application",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait(self, server: Daphne, *, healthy: bool) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise AssertionError("daphne exited:\n" + server.log.read_text()[-3000:])
            try:
                with urllib.request.urlopen(server.origin + "/healthz", timeout=3) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except urllib.error.HTTPError:
                if not healthy:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("daphne did not start:\n" + server.log.read_text()[-3000:])

    def kill(self, server: Daphne) -> None:
        """SIGKILL: no clean shutdown, as when a process crashes."""
        if server.process and server.process.poll() is None:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)

    def restart(self, server: Daphne) -> None:
        self.kill(server)
        self._spawn(server)
        self._wait(server, healthy=True)

    def stop(self) -> None:
        for server in self.servers:
            if server.process and server.process.poll() is None:
                os.killpg(server.process.pid, signal.SIGTERM)
                try:
                    server.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.kill(server)

    def logs(self) -> str:
        return "\n".join(
            s.log.read_text(errors="replace")[-4000:] for s in self.servers if s.log.exists()
        )


SEED_MEMBERS = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from ordrom.roles import Role

User = get_user_model()
password = make_password(None)  # unusable: these members only arrive with a session
users = User.objects.bulk_create(
    [User(username=f"{stem}{i:04d}", password=password) for i in range(count)]
)
users = list(User.objects.filter(username__startswith=stem).order_by("username"))
group = Group.objects.get(name=Role.MEMBER)
User.groups.through.objects.bulk_create(
    [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users]
)
result = []
for user in users:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    result.append([user.pk, session.session_key])
"""


def seed_members(site: Ordrom, count: int, stem: str) -> list[tuple[int, str]]:
    """*count* signed-in members: [(user id, session key)]."""
    return [tuple(x) for x in site.shell(f"count = {count}\nstem = {stem!r}\n" + SEED_MEMBERS)]


# --- A small HTTP client, many at once -------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, list[str]]
    body: str

    def header(self, name: str) -> str:
        return (self.headers.get(name.lower()) or [""])[0]


class Browser:
    """One person's HTTP client on raw asyncio streams: a cookie jar, forms with their CSRF
    token, one connection per request (HTTP/1.1, Connection: close)."""

    def __init__(self, origin: str, cookies: dict[str, str] | None = None):
        self.origin = origin
        parts = urlsplit(origin)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = dict(cookies or {})

    async def request(
        self, method: str, path: str, data: dict | None = None, timeout: float = 60
    ) -> Answer:
        body = urlencode(data or {}, doseq=True).encode() if method == "POST" else b""
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: close",
            "Accept-Language: nb",
        ]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            head += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
                f"Origin: {self.origin}",
                f"Referer: {self.origin}{path}",
            ]
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), timeout
        )
        try:
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            raw = await asyncio.wait_for(reader.read(), timeout)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        header_bytes, _sep, content = raw.partition(b"\r\n\r\n")
        if not header_bytes:
            raise ConnectionError("empty answer")
        lines = header_bytes.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            name, _colon, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        if "chunked" in ",".join(headers.get("transfer-encoding", [])):
            content = _unchunk(content)
        for cookie in headers.get("set-cookie", []):
            name, _eq, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "max-age=0" in cookie.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Answer(status, headers, content.decode("utf-8", "replace"))

    async def get(self, path: str, **kwargs) -> Answer:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, data: dict, **kwargs) -> Answer:
        return await self.request("POST", path, data, **kwargs)


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _sep, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2 :]
    return out


def form_fields(page: str, action: str | None = None, *, having: str = "") -> dict[str, str]:
    """The hidden and text inputs of the (first) form on *page* posting to *action*, or
    having a field named *having*: what a browser would send back."""
    forms = re.findall(r"<form\b([^>]*)>(.*?)</form>", page, re.S)
    for attrs, inner in forms:
        if action is not None and f'action="{action}"' not in attrs:
            continue
        if having and f'name="{having}"' not in inner:
            continue
        fields = {}
        for tag in re.findall(r"<input\b[^>]*>", inner):
            name = re.search(r'name="([^"]*)"', tag)
            if not name:
                continue
            value = re.search(r'value="([^"]*)"', tag)
            kind = re.search(r'type="([^"]*)"', tag)
            if kind and kind.group(1) in ("checkbox", "radio", "submit"):
                continue
            fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
        textareas = re.findall(r'<textarea\b[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>', inner, re.S)
        for name, text in textareas:
            fields[html.unescape(name)] = html.unescape(text.removeprefix("\n"))
        return fields
    raise AssertionError(f"no form posting to {action!r} on the page")


# --- A TCP proxy that can cut PostgreSQL ------------------------------------------------------


class CuttableProxy:
    """127.0.0.1:port → upstream, in a thread. ``cut()`` drops every connection and refuses
    new ones (as a restarting server does); ``restore()`` lets them through again.
    ``cut_on(marker, after_forwarding=...)`` cuts the first connection whose client sends
    *marker*: before forwarding it (the statement never runs) or just after (the server ran
    it, the client never hears the answer). The line must not use TLS (sslmode=disable)."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.down = False
        self.trigger: tuple[bytes, bool] | None = None
        self.triggered = threading.Event()
        self.connections: set[asyncio.StreamWriter] = set()
        self.thread = threading.Thread(target=self._run, daemon=True)
        started = threading.Event()
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(started), self.loop)
        started.wait(10)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    async def _listen(self, started):
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        started.set()

    async def _serve(self, client_reader, client_writer):
        if self.down:
            client_writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.close()
            return
        self.connections |= {client_writer, up_writer}
        held = []  # once cut after forwarding: the server's answer never reaches the client
        armed = []  # this connection has sent the trigger's arming statement

        async def pump(reader, writer, watch: bool):
            try:
                while data := await reader.read(65536):
                    if held and not watch:
                        continue
                    trigger = self.trigger if watch else None
                    if trigger and trigger[2] and trigger[2] in data:
                        armed.append(True)
                        data_after = data.split(trigger[2], 1)[1]
                    else:
                        data_after = data
                    if trigger and (armed or not trigger[2]) and trigger[0] in data_after:
                        self.trigger = None
                        if trigger[1]:
                            held.append(True)
                            writer.write(data)
                            await writer.drain()
                            await asyncio.sleep(0.3)  # the server has run it
                        self._drop(client_writer, up_writer)
                        self.triggered.set()
                        return
                    writer.write(data)
                    await writer.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                self._drop(client_writer, up_writer)

        await asyncio.gather(
            pump(client_reader, up_writer, True), pump(up_reader, client_writer, False)
        )

    def _drop(self, *writers):
        for writer in writers:
            self.connections.discard(writer)
            with contextlib.suppress(Exception):
                writer.transport.abort()

    def _call(self, fn):
        async def run():
            fn()

        asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    def cut(self):
        def go():
            self.down = True
            self._drop(*list(self.connections))

        self._call(go)

    def restore(self):
        def go():
            self.down = False

        self._call(go)

    def cut_on(self, marker: bytes, *, after_forwarding: bool, armed_by: bytes | None = None):
        """Cut at the first *marker* a client sends (after *armed_by*, when given, on the
        same connection: "the COMMIT that follows the INSERT of a letter")."""
        self.triggered.clear()

        def go():
            self.trigger = (marker, after_forwarding, armed_by)

        self._call(go)

    def close(self):
        self._call(lambda: (self.server.close(), self._drop(*list(self.connections))))
        self.loop.call_soon_threadsafe(self.loop.stop)


# --- A small RFC 6455 client (as in tests/chat/test_chat_two_processes.py) --------------------


class Socket:
    """A real WebSocket client on asyncio streams: handshake over TCP, masked text frames out,
    JSON frames in. ``connect()`` returns False when the handshake is refused or the server
    closes the line before it answers."""

    def __init__(self, origin: str, path: str, session_key: str):
        self.origin, self.path, self.session_key = origin, path, session_key
        parts = urlsplit(origin)
        self.host, self.port = parts.hostname, parts.port
        self.frames: asyncio.Queue = asyncio.Queue()
        self.reader = self.writer = self.task = None
        self.closed_code: int | None = None

    async def connect(self) -> bool:
        import base64
        import hashlib

        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {self.origin}\r\nCookie: sessionid={self.session_key}\r\n\r\n"
            ).encode()
        )
        try:
            head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 10)
        except (asyncio.IncompleteReadError, ConnectionError):
            return False
        if not head.startswith(b"HTTP/1.1 101"):
            return False
        accept = base64.b64encode(
            hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()  # noqa: S324
        )
        assert accept in head
        self.task = asyncio.ensure_future(self._read())
        return True

    async def _read(self):
        import struct

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
                    self.closed_code = struct.unpack(">H", payload[:2])[0] if payload else 1005
                    self.frames.put_nowait({"type": "_closed", "code": self.closed_code})
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            self.frames.put_nowait({"type": "_closed", "code": 1006})

    def send(self, frame: dict) -> None:
        import struct

        payload = json.dumps(frame).encode()
        mask = os.urandom(4)
        head = bytes([0x81])
        if len(payload) < 126:
            head += bytes([0x80 | len(payload)])
        else:
            head += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        self.writer.write(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    async def until(self, frame_type: str, timeout: float = 15, **match) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            frame = await asyncio.wait_for(self.frames.get(), deadline - time.monotonic())
            if frame.get("type") == frame_type and all(frame.get(k) == v for k, v in match.items()):
                return frame
            if frame.get("type") == "_closed":
                raise ConnectionError(f"closed ({frame['code']}) while waiting for {frame_type}")

    async def resume(self, after: int, conversation: int | None = None) -> list[dict]:
        """What the server has after *after*, by number, as the pages keep them."""
        frame = {"type": "resume", "after": after}
        if conversation is not None:
            frame["conversation"] = conversation
        self.send(frame)
        got: dict[int, dict] = {}
        while True:
            frame = await asyncio.wait_for(self.frames.get(), 15)
            if frame["type"] == "resumed":
                return [got[seq] for seq in sorted(got)]
            if frame["type"] == "_closed":
                raise ConnectionError("closed during resume")
            if frame["type"] == "message" and frame["seq"] > after:
                got.setdefault(frame["seq"], frame)

    def close(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.transport.abort()
