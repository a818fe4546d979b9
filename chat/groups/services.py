"""Every state change of the group sessions, one function per use case, `now` passed in.

Delivery is "store, then broadcast": `message_post` gives each message the session's next
sequence number under a row lock and stores it; only then does the consumer send it to
the room, and a client that reconnects asks for everything after the last number it has.
Services never touch the channel layer (see `chat.groups.broadcast`).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chat.groups.models import (
    MAX_CAPACITY,
    REGION_CHOICES,
    GroupMessage,
    GroupSeries,
    GroupSession,
    Participant,
    PrivateNote,
)
from ordrom import notifications
from ordrom.contact_details import has_contact_details
from ordrom.roles import Role, has_role
from pages.opening_hours import OSLO

WEEKS_AHEAD = 4
MAX_MESSAGE_LENGTH = 4000
MAX_NOTE_LENGTH = 1000
MAX_TOPIC_LENGTH = 300
NAME_MIN, NAME_MAX = 2, 20
NOTE_KIND = "group_note"
NOTE_TEXT = _("A message from your group's supervisor")

ERROR_FULL = _("This session is full. Choose another week, or sign up for the next one.")
ERROR_ALREADY_SIGNED_UP = _("You already have a place in this session.")
ERROR_SIGNUP_CLOSED = _("Sign-up for this session has closed.")
ERROR_CANCEL_TOO_LATE = _("The session has started; you can no longer cancel your place.")
ERROR_OWN_SESSION = _("You lead this session, so you cannot sign up for it.")
ERROR_NAME_LENGTH = _("Write a first name of %(min)d to %(max)d letters.")
ERROR_NAME_CHARACTERS = _("Use letters only: a first name, no numbers or signs.")
ERROR_NAME_CONTACT = _(
    "The name must not contain contact details. Only your first name is shown to the group."
)
ERROR_REGION = _("Choose the region shown to the group.")
ERROR_NOT_IN_SESSION = _("You do not have a place in this session.")
ERROR_ROOM_CLOSED = _("The session is over and the room is closed.")
ERROR_NOT_OPEN_YET = _("The room is not open yet. It opens when the session starts.")
ERROR_ENDED = _("The session has ended. Nobody can write in the room any more.")
ERROR_REMOVED = _("The supervisor has taken you out of this session.")
ERROR_MUTED = _("The supervisor has paused your writing for now.")
ERROR_EMPTY = _("Write something before you send.")
ERROR_TOO_LONG = _("A message can be at most %(max)d characters.")
ERROR_NOT_STAFF = _("Only the session's supervisor or a coordinator can do this.")
ERROR_SUPERVISOR_ROLE = _("The leading supervisor must be a supervisor or coordinator.")
ERROR_CAPACITY = _("A group has 2 to %(max)d places.")
ERROR_STAFF_EARLY = _("The room opens for you 10 minutes before the start.")

_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)?$")


# --- Times ----------------------------------------------------------------------------------


def oslo_start(day: dt.date, time: dt.time) -> dt.datetime:
    """The UTC instant at which the Oslo wall clock shows *time* on *day* (DST-aware)."""
    return dt.datetime.combine(day, time, tzinfo=OSLO).astimezone(dt.UTC)


def _oslo_date(value: dt.datetime) -> dt.date:
    return value.astimezone(OSLO).date()


def _week_days(series: GroupSeries, *, now: dt.datetime, weeks: int) -> list[dt.date]:
    today = max(_oslo_date(now), series.starts_on)
    first = today + dt.timedelta(days=(series.weekday - today.weekday()) % 7)
    return [first + dt.timedelta(weeks=n) for n in range(weeks)]


# --- Roles ----------------------------------------------------------------------------------


def is_coordinator(user) -> bool:
    return has_role(user, Role.COORDINATOR)


def is_session_staff(session: GroupSession, user) -> bool:
    """The leading supervisor of the series, or any coordinator."""
    if not user.is_authenticated:
        return False
    return session.series.supervisor_id == user.pk or is_coordinator(user)


def staff_name(user) -> str:
    return user.first_name or user.get_username()


# --- Series and sessions (coordinators, sweep) -------------------------------------------


def _check_series(*, supervisor, capacity: int) -> None:
    errors = {}
    if supervisor is None or not has_role(supervisor, Role.SUPERVISOR, Role.COORDINATOR):
        errors["supervisor"] = ERROR_SUPERVISOR_ROLE
    if not 2 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = ERROR_CAPACITY % {"max": MAX_CAPACITY}
    if errors:
        raise ValidationError(errors)


def series_create(
    *,
    by,
    title_nb: str,
    weekday: int,
    start_time: dt.time,
    supervisor,
    starts_on: dt.date,
    now: dt.datetime,
    title_en: str = "",
    topic_nb: str = "",
    topic_en: str = "",
    capacity: int = MAX_CAPACITY,
) -> GroupSeries:
    if not is_coordinator(by):
        raise PermissionDenied
    _check_series(supervisor=supervisor, capacity=capacity)
    with transaction.atomic():
        series = GroupSeries.objects.create(
            title_nb=title_nb.strip(),
            title_en=title_en.strip(),
            topic_nb=topic_nb.strip(),
            topic_en=topic_en.strip(),
            weekday=weekday,
            start_time=start_time,
            capacity=capacity,
            supervisor=supervisor,
            starts_on=starts_on,
            created_at=now,
        )
        sessions_generate_for(series=series, now=now)
    return series


SERIES_FIELDS = (
    "title_nb",
    "title_en",
    "topic_nb",
    "topic_en",
    "weekday",
    "start_time",
    "capacity",
    "supervisor",
    "starts_on",
    "is_active",
)


def series_update(*, series: GroupSeries, by, now: dt.datetime, **changes) -> GroupSeries:
    """Change a series. Upcoming sessions move to the new day and time within their week
    (people keep their places); an inactive series loses its upcoming empty sessions."""
    if not is_coordinator(by):
        raise PermissionDenied
    unknown = set(changes) - set(SERIES_FIELDS)
    if unknown:
        raise TypeError(f"unknown series fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(series, field, value.strip() if isinstance(value, str) else value)
    _check_series(supervisor=series.supervisor, capacity=series.capacity)
    with transaction.atomic():
        series.save()
        upcoming = series.sessions.filter(state=GroupSession.State.SCHEDULED, starts_at__gt=now)
        if not series.is_active:
            upcoming.filter(participants__isnull=True).delete()
            return series
        for session in upcoming:
            day = _oslo_date(session.starts_at)
            monday = day - dt.timedelta(days=day.weekday())
            starts_at = oslo_start(monday + dt.timedelta(days=series.weekday), series.start_time)
            if starts_at <= now:
                continue
            session.starts_at = starts_at
            session.ends_at = starts_at + dt.timedelta(minutes=series.duration_minutes)
            session.save(update_fields=["starts_at", "ends_at"])
        sessions_generate_for(series=series, now=now)
    return series


def sessions_generate_for(*, series: GroupSeries, now: dt.datetime, weeks: int = WEEKS_AHEAD):
    """Create the series' sessions of the coming *weeks* that do not exist yet (idempotent)."""
    if not series.is_active:
        return 0
    created = 0
    existing_weeks = {
        _oslo_date(s).isocalendar()[:2] for s in series.sessions.values_list("starts_at", flat=True)
    }
    for day in _week_days(series, now=now, weeks=weeks):
        starts_at = oslo_start(day, series.start_time)
        if starts_at <= now or day.isocalendar()[:2] in existing_weeks:
            continue
        try:
            with transaction.atomic():
                GroupSession.objects.create(
                    series=series,
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=series.duration_minutes),
                )
        except IntegrityError:  # a concurrent sweep made it first
            continue
        created += 1
    return created


