"""In-site notifications, shared by every app that tells a member something happened."""

from __future__ import annotations

import datetime as dt

from ordrom.models import Notification

# kind → its text, written in the reader's language when the page is shown (gettext_lazy
# strings); "%(subject)s" stands for the notification's subject (a topic title, a name).
_TEXTS: dict = {}


def register_texts(texts: dict) -> None:
    """Each app registers the texts of its kinds (in AppConfig.ready)."""
    _TEXTS.update(texts)


def text_for(notification: Notification) -> str:
    """The notification as a sentence in the active language; an unknown kind shows its
    subject as stored."""
    text = _TEXTS.get(notification.kind)
    if text is None:
        return notification.subject
    text = str(text)
    return text % {"subject": notification.subject} if "%(subject)s" in text else text


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
