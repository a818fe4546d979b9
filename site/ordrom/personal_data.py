"""One registry for everything the platform holds about a person.

Each app registers a section in its ``AppConfig.ready()``: a function that exports the
section for a user (JSON-serialisable) and one that erases it. The account page's export
and delete go through here, so a new app cannot forget either: it registers once and is
included in both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction


@dataclass(frozen=True)
class Section:
    name: str
    export: Callable[[Any], Any]
    erase: Callable[[Any], None]
    order: int = 100  # erase order: lower first; the account itself is erased last


_sections: dict[str, Section] = {}


def register(name: str, *, export: Callable, erase: Callable, order: int = 100) -> None:
    _sections[name] = Section(name=name, export=export, erase=erase, order=order)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.name))


def export_user(user) -> dict[str, Any]:
    return {section.name: section.export(user) for section in sections()}


def erase_user(user) -> None:
    """Erase every section for the user, all or nothing."""
    with transaction.atomic():
        for section in sections():
            section.erase(user)
