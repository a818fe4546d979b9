"""In-site notifications, shared by every app that tells a member something happened."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from ordrom import roles
from ordrom.models import Notification
from ordrom.prepared import PreparedCount

# kind → its text, written in the reader's language when the page is shown (gettext_lazy
# strings); "%(subject)s" stands for the notification's subject (a topic title, a name).
_TEXTS: dict = {}
# kind → what stands for a subject that was removed (its author deleted their account).
_REMOVED_SUBJECTS: dict = {}


def register_texts(texts: dict, *, removed_subject=None) -> None:
    """Each app registers the texts of its kinds (in AppConfig.ready), and what to show in
    place of a subject that was removed with the account it came from."""
    _TEXTS.update(texts)
    if removed_subject is not None:
        _REMOVED_SUBJECTS.update(dict.fromkeys(texts, removed_subject))


def text_for(notification: Notification) -> str:
    """The notification as a sentence in the active language; an unknown kind shows its
    subject as stored."""
    text = _TEXTS.get(notification.kind)
    if text is None:
        return notification.subject
    text = str(text)
    subject = notification.subject or str(_REMOVED_SUBJECTS.get(notification.kind, ""))
    return text % {"subject": subject} if "%(subject)s" in text else text


def subjects_forget(*, kinds, subject: str | None = None, url: str | None = None) -> int:
    """Blank the stored subject of notifications other members keep when it is a deleted
    member's words (a pseudonym, a topic title): found by that subject, or by the address
    the notifications point to."""
    notifications = Notification.objects.filter(kind__in=list(kinds)).exclude(subject="")
    if subject is not None:
        notifications = notifications.filter(subject=subject)
    if url is not None:
        notifications = notifications.filter(url=url)
    return notifications.update(subject="")


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


def unread(recipient) -> QuerySet[Notification]:
    """The notifications *recipient* has not read (their count is in every page's header)."""
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True)


_UNREAD = PreparedCount(unread, ints=["recipient"])


def unread_count(*, recipient) -> int:
    """Shown in every signed-in page's header: read with the user's roles when they were
    read in this request (ordrom.roles), else on its own (the SQL compiled once:
    ordrom.prepared)."""
    kept = roles.unread_notifications(recipient)
    return kept if kept is not None else _UNREAD(recipient=recipient.pk)


def mark_read(*, recipient, now: dt.datetime) -> int:
    roles.forget_unread_notifications(recipient)  # the page's header counts again
    return unread(recipient).update(read_at=now)
