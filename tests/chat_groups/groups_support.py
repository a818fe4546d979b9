"""Helpers of the group-session tests: a weekly series at fixed times, sign-ups."""

from __future__ import annotations

import datetime as dt

from socket_support import ORIGIN, run, session_cookie_for, site_socket  # noqa: F401 (re-exported)

from chat.groups import services

# A Monday in winter time; the series meets on Wednesdays 19:00 Oslo time.
NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def make_series(*, coordinator, supervisor, now=NOW, **kwargs):
    values = {
        "title_nb": "Ensomhet",
        "title_en": "Loneliness",
        "topic_nb": "Å være alene i en by",
        "weekday": 2,
        "start_time": dt.time(19, 0),
        "starts_on": now.date(),
        "capacity": 8,
    }
    values.update(kwargs)
    return services.series_create(by=coordinator, supervisor=supervisor, now=now, **values)


def sign_up(session, user, *, name="Kari", region="oslo", now=NOW):
    return services.participant_sign_up(
        session_id=session.pk, user=user, display_name=name, region=region, now=now
    )


def during(session, minutes=5):
    return session.starts_at + dt.timedelta(minutes=minutes)


# --- WebSocket helpers: the suite's shared client (tests/socket_support.py) -----------------


def room_socket(session_id: int, *, cookie: str | None, origin: bytes | None = ORIGIN):
    return site_socket(f"/ws/samtalerom/{session_id}/", cookie=cookie, origin=origin)


def make_running(session, *, minutes_in=5):
    """Move a session so that it started *minutes_in* minutes ago (real clock)."""
    from django.utils import timezone

    session.starts_at = timezone.now() - dt.timedelta(minutes=minutes_in)
    session.ends_at = session.starts_at + dt.timedelta(minutes=60)
    session.save(update_fields=["starts_at", "ends_at"])
    return session
