"""Telling an open room that something changed, after the service stored it.

Used by the staff workspace (HTTP) and the consumer alike; a room nobody is connected to
simply drops the event, which is fine: everything is stored first and clients resume by seq.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from chat.groups.models import GroupMessage, GroupSession


def group_name(session_id: int) -> str:
    return f"samtalerom.{int(session_id)}"


def _send(session_id: int, event: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group_name(session_id), event)


def message(msg: GroupMessage) -> None:
    author = f"p{msg.participant_id}" if msg.participant_id else "staff"
    _send(msg.session_id, {"type": "room.message", "message": msg.as_frame() | {"from": author}})


def participant_changed(*, session_id: int, participant_id: int) -> None:
    _send(session_id, {"type": "room.participant", "participant_id": participant_id})


def closed(session: GroupSession) -> None:
    _send(session.pk, {"type": "room.closed"})
