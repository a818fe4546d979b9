"""HTML rendered once and kept in this process, under a key of exactly what it shows.

Several parts of pages (the base layout's crisis strip, Wagtail's shortcuts dialog and icons,
referral cards, the browse filters, empty forms) follow only from a few values and the
language. Each keeps its renderings in a ``KeptHtml``: a bounded dict, never the shared cache,
so nothing personal belongs in one. The key must name everything the template reads.
"""

from __future__ import annotations

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
