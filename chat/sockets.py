"""The one WebSocket base every Ordrom socket builds on (one-to-one chat and Samtalerom).

Why a base: the reliability rules of issue #8 hold for every socket, so they live in one place
and a consumer only writes its own handlers.

What the base guarantees
------------------------
* **Origin.** Checked before any consumer runs, by :class:`ordrom.asgi.SiteOriginValidator`
  (a missing, ``null`` or foreign ``Origin`` is refused with a rejected handshake).
* **Logged-in session.** An anonymous scope (or one without a session) is refused before
  ``accept`` (the handshake fails with HTTP 403).
* **At most ``MAX_SOCKETS_PER_SESSION`` (5) sockets per session.** Counted in the cache (Redis in
  production, shared by all daphne processes), not in the channel layer: each socket holds
  one of five slot keys taken with the atomic ``cache.add`` before the handshake completes
  (an open socket has its slot, so the socket refused is the one opened last); the key lives
  ``SLOT_TTL_SECONDS`` and is refreshed by the socket's frames, at most every
  ``SLOT_REFRESH_SECONDS`` (clients send ``{"type": "ping"}`` every 30 s), so a socket lost
  when a process is killed frees its slot by itself. The sixth
  socket is accepted, gets ``{"type": "error", "code": "too_many_sockets"}`` and is closed
  with code 4429.
* **Frames.** Binary frames and text frames over ``MAX_FRAME_BYTES`` (64 KB) get an error
  frame and the socket is closed (code 1009). Every other bad frame gets an error frame
  ``{"type": "error", "code": ..., "message": ...}`` and the socket stays open: ``bad_json``,
  ``bad_frame`` (not an object, unknown or missing field, wrong type), ``bad_text`` (text
  with a lone surrogate, which no database can store), ``unknown_type``,
  ``too_long`` (a text field over its ``max_length``; chat text is capped at
  ``MAX_TEXT_LENGTH``, 4 000 characters), ``rate_limited`` (more than
  ``MAX_MESSAGES_PER_MINUTE``, 30, frames of a counted type in a minute on this connection;
  ``MAX_FRAMES_PER_MINUTE`` for all frames), ``forbidden`` (raise :class:`Refused` from a
  handler), ``server_error`` (a handler crashed: logged, the socket survives). Nothing that
  fails validation reaches a handler, so it never reaches the other side.
* **Logout and account deletion close the sockets** within a second: every socket joins the
  per-user group :func:`user_group`; ``user_logged_out`` closes that session's sockets and
  deleting the user closes all of theirs (signals connected in ``chat.apps``), code 4401.

API for a subclass
------------------
::

    class RoomSocket(OrdromSocket):
        counted_types = {"post"}                       # rate-limited types (30/min)
        schemas = {
            "post": {"text": Text(max_length=MAX_TEXT_LENGTH), "client_id": Str(required=False)},
            "typing": {},
        }

        async def authorize(self) -> bool:             # after auth, before accept
            self.room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
            return await may_join(self.user, self.room_id)   # False → handshake refused

        async def on_open(self):                       # after accept
            await self.join(f"room.{self.room_id}")    # group names from ids only

        async def handle_post(self, frame: dict):      # one method per frame type
            ...
            await self.group_send(f"room.{self.room_id}", "room.post", {"post": data})

        async def room_post(self, event):              # channel-layer event handler
            await self.send_json({"type": "post", **event["post"]})

        async def on_close(self, code):                # optional clean-up
            ...

``self.user`` is the signed-in user, ``self.session_key`` the session key. ``send_error(code,
message)`` sends an error frame. ``raise Refused(message)`` in a handler answers with a
``forbidden`` error frame. The base answers ``{"type": "ping"}`` with ``{"type": "pong"}``
and then calls ``on_ping()`` (presence).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

MAX_SOCKETS_PER_SESSION = 5
SLOT_TTL_SECONDS = 120
# A slot key is refreshed by a frame only when this long has passed since its last refresh:
# two Redis round trips per chat message were wasted on a key that lives 120 s.
SLOT_REFRESH_SECONDS = 60
MAX_FRAME_BYTES = 64 * 1024
MAX_TEXT_LENGTH = 4000
MAX_MESSAGES_PER_MINUTE = 30
MAX_FRAMES_PER_MINUTE = 120

CLOSE_UNAUTHORISED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY = 4429
CLOSE_TOO_BIG = 1009

ERROR_BAD_JSON = _("The message could not be read.")
ERROR_BAD_FRAME = _("The message does not have the expected form.")
ERROR_UNKNOWN_TYPE = _("Unknown kind of message.")
ERROR_BAD_TEXT = _(
    "The message contains a broken character and was not sent. Remove it and try again."
)
ERROR_TOO_LONG = _("The message is too long (at most %(limit)s characters).")
ERROR_TOO_LARGE = _("The message is too large.")
ERROR_RATE_LIMITED = _("You are sending messages too quickly. Wait a moment and try again.")
ERROR_TOO_MANY_SOCKETS = _(
    "The chat is open in too many tabs or windows. Close one of them and try again."
)
ERROR_FORBIDDEN = _("You cannot do that here.")
ERROR_SERVER = _("Something went wrong. Try again.")
ERROR_SIGNED_OUT = _("You have been signed out.")


class Refused(Exception):
    """Raise in a handler to answer with a ``forbidden`` error frame (the socket stays open)."""

    def __init__(self, message=None, code: str = "forbidden"):
        super().__init__(str(message or ERROR_FORBIDDEN))
        self.message = message or ERROR_FORBIDDEN
        self.code = code


# --- Frame schema ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...] = str
    required: bool = True
    max_length: int | None = None

    def check(self, value) -> str | None:
        """Return an error code, or None when the value is acceptable."""
        if self.kind is int and isinstance(value, bool):
            return "bad_frame"
        if not isinstance(value, self.kind):
            return "bad_frame"
        if self.max_length is not None and isinstance(value, str) and len(value) > self.max_length:
            return "too_long"
        if isinstance(value, str) and not _is_unicode_text(value):
            return "bad_text"
        return None


def _is_unicode_text(value: str) -> bool:
    """JSON may carry a lone surrogate ("\\ud800"), which is no character: it cannot be
    stored (UTF-8 has no encoding for it), so such text is refused before it reaches a
    service."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def Text(*, max_length: int = MAX_TEXT_LENGTH, required: bool = True) -> Field:  # noqa: N802
    return Field(str, required=required, max_length=max_length)