def sessions_generate(*, now: dt.datetime, weeks: int = WEEKS_AHEAD) -> int:
    return sum(
        sessions_generate_for(series=series, now=now, weeks=weeks)
        for series in GroupSeries.objects.filter(is_active=True)
    )


# --- Signing up --------------------------------------------------------------------------


def clean_display_name(value: str) -> str:
    name = " ".join((value or "").split())
    if has_contact_details(name):
        raise ValidationError(ERROR_NAME_CONTACT, code="contact")
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise ValidationError(ERROR_NAME_LENGTH % {"min": NAME_MIN, "max": NAME_MAX}, code="length")
    if not _NAME.match(name):
        raise ValidationError(ERROR_NAME_CHARACTERS, code="characters")
    return name


def participant_sign_up(
    *, session_id: int, user, display_name: str, region: str, now: dt.datetime
) -> Participant:
    errors = {}
    try:
        name = clean_display_name(display_name)
    except ValidationError as error:
        errors["display_name"] = error.messages
    if region not in dict(REGION_CHOICES):
        errors["region"] = [ERROR_REGION]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session = (
            GroupSession.objects.select_for_update().select_related("series").get(pk=session_id)
        )
        if session.state != GroupSession.State.SCHEDULED or session.starts_at <= now:
            raise ValidationError(ERROR_SIGNUP_CLOSED, code="closed")
        if session.series.supervisor_id == user.pk:
            raise ValidationError(ERROR_OWN_SESSION, code="own")
        if session.participants.filter(user=user).exists():
            raise ValidationError(ERROR_ALREADY_SIGNED_UP, code="duplicate")
        if session.participants.filter(removed_at__isnull=True).count() >= session.series.capacity:
            raise ValidationError(ERROR_FULL, code="full")
        return Participant.objects.create(
            session=session, user=user, display_name=name, region=region, created_at=now
        )


