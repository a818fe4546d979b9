"""Members' pages of the group sessions: upcoming sessions, sign-up, my places, private
notes, and the room page (the live part needs JavaScript; the rest works without)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from chat.groups import selectors, services
from chat.groups.forms import SignUpForm
from chat.groups.models import GroupSession
from ordrom.roles import member_required

MESSAGE_SIGNED_UP = _("You have a place. The room opens at the start of the session.")
MESSAGE_CANCELLED = _("Your place is cancelled. Someone else can take it now.")


def index(request):
    now = timezone.now()
    sessions = list(selectors.upcoming_sessions(now=now))
    mine = set()
    if request.user.is_authenticated:
        mine = {
            place.session_id
            for place in selectors.places_of(user=request.user).filter(
                session__in=[s.pk for s in sessions]
            )
        }
    for session in sessions:
        session.free = max(session.series.capacity - session.taken, 0)
        session.mine = session.pk in mine
    return render(request, "chat_groups/index.html", {"sessions": sessions, "now": now})


def _session_or_404(session_id: int) -> GroupSession:
    try:
        return selectors.session_with_series(session_id=session_id)
    except GroupSession.DoesNotExist as error:
        raise Http404 from error


@member_required
@require_http_methods(["GET", "POST"])
def sign_up(request, session_id: int):
    session = _session_or_404(session_id)
    now = timezone.now()
    place = selectors.place_in(session_id=session.pk, user=request.user)
    if place is not None:
        return redirect("chatgroups:mine")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_sign_up(
                session_id=session.pk,
                user=request.user,
                display_name=form.cleaned_data["display_name"],
                region=form.cleaned_data["region"],
                now=now,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, MESSAGE_SIGNED_UP)
            return redirect("chatgroups:mine")
    taken = session.participants.filter(removed_at__isnull=True).count()
    return render(
        request,
        "chat_groups/sign_up.html",
        {
            "session": session,
            "form": form,
            "free": max(session.series.capacity - taken, 0),
            "open_for_sign_up": session.state == GroupSession.State.SCHEDULED
            and session.starts_at > now,
        },
    )


@member_required
@require_POST
def cancel(request, session_id: int):
    try:
        services.participant_cancel(session_id=session_id, user=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, MESSAGE_CANCELLED)
    return redirect("chatgroups:mine")


@member_required
def mine(request):
    now = timezone.now()
    places = list(selectors.places_of(user=request.user))
    for place in places:
        session = place.session
        place.can_enter = (
            services.room_enter_error(session=session, user=request.user, now=now) is None
        )
        place.upcoming = session.ends_at > now and not session.is_closed
        place.can_cancel = session.starts_at > now and not session.is_closed
    return render(request, "chat_groups/mine.html", {"places": places})


@member_required
def notes(request):
    notes = list(selectors.notes_of(user=request.user))
    services.notes_mark_read(user=request.user, now=timezone.now())
    return render(request, "chat_groups/notes.html", {"notes": notes})


@member_required
def room(request, session_id: int):
    """The room page. Only people in the session (or its staff) see it; the messages arrive
    over the WebSocket, so nothing of the transcript is in the HTML."""
    session = _session_or_404(session_id)
    staff = services.is_session_staff(session, request.user)
    place = selectors.place_in(session_id=session.pk, user=request.user)
    if staff:
        return redirect("chatgroups_console", session_id=session.pk)  # staff lead from there
    if place is None:
        raise Http404
    error = services.room_enter_error(session=session, user=request.user, now=timezone.now())
    return render(
        request,
        "chat_groups/room.html",
        {
            "session": session,
            "place": place,
            "is_staff": False,
            "error": error,
            "participants": session.participants.filter(removed_at__isnull=True),
            "max_length": services.MAX_MESSAGE_LENGTH,
        },
    )
