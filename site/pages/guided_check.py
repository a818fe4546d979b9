"""From the answers of a guided check to suggestions: a pure function, nothing stored."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pages.blocks import OFFERS

OFFER_ORDER = [key for key, _label in OFFERS]


@dataclass
class Suggestions:
    danger: bool = False
    offers: list[str] = field(default_factory=list)  # most often suggested first
    forum_paths: list[str] = field(default_factory=list)
    category_ids: set[int] = field(default_factory=set)


def route(chosen_options) -> Suggestions:
    """Combine the chosen answers.

    Each answer can signal danger, suggest offers inside Ordrom and help-service categories.
    Danger wins over everything (the caller leads straight to the crisis page). Offers are
    ranked by how many answers point to them; a letter is always among them, because it is
    the one offer that is open to everyone at any hour.
    """
    suggestions = Suggestions()
    votes: Counter[str] = Counter()
    for option in chosen_options:
        if option.get("signals_danger"):
            suggestions.danger = True
        votes.update(option.get("offers") or [])
        path = (option.get("forum_path") or "").strip()
        if path and path not in suggestions.forum_paths:
            suggestions.forum_paths.append(path)
        for category in option.get("help_categories") or []:
            if category is not None:
                suggestions.category_ids.add(category.pk)
    votes.setdefault("letter", 0)
    suggestions.offers = sorted(votes, key=lambda key: (-votes[key], OFFER_ORDER.index(key)))
    return suggestions
