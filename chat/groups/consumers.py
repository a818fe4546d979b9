"""The group room's WebSocket (ws/samtalerom/<session_id>/), on the shared socket base.

The base (``chat.sockets``) checks origin, login, socket count, frame schema, size and rate.
Here: only the session's participants (not removed) and its staff may connect; the window
(staff 10 minutes before, participants from the start, nobody after the end or once closed)
is checked on connect and again by the service on every post. Every message is stored with
its sequence number first, then broadcast; a client sends ``resume`` with the last number
it has and gets what it missed, in order.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.groups import broadcast, services
from chat.groups.models import GroupSession, Participant
from chat.sockets import (
    CLOSE_FORBIDDEN,
    Bool,
    Int,
    OrdromSocket,
    Refused,
    Str,
    Text,
)
from ordrom import audit

AUDIT_TARGET = "group_session"
CLOSE_ROOM_CLOSED = 4000
MESSAGE_CLOSED = _("The supervisor has closed the room. Thank you for taking part.")
RESUME_LIMIT = 500


def _refusal(error: Exception) -> Refused:
    if isinstance(error, ValidationError):
        return Refused(" ".join(error.messages), code="invalid")
    return Refused(str(error) if str(error) else None)


class GroupRoomSocket(OrdromSocket):
    counted_types = {"post", "topic"}
    schemas = {
        "post": {"text": Text(max_length=services.MAX_MESSAGE_LENGTH),
                 "client_id": Str(max_length=64, required=False)},
        "resume": {"after": Int()},
        "topic": {"text": Text(max_length=services.MAX_TOPIC_LENGTH)},
        "mute": {"participant": Int(), "muted": Bool()},
        "remove": {"participant": Int()},
        "close": {},
    }

    # --- Joining ---------------------------------------------------------------------------

    async def authorize(self) -> bool:
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        return await self._belongs()

    @database_sync_to_async
    def _belongs(self) -> bool:
        session = GroupSession.objects.select_related("series").filter(pk=self.session_id).first()
        if session is None:
            return False
        self.is_staff = services.is_session_staff(session, self.user)
        if self.is_staff:
            self.participant_id = None
            return True
        place = session.participants.filter(user=self.user, removed_at__isnull=True).first()
        self.participant_id = place.pk if place else None
        return place is not None

    async def on_open(self) -> None:
        hello = await self._enter()
        await self.join(broadcast.group_name(self.session_id))
        await self.send_json(hello)

    @database_sync_to_async
    def _enter(self) -> dict:
        try:
            session = services.room_enter(
                session_id=self.session_id, user=self.user, now=timezone.now()
            )
        except PermissionDenied as error:
            raise Refused(str(error), code="room_not_open") from error
        if self.is_staff:
            # Staff reading a conversation is audited, wherever the socket was opened from.
            audit.record(actor=self.user, action=audit.READ, target_type=AUDIT_TARGET,
                         target_id=session.pk, now=timezone.now())
        muted = False
        if self.participant_id:
            muted = Participant.objects.filter(pk=self.participant_id, muted=True).exists()
        return {
            "type": "hello",
            "staff": self.is_staff,
            "me": f"p{self.participant_id}" if self.participant_id else "staff",
            "muted": muted,
            "topic": session.agreed_topic,
            "ends_at": session.ends_at.isoformat(),
            "last_seq": session.last_seq,
            "participants": self._participants(),
        }

    def _participants(self) -> list[dict]:
        rows = Participant.objects.filter(session_id=self.session_id, removed_at__isnull=True)
        return [
            {"id": p.pk, "name": p.display_name, "region": p.get_region_display(),
             **({"muted": p.muted} if self.is_staff else {})}
            for p in rows
        ]

    # --- Frames ---------------------------------------------------------------------------

    async def handle_post(self, frame: dict) -> None:
        # A resent post (same client_id: its ack was lost with the connection) comes back as the
        # stored post, which is acked and broadcast again: clients drop a sequence number they
        # have, and one whose first broadcast died with a killed process gets it now.
        message = await self._call(
            services.message_post, session_id=self.session_id, by=self.user,
            text=frame["text"], now=timezone.now(), client_id=frame.get("client_id") or "",
        )
        data = message.as_frame() | {"from": self._author_key(message)}
        if "client_id" in frame:
            await self.send_json({"type": "ack", "seq": message.seq,
                                  "client_id": frame["client_id"]})
        await self.group_send(broadcast.group_name(self.session_id), "room.message",
                              {"message": data})

    async def handle_topic(self, frame: dict) -> None:
        message = await self._call(
            services.topic_post, session_id=self.session_id, by=self.user,
            text=frame["text"], now=timezone.now(),
        )
        await self.group_send(broadcast.group_name(self.session_id), "room.message",
                              {"message": message.as_frame() | {"from": "staff"}})

    async def handle_resume(self, frame: dict) -> None:
        messages = await database_sync_to_async(services.messages_after)(
            session_id=self.session_id, after_seq=frame["after"]
        )
        await self.send_json({
            "type": "history",
            "messages": [m.as_frame() | {"from": self._author_key(m)}
                         for m in messages[:RESUME_LIMIT]],
            "more": len(messages) > RESUME_LIMIT,  # the client asks again after the last one
        })

    async def handle_mute(self, frame: dict) -> None:
        await self._call(services.participant_mute, participant_id=frame["participant"],
                         by=self.user, muted=frame["muted"], session_check=True)
        await self.group_send(broadcast.group_name(self.session_id), "room.participant",
                              {"participant_id": frame["participant"]})

    async def handle_remove(self, frame: dict) -> None:
        await self._call(services.participant_remove, participant_id=frame["participant"],
                         by=self.user, now=timezone.now(), session_check=True)
        await self.group_send(broadcast.group_name(self.session_id), "room.participant",
                              {"participant_id": frame["participant"]})

    async def handle_close(self, frame: dict) -> None:
        await self._call(services.room_close, session_id=self.session_id, by=self.user,
                         now=timezone.now())
        await self.group_send(broadcast.group_name(self.session_id), "room.closed")

    @staticmethod
    def _author_key(message) -> str:
        return f"p{message.participant_id}" if message.participant_id else "staff"

    async def _call(self, service, session_check: bool = False, **kwargs):
        return await database_sync_to_async(self._call_sync)(service, session_check, kwargs)

    def _call_sync(self, service, session_check, kwargs):
        if session_check and not Participant.objects.filter(
            pk=kwargs["participant_id"], session_id=self.session_id
        ).exists():
            raise Refused()
        try:
            return service(**kwargs)
        except (PermissionDenied, ValidationError) as error:
            raise _refusal(error) from error
        except (GroupSession.DoesNotExist, Participant.DoesNotExist) as error:
            raise Refused() from error

    # --- Room events -------------------------------------------------------------------------

    async def room_message(self, event: dict) -> None:
        await self.send_json(event["message"])

    async def room_participant(self, event: dict) -> None:
        state = await self._participant_state(event["participant_id"])
        if state is None:
            return
        if state["removed"]:
            await self.send_error("removed", services.ERROR_REMOVED)
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if state["mine"]:
            await self.send_json({"type": "muted", "muted": state["muted"]})
        await self.send_json({"type": "participants", "participants": state["participants"]})

    @database_sync_to_async
    def _participant_state(self, participant_id: int) -> dict | None:
        mine = participant_id == self.participant_id
        place = Participant.objects.filter(pk=participant_id).first() if mine else None
        return {
            "mine": mine,
            "removed": bool(place and place.removed),
            "muted": bool(place and place.muted),
            "participants": self._participants(),
        }

    async def room_closed(self, event: dict) -> None:
        await self.send_json({"type": "closed", "message": str(MESSAGE_CLOSED)})
        await self.close(code=CLOSE_ROOM_CLOSED)