def participant_cancel(*, session_id: int, user, now: dt.datetime) -> None:
    with transaction.atomic():
        place = (
            Participant.objects.select_for_update()
            .select_related("session")
            .filter(session_id=session_id, user=user)
            .first()
        )
        if place is None:
            raise ValidationError(ERROR_NOT_IN_SESSION, code="not_in_session")
        if place.session.starts_at <= now or place.session.is_closed:
            raise ValidationError(ERROR_CANCEL_TOO_LATE, code="too_late")
        place.delete()


# --- The room ----------------------------------------------------------------------------


def room_enter_error(*, session: GroupSession, user, now: dt.datetime):
    """Why *user* may not be in the room now, or None. Staff: from 10 minutes before the
    start; participants: from the start; everybody: until the end, while not closed."""
    if session.is_closed:
        return ERROR_ROOM_CLOSED
    if is_session_staff(session, user):
        if now < session.opens_for_staff_at():
            return ERROR_STAFF_EARLY
    else:
        place = session.participants.filter(user=user).first() if user.is_authenticated else None
        if place is None:
            return ERROR_NOT_IN_SESSION
        if place.removed:
            return ERROR_REMOVED
        if now < session.starts_at:
            return ERROR_NOT_OPEN_YET
    if now >= session.ends_at:
        return ERROR_ENDED
    return None


def room_enter(*, session_id: int, user, now: dt.datetime) -> GroupSession:
    """Let *user* into the room: opens it when staff arrive, marks a participant present."""
    with transaction.atomic():
        session = (
            GroupSession.objects.select_for_update().select_related("series").get(pk=session_id)
        )
        error = room_enter_error(session=session, user=user, now=now)
        if error is not None:
            raise PermissionDenied(error)
        if is_session_staff(session, user):
            if session.state == GroupSession.State.SCHEDULED:
                session.state = GroupSession.State.OPEN
                session.opened_at = now
                session.save(update_fields=["state", "opened_at"])
        else:
            Participant.objects.filter(session=session, user=user, joined_at__isnull=True).update(
                joined_at=now
            )
    return session


