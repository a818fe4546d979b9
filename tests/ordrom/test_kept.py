"""ordrom.kept.Recent: what a process keeps for a while, bounded."""

from __future__ import annotations

import pytest

from ordrom import kept
from ordrom.kept import Recent


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(kept.time, "monotonic", clock)
    return clock


def test_a_value_is_kept_until_its_time_is_up(clock):
    recent = Recent(limit=10, seconds=15)
    recent.set("page", ["row"])
    clock.now += 14.9
    assert recent.get("page") == ["row"]
    clock.now += 0.2
    assert recent.get("page") is None
    assert len(recent) == 0


def test_past_the_limit_the_oldest_goes(clock):
    recent = Recent(limit=2, seconds=60)
    recent.set("a", 1)
    clock.now += 1
    recent.set("b", 2)
    assert recent.get("a") == 1
    recent.set("c", 3)
    assert recent.get_many(["a", "b", "c"]) == {"b": 2, "c": 3}


def test_a_value_whose_time_is_up_is_let_go_even_if_never_asked_for_again(clock):
    recent = Recent(limit=10, seconds=10)
    recent.set("deleted member's post", "<p>text</p>")
    clock.now += 5
    recent.set("another", "<p>other</p>")
    clock.now += 6
    recent.get("something else")
    assert "deleted member's post" not in recent._items
    assert len(recent) == 1


def test_setting_again_renews_the_time_and_the_value(clock):
    recent = Recent(limit=10, seconds=10)
    recent.set("a", 1)
    clock.now += 8
    recent.set("a", 2)
    clock.now += 8
    assert recent.get("a") == 2


def test_clear_forgets_everything_at_once(clock):
    recent = Recent(limit=10, seconds=60)
    recent.set_many({"a": 1, "b": 2})
    recent.clear()
    assert recent.get_many(["a", "b"]) == {}
    assert recent.get("a", "missing") == "missing"


def test_delete_many_forgets_only_those_keys_and_ignores_unknown_ones(clock):
    recent = Recent(limit=10, seconds=60)
    recent.set_many({"a": 1, "b": 2, "c": 3})
    recent.delete_many(["a", "c", "never kept"])
    assert recent.get_many(["a", "b", "c"]) == {"b": 2}
