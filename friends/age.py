"""The age safeguard, in one place: members under 18 meet only under-18 age bands, and adults
only adult bands. Listing, the profile page, contact requests and every message ask here.

Pure functions of age bands, so the rule is tested once and cannot drift between callers.
"""

from __future__ import annotations

UNDER_18_BANDS = ("13-15", "16-17")
ADULT_BANDS = ("18-25", "26-35", "36-50", "51-65", "66+")


def is_minor(band: str) -> bool:
    return band in UNDER_18_BANDS


def bands_visible_to(band: str) -> tuple[str, ...]:
    """The age bands a member in *band* may see and contact (their own group)."""
    if band in UNDER_18_BANDS:
        return UNDER_18_BANDS
    if band in ADULT_BANDS:
        return ADULT_BANDS
    return ()


def may_meet(band_a: str | None, band_b: str | None) -> bool:
    """Whether two members, by their age bands, may see and write to each other."""
    if not band_a or not band_b:
        return False
    return band_b in bands_visible_to(band_a)
