"""The staff workspace for group sessions: coordinators schedule series; the leading
supervisor (and any coordinator) sees the sessions, the participants, sends private notes
and runs the room console. Registered in ``chat/groups/wagtail_hooks.py``.

The console's page holds no transcript: it arrives over the room's socket, which writes
every staff connection to the audit log (``chat.groups.consumers``).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.defaults import permission_denied

from chat.groups import broadcast, selectors, services
from chat.groups.forms import NoteForm, SeriesForm, TopicForm
from chat.groups.models import GroupSeries, GroupSession, Participant
from ordrom.roles import Role, has_role

MESSAGE_SERIES_SAVED = _("The series was saved and its upcoming sessions are scheduled.")
MESSAGE_NOTE_SENT = _("The private message was sent to %(name)s.")
MESSAGE_MUTED = _("%(name)s is muted.")
MESSAGE_UNMUTED = _("%(name)s can write again.")
MESSAGE_REMOVED = _("%(name)s was removed from the session.")
MESSAGE_TOPIC = _("The agreed topic was posted in the room.")
MESSAGE_CLOSED = _("The room is closed. The conversation was deleted; the counts are kept.")


def can_lead(user) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.COORDINATOR)


def can_schedule(user) -> bool:
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


def _session_for(request, session_id: int) -> GroupSession:
    """The session, if this user leads it or coordinates; 404 for any other session."""
    try:
        session = selectors.session_with_series(session_id=session_id)
    except GroupSession.DoesNotExist as error:
        raise Http404 from error
    if not services.is_session_staff(session, request.user):
        raise Http404
    return session


def _participant(session: GroupSession, participant_id: int) -> Participant:
    try:
        return session.participants.get(pk=participant_id)
    except Participant.DoesNotExist as error:
        raise Http404 from error


# --- Sessions --------------------------------------------------------------------------------


@allowed(can_lead)
def sessions(request):
    now = timezone.now()
    coordinator = can_schedule(request.user)
    return TemplateResponse(
        request,
        "chat_groups/admin/sessions.html",
        {
            "upcoming": selectors.staff_sessions(user=request.user, coordinator=coordinator,
                                                 now=now),
            "past": selectors.staff_sessions(user=request.user, coordinator=coordinator,
                                             now=now, past=True)[:20],
            "is_coordinator": coordinator,
        },
    )


@allowed(can_lead)
def session_page(request, session_id: int):
    session = _session_for(request, session_id)
    participants = list(selectors.session_participants(session_id=session.pk))
    return TemplateResponse(
        request,
        "chat_groups/admin/session.html",
        {
            "session": session,
            "participants": participants,
            "note_form": NoteForm(),
            "enter_error": services.room_enter_error(
                session=session, user=request.user, now=timezone.now()
            ),
        },
    )


@allowed(can_lead)
@require_POST
def note_send(request, session_id: int, participant_id: int):
    session = _session_for(request, session_id)
    place = _participant(session, participant_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_send(participant_id=place.pk, by=request.user,
                               text=form.cleaned_data["text"], now=timezone.now())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, MESSAGE_NOTE_SENT % {"name": place.display_name})
            return redirect("chatgroups_session", session_id=session.pk)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("chatgroups_session", session_id=session.pk)


# --- The room console -------------------------------------------------------------------------


@allowed(can_lead)
def console(request, session_id: int):
    session = _session_for(request, session_id)
    now = timezone.now()
    return TemplateResponse(
        request,
        "chat_groups/admin/console.html",
        {
            "session": session,
            "participants": session.participants.filter(removed_at__isnull=True),
            "error": services.room_enter_error(session=session, user=request.user, now=now),
            "is_staff": True,
            "topic_form": TopicForm(initial={"text": session.agreed_topic}),
            "max_length": services.MAX_MESSAGE_LENGTH,
        },
    )


def _console_redirect(session):
    return redirect("chatgroups_console", session_id=session.pk)


@allowed(can_lead)
@require_POST
def topic(request, session_id: int):
    session = _session_for(request, session_id)
    form = TopicForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _console_redirect(session)
    try:
        message = services.topic_post(session_id=session.pk, by=request.user,
                                      text=form.cleaned_data["text"], now=timezone.now())
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        broadcast.message(message)
        messages.success(request, MESSAGE_TOPIC)
    return _console_redirect(session)


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or str(services.ERROR_NOT_STAFF)


@allowed(can_lead)
@require_POST
def mute(request, session_id: int, participant_id: int):
    session = _session_for(request, session_id)
    place = _participant(session, participant_id)
    muted = request.POST.get("muted") != "0"
    try:
        services.participant_mute(participant_id=place.pk, by=request.user, muted=muted)
    except PermissionDenied as error:
        messages.error(request, _error_text(error))
    else:
        broadcast.participant_changed(session_id=session.pk, participant_id=place.pk)
        text = MESSAGE_MUTED if muted else MESSAGE_UNMUTED
        messages.success(request, text % {"name": place.display_name})
    return _console_redirect(session)


@allowed(can_lead)
@require_POST
def remove(request, session_id: int, participant_id: int):
    session = _session_for(request, session_id)
    place = _participant(session, participant_id)
    try:
        services.participant_remove(participant_id=place.pk, by=request.user, now=timezone.now())
    except PermissionDenied as error:
        messages.error(request, _error_text(error))
    else:
        broadcast.participant_changed(session_id=session.pk, participant_id=place.pk)
        messages.success(request, MESSAGE_REMOVED % {"name": place.display_name})
    return _console_redirect(session)


@allowed(can_lead)
@require_POST
def close(request, session_id: int):
    session = _session_for(request, session_id)
    services.room_close(session_id=session.pk, by=request.user, now=timezone.now())
    broadcast.closed(session)
    messages.success(request, MESSAGE_CLOSED)
    return redirect("chatgroups_session", session_id=session.pk)


# --- Series (coordinators) -----------------------------------------------------------------


@allowed(can_schedule)
def series_list(request):
    return TemplateResponse(
        request, "chat_groups/admin/series_list.html", {"series_list": selectors.series_list()}
    )


@allowed(can_schedule)
def series_edit(request, series_id: int | None = None):
    series = None
    if series_id is not None:
        try:
            series = GroupSeries.objects.get(pk=series_id)
        except GroupSeries.DoesNotExist as error:
            raise Http404 from error
    initial = {} if series else {"starts_on": timezone.localdate(), "capacity": 8}
    form = SeriesForm(request.POST or None, instance=series, initial=initial)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        data = {name: form.cleaned_data[name] for name in services.SERIES_FIELDS}
        try:
            if series is None:
                data.pop("is_active")
                services.series_create(by=request.user, now=now, **data)
            else:
                # The form has already written its values onto the instance.
                series.refresh_from_db()
                services.series_update(series=series, by=request.user, now=now, **data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, MESSAGE_SERIES_SAVED)
            return redirect("chatgroups_series")
    return TemplateResponse(
        request, "chat_groups/admin/series_form.html", {"form": form, "series": series}
    )
