"""ASGI entry point: HTTP through Django, WebSockets through Channels' URL router.

Each app that serves WebSockets exposes ``websocket_urlpatterns`` in its ``routing``
module; they are listed in ``ordrom.routing``. Every socket passes the origin check below,
then the session/auth middleware; the consumers' common rules live in ``chat.sockets``.
"""

import asyncio
import gc
import os
import weakref
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordrom.settings")
# Django must be set up before anything imports models (the consumers do).
django.setup(set_prefix=False)


class OneHopASGIHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain built as under WSGI: every middleware
    and the view run in one call on the request's thread.

    Built for ASGI, the chain ends in the async ``_get_response_async``; our middleware is
    all synchronous, so each request went from the event loop to its thread, back to the loop
    for the view lookup, to the thread again for the view, and back twice: six hand-overs of
    the GIL, each waiting up to the interpreter's switch interval (5 ms) while other requests
    run (the pages lost a fifth of their throughput to it with four requests at once,
    docs/performance.md). Now one hand-over each way. An async view would still work (Django's
    sync path calls it through async_to_sync); the project has none."""

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


django_asgi_app = OneHopASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import WebsocketDenier  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.signals import request_finished  # noqa: E402
from django.db import connections  # noqa: E402
from django.http.request import split_domain_port, validate_host  # noqa: E402

from ordrom.routing import websocket_urlpatterns  # noqa: E402


def _header(scope, name: bytes) -> str | None:
    values = [value for key, value in scope.get("headers", []) if key == name]
    if len(values) != 1:  # missing, or sent twice to confuse a proxy
        return None
    try:
        return values[0].decode("latin1").strip()
    except UnicodeDecodeError:
        return None


def is_site_origin(scope) -> bool:
    """The socket's Origin is this site: an http(s) origin whose host is an allowed host and
    equals the Host the socket was opened on (same origin), or one of CSRF_TRUSTED_ORIGINS.

    Channels' AllowedHostsOriginValidator would accept any scheme and port of an allowed host;
    a missing or ``null`` Origin (sandboxed frames, file: pages, some extensions) is refused.
    """
    origin = _header(scope, b"origin")
    if not origin or origin.lower() == "null":
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    try:
        parts = urlsplit(origin)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not hostname or parts.path not in ("", "/"):
        return False
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = ["localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(parts.netloc)
    if not domain or not validate_host(domain, allowed):
        return False
    host = _header(scope, b"host")
    return host is not None and host.lower() == parts.netloc.lower()


class SiteOriginValidator:
    """Refuse the WebSocket handshake unless :func:`is_site_origin` holds."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not is_site_origin(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)


def close_request_connections(**kwargs) -> None:
    """Close an HTTP request's database connections when it ends, whatever CONN_MAX_AGE says
    (only when HTTP requests are not pooled, ``ORDROM_HTTP_CONCURRENCY=0``).

    Left to itself, Django under ASGI runs each request in a thread of its own that ends with
    the request, so a connection kept for reuse is never reused: it stayed open until the
    garbage collector found it, and a burst of letters left hundreds of idle PostgreSQL
    connections behind ("too many clients"). Django's docs say as much:
    https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
    """
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


if settings.ORDROM_HTTP_CONCURRENCY <= 0:
    # Pooled, a request's thread and its connections outlive it (PooledHttp).
    request_finished.connect(close_request_connections, sender=OneHopASGIHandler)


class PooledHttp:
    """HTTP requests of this process run on a fixed pool of ``ORDROM_HTTP_CONCURRENCY``
    threads, one request per thread at a time; the others wait their turn in the event loop,
    which costs nothing.

    Left to itself, Django under ASGI starts a new thread for each request (asgiref's
    ThreadSensitiveContext), and each new thread opens its own database connection. That cost
    twice over: 500 people sending a letter at once made one daphne open hundreds of
    PostgreSQL connections and every page answered 503 ("too many clients",
    tests/proof/test_proof_load.py); and every request paid for a new connection, which on
    SQLite also reads the whole schema and prepares every statement again (about 6 ms of a
    page's 17, docs/performance.md). A pool thread keeps its connection for CONN_MAX_AGE
    seconds (health-checked before reuse), so a process holds at most this many connections
    for its pages. ``limit`` 0: Django's own thread per request, closed at its end."""

    def __init__(self, application, limit: int):
        self.application = application
        self.limit = limit
        self._pools: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _pool(self) -> asyncio.Queue:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            pool = self._pools[loop] = asyncio.Queue()
            for number in range(self.limit):
                pool.put_nowait(
                    ThreadPoolExecutor(
                        max_workers=1,
                        thread_name_prefix=f"http-{number}",
                    )
                )
        return pool

    async def __call__(self, scope, receive, send):
        if self.limit <= 0:
            return await self.application(scope, receive, send)
        pool = self._pool()
        executor = await pool.get()
        try:
            # Django's own ThreadSensitiveContext inside finds this one and keeps it.
            async with ThreadSensitiveContext(executor=executor):
                return await self.application(scope, receive, send)
        finally:
            pool.put_nowait(executor)


def tune_gc(thresholds: tuple[int, ...]) -> None:
    """Garbage collection for a long-running server process, once everything is loaded.

    Django, Wagtail and allauth leave about half a million objects behind at start-up that
    live as long as the process; every full collection walked all of them again, and with
    Python's default thresholds (700, 10, 10) a page's tens of thousands of short-lived
    objects set off several young collections and, every few pages, an older one. Frozen, the
    start-up objects are left out of every collection; with a higher first threshold, most of
    a request's objects are freed by reference counting before any collection looks at them.
    Cycles are still collected, just less often (docs/performance.md has the measurements)."""
    if not thresholds or thresholds[0] <= 0:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)


application = ProtocolTypeRouter(
    {
        "http": PooledHttp(django_asgi_app, settings.ORDROM_HTTP_CONCURRENCY),
        "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
tune_gc(settings.ORDROM_GC_THRESHOLDS)