def _clean_text(text: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(ERROR_EMPTY, code="empty")
    if len(text) > limit:
        raise ValidationError(ERROR_TOO_LONG % {"max": limit}, code="too_long")
    return text


def _store(
    session: GroupSession, *, kind, text, now, participant=None, supervisor=None, client_id=""
):
    session.last_seq += 1
    session.message_count += 1
    session.save(update_fields=["last_seq", "message_count"])
    return GroupMessage.objects.create(
        session=session,
        seq=session.last_seq,
        kind=kind,
        participant=participant,
        supervisor=supervisor,
        author_name=participant.display_name if participant else staff_name(supervisor),
        text=text,
        created_at=now,
        client_id=client_id,
    )


def message_post(
    *, session_id: int, by, text: str, now: dt.datetime, client_id: str = ""
) -> GroupMessage:
    """Store a message with the session's next sequence number (before anyone sees it).

    Idempotent per *client_id*: a post resent with the id of one already stored (its ack was
    lost with the connection) returns the stored post and stores nothing. The check runs under
    the session's row lock, so two copies sent at once are stored once.
    """
    text = _clean_text(text, MAX_MESSAGE_LENGTH)
    client_id = (client_id or "")[:64]
    with transaction.atomic():
        session = (
            GroupSession.objects.select_for_update().select_related("series").get(pk=session_id)
        )
        error = room_enter_error(session=session, user=by, now=now)
        if error is not None:
            raise PermissionDenied(error)
        if is_session_staff(session, by):
            author = {"supervisor": by, "participant": None}
        else:
            place = session.participants.get(user=by)
            if place.muted:
                raise PermissionDenied(ERROR_MUTED)
            author = {"participant": place}
        if client_id:
            stored = GroupMessage.objects.filter(
                session=session, client_id=client_id, **author
            ).first()
            if stored is not None:
                return stored
        return _store(
            session, kind=GroupMessage.Kind.MESSAGE, text=text, now=now, client_id=client_id,
            **author,
        )


def topic_post(*, session_id: int, by, text: str, now: dt.datetime) -> GroupMessage:
    text = _clean_text(text, MAX_TOPIC_LENGTH)
    with transaction.atomic():
        session = (
            GroupSession.objects.select_for_update().select_related("series").get(pk=session_id)
        )
        if not is_session_staff(session, by):
            raise PermissionDenied(ERROR_NOT_STAFF)
        error = room_enter_error(session=session, user=by, now=now)
        if error is not None:
            raise PermissionDenied(error)
        session.agreed_topic = text
        session.save(update_fields=["agreed_topic"])
        return _store(session, kind=GroupMessage.Kind.TOPIC, text=text, now=now, supervisor=by)


def messages_after(*, session_id: int, after_seq: int = 0) -> list[GroupMessage]:
    """What a (re)connecting client missed, in order, without duplicates."""
    return list(
        GroupMessage.objects.filter(session_id=session_id, seq__gt=max(after_seq, 0)).order_by(
            "seq"
        )
    )


def _staff_participant(*, participant_id: int, by) -> Participant:
    place = Participant.objects.select_related("session__series").get(pk=participant_id)
    if not is_session_staff(place.session, by):
        raise PermissionDenied(ERROR_NOT_STAFF)
    return place


def participant_mute(*, participant_id: int, by, muted: bool = True) -> Participant:
    place = _staff_participant(participant_id=participant_id, by=by)
    if place.session.is_closed:
        raise PermissionDenied(ERROR_ROOM_CLOSED)
    place.muted = muted
    place.save(update_fields=["muted"])
    return place


def participant_remove(*, participant_id: int, by, now: dt.datetime) -> Participant:
    place = _staff_participant(participant_id=participant_id, by=by)
    if place.session.is_closed:
        raise PermissionDenied(ERROR_ROOM_CLOSED)
    if place.removed_at is None:
        place.removed_at = now
        place.save(update_fields=["removed_at"])
    return place


def _close(session: GroupSession, now: dt.datetime) -> None:
    session.participant_count = session.participants.filter(joined_at__isnull=False).count()
    session.state = GroupSession.State.CLOSED
    session.closed_at = now
    session.save(update_fields=["participant_count", "state", "closed_at"])
    session.messages.all().delete()


def room_close(*, session_id: int, by, now: dt.datetime) -> GroupSession:
    """Close the room for good: the transcript is deleted, the two counts are kept."""
    with transaction.atomic():
        session = (
            GroupSession.objects.select_for_update().select_related("series").get(pk=session_id)
        )
        if not is_session_staff(session, by):
            raise PermissionDenied(ERROR_NOT_STAFF)
        if not session.is_closed:
            _close(session, now)
    return session


def sessions_close_ended(*, now: dt.datetime) -> int:
    """Close every session whose hour is over (the supervisor may have forgotten)."""
    closed = 0
    ids = (
        GroupSession.objects.filter(ends_at__lte=now)
        .exclude(state=GroupSession.State.CLOSED)
        .values_list("pk", flat=True)
    )
    for session_id in ids:
        with transaction.atomic():
            session = GroupSession.objects.select_for_update().get(pk=session_id)
            if not session.is_closed:
                _close(session, now)
                closed += 1
    return closed


# --- Private notes -----------------------------------------------------------------------


def note_send(*, participant_id: int, by, text: str, now: dt.datetime) -> PrivateNote:
    place = _staff_participant(participant_id=participant_id, by=by)
    text = _clean_text(text, MAX_NOTE_LENGTH)
    timing = (
        PrivateNote.Timing.BEFORE if now < place.session.starts_at else PrivateNote.Timing.AFTER
    )
    note = PrivateNote.objects.create(
        participant=place,
        author=by,
        author_name=staff_name(by),
        timing=timing,
        text=text,
        created_at=now,
    )
    # The text is written in the member's language when shown (registered in apps.py).
    notifications.notify(
        recipient=place.user, kind=NOTE_KIND, url=reverse("chatgroups:notes"), now=now
    )
    return note


def notes_mark_read(*, user, now: dt.datetime) -> int:
    return PrivateNote.objects.filter(participant__user=user, read_at__isnull=True).update(
        read_at=now
    )


def upcoming_filter(now: dt.datetime) -> Q:
    return Q(ends_at__gt=now) & ~Q(state=GroupSession.State.CLOSED)
