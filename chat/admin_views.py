"""The chat console and the coordinators' overview in the staff workspace (/admin/chat/).

The console itself is live (static/js/chat-console.js over the console socket); the overview
and the read-only transcript are plain pages. Opening a transcript is written to the audit
log, like taking a chat."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.defaults import permission_denied

from chat import selectors, services
from chat.models import CannedPhrase, Conversation
from ordrom.roles import Role, has_role
from pages import lookups


def can_chat(user) -> bool:
    return services.can_chat(user)


def can_coordinate(user) -> bool:
    return has_role(user, Role.COORDINATOR)


def allowed(check):
    """Others get a plain 403 (Wagtail would turn PermissionDenied into a redirect)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                return permission_denied(request, PermissionDenied())
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@allowed(can_chat)
def console(request):
    return TemplateResponse(
        request,
        "chat/admin/console.html",
        {
            "phrases": list(CannedPhrase.objects.all()),
            "referrals": lookups.referral_choices(),
            "capacity": services.capacity_of(request.user),
            "is_coordinator": can_coordinate(request.user),
        },
    )


@allowed(can_coordinate)
def overview(request):
    now = timezone.now()
    rows = [
        {
            "conversation": conversation,
            "supervisor": services.staff_name(conversation.supervisor),
            "running_for": timesince(conversation.taken_at, now) if conversation.taken_at else "",
        }
        for conversation in selectors.running_conversations(now=now)
    ]
    status = selectors.chat_status(now=now, request=request)
    return TemplateResponse(request, "chat/admin/overview.html", {"rows": rows, "status": status})


@allowed(can_chat)
def transcript(request, conversation_id: int):
    """Read-only: coordinators for any chat, a supervisor for a chat they hold."""
    conversation = (
        Conversation.objects.select_related("member", "supervisor")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise Http404
    if not can_coordinate(request.user) and conversation.supervisor_id != request.user.pk:
        return permission_denied(request, PermissionDenied())
    services.conversation_read_by_staff(
        conversation=conversation, staff=request.user, now=timezone.now()
    )
    return TemplateResponse(
        request,
        "chat/admin/transcript.html",
        {
            "conversation": conversation,
            "transcript": selectors.transcript(conversation_id=conversation.pk),
            "supervisor": services.staff_name(conversation.supervisor),
        },
    )
