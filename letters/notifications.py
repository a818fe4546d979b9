"""Emails: the writer's "an answer is waiting" and the coordinators' deadline digest.

No email holds any letter text: an inbox is not a safe place for it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from letters import selectors
from letters.models import DigestSent, Thread
from ordrom.roles import Role


def answer_waiting(*, thread_id: int) -> bool:
    thread = Thread.objects.select_related("writer").filter(pk=thread_id).first()
    if thread is None or not thread.writer.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            _("You have an answer on Ordrom"),
            _(
                "Hi,\n\nOne of our supervisors has answered your letter. Log in to read it:\n"
                "%(url)s\n\nFor your privacy this email contains nothing of what you wrote.\n\n"
                "Ordrom"
            )
            % {"url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/letters/"},
            None,
            [thread.writer.email],
        )
    return True


def deadline_digest(*, now: dt.datetime) -> int:
    """Email coordinators the letters due within 12 hours with nobody on them.

    One digest per hour at most: the slot row is written first, so a second run in the
    same hour (a doubled sweep, two workers) finds it and sends nothing.
    """
    alerts = selectors.deadline_alerts(now=now)
    if not alerts:
        return 0
    slot = now.strftime("digest-%Y-%m-%dT%H")
    try:
        with transaction.atomic():
            DigestSent.objects.create(slot=slot, sent_at=now, letters=len(alerts))
    except IntegrityError:
        return 0
    recipients = list(
        get_user_model()
        .objects.filter(groups__name=Role.COORDINATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("%(count)d letters are due within 12 hours and nobody is working on them:")
            % {"count": len(alerts)},
            "",
        ]
        lines += [
            f"- #{letter.pk}: {letter.due_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
            for letter in alerts
        ]
        lines += ["", settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/letters/"]
        send_mail(_("Ordrom: letters close to their deadline"), "\n".join(lines), None, recipients)
    return len(alerts)
