"""The chat's WebSocket edges: the member's socket and the supervisors' console socket.

Both stay thin (parse, check, call a service through ``database_sync_to_async``, group-send)
and both follow "store, then broadcast": a message is acknowledged to its sender only after
it is stored with its sequence number, and a client that missed a broadcast asks for
``{"type": "resume", "after": <last seq it has>}``.

Protocol (JSON frames; see chat/sockets.py for errors, limits and ping):

Member → server (``ws/chat/<conversation id>/``)
    resume {after}, message {text, client_id?}, typing {}, delivered {seq},
    end {}, crisis_contact {text}
Server → member
    state {state, position, wait_minutes, supervisor, ended_by}, message {...},
    ack {client_id, seq}, typing {sender}, delivered {seqs}, resumed {last}

Supervisor → server (``ws/chat/console/``)
    take_next {}, message {conversation, text, client_id?}, typing {conversation},
    delivered {conversation, seq}, resume {conversation, after}, urgent {conversation},
    end {conversation, next_step?, numbers_given?, note?}, transfer {conversation, to},
    presence {online}, close_panel {conversation}, referral {conversation, service}
Server → console
    hello {me, capacity}, queue {waiting, online}, conversation {...}, message {...},
    ack {conversation, client_id, seq}, typing {conversation, sender},
    delivered {conversation, seqs}, resumed {conversation, last}, taken {conversation}
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync
from channels.db import DatabaseSyncToAsync, database_sync_to_async
from django.db import close_old_connections, connections
from django.utils import timezone

from chat import selectors, services
from chat.conf import app_settings
from chat.models import Conversation, Message
from chat.sockets import Bool, Int, OrdromSocket, Refused, Str, Text

Sender = Message.Sender
STAFF_GROUP = "chat.staff"
WAITING_GROUP = "chat.waiting"


def conversation_group(conversation_id: int) -> str:
    return f"chat.conv.{int(conversation_id)}"


def _now() -> dt.datetime:
    return timezone.now()


# A pool thread's connection that finished a call without an error within this many seconds
# is not health-checked again before the next call (see _PoolDatabaseSyncToAsync).
TRUST_CONNECTION_SECONDS = 2.0


class _PoolDatabaseSyncToAsync(DatabaseSyncToAsync):
    """Channels' database_sync_to_async, without a ``SELECT 1`` before every call.

    With CONN_HEALTH_CHECKS Django checks a persistent connection with a round trip at the
    start of each "request", and for Channels every database_sync_to_async call is one: at
    100 messages a second that was a ``SELECT 1`` for each message. Here a connection that
    came back healthy from a call less than TRUST_CONNECTION_SECONDS ago counts as checked;
    one idle for longer is checked as before, and one that raised a database error is still
    tested and replaced by close_old_connections (Channels' clean-up, before and after)."""

    def thread_handler(self, loop, *args, **kwargs):
        close_old_connections()
        now = time.monotonic()
        for conn in connections.all(initialized_only=True):
            if conn.connection is not None and getattr(conn, "_ordrom_healthy_until", 0) > now:
                conn.health_check_done = True
        try:
            return SyncToAsync.thread_handler(self, loop, *args, **kwargs)
        finally:
            close_old_connections()
            until = time.monotonic() + TRUST_CONNECTION_SECONDS
            for conn in connections.all(initialized_only=True):
                conn._ordrom_healthy_until = until if conn.connection is not None else 0


_pool: ThreadPoolExecutor | None = None


def _chat_pool() -> ThreadPoolExecutor:
    """The chat's own threads for database work (CHAT_DB_THREADS, made on first use).

    Python's default pool has cpu + 4 threads (6 here), and a message's database call is
    mostly waiting for PostgreSQL's commit: on a busy server six threads capped the process
    at a little over 100 messages a second, the benchmark's load, and messages queued for a
    thread. Each thread keeps its own connection (CONN_MAX_AGE)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(
            max_workers=app_settings.DB_THREADS, thread_name_prefix="chat-db"
        )
    return _pool


def close_chat_pool() -> None:
    """Let the chat's database threads finish and drop their connections (tests: before the
    test database is dropped). The pool is made again on the next call."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        for _ in range(app_settings.DB_THREADS):
            pool.submit(connections.close_all)
        pool.shutdown(wait=True)


