"""The site's weeks: ISO weeks, Monday to Sunday, on the local wall clock (settings.TIME_ZONE).

Anything counted per week (the anonymous feedback of letters and chat) is keyed by the Monday
this module gives, so it lines up with the statistics, which truncate in the same time zone.
Taking the date of a UTC timestamp instead would put the first hour or two of an Oslo Monday
(Sunday evening in UTC) in the week before.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def week_start(moment: dt.datetime) -> dt.date:
    """The Monday of the local ISO week *moment* (an aware datetime) falls in."""
    day = timezone.localdate(moment)
    return day - dt.timedelta(days=day.weekday())
