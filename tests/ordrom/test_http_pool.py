"""HTTP requests run on a fixed pool of threads (ordrom.asgi.PooledHttp): a burst waits its
turn instead of opening a thread and a database connection per request, and each pool
thread keeps its connection from one request to the next."""

from __future__ import annotations

import asyncio
import threading

from asgiref.sync import sync_to_async

from ordrom.asgi import PooledHttp


class _SyncApp:
    """Stands in for Django: each request's work runs thread-sensitively, as Django's
    handler runs middleware and views, and records which thread did it."""

    def __init__(self):
        self.inside = 0
        self.most_inside = 0
        self.threads: list[str] = []
        self._lock = threading.Lock()

    def _work(self):
        with self._lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
            self.threads.append(threading.current_thread().name)
        threading.Event().wait(0.02)
        with self._lock:
            self.inside -= 1

    async def __call__(self, scope, receive, send):
        await sync_to_async(self._work, thread_sensitive=True)()
        await sync_to_async(self._work, thread_sensitive=True)()  # the same thread again
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _request(app) -> int:
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app({"type": "http", "method": "GET", "path": "/"}, receive, send)
    return sent[0]["status"]


def test_a_burst_runs_on_the_pool_and_every_request_is_answered():
    inner = _SyncApp()
    pooled = PooledHttp(inner, limit=2)

    async def burst():
        return await asyncio.gather(*(_request(pooled) for _ in range(12)))

    assert asyncio.run(burst()) == [200] * 12
    assert inner.most_inside <= 2
    assert len(inner.threads) == 24
    # Two threads served all twelve requests: their database connections are reused.
    assert len(set(inner.threads)) == 2
    assert all(name.startswith("http-") for name in inner.threads)


def test_no_pool_is_djangos_thread_per_request():
    inner = _SyncApp()

    async def burst():
        return await asyncio.gather(*(_request(PooledHttp(inner, limit=0)) for _ in range(4)))

    assert asyncio.run(burst()) == [200] * 4
    assert not any(name.startswith("http-") for name in inner.threads)
