"""Read queries of the group sessions, for the members' pages and the staff workspace."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from chat.groups.models import GroupSeries, GroupSession, Participant, PrivateNote
from chat.groups.services import upcoming_filter


def upcoming_sessions(*, now: dt.datetime, limit: int = 40):
    """Upcoming sessions of active series with their taken places (removed ones free theirs)."""
    return (
        GroupSession.objects.filter(upcoming_filter(now), series__is_active=True)
        .select_related("series")
        .annotate(taken=Count("participants", filter=Q(participants__removed_at__isnull=True)))
        .order_by("starts_at")[:limit]
    )


def places_of(*, user):
    return (
        Participant.objects.filter(user=user)
        .select_related("session__series")
        .order_by("-session__starts_at")
    )


def place_in(*, session_id: int, user) -> Participant | None:
    return (
        Participant.objects.filter(session_id=session_id, user=user)
        .select_related("session__series")
        .first()
    )


def notes_of(*, user):
    return (
        PrivateNote.objects.filter(participant__user=user)
        .select_related("participant__session__series")
        .order_by("-created_at", "-pk")
    )


def series_list():
    return GroupSeries.objects.select_related("supervisor").order_by(
        "-is_active", "weekday", "start_time"
    )


def staff_sessions(*, user, coordinator: bool, now: dt.datetime, past: bool = False):
    sessions = GroupSession.objects.select_related("series", "series__supervisor").annotate(
        taken=Count("participants", filter=Q(participants__removed_at__isnull=True))
    )
    if not coordinator:
        sessions = sessions.filter(series__supervisor=user)
    if past:
        return sessions.exclude(upcoming_filter(now)).order_by("-starts_at")
    return sessions.filter(upcoming_filter(now)).order_by("starts_at")


def session_with_series(*, session_id: int) -> GroupSession:
    return GroupSession.objects.select_related("series", "series__supervisor").get(pk=session_id)


def session_participants(*, session_id: int):
    return Participant.objects.filter(session_id=session_id).prefetch_related("notes")


def next_session_status(now: dt.datetime):
    """The guided check's "next group session": running now, or when the next one starts.
    None when nothing is scheduled, so the site settings' weekly times still apply."""
    from pages.opening_hours import Status

    session = (
        GroupSession.objects.filter(upcoming_filter(now), series__is_active=True)
        .order_by("starts_at")
        .only("starts_at", "ends_at")
        .first()
    )
    if session is None:
        return None
    if session.starts_at <= now:
        return Status(is_open=True, until=session.ends_at)
    return Status(is_open=False, next_open=session.starts_at)
