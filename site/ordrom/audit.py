"""The audit log: every time staff open a letter or a chat, one row (DESIGN.md, least privilege)."""

from __future__ import annotations

import datetime as dt

from ordrom.models import AuditEntry

READ = "read"


def record(*, actor, action: str, target_type: str, target_id: int, now: dt.datetime) -> None:
    AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username(),
        action=action,
        target_type=target_type,
        target_id=target_id,
        at=now,
    )


def entries_for(*, target_type: str, target_id: int):
    return AuditEntry.objects.filter(target_type=target_type, target_id=target_id)