def _in_pool(function):
    """Run database work in the chat's thread pool instead of Channels' one database thread.

    ``database_sync_to_async`` is thread-sensitive: under daphne every socket's queries
    queue on one thread, one at a time, and at 500 conversations (about 100 messages a
    second) messages waited seconds for their turn. In the pool each thread keeps its own
    connection (CONN_MAX_AGE) and one socket's query overlaps another's. Each call is
    self-contained (its own transaction), so nothing needs the shared thread."""
    return _PoolDatabaseSyncToAsync(function, thread_sensitive=False, executor=_LazyPool())


class _LazyPool:
    """The chat's pool as asgiref sees it: looked up at each call, so close_chat_pool() can
    replace it."""

    def submit(self, *args, **kwargs):
        return _chat_pool().submit(*args, **kwargs)


@_in_pool
def _call(function, **kwargs):
    try:
        return function(**kwargs)
    except services.ChatError as error:
        raise Refused(error.messages[0], code=error.code or "refused") from None
    except Conversation.DoesNotExist:
        raise Refused() from None


async def broadcast_change(socket: OrdromSocket, conversation) -> None:
    """After an end or a handover: its system message (stored), then the new state."""
    group = conversation_group(conversation.pk)
    if getattr(conversation, "last_message", None) is not None:
        await socket.group_send(
            group, "chat.message", {"frame": conversation.last_message.as_frame()}
        )
    await socket.group_send(group, "chat.state", {"conversation": conversation.pk})
    await socket.group_send(STAFF_GROUP, "chat.queue")
    await socket.group_send(WAITING_GROUP, "chat.queue")


class ChatSocket(OrdromSocket):
    """What both sides share: messages, typing, delivered and resume on a conversation."""

    side: str = ""
    counted_types = {"message"}
    REFRESH_DELAY = 0.3

    def refresh_soon(self, name: str, refresh) -> None:
        """Coalesce a burst of "the queue changed" events into one read per socket: with
        hundreds of sockets, one query each per event would grow with the square."""
        scheduled = self.__dict__.setdefault("_scheduled", set())
        if name in scheduled:
            return
        scheduled.add(name)

        async def later():
            await asyncio.sleep(self.REFRESH_DELAY)
            scheduled.discard(name)
            if self._open:
                with contextlib.suppress(Exception):
                    await refresh()

        asyncio.ensure_future(later())

    async def send_missed(self, conversation_id: int, after: int) -> None:
        missed = await _call(
            services.messages_after, conversation_id=conversation_id, after_seq=after
        )
        last = after
        for message in missed:
            await self.send_json(message.as_frame())
            last = message.seq
        await self.send_json({"type": "resumed", "conversation": conversation_id, "last": last})

    async def store_and_broadcast(self, conversation_id: int, frame: dict) -> None:
        sent = await _call(
            services.message_send,
            conversation_id=conversation_id,
            sender=self.side,
            author=self.user,
            text=frame["text"],
            now=_now(),
            crisis_words=self.crisis_words,
            client_id=frame.get("client_id", ""),
        )
        # A resend of a stored message (its ack was lost) is answered with the same ack and
        # broadcast again with the same seq (clients drop a seq they already show); nothing
        # is stored twice.
        # Stored: acknowledge, then broadcast (the other side resumes if the layer drops it).
        await self.send_json(
            {
                "type": "ack",
                "conversation": conversation_id,
                "client_id": frame.get("client_id", ""),
                "seq": sent.message.seq,
            }
        )
        await self.group_send(
            conversation_group(conversation_id), "chat.message", {"frame": sent.message.as_frame()}
        )
        if sent.became_urgent:
            await self.group_send(STAFF_GROUP, "chat.queue")
            await self.group_send(
                conversation_group(conversation_id), "chat.state", {"conversation": conversation_id}
            )

    async def mark_delivered(self, conversation_id: int, seq: int) -> None:
        seqs = await _call(
            services.messages_mark_delivered,
            conversation_id=conversation_id,
            reader_side=self.side,
            up_to_seq=seq,
            now=_now(),
        )
        if seqs:
            await self.group_send(
                conversation_group(conversation_id),
                "chat.delivered",
                {"conversation": conversation_id, "seqs": seqs, "reader": self.side},
            )

    # Channel-layer events ----------------------------------------------------------------
    async def chat_message(self, event):
        await self.send_json(event["frame"])

    async def chat_typing(self, event):
        if event["sender"] != self.side:
            await self.send_json(
                {"type": "typing", "conversation": event["conversation"], "sender": event["sender"]}
            )

    async def chat_delivered(self, event):
        if event["reader"] != self.side:
            await self.send_json(
                {"type": "delivered", "conversation": event["conversation"], "seqs": event["seqs"]}
            )


