"""The one door through which letters and chat ask the pages app for anything.

Referral cards (a help service as a compact card), the crisis words the editors maintain,
and the letter answer time shown to writers. Nothing else of pages is imported by them.
"""

from __future__ import annotations

from wagtail.models import Site

from pages.models import SiteSettings
from pages.selectors import referral_card, referral_cards, referral_choices  # noqa: F401


def _settings(request=None) -> SiteSettings:
    if request is not None:
        return SiteSettings.for_request(request)
    site = Site.objects.filter(is_default_site=True).first()
    return SiteSettings.for_site(site) if site else SiteSettings()


def crisis_words(request=None) -> list[str]:
    return _settings(request).crisis_word_list()


def letter_answer_hours(request=None) -> int:
    return _settings(request).letter_answer_hours
