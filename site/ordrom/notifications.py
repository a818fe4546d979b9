"""In-site notifications, shared by every app that tells a member something happened."""

from __future__ import annotations

import datetime as dt

from ordrom.models import Notification


def notify(
    *, recipient, kind: str, url: str, now: dt.datetime, subject: str = "", reason: str = ""
):
    if recipient is None:
        return None
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        url=url,
        subject=subject[:200],
        reason=reason,
        created_at=now,
    )


def unread_count(*, recipient) -> int:
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()


def mark_read(*, recipient, now: dt.datetime) -> int:
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).update(
        read_at=now
    )
