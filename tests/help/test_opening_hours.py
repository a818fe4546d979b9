"""Opening hours: weekly rules, midnight spans, exceptions, daylight saving, "opens next"."""

import datetime as dt

import pytest
from django.utils import translation

from pages.opening_hours import (
    OSLO,
    DatedException,
    Status,
    WeeklyRule,
    describe,
    status_at,
)


def at(year, month, day, hour, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=OSLO)


def daily(opens, closes, days=range(7)):
    return [WeeklyRule(day, dt.time(*opens), dt.time(*closes)) for day in days]


WEEKDAYS_14_17 = daily((14,), (17,), days=range(5))
DAY_AND_NIGHT = daily((0,), (0,))
NIGHTS_22_02 = daily((22,), (2,))

# 2026-11-24 is a Tuesday, 2026-11-29 a Sunday.
TUESDAY_15 = at(2026, 11, 24, 15)
SUNDAY_03 = at(2026, 11, 29, 3)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_weekday_rule_is_open_inside_its_hours():
    status = status_at(TUESDAY_15, WEEKDAYS_14_17)
    assert status.is_open
    assert status.until == at(2026, 11, 24, 17)
    assert describe(status, TUESDAY_15) == "Open now, until 17:00"


def test_closing_time_itself_is_closed():
    status = status_at(at(2026, 11, 24, 17), WEEKDAYS_14_17)
    assert not status.is_open
    assert status.next_open == at(2026, 11, 25, 14)


def test_before_opening_says_opens_today():
    now = at(2026, 11, 24, 9, 30)
    assert describe(status_at(now, WEEKDAYS_14_17), now) == "Closed, opens today at 14:00"


def test_weekday_service_on_a_weekend_opens_next_monday():
    status = status_at(SUNDAY_03, WEEKDAYS_14_17)
    assert status.next_open == at(2026, 11, 30, 14)
    assert describe(status, SUNDAY_03) == "Closed, opens tomorrow at 14:00"
    saturday = at(2026, 11, 28, 12)
    assert describe(status_at(saturday, WEEKDAYS_14_17), saturday) == (
        "Closed, opens Monday at 14:00"
    )


def test_friday_evening_opens_monday():
    friday = at(2026, 11, 27, 18)
    status = status_at(friday, WEEKDAYS_14_17)
    assert status.next_open == at(2026, 11, 30, 14)


def test_day_and_night_service_is_always_open():
    for now in (TUESDAY_15, SUNDAY_03, at(2026, 12, 31, 23, 59)):
        status = status_at(now, DAY_AND_NIGHT)
        assert status.is_open and status.always_open
        assert describe(status, now) == "Open day and night"


def test_rule_spanning_midnight_is_open_after_midnight():
    status = status_at(at(2026, 11, 24, 1), NIGHTS_22_02)
    assert status.is_open
    assert status.until == at(2026, 11, 24, 2)


def test_rule_spanning_midnight_is_closed_in_the_afternoon():
    status = status_at(TUESDAY_15, NIGHTS_22_02)
    assert not status.is_open
    assert status.next_open == at(2026, 11, 24, 22)


def test_last_night_of_a_weekday_only_span_runs_into_saturday():
    friday_night = daily((22,), (2,), days=[4])
    assert status_at(at(2026, 11, 28, 1, 30), friday_night).is_open
    assert not status_at(at(2026, 11, 28, 2, 30), friday_night).is_open


def test_closed_exception_overrides_the_weekly_rule():
    christmas_eve = DatedException(dt.date(2026, 12, 24))  # a Thursday
    now = at(2026, 12, 24, 15)
    status = status_at(now, WEEKDAYS_14_17, [christmas_eve])
    assert not status.is_open
    assert status.next_open == at(2026, 12, 25, 14)


def test_exception_with_other_hours_replaces_the_day():
    short_day = DatedException(dt.date(2026, 12, 31), dt.time(10), dt.time(12))
    assert status_at(at(2026, 12, 31, 11), WEEKDAYS_14_17, [short_day]).is_open
    assert not status_at(at(2026, 12, 31, 15), WEEKDAYS_14_17, [short_day]).is_open


def test_exception_can_open_a_closed_day():
    open_sunday = DatedException(dt.date(2026, 11, 29), dt.time(12), dt.time(16))
    assert status_at(at(2026, 11, 29, 13), WEEKDAYS_14_17, [open_sunday]).is_open


def test_spring_forward_day_keeps_wall_clock_hours():
    # 2026-03-29: clocks go from 02:00 to 03:00 in Oslo. A Sunday.
    sunday_rules = daily((10,), (14,), days=[6])
    opening = status_at(at(2026, 3, 29, 9), sunday_rules).next_open
    assert opening.astimezone(OSLO).hour == 10
    assert opening.astimezone(OSLO).utcoffset() == dt.timedelta(hours=2)
    assert status_at(at(2026, 3, 29, 13, 59), sunday_rules).is_open


def test_fall_back_day_is_25_hours_and_a_day_and_night_service_stays_open():
    # 2026-10-25: clocks go from 03:00 back to 02:00.
    for hour in range(0, 24):
        assert status_at(at(2026, 10, 25, hour), DAY_AND_NIGHT).is_open
    night = status_at(at(2026, 10, 25, 1), daily((22,), (4,), days=[5]))
    assert night.is_open
    # 22:00 CEST to 04:00 CET is seven hours of real time on this night.
    assert night.until.astimezone(dt.UTC) - at(2026, 10, 24, 22).astimezone(dt.UTC) == (
        dt.timedelta(hours=7)
    )


def test_repeated_hour_when_clocks_go_back_is_compared_in_real_time():
    # 02:00-03:00 happens twice on 2026-10-25; a rule ending 02:30 ends at the first 02:30.
    rules = daily((1,), (2, 30), days=[6])
    first = dt.datetime(2026, 10, 25, 2, 40, tzinfo=OSLO, fold=0)
    second = dt.datetime(2026, 10, 25, 2, 10, tzinfo=OSLO, fold=1)
    assert not status_at(first, rules).is_open
    assert not status_at(second, rules).is_open


def test_opening_after_a_week_shows_the_date():
    only_one_day = [DatedException(dt.date(2026, 12, 10), dt.time(9), dt.time(11))]
    now = at(2026, 11, 30, 12)
    text = describe(status_at(now, [], only_one_day), now)
    assert text == "Closed, opens 10. December at 09:00"


def test_no_hours_at_all_says_nothing():
    status = status_at(TUESDAY_15, [])
    assert status == Status(is_open=False, no_hours=True)
    assert describe(status, TUESDAY_15) == ""


def test_closing_at_midnight_reads_24_00():
    evening = daily((18,), (0,))
    now = at(2026, 11, 24, 20)
    assert describe(status_at(now, evening), now) == "Open now, until 24:00"


def test_bokmal_text():
    with translation.override("nb"):
        now = at(2026, 11, 28, 12)
        text = describe(status_at(now, WEEKDAYS_14_17), now)
    assert "14:00" in text and "mandag" in text


def test_open_past_midnight_says_until_tomorrow():
    status = status_at(at(2026, 11, 24, 23), NIGHTS_22_02)
    assert describe(status, at(2026, 11, 24, 23)) == "Open now, until tomorrow at 02:00"


def test_open_over_a_weekend_names_the_closing_day():
    weekend = daily((0,), (0,), days=[5, 6]) + daily((0,), (8,), days=[0])
    now = at(2026, 11, 28, 12)  # Saturday
    assert describe(status_at(now, weekend), now) == "Open now, until Monday at 08:00"
