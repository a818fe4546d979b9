"""Where the guided check learns when the next group session (Samtalerom) is.

The group-sessions app registers its schedule here in its ``AppConfig.ready()`` (pages never
imports that app, so there is no circle). With nothing registered, or nothing scheduled,
the weekly group-session times in the site settings are used as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pages.opening_hours import Status

_status: Callable[[dt.datetime], Status | None] | None = None
_url = ""


def register(*, status: Callable[[dt.datetime], Status | None], url: str) -> None:
    global _status, _url
    _status, _url = status, url


def status(now: dt.datetime) -> Status | None:
    return _status(now) if _status is not None else None


def url() -> str:
    return _url
