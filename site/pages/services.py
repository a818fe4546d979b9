"""State changes of the help pages: callback requests. One function each, the only writers."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ordrom import crisis
from pages.models import CallbackRequest

RETENTION = dt.timedelta(days=7)
# Today and the six days after: the last window of the last day (ending 21:00) is over
# before the number is deleted seven days after the request, whenever it was sent.
MAX_DAYS_AHEAD = 6

ERROR_PHONE = _(
    "Write a Norwegian phone number with 8 digits, or a number starting with + and the "
    "country code."
)
ERROR_DAY = _("Choose a day from today and up to a week ahead.")
ERROR_ALREADY_DONE = _("This request has already been handled.")

_PHONE_CHARS = re.compile(r"^[+\d\s().-]+$")


def normalise_phone(raw: str) -> str:
    """'+47 912 34 567' -> '+4791234567'; '912 34 567' -> '91234567'. Raises on nonsense."""
    raw = raw.strip()
    if not raw or not _PHONE_CHARS.match(raw):
        raise ValidationError(ERROR_PHONE, code="phone")
    digits = re.sub(r"\D", "", raw)
    lead = raw.lstrip("(")  # "(+47) 22 40 00 40" is written with the country code too
    if lead.startswith(("+", "00")):
        digits = digits[2:] if lead.startswith("00") else digits
        if not 8 <= len(digits) <= 15:
            raise ValidationError(ERROR_PHONE, code="phone")
        return "+" + digits
    if len(digits) != 8:
        raise ValidationError(ERROR_PHONE, code="phone")
    return digits


def callback_request_create(
    *,
    phone: str,
    preferred_date: dt.date,
    window: str,
    about: str = "",
    urgent: bool = False,
    crisis_words: list[str] | None = None,
    now: dt.datetime,
) -> CallbackRequest:
    """Store a request to be called. It is urgent if the person says so, or if what they
    wrote contains a crisis word."""
    today = timezone.localdate(now)
    if not today <= preferred_date <= today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(ERROR_DAY, code="day")
    if window not in CallbackRequest.Window.values:
        raise ValidationError(_("Choose a time window."), code="window")
    about = about.strip()
    words = crisis_words if crisis_words is not None else list(crisis.DEFAULT_WORDS)
    return CallbackRequest.objects.create(
        phone=normalise_phone(phone),
        about=about,
        preferred_date=preferred_date,
        window=window,
        urgent=urgent or crisis.signals_crisis(about, words),
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def callback_request_record(
    *, request_id: int, outcome: str, by, now: dt.datetime
) -> CallbackRequest:
    """Record what happened: called (done), not reached (stays in the queue for a retry),
    or closed without a call (done). Done requests lose their number at once."""
    callback = CallbackRequest.objects.select_for_update().get(pk=request_id)
    if callback.status not in CallbackRequest.OPEN:
        raise PermissionDenied(ERROR_ALREADY_DONE)
    Status = CallbackRequest.Status
    if outcome == Status.NOT_REACHED:
        callback.status = Status.NOT_REACHED
        callback.attempts += 1
    elif outcome == Status.CALLED:
        callback.status = Status.CALLED
        callback.attempts += 1
    elif outcome == Status.CLOSED:
        callback.status = Status.CLOSED
    else:
        raise ValueError(f"Unknown outcome {outcome!r}")
    callback.handled_by = by
    callback.updated_at = now
    if callback.status not in CallbackRequest.OPEN:
        callback.done_at = now
        callback.phone = ""
        callback.about = ""
        callback.purged_at = now
    callback.save()
    return callback


def callback_requests_purge(*, now: dt.datetime) -> int:
    """Delete the number and text of every request that is done or older than seven days.

    Idempotent: a purged row is left alone, so running it twice (or from two workers) is safe.
    """
    stale = CallbackRequest.objects.filter(purged_at__isnull=True).filter(
        created_at__lt=now - RETENTION
    )
    expired = stale.filter(status__in=CallbackRequest.OPEN).update(
        phone="",
        about="",
        purged_at=now,
        updated_at=now,
        status=CallbackRequest.Status.CLOSED,
        done_at=now,
    )
    leftovers = (
        CallbackRequest.objects.filter(purged_at__isnull=True)
        .exclude(status__in=CallbackRequest.OPEN)
        .update(phone="", about="", purged_at=now)
    )
    return expired + leftovers