class MemberSocket(ChatSocket):
    side = Sender.MEMBER
    state = ""
    schemas = {
        "resume": {"after": Int()},
        "message": {"text": Text(), "client_id": Str(max_length=64, required=False)},
        "typing": {},
        "delivered": {"seq": Int()},
        "end": {},
        "crisis_contact": {"text": Text(max_length=300)},
    }

    async def authorize(self) -> bool:
        self.conversation_id = int(self.scope["url_route"]["kwargs"]["conversation_id"])
        return await _in_pool(selectors.member_owns)(
            member=self.user, conversation_id=self.conversation_id
        )

    async def on_open(self):
        await self.join(conversation_group(self.conversation_id))
        # One trip to the chat's database threads for everything the socket needs to start.
        self.crisis_words, state = await _in_pool(selectors.member_socket_open)(
            conversation_id=self.conversation_id, now=_now()
        )
        await self.send_state(state)
        if self.state == Conversation.State.WAITING:  # the console shows who is here
            await self.group_send(STAFF_GROUP, "chat.queue")

    async def on_ping(self):
        await _call(services.conversation_member_back, conversation_id=self.conversation_id)

    async def on_close(self, code):
        await _call(
            services.conversation_member_away, conversation_id=self.conversation_id, now=_now()
        )
        if self.state == Conversation.State.WAITING:
            await self.group_send(STAFF_GROUP, "chat.queue")

    async def send_state(self, state: dict | None = None):
        if state is None:
            state = await _in_pool(selectors.member_state)(
                conversation_id=self.conversation_id, now=_now()
            )
        self.state = state["state"]
        # Only waiting pages follow the queue (their position moves).
        if state["state"] == Conversation.State.WAITING:
            await self.join(WAITING_GROUP)
        else:
            await self.leave(WAITING_GROUP)
        await self.send_json({"type": "state", **state})

    # Frames ------------------------------------------------------------------------
    async def handle_resume(self, frame):
        await self.send_missed(self.conversation_id, frame["after"])

    async def handle_message(self, frame):
        await self.store_and_broadcast(self.conversation_id, frame)

    async def handle_typing(self, frame):
        await self.group_send(
            conversation_group(self.conversation_id),
            "chat.typing",
            {"conversation": self.conversation_id, "sender": self.side},
        )

    async def handle_delivered(self, frame):
        await self.mark_delivered(self.conversation_id, frame["seq"])

    async def handle_end(self, frame):
        conversation = await _call(
            services.conversation_end,
            conversation_id=self.conversation_id,
            by=self.user,
            side=self.side,
            now=_now(),
        )
        await self.after_end(conversation)

    async def after_end(self, conversation):
        await broadcast_change(self, conversation)

    async def handle_crisis_contact(self, frame):
        await _call(
            services.crisis_contact_set,
            conversation_id=self.conversation_id,
            member=self.user,
            contact=frame["text"],
        )
        await self.send_json({"type": "crisis_contact_saved"})
        await self.group_send(
            conversation_group(self.conversation_id),
            "chat.state",
            {"conversation": self.conversation_id},
        )
        await self.group_send(STAFF_GROUP, "chat.queue")

    # Events --------------------------------------------------------------------------
    async def chat_state(self, event):
        await self.send_state()

    async def chat_queue(self, event):
        self.refresh_soon("state", self.send_state)

    async def chat_assigned(self, event):
        pass


