"""The chat load client of `make bench` (run by bench.py's chat_bench in its own process).

Reads a plan (JSON on stdin): host, port, origin, conversations [{id, member_cookie,
staff_cookie}], seconds, mean_interval, idle [cookie, ...]. Opens a member socket and a
console socket per conversation (real RFC 6455 clients over TCP), then for *seconds* each
side sends a message at exponentially spread intervals (mean *mean_interval*). A message's
round trip is from the sender's write to the other side's receipt. Then it opens the idle
sockets and keeps them open for a moment while bench.py reads the server's memory.

Also measured, to tell the server's time from this client's: the server's "created" stamp
of each message splits the round trip into sender → server handler and handler → receipt
(same machine, same clock), the sender's wait for its ack, and this client's own event-loop
lag. Phases (talk_started, talk_ended, talk_done, idle_ready) go to stderr as JSON lines, so
bench.py reads the server's CPU time and memory at each.

Prints JSON: sent, acknowledged, received, lost, p50/p99 of each figure, connect errors (and
their reasons), idle_open.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import datetime as dt
import json
import os
import random
import statistics
import struct
import sys
import time


class Socket:
    def __init__(self, host, port, origin, path, cookie, on_frame):
        self.host, self.port, self.origin, self.path, self.cookie = host, port, origin, path, cookie
        self.on_frame = on_frame
        self.writer = None
        self.ok = False

    async def open(self):
        reader, self.writer = await asyncio.open_connection(self.host, self.port)
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {self.origin}\r\nCookie: {self.cookie}\r\n\r\n"
            ).encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 180)
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(head[:40])
        self.ok = True
        asyncio.ensure_future(self._read(reader))

    async def _read(self, reader):
        try:
            while True:
                first, second = await reader.readexactly(2)
                length = second & 0x7F
                if length == 126:
                    length = struct.unpack(">H", await reader.readexactly(2))[0]
                elif length == 127:
                    length = struct.unpack(">Q", await reader.readexactly(8))[0]
                payload = await reader.readexactly(length)
                if first & 0x0F == 1:
                    self.on_frame(json.loads(payload))
                elif first & 0x0F == 9:  # daphne pings every 20 s and closes unanswered sockets
                    self._write(0x8A, payload)
                elif first & 0x0F == 8:
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return

    def send(self, frame: dict):
        self._write(0x81, json.dumps(frame).encode())

    def _write(self, first: int, payload: bytes):
        mask = os.urandom(4)
        head = bytes([first])
        if len(payload) < 126:
            head += bytes([0x80 | len(payload)])
        else:
            head += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        length = len(payload)
        key = int.from_bytes((mask * (length // 4 + 1))[:length], "big")
        masked = (int.from_bytes(payload, "big") ^ key).to_bytes(length, "big")
        self.writer.write(head + mask + masked)

    def close(self):
        if self.writer:
            self.writer.close()


def _percentiles(values: list[float]) -> tuple[float | None, float | None]:
    ordered = sorted(values)
    if not ordered:
        return None, None
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] if len(ordered) >= 100 else None
    return statistics.median(ordered), p99


def _phase(name: str, **extra) -> None:
    """Tell bench.py (which reads the server's memory and CPU at each phase)."""
    print(json.dumps({"phase": name, "at": time.time(), **extra}), file=sys.stderr, flush=True)


async def main(plan: dict) -> dict:
    host, port, origin = plan["host"], plan["port"], plan["origin"]
    sent_at: dict[str, tuple[float, float]] = {}  # token: (perf_counter, wall clock) at send
    ack_wait: dict[tuple[int, str], float] = {}  # (conversation, client_id): perf_counter
    latencies: list[float] = []
    inbound: list[float] = []  # sender's write → the server's handler (its "created" stamp)
    outbound: list[float] = []  # the server's handler → the other side's receipt
    acks: list[float] = []
    lags: list[float] = []
    acked = 0
    connect_errors = 0

    def receiver(side):
        def on_frame(frame):
            nonlocal acked
            kind = frame.get("type")
            if kind == "ack":
                acked += 1
                started = ack_wait.pop((frame.get("conversation"), frame.get("client_id")), None)
                if started is not None:
                    acks.append((time.perf_counter() - started) * 1000)
            elif kind == "message" and frame.get("sender") not in (side, "system"):
                token = frame["text"]
                if token in sent_at:
                    now, wall = time.perf_counter(), time.time()
                    started, started_wall = sent_at.pop(token)
                    latencies.append((now - started) * 1000)
                    created = dt.datetime.fromisoformat(frame["created"]).timestamp()
                    inbound.append((created - started_wall) * 1000)
                    outbound.append((wall - created) * 1000)

        return on_frame

    pairs = []
    for conversation in plan["conversations"]:
        member = Socket(
            host,
            port,
            origin,
            f"/ws/chat/{conversation['id']}/",
            conversation["member_cookie"],
            receiver("member"),
        )
        staff = Socket(
            host,
            port,
            origin,
            "/ws/chat/console/",
            conversation["staff_cookie"],
            receiver("supervisor"),
        )
        pairs.append((conversation["id"], member, staff))

    semaphore = asyncio.Semaphore(20)
    reasons: collections.Counter[str] = collections.Counter()

    retried = 0

    async def open_one(sock):
        nonlocal connect_errors, retried
        async with semaphore:
            for attempt in range(3):
                try:
                    await sock.open()
                    return
                except ConnectionResetError:
                    # A connection reset during the handshake (a full listen queue on a
                    # loaded machine): the page's script reconnects after a pause; so do we.
                    if attempt == 2:
                        break
                    retried += 1
                    await asyncio.sleep(1 + attempt)
                except (TimeoutError, OSError, ConnectionError) as error:
                    connect_errors += 1
                    reasons[f"{type(error).__name__} {error}"[:80]] += 1
                    return
            connect_errors += 1
            reasons["ConnectionResetError, three times"] += 1

    connect_started = time.perf_counter()
    await asyncio.gather(*(open_one(s) for _id, m, st in pairs for s in (m, st)))
    connect_seconds = time.perf_counter() - connect_started
    talk_connect_errors = connect_errors
    # Only conversations with both sides connected talk (a message to a side that never
    # connected could not arrive and would count as lost).
    pairs = [(cid, m, st) for cid, m, st in pairs if m.ok and st.ok]
    await asyncio.sleep(3)  # let the consoles' first queue reads settle

    deadline = time.perf_counter() + plan["seconds"]
    counter = 0

    async def talk(conversation_id, sock, side):
        nonlocal counter
        while True:
            pause = random.expovariate(1 / plan["mean_interval"])
            left = deadline - time.perf_counter()
            if pause >= left:  # the talk phase ends at its deadline, not after a long sleep
                return
            await asyncio.sleep(pause)
            if not sock.ok:
                return
            counter += 1
            token = f"{side}-{conversation_id}-{counter}"
            client_id = f"c{counter}"
            frame = {"type": "message", "text": token, "client_id": client_id}
            if side == "supervisor":
                frame["conversation"] = conversation_id
            sent_at[token] = (time.perf_counter(), time.time())
            ack_wait[(conversation_id, client_id)] = sent_at[token][0]
            sock.send(frame)

    async def watch_lag():
        """How late this client's own event loop wakes up: its share of any delay."""
        while time.perf_counter() < deadline:
            before = time.perf_counter()
            await asyncio.sleep(0.05)
            lags.append((time.perf_counter() - before - 0.05) * 1000)

    _phase("talk_started")
    await asyncio.gather(
        watch_lag(),
        *(talk(cid, m, "member") for cid, m, _st in pairs),
        *(talk(cid, st, "supervisor") for cid, _m, st in pairs),
    )
    _phase("talk_ended")
    sent = counter
    # The last messages arrive (a loaded machine is slow): wait until none is missing, at
    # most 30 s.
    settle = time.perf_counter() + 30
    while sent_at and time.perf_counter() < settle:
        await asyncio.sleep(0.2)
    lost = len(sent_at)
    for _cid, m, st in pairs:
        m.close()
        st.close()
    await asyncio.sleep(5)  # the server lets go of the talk phase's sockets
    # bench.py reads the server's memory now, before the idle sockets open.
    _phase("talk_done")
    await asyncio.sleep(1)

    idle = [
        Socket(host, port, origin, path, cookie, lambda f: None) for path, cookie in plan["idle"]
    ]
    await asyncio.gather(*(open_one(s) for s in idle))
    idle_open = sum(1 for s in idle if s.ok)
    idle_connect_errors = connect_errors - talk_connect_errors
    await asyncio.sleep(2)  # their first frames are answered
    _phase("idle_ready", idle=idle_open)
    await asyncio.sleep(plan.get("idle_hold_seconds", 5))
    for s in idle:
        s.close()

    p50, p99 = _percentiles(latencies)
    in50, in99 = _percentiles(inbound)
    out50, out99 = _percentiles(outbound)
    ack50, ack99 = _percentiles(acks)
    lag50, lag99 = _percentiles(lags)
    return {
        "sent": sent,
        "sent_per_second": sent / plan["seconds"],
        "acknowledged": acked,
        "received": len(latencies),
        "lost": lost,
        "p50_ms": p50,
        "p99_ms": p99,
        "in_p50_ms": in50,
        "in_p99_ms": in99,
        "out_p50_ms": out50,
        "out_p99_ms": out99,
        "ack_p50_ms": ack50,
        "ack_p99_ms": ack99,
        "lag_p50_ms": lag50,
        "lag_p99_ms": lag99,
        "connect_errors": talk_connect_errors,
        "talking": len(pairs),
        "connect_seconds": connect_seconds,
        "idle_connect_errors": idle_connect_errors,
        "connect_error_reasons": dict(reasons.most_common(5)),
        "connect_retries": retried,
        "idle_open": idle_open,
    }


def raise_file_limit() -> None:
    """Thousands of sockets need as many file descriptors: lift the soft limit to the hard."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


if __name__ == "__main__":
    raise_file_limit()
    print(json.dumps(asyncio.run(main(json.loads(sys.stdin.read())))))