def Str(*, max_length: int = 200, required: bool = True) -> Field:  # noqa: N802
    return Field(str, required=required, max_length=max_length)


def Int(*, required: bool = True) -> Field:  # noqa: N802
    return Field(int, required=required)


def Bool(*, required: bool = True) -> Field:  # noqa: N802
    return Field(bool, required=required)


def validate_frame(frame: Any, schemas: dict[str, dict[str, Field]]) -> tuple[str, str] | None:
    """Check a decoded frame against the schemas: (code, field) on error, None when fine."""
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        return ("bad_frame", "type")
    schema = schemas.get(frame["type"])
    if schema is None:
        return ("unknown_type", "type")
    for key in frame:
        if key != "type" and key not in schema:
            return ("bad_frame", key)
    for name, field in schema.items():
        if name not in frame:
            if field.required:
                return ("bad_frame", name)
            continue
        code = field.check(frame[name])
        if code:
            return (code, name)
    return None


# --- Per-user groups and closing on logout ------------------------------------------------------


def user_group(user_id: int) -> str:
    return f"sockets.user.{int(user_id)}"


def session_tag(session_key: str | None) -> str:
    """A hash of the session key: the key itself is a bearer secret and stays out of Redis."""
    if not session_key:
        return ""
    return hashlib.sha256(session_key.encode()).hexdigest()[:24]