class ConsoleSocket(ChatSocket):
    side = Sender.SUPERVISOR
    schemas = {
        "take_next": {},
        "message": {
            "conversation": Int(),
            "text": Text(),
            "client_id": Str(max_length=64, required=False),
        },
        "typing": {"conversation": Int()},
        "delivered": {"conversation": Int(), "seq": Int()},
        "resume": {"conversation": Int(), "after": Int()},
        "urgent": {"conversation": Int()},
        "end": {
            "conversation": Int(),
            "next_step": Bool(required=False),
            "numbers_given": Bool(required=False),
            "note": Text(max_length=2000, required=False),
        },
        "transfer": {"conversation": Int(), "to": Int()},
        "presence": {"online": Bool()},
        "close_panel": {"conversation": Int()},
        "referral": {"conversation": Int(), "service": Int()},
    }
    taking = True

    async def authorize(self) -> bool:
        return await _in_pool(services.can_use_console)(self.user)

    async def on_open(self):
        await self.join(STAFF_GROUP)
        # One trip to the chat's database threads for everything the console needs to start.
        opened = await _in_pool(selectors.console_socket_open)(supervisor=self.user, now=_now())
        self.crisis_words = opened["crisis_words"]
        await self.send_json({"type": "hello", "me": self.user.pk, "capacity": opened["capacity"]})
        for summary in opened["conversations"]:
            await self.join(conversation_group(summary["id"]))
            await self.send_json({"type": "conversation", **summary})
        await self.send_json({"type": "queue", **opened["queue"]})

    # A console opening or closing is not broadcast to every other console (with many
    # consoles that grows with the square); each console refreshes its own list of who is
    # online with every ping instead.
    async def on_ping(self):
        await _call(services.presence_set, user=self.user, online=self.taking, now=_now())
        self.refresh_soon("queue", self.send_queue)

    async def on_close(self, code):
        await _call(services.presence_set, user=self.user, online=False, now=_now())

    async def send_queue(self):
        queue = await database_sync_to_async(selectors.console_queue)(now=_now())
        await self.send_json({"type": "queue", **queue})

    async def _mine(self, conversation_id: int) -> None:
        """Only the supervisor holding a conversation may act on it."""
        holds = await _in_pool(selectors.supervisor_holds)(
            supervisor=self.user, conversation_id=conversation_id
        )
        if not holds:
            raise Refused()

    async def send_conversation(self, conversation_id: int) -> None:
        summary = await database_sync_to_async(selectors.console_summary)(
            conversation_id=conversation_id, now=_now()
        )
        await self.send_json({"type": "conversation", **summary})

    # Frames ------------------------------------------------------------------------
    async def handle_take_next(self, frame):
        conversation = await _call(
            services.conversation_take_next, supervisor=self.user, now=_now()
        )
        if conversation is None:
            await self.send_json({"type": "queue_empty"})
            return
        await _call(
            services.conversation_read_by_staff,
            conversation=conversation,
            staff=self.user,
            now=_now(),
        )
        await self.join(conversation_group(conversation.pk))
        await self.send_conversation(conversation.pk)
        await self.group_send(
            conversation_group(conversation.pk), "chat.state", {"conversation": conversation.pk}
        )
        await self.group_send(STAFF_GROUP, "chat.queue")
        await self.group_send(WAITING_GROUP, "chat.queue")

    async def handle_message(self, frame):
        # message_send checks that this supervisor holds the conversation (in the same
        # statement that stores the message), so no separate _mine() trip here. A refusal
        # reads as _mine()'s did: the same for someone else's chat and for a made-up id.
        try:
            await self.store_and_broadcast(frame["conversation"], frame)
        except Refused as refused:
            if refused.code == "forbidden":
                raise Refused() from None
            raise

    async def handle_typing(self, frame):
        await self._mine(frame["conversation"])
        await self.group_send(
            conversation_group(frame["conversation"]),
            "chat.typing",
            {"conversation": frame["conversation"], "sender": self.side},
        )

    async def handle_delivered(self, frame):
        await self._mine(frame["conversation"])
        await self.mark_delivered(frame["conversation"], frame["seq"])

    async def handle_resume(self, frame):
        await self._mine(frame["conversation"])
        await self.send_missed(frame["conversation"], frame["after"])

    async def handle_urgent(self, frame):
        await _call(
            services.conversation_mark_urgent, conversation_id=frame["conversation"], by=self.user
        )
        await self.send_conversation(frame["conversation"])
        await self.group_send(STAFF_GROUP, "chat.queue")

    async def handle_end(self, frame):
        conversation_id = frame["conversation"]
        conversation = await _call(
            services.conversation_end,
            conversation_id=conversation_id,
            by=self.user,
            side=self.side,
            now=_now(),
            next_step=frame.get("next_step", False),
            numbers_given=frame.get("numbers_given", False),
            note=frame.get("note", ""),
        )
        await broadcast_change(self, conversation)

    async def handle_transfer(self, frame):
        conversation_id = frame["conversation"]
        target = await database_sync_to_async(selectors.staff_user)(user_id=frame["to"])
        if target is None:
            raise Refused(services.ERROR_NOT_ONLINE, code="not_online")
        conversation = await _call(
            services.conversation_transfer,
            conversation_id=conversation_id,
            by=self.user,
            to=target,
            now=_now(),
        )
        await self.leave(conversation_group(conversation_id))
        await self.send_json({"type": "transferred", "conversation": conversation_id})
        await broadcast_change(self, conversation)
        await self.group_send(
            STAFF_GROUP, "chat.assigned", {"conversation": conversation_id, "to": target.pk}
        )

    async def handle_presence(self, frame):
        self.taking = frame["online"]
        await _call(services.presence_set, user=self.user, online=frame["online"], now=_now())
        await self.group_send(STAFF_GROUP, "chat.queue")

    async def handle_referral(self, frame):
        """A help service as a short text message (inserted as text like any other)."""
        await self._mine(frame["conversation"])
        text = await database_sync_to_async(selectors.referral_text)(
            service_id=frame["service"], now=_now()
        )
        if not text:
            raise Refused()
        await self.store_and_broadcast(frame["conversation"], {"text": text})

    async def handle_close_panel(self, frame):
        await self.leave(conversation_group(frame["conversation"]))

    # Events --------------------------------------------------------------------------
    async def chat_queue(self, event):
        self.refresh_soon("queue", self.send_queue)

    async def chat_state(self, event):
        await self.send_conversation(event["conversation"])

    async def chat_assigned(self, event):
        if event["to"] == self.user.pk:
            conversation = await database_sync_to_async(Conversation.objects.get)(
                pk=event["conversation"]
            )
            await _call(
                services.conversation_read_by_staff,
                conversation=conversation,
                staff=self.user,
                now=_now(),
            )
            await self.join(conversation_group(event["conversation"]))
            await self.send_conversation(event["conversation"])
