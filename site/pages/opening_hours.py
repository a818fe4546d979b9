"""Opening hours as pure functions of (rules, exceptions, now).

Rules are weekly: "every day 00-24", "Mon-Fri 14-17". A rule whose closing time is not
after its opening time runs past midnight into the next day ("22:00-02:00"); 00:00-00:00
is the whole day. Dated exceptions replace the weekly rules of their date: either closed
all day, or other hours. Everything is evaluated in Europe/Oslo wall-clock time, so a
daylight-saving day is 23 or 25 hours long and "14:00" is always 14:00 on the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

OSLO = ZoneInfo("Europe/Oslo")
WEEKDAY_CHOICES = [
    (0, gettext_lazy("Monday")),
    (1, gettext_lazy("Tuesday")),
    (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")),
    (4, gettext_lazy("Friday")),
    (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
]
LOOKAHEAD_DAYS = 14
MIDNIGHT = dt.time(0, 0)


@dataclass(frozen=True)
class WeeklyRule:
    weekday: int  # Monday is 0
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class DatedException:
    date: dt.date
    opens: dt.time | None = None  # None: closed all day
    closes: dt.time | None = None


@dataclass(frozen=True)
class Status:
    is_open: bool
    until: dt.datetime | None = None  # when it closes, if open and not always open
    next_open: dt.datetime | None = None  # when it opens, if closed
    always_open: bool = False
    no_hours: bool = False  # no rules at all: nothing to say


def _at(day: dt.date, time: dt.time, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz)


def _interval(day, opens, closes, tz) -> tuple[dt.datetime, dt.datetime]:
    """Wall-clock times in *tz*, returned in UTC.

    Python compares two datetimes that share a tzinfo by their wall clock, which is wrong
    in the hour that repeats when the clocks go back; in UTC every comparison is real time.
    """
    start = _at(day, opens, tz)
    end_day = day if closes > opens else day + dt.timedelta(days=1)
    return start.astimezone(dt.UTC), _at(end_day, closes, tz).astimezone(dt.UTC)


def intervals_on(
    day: dt.date,
    rules: Sequence[WeeklyRule],
    exceptions: dict[dt.date, DatedException],
    tz: dt.tzinfo = OSLO,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The opening intervals that *start* on *day* (they may end the next day)."""
    exception = exceptions.get(day)
    if exception is not None:
        if exception.opens is None or exception.closes is None:
            return []
        return [_interval(day, exception.opens, exception.closes, tz)]
    return sorted(
        _interval(day, rule.opens, rule.closes, tz)
        for rule in rules
        if rule.weekday == day.weekday()
    )


def _merged_intervals(rules, exceptions, first_day, days, tz):
    intervals = []
    for offset in range(days):
        intervals.extend(intervals_on(first_day + dt.timedelta(days=offset), rules, exceptions, tz))
    intervals.sort()
    merged: list[list[dt.datetime]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def status_at(
    now: dt.datetime,
    rules: Iterable[WeeklyRule],
    exceptions: Iterable[DatedException] = (),
    tz: dt.tzinfo = OSLO,
) -> Status:
    rules = list(rules)
    now = now.astimezone(dt.UTC)
    by_date = {exception.date: exception for exception in exceptions}
    if not rules and not by_date:
        return Status(is_open=False, no_hours=True)
    local_today = now.astimezone(tz).date()
    # Start a day early: last night's 22-02 rule may still be running.
    first_day = local_today - dt.timedelta(days=1)
    merged = _merged_intervals(rules, by_date, first_day, LOOKAHEAD_DAYS + 1, tz)
    horizon = _at(first_day + dt.timedelta(days=LOOKAHEAD_DAYS + 1), MIDNIGHT, tz).astimezone(
        dt.UTC
    )
    for start, end in merged:
        if start <= now < end:
            if end >= horizon:
                return Status(is_open=True, always_open=True)
            return Status(is_open=True, until=end)
        if start > now:
            return Status(is_open=False, next_open=start)
    return Status(is_open=False)


def describe(status: Status, now: dt.datetime, tz: dt.tzinfo = OSLO) -> str:
    """A short sentence for people: "Open now, until 19:00", "Opens Monday at 11:00"."""
    if status.no_hours:
        return ""
    if status.always_open:
        return _("Open day and night")
    if status.is_open:
        clock = _clock(status.until, tz, closing=True)
        closes = status.until.astimezone(tz)
        closing_day = (closes - dt.timedelta(seconds=1)).date()  # 24:00 belongs to today
        days = (closing_day - now.astimezone(tz).date()).days
        if days == 1:
            return _("Open now, until tomorrow at %(time)s") % {"time": clock}
        if days > 1:
            weekday = formats.date_format(closes, "l")
            return _("Open now, until %(weekday)s at %(time)s") % {
                "weekday": weekday,
                "time": clock,
            }
        return _("Open now, until %(time)s") % {"time": clock}
    if status.next_open is None:
        return _("Closed")
    when = status.next_open.astimezone(tz)
    today = now.astimezone(tz).date()
    days = (when.date() - today).days
    clock = _clock(when, tz)
    if days == 0:
        return _("Closed, opens today at %(time)s") % {"time": clock}
    if days == 1:
        return _("Closed, opens tomorrow at %(time)s") % {"time": clock}
    if days < 7:
        weekday = formats.date_format(when, "l")
        return _("Closed, opens %(weekday)s at %(time)s") % {"weekday": weekday, "time": clock}
    return _("Closed, opens %(date)s at %(time)s") % {
        "date": formats.date_format(when, "j. F"),
        "time": clock,
    }


def _clock(moment: dt.datetime | None, tz: dt.tzinfo, *, closing: bool = False) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    if closing and local.time() == MIDNIGHT:
        return "24:00"  # "open until 24:00" reads right; "until 00:00" looks like a typo
    return local.strftime("%H:%M")
