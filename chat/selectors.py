"""Read queries of the chat, for the pages, the consumers and the staff console."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from chat import services
from chat.models import Conversation, Message
from ordrom.roles import Role
from pages import lookups, opening_hours
from pages.models import SiteSettings

State = Conversation.State


def _site_settings(request=None) -> SiteSettings:
    if request is not None:
        return SiteSettings.for_request(request)
    site = Site.objects.filter(is_default_site=True).first()
    return SiteSettings.for_site(site) if site else SiteSettings()


def crisis_words(request=None) -> list[str]:
    return lookups.crisis_words(request)


@dataclass(frozen=True)
class ChatStatus:
    status: opening_hours.Status
    text: str
    waiting: int
    wait_minutes: int | None
    online: int

    @property
    def is_open(self) -> bool:
        return self.status.is_open


def chat_status(*, now: dt.datetime, request=None) -> ChatStatus:
    """Open now (Wagtail chat hours with their dated exceptions), when it next opens, how many
    wait and a rough wait for someone joining now."""
    site_settings = _site_settings(request)
    status = site_settings.chat_status(now) if site_settings.pk else opening_hours.Status(False)
    services.waiting_expire(now=now)
    waiting = Conversation.objects.filter(state=State.WAITING).count()
    online = services.online_supervisors(now=now).count()
    return ChatStatus(
        status=status,
        text=opening_hours.describe(status, now),
        waiting=waiting,
        wait_minutes=services.estimated_wait_minutes(
            position=waiting + 1, online_supervisors=online
        ),
        online=online,
    )


def member_owns(*, member, conversation_id: int) -> bool:
    return Conversation.objects.filter(pk=conversation_id, member=member).exists()


def member_conversation(*, member, conversation_id: int) -> Conversation | None:
    return (
        Conversation.objects.select_related("supervisor")
        .filter(pk=conversation_id, member=member)
        .first()
    )


def member_has_had_supervisor(*, member) -> bool:
    return Conversation.objects.filter(member=member, supervisor__isnull=False).exists()


def member_state(*, conversation_id: int, now: dt.datetime) -> dict:
    services.waiting_expire(now=now)
    conversation = Conversation.objects.select_related("supervisor").get(pk=conversation_id)
    position = services.queue_position(conversation=conversation)
    online = services.online_supervisors(now=now).count() if position else 0
    return {
        "state": conversation.state,
        "position": position,
        "wait_minutes": services.estimated_wait_minutes(
            position=position, online_supervisors=online
        )
        if position
        else None,
        "supervisor": services.staff_name(conversation.supervisor),
        "ended_by": conversation.ended_by,
        "last": conversation.next_seq - 1,
    }


def transcript(*, conversation_id: int) -> list[Message]:
    return list(Message.objects.filter(conversation_id=conversation_id).order_by("seq"))


# --- Staff -----------------------------------------------------------------------------------


def supervisor_holds(*, supervisor, conversation_id: int) -> bool:
    return Conversation.objects.filter(pk=conversation_id, supervisor=supervisor).exists()


def staff_user(*, user_id: int):
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not services.can_chat(user):
        return None
    return user


def _summary(conversation: Conversation, now: dt.datetime) -> dict:
    return {
        "id": conversation.pk,
        "state": conversation.state,
        "urgent": conversation.urgent,
        "member": conversation.member.get_username(),
        "first_line": conversation.first_line,
        "waited": timesince(conversation.queued_at, conversation.taken_at or now),
        "crisis_contact": conversation.crisis_contact,
        "ended_by": conversation.ended_by,
        "last": conversation.next_seq - 1,
    }


def console_summary(*, conversation_id: int, now: dt.datetime) -> dict:
    conversation = Conversation.objects.select_related("member").get(pk=conversation_id)
    return _summary(conversation, now)


def console_conversations(*, supervisor, now: dt.datetime) -> list[dict]:
    return [
        _summary(conversation, now)
        for conversation in Conversation.objects.select_related("member")
        .filter(supervisor=supervisor, state=State.ACTIVE)
        .order_by("taken_at")
    ]


def console_queue(*, now: dt.datetime) -> dict:
    services.waiting_expire(now=now)
    waiting = [
        {
            "id": conversation.pk,
            "urgent": conversation.urgent,
            "first_line": conversation.first_line,
            "waiting_for": timesince(conversation.queued_at, now),
            "queued_at": conversation.queued_at.isoformat(),
            "away": conversation.place_kept_until is not None,
        }
        for conversation in services.waiting_list(now=now)[:100]
    ]
    online = [
        {"id": user.pk, "name": services.staff_name(user)}
        for user in services.online_supervisors(now=now).order_by("first_name", "username")
    ]
    return {"waiting": waiting, "online": online}


def running_conversations(*, now: dt.datetime):
    """The coordinator's overview: every running chat, with its supervisor."""
    return (
        Conversation.objects.select_related("supervisor", "member")
        .filter(state=State.ACTIVE)
        .order_by("-urgent", "taken_at")
    )


def coordinators():
    return get_user_model().objects.filter(groups__name=Role.COORDINATOR, is_active=True)


def referral_text(*, service_id: int, now: dt.datetime) -> str:
    """A referral card as chat text: name, phone, web site, open now or not."""
    card = lookups.referral_card(service_id=service_id, now=now)
    if card is None:
        return ""
    service = card.service
    parts = [service.name]
    if service.phone:
        parts.append(str(_("Phone: %(phone)s")) % {"phone": service.phone})
    if service.web_url:
        parts.append(service.web_url)
    parts.append(str(_("Open now")) if card.is_open else str(_("Closed now")))
    return " · ".join(parts)


def member_socket_open(*, conversation_id: int, now: dt.datetime) -> tuple[list[str], dict]:
    """A member's page connected: it is back (a kept place is no longer lapsing)."""
    services.conversation_member_back(conversation_id=conversation_id)
    return crisis_words(), member_state(conversation_id=conversation_id, now=now)


def console_socket_open(*, supervisor, now: dt.datetime) -> dict:
    """A console connected: the supervisor is online; their chats and the queue."""
    services.presence_set(user=supervisor, online=True, now=now)
    return {
        "crisis_words": crisis_words(),
        "capacity": services.capacity_of(supervisor),
        "conversations": console_conversations(supervisor=supervisor, now=now),
        "queue": console_queue(now=now),
    }
