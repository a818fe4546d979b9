"""ASGI entry point: HTTP through Django, WebSockets through Channels' URL router.

Each app that serves WebSockets exposes ``websocket_urlpatterns`` in its ``routing``
module; they are listed in ``ordrom.routing``. Every socket passes the origin check below,
then the session/auth middleware; the consumers' common rules live in ``chat.sockets``.
"""

import asyncio
import os
import weakref
from urllib.parse import urlsplit

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordrom.settings")
# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import WebsocketDenier  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.handlers.asgi import ASGIHandler  # noqa: E402
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
    """Close an HTTP request's database connections when it ends, whatever CONN_MAX_AGE says.

    Under ASGI Django runs each request in a thread of its own that ends with the request, so
    a connection kept for reuse (CONN_MAX_AGE, meant for the sockets' long-lived pool
    threads) is never reused: it stayed open until the garbage collector found it, and a
    burst of letters left hundreds of idle PostgreSQL connections behind ("too many
    clients"). Django's docs say as much: https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-connections
    """
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


request_finished.connect(close_request_connections, sender=ASGIHandler)


class BoundedHttp:
    """At most ``ORDROM_HTTP_CONCURRENCY`` HTTP requests of this process inside Django at
    once; the others wait their turn in the event loop, which costs nothing.

    Under ASGI, Django runs each request's sync code in a thread of its own, and each such
    thread opens its own database connection: 500 people sending a letter at the same moment
    made one daphne open hundreds of PostgreSQL connections, and the server refused them all
    ("too many clients") — every page answered 503 until the burst was over. Bounded, a burst
    waits a little instead (tests/proof/test_proof_load.py)."""

    def __init__(self, application, limit: int):
        self.application = application
        self.limit = limit
        self._semaphores: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def __call__(self, scope, receive, send):
        if self.limit <= 0:
            return await self.application(scope, receive, send)
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.limit)
        async with semaphore:
            return await self.application(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": BoundedHttp(django_asgi_app, settings.ORDROM_HTTP_CONCURRENCY),
        "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
