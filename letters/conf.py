"""Tunables of the letters app, read through one object (like django-allauth's app_settings).

Each can be overridden in Django settings as ``LETTERS_<NAME>``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings


class LettersSettings:
    def _get(self, name: str, default):
        return getattr(settings, f"LETTERS_{name}", default)

    @property
    def MAX_BODY_LENGTH(self) -> int:  # noqa: N802 - settings read like constants
        return self._get("MAX_BODY_LENGTH", 10_000)

    @property
    def MAX_WAITING_PER_WRITER(self) -> int:  # noqa: N802
        """Letters a writer may have waiting for an answer at once."""
        return self._get("MAX_WAITING_PER_WRITER", 3)

    @property
    def CLAIM_LAPSES_AFTER(self) -> dt.timedelta:  # noqa: N802
        """A claim with no activity for this long lapses, so no letter is stranded."""
        return dt.timedelta(minutes=self._get("CLAIM_MINUTES", 30))

    @property
    def DUE_SOON(self) -> dt.timedelta:  # noqa: N802
        return dt.timedelta(hours=self._get("DUE_SOON_HOURS", 12))

    @property
    def RETENTION(self) -> dt.timedelta:  # noqa: N802
        """Closed threads older than this are deleted (counts are kept)."""
        return dt.timedelta(days=self._get("RETENTION_DAYS", 365))

    @property
    def CLOSE_ANSWERED_AFTER(self) -> dt.timedelta:  # noqa: N802
        """An answered thread with no follow-up for this long is closed."""
        return dt.timedelta(days=self._get("CLOSE_ANSWERED_DAYS", 30))

    @property
    def MIN_FORM_SECONDS(self) -> int:  # noqa: N802
        """A visitor's letter sent faster than this after the form was shown is a bot."""
        return self._get("MIN_FORM_SECONDS", 3)

    @property
    def VISITOR_LETTERS_PER_HOUR(self) -> int:  # noqa: N802
        """Letters (and so generated accounts) per client per hour, for visitors."""
        return self._get("VISITOR_LETTERS_PER_HOUR", 3)

    @property
    def KEY_PHRASE_WORDS(self) -> int:  # noqa: N802
        return self._get("KEY_PHRASE_WORDS", 7)


app_settings = LettersSettings()
