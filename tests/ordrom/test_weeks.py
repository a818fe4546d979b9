"""The site's weeks are Oslo weeks: the first hours of an Oslo Monday (still Sunday in UTC)
already belong to the week that Monday starts."""

from __future__ import annotations

import datetime as dt

import pytest

from ordrom.weeks import week_start

UTC = dt.UTC


@pytest.mark.parametrize(
    ("moment", "monday"),
    [
        # Monday 5 January 2026 00:30 in Oslo (winter time, UTC+1).
        (dt.datetime(2026, 1, 4, 23, 30, tzinfo=UTC), dt.date(2026, 1, 5)),
        # Monday 15 June 2026 01:30 in Oslo (summer time, UTC+2).
        (dt.datetime(2026, 6, 14, 23, 30, tzinfo=UTC), dt.date(2026, 6, 15)),
    ],
)
def test_monday_night_in_oslo_is_in_the_week_that_monday_starts(moment, monday):
    assert week_start(moment) == monday


def test_sunday_evening_in_oslo_is_still_in_the_week_before():
    # Sunday 4 January 2026 23:30 in Oslo.
    assert week_start(dt.datetime(2026, 1, 4, 22, 30, tzinfo=UTC)) == dt.date(2025, 12, 29)


def test_the_week_does_not_depend_on_the_time_zone_the_moment_is_given_in():
    moment = dt.datetime(2026, 6, 14, 23, 30, tzinfo=UTC)
    new_york = moment.astimezone(dt.timezone(dt.timedelta(hours=-4)))
    assert week_start(new_york) == week_start(moment) == dt.date(2026, 6, 15)
