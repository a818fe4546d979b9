"""Fixtures of the friend service tests: a fixed NOW, and members with approved profiles in
an adult or an under-18 age band."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from friends_support import NOW, approved_profile


@pytest.fixture(autouse=True)
def clock_just_after_now():
    """The clock runs from an hour after NOW. The fixtures approve profiles at NOW and they
    are listed for 60 days (PROFILE_LIFETIME), while the pages read the clock: by the real
    clock every profile would have expired from 1 January 2027, 12:00 in Oslo."""
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=True):
        yield


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def adult(member):
    """``member`` with an approved profile, 26–35."""
    approved_profile(member, "26-35")
    return member


@pytest.fixture
def other_adult(other_member):
    approved_profile(other_member, "36-50")
    return other_member


@pytest.fixture
def teen(user_factory):
    user = user_factory("Ung Bølge")
    approved_profile(user, "16-17")
    return user


@pytest.fixture
def other_teen(user_factory):
    user = user_factory("Ung Vind")
    approved_profile(user, "13-15")
    return user


@pytest.fixture
def later():
    return NOW + dt.timedelta(minutes=5)
