"""HTML rendered once and kept in this process, under a key of exactly what it shows.

Several parts of pages (the base layout's crisis strip, Wagtail's shortcuts dialog and icons,
referral cards, the browse filters, empty forms) follow only from a few values and the
language. Each keeps its renderings in a ``KeptHtml``: a bounded dict, never the shared cache,
so nothing personal belongs in one. The key must name everything the template reads.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock

from django.utils.functional import Promise


def hashable(value) -> Hashable:
    """*value* as a key: lazy translations as their text, lists and dicts as tuples (in
    their order, which is the order the template shows them in)."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return tuple((hashable(key), hashable(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return tuple(hashable(item) for item in value)
    return value


class KeptHtml:
    """``kept.get(key, render)``: the HTML kept under *key*, or ``render()`` kept from now on
    (at most *limit* keys; past that it is rendered each time, and a key that keeps
    changing shows up as a part that stays slow, not as memory that grows)."""

    def __init__(self, limit: int):
        self._items: dict[Hashable, str] = {}
        self._limit = limit
        self._lock = Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        html = self._items.get(key)
        if html is None:
            html = render()
            with self._lock:
                if len(self._items) < self._limit:
                    self._items[key] = html
        return html


class Recent:
    """Values kept in this process for *seconds* each, at most *limit* of them: past that
    the oldest goes. For what is read far more often than it changes and is cheap to get
    again: rendered parts under a digest of everything they show, rows under a shared
    version. Never the shared cache, so a process forgets its own at once (``clear``) even
    when Redis cannot be reached. A value is gone once its time is up, whether or not it is
    asked for again: every call first lets go of the ones whose time is up."""

    def __init__(self, *, limit: int, seconds: float):
        # In the order they were kept, which is the order their time runs out.
        self._items: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._limit = limit
        self._seconds = seconds
        self._lock = Lock()

    def __len__(self) -> int:
        with self._lock:
            self._let_go(time.monotonic())
            return len(self._items)

    def _let_go(self, now: float) -> None:
        items = self._items
        while items and next(iter(items.values()))[0] <= now:
            items.popitem(last=False)

    def get(self, key: Hashable, default=None):
        return self.get_many([key]).get(key, default)

    def get_many(self, keys) -> dict:
        with self._lock:
            self._let_go(time.monotonic())
            items = self._items
            return {key: items[key][1] for key in keys if key in items}

    def set(self, key: Hashable, value) -> None:
        self.set_many({key: value})

    def get_or_set(self, key: Hashable, build: Callable[[], object]):
        """The value kept under *key*, or ``build()`` kept from now on."""
        value = self.get(key)
        if value is None:
            value = build()
            self.set(key, value)
        return value

    def set_many(self, values: dict) -> None:
        now = time.monotonic()
        with self._lock:
            self._let_go(now)
            for key, value in values.items():
                self._items.pop(key, None)  # to the end: its time runs out last
                self._items[key] = (now + self._seconds, value)
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def delete_many(self, keys) -> None:
        with self._lock:
            for key in keys:
                self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
