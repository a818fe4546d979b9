"""What the base layout shows on every page, read once and kept in the cache.

The crisis strip (emergency and helpline numbers, also in the crisis boxes of letters, the
forum, the friend service and the chat) and the links to the crisis page and the
help directory come from the site settings and two pages. Read on every request they cost
four or five queries a page; here they cost one cache read. Saving the settings or
publishing, unpublishing, moving or deleting any page forgets the cached copy, so an
editor's change shows on the next request.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

CACHE_SECONDS = 300


def _key(language: str) -> str:
    return f"pages:chrome:{language}"


def _build() -> dict:
    from wagtail.models import Site

    from pages.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first()
    values = SiteSettings.for_site(site) if site else SiteSettings()
    crisis_page = values.crisis_page if values.crisis_page_id else None
    help_page = values.help_page if values.help_page_id else None
    return {
        "emergency_number": values.emergency_number,
        "emergency_text": values.emergency_text,
        "helpline_number": values.helpline_number,
        "helpline_text": values.helpline_text,
        "letter_answer_hours": values.letter_answer_hours,
        "crisis_url": crisis_page.get_url() if crisis_page and crisis_page.live else "",
        "help_url": help_page.get_url() if help_page and help_page.live else "",
    }


def site_chrome(language: str | None = None) -> dict:
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    chrome = cache.get(_key(language))
    if chrome is None:
        with translation.override(language):
            chrome = _build()
        cache.set(_key(language), chrome, CACHE_SECONDS)
    return chrome


def forget(**kwargs) -> None:
    """Signal receiver: the settings or the page tree changed."""
    from pages import page_cache

    cache.delete_many([_key(code) for code, _name in settings.LANGUAGES])
    page_cache.bump()