def close_user_sockets(*, user_id: int, session_key: str | None = None) -> None:
    """Close the user's sockets (only one session's when a key is given). Sync callers."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            user_group(user_id),
            {"type": "socket.revoke", "session": session_tag(session_key)},
        )
    except Exception:  # a signal handler must never break logout or deletion
        log.exception("could not close the sockets of a user")


def on_user_logged_out(sender, request=None, user=None, **kwargs) -> None:
    # After an account is deleted the view logs the (now unsaved, pk None) user out: its
    # sockets were closed by on_user_deleted already.
    if user is None or request is None or user.pk is None:
        return
    session = getattr(request, "session", None)
    close_user_sockets(user_id=user.pk, session_key=getattr(session, "session_key", None))


def on_user_deleted(sender, instance=None, **kwargs) -> None:
    if instance is not None and instance.pk:
        close_user_sockets(user_id=instance.pk)


# --- Socket slots ------------------------------------------------------------------------------


_shared_cache = None


def socket_cache():
    """One cache object (one Redis connection pool) for all the process's sockets.

    Django keeps a cache object per async context, and a WebSocket consumer never sees the
    ``request_finished`` that closes it: ``django.core.cache.cache`` used from sockets opened a
    Redis connection pool per socket and never closed it (hundreds of Redis connections at
    500 conversations, each socket's first cache call paying a new TCP connection). redis-py's
    pool is thread-safe, so the sockets share this one."""
    global _shared_cache
    if _shared_cache is None:
        _shared_cache = caches.create_connection(DEFAULT_CACHE_ALIAS)
    return _shared_cache


@receiver(setting_changed)
def _forget_shared_cache(*, setting, **kwargs):
    global _shared_cache
    if setting == "CACHES":
        _shared_cache = None


def _slot_key(session_key: str, slot: int) -> str:
    return f"chat:socket:{session_tag(session_key)}:{slot}"


# These touch only the cache, never the database, so the base runs them off the one
# thread that Channels keeps for database work (thread_sensitive=False).


def slot_acquire(*, session_key: str, channel_name: str) -> int | None:
    for slot in range(MAX_SOCKETS_PER_SESSION):
        if socket_cache().add(_slot_key(session_key, slot), channel_name, SLOT_TTL_SECONDS):
            return slot
    return None


def slot_refresh(*, session_key: str, slot: int, channel_name: str) -> None:
    key = _slot_key(session_key, slot)
    if socket_cache().get(key) in (None, channel_name):
        socket_cache().set(key, channel_name, SLOT_TTL_SECONDS)


def slot_release(*, session_key: str, slot: int, channel_name: str) -> None:
    key = _slot_key(session_key, slot)
    if socket_cache().get(key) == channel_name:
        socket_cache().delete(key)


# --- The base consumer ------------------------------------------------------------------------


class OrdromSocket(AsyncJsonWebsocketConsumer):
    schemas: dict[str, dict[str, Field]] = {}
    counted_types: set[str] = set()

    _slot: int | None = None
    _slot_refreshed = 0.0
    _open = False

    # Subclass hooks ------------------------------------------------------------------------
    async def authorize(self) -> bool:
        """May this user open this socket (room membership, role)? Runs before accept."""
        return True

    async def on_open(self) -> None:
        """Runs after accept: join groups, send the initial state."""

    async def on_close(self, code) -> None:
        """Runs when the socket closes (either side)."""

    async def on_ping(self) -> None:
        """Runs on every ``{"type": "ping"}`` (clients send one every 30 s): presence."""

    async def dispatch(self, message):
        """Channels' dispatch without the ``aclose_old_connections()`` it awaits before every
        handler (Channels 4.2+). That call hops to the one thread Channels keeps for
        thread-sensitive work, for each frame and each channel-layer event: three hops per chat
        message, and every socket of the process queued behind whatever that thread was
        doing. Nothing here touches a connection outside ``database_sync_to_async`` (the
        chat's pool included), which closes stale connections before and after each call."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # Helpers ------------------------------------------------------------------------------
    async def join(self, group: str) -> None:
        if group not in self.groups:
            self.groups.append(group)
            await self.channel_layer.group_add(group, self.channel_name)

    async def leave(self, group: str) -> None:
        if group in self.groups:
            self.groups.remove(group)
            await self.channel_layer.group_discard(group, self.channel_name)

    async def group_send(self, group: str, event_type: str, payload: dict | None = None) -> None:
        await self.channel_layer.group_send(group, {"type": event_type, **(payload or {})})

    async def send_error(self, code: str, message) -> None:
        await self.send_json({"type": "error", "code": code, "message": str(message)})

    # Connection life --------------------------------------------------------------------
    async def connect(self):
        self.user = self.scope.get("user")
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        self._sent_times: deque[float] = deque()
        self._frame_times: deque[float] = deque()
        if self.user is None or not self.user.is_authenticated or not self.session_key:
            await self.close(code=CLOSE_UNAUTHORISED)
            return
        try:
            allowed = await self.authorize()
        except Exception:
            log.exception("socket authorisation failed")
            allowed = False
        if not allowed:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        # The slot is taken before the handshake completes, so a client whose socket is open
        # holds its slot: sockets opened one after another are refused in the order they came
        # (accepting first let a slow slot lookup of the fifth lose to the sixth).
        self._slot = await sync_to_async(slot_acquire, thread_sensitive=False)(
            session_key=self.session_key, channel_name=self.channel_name
        )
        self._slot_refreshed = time.monotonic()
        await self.accept()
        if self._slot is None:
            await self.send_error("too_many_sockets", ERROR_TOO_MANY_SOCKETS)
            await self.close(code=CLOSE_TOO_MANY)
            return
        await self.join(user_group(self.user.pk))
        self._open = True
        try:
            await self.on_open()
        except Refused as refused:
            await self.send_error(refused.code, refused.message)
            await self.close(code=CLOSE_FORBIDDEN)
        except Exception:
            log.exception("socket on_open failed")
            await self.send_error("server_error", ERROR_SERVER)

    async def disconnect(self, code):
        was_open, self._open = self._open, False
        if self._slot is not None:
            slot, self._slot = self._slot, None
            try:
                await sync_to_async(slot_release, thread_sensitive=False)(
                    session_key=self.session_key, slot=slot, channel_name=self.channel_name
                )
            except Exception:
                log.exception("could not release a socket slot")
        if was_open:
            try:
                await self.on_close(code)
            except Exception:
                log.exception("socket on_close failed")

    async def socket_revoke(self, event):
        mine = session_tag(self.session_key)
        if not event.get("session") or event["session"] == mine:
            await self.send_error("signed_out", ERROR_SIGNED_OUT)
            await self.close(code=CLOSE_UNAUTHORISED)

    # Frames ---------------------------------------------------------------------------
    def _over_rate(self, times: deque, limit: int) -> bool:
        now = time.monotonic()
        while times and now - times[0] >= 60:
            times.popleft()
        if len(times) >= limit:
            return True
        times.append(now)
        return False

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if not self._open:
            return
        if text_data is None:
            await self.send_error("bad_frame", ERROR_BAD_FRAME)
            await self.close(code=1003)
            return
        if len(text_data) > MAX_FRAME_BYTES or len(text_data.encode("utf-8")) > MAX_FRAME_BYTES:
            await self.send_error("too_large", ERROR_TOO_LARGE)
            await self.close(code=CLOSE_TOO_BIG)
            return
        if self._over_rate(self._frame_times, MAX_FRAMES_PER_MINUTE):
            await self.send_error("rate_limited", ERROR_RATE_LIMITED)
            return
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):
            await self.send_error("bad_json", ERROR_BAD_JSON)
            return
        if isinstance(frame, dict) and frame.get("type") == "ping" and len(frame) == 1:
            await self._refresh_slot()
            await self.send_json({"type": "pong"})
            try:
                await self.on_ping()
            except Exception:
                log.exception("socket on_ping failed")
            return
        problem = validate_frame(frame, self.schemas)
        if problem:
            code, field = problem
            if code == "too_long":
                limit = self.schemas[frame["type"]][field].max_length
                await self.send_error(code, ERROR_TOO_LONG % {"limit": limit})
            elif code == "unknown_type":
                await self.send_error(code, ERROR_UNKNOWN_TYPE)
            elif code == "bad_text":
                await self.send_error(code, ERROR_BAD_TEXT)
            else:
                await self.send_error(code, ERROR_BAD_FRAME)
            return
        counted = frame["type"] in self.counted_types
        if counted and self._over_rate(self._sent_times, MAX_MESSAGES_PER_MINUTE):
            await self.send_error("rate_limited", ERROR_RATE_LIMITED)
            return
        await self._refresh_slot()
        handler = getattr(self, "handle_" + frame["type"], None)
        if handler is None:
            await self.send_error("unknown_type", ERROR_UNKNOWN_TYPE)
            return
        try:
            await handler(frame)
        except Refused as refused:
            await self.send_error(refused.code, refused.message)
        except Exception:
            log.exception("socket handler %s failed", frame["type"])
            await self.send_error("server_error", ERROR_SERVER)

    async def _refresh_slot(self):
        if self._slot is None:
            return
        now = time.monotonic()
        if now - self._slot_refreshed < SLOT_REFRESH_SECONDS:
            return
        self._slot_refreshed = now
        try:
            await sync_to_async(slot_refresh, thread_sensitive=False)(
                session_key=self.session_key, slot=self._slot, channel_name=self.channel_name
            )
        except Exception:
            log.exception("could not refresh a socket slot")
