"""The chat load client of `make bench` (run by bench.py's chat_bench in its own process).

Reads a plan (JSON on stdin): host, port, origin, conversations [{id, member_cookie,
staff_cookie}], seconds, mean_interval, idle [cookie, ...]. Opens a member socket and a
console socket per conversation (real RFC 6455 clients over TCP), then for *seconds* each
side sends a message at exponentially spread intervals (mean *mean_interval*). A message's
round trip is from the sender's write to the other side's receipt. Then it opens the idle
sockets and keeps them open for a moment while bench.py reads the server's memory.

Prints JSON: sent, acknowledged, received, lost, p50_ms, p99_ms, connect_errors, idle_open.
"""

from __future__ import annotations

import asyncio
import base64
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
        self.writer.write(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def close(self):
        if self.writer:
            self.writer.close()


async def main(plan: dict) -> dict:
    host, port, origin = plan["host"], plan["port"], plan["origin"]
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    acked = 0
    connect_errors = 0

    def receiver(side):
        def on_frame(frame):
            nonlocal acked
            if frame.get("type") == "ack":
                acked += 1
            elif frame.get("type") == "message" and frame.get("sender") not in (side, "system"):
                token = frame["text"]
                if token in sent_at:
                    latencies.append((time.perf_counter() - sent_at.pop(token)) * 1000)

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

    async def open_one(sock):
        nonlocal connect_errors
        async with semaphore:
            try:
                await sock.open()
            except (TimeoutError, OSError, ConnectionError):
                connect_errors += 1

    await asyncio.gather(*(open_one(s) for _id, m, st in pairs for s in (m, st)))
    await asyncio.sleep(3)  # let the consoles' first queue reads settle

    deadline = time.perf_counter() + plan["seconds"]
    counter = 0

    async def talk(conversation_id, sock, side):
        nonlocal counter
        while True:
            await asyncio.sleep(random.expovariate(1 / plan["mean_interval"]))
            if time.perf_counter() > deadline:
                return
            counter += 1
            token = f"{side}-{conversation_id}-{counter}"
            sent_at[token] = time.perf_counter()
            frame = {"type": "message", "text": token}
            if side == "supervisor":
                frame["conversation"] = conversation_id
            sock.send(frame)

    await asyncio.gather(
        *(talk(cid, m, "member") for cid, m, _st in pairs),
        *(talk(cid, st, "supervisor") for cid, _m, st in pairs),
    )
    await asyncio.sleep(10)  # the last messages arrive (a loaded machine is slow)
    sent = counter
    lost = len(sent_at)
    for _cid, m, st in pairs:
        m.close()
        st.close()
    await asyncio.sleep(5)  # the server lets go of the talk phase's sockets
    # bench.py reads the server's memory now, before the idle sockets open.
    print(json.dumps({"talk_done": True}), file=sys.stderr, flush=True)
    await asyncio.sleep(1)

    idle = [
        Socket(host, port, origin, path, cookie, lambda f: None) for path, cookie in plan["idle"]
    ]
    await asyncio.gather(*(open_one(s) for s in idle))
    idle_open = sum(1 for s in idle if s.ok)
    print(json.dumps({"idle_ready": idle_open}), file=sys.stderr, flush=True)
    await asyncio.sleep(plan.get("idle_hold_seconds", 8))
    for s in idle:
        s.close()

    ordered = sorted(latencies)
    return {
        "sent": sent,
        "acknowledged": acked,
        "received": len(latencies),
        "lost": lost,
        "p50_ms": statistics.median(ordered) if ordered else None,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] if len(ordered) >= 100 else None,
        "connect_errors": connect_errors,
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
