"""Tunables of the friend service, read through one object; override as FRIENDS_<NAME>."""

from __future__ import annotations

import datetime as dt

from django.conf import settings


class FriendsSettings:
    def _get(self, name, default):
        return getattr(settings, f"FRIENDS_{name}", default)

    @property
    def PROFILE_LIFETIME(self) -> dt.timedelta:  # noqa: N802
        """An approved or renewed profile is listed this long, then asks to be renewed."""
        return dt.timedelta(days=self._get("PROFILE_DAYS", 60))

    @property
    def REQUESTS_PER_DAY(self) -> int:  # noqa: N802
        """Contact requests a member may send in 24 hours."""
        return self._get("REQUESTS_PER_DAY", 5)

    @property
    def MAX_INTERESTS(self) -> int:  # noqa: N802
        return self._get("MAX_INTERESTS", 8)

    @property
    def MAX_ABOUT_LENGTH(self) -> int:  # noqa: N802
        return self._get("MAX_ABOUT_LENGTH", 1_000)

    @property
    def MAX_MESSAGE_LENGTH(self) -> int:  # noqa: N802
        return self._get("MAX_MESSAGE_LENGTH", 5_000)

    @property
    def MESSAGES_PER_HOUR(self) -> int:  # noqa: N802
        """Letters a member may send in an hour, across all conversations."""
        return self._get("MESSAGES_PER_HOUR", 30)

    @property
    def REPORTS_PER_DAY(self) -> int:  # noqa: N802
        """Reports a member may make in 24 hours (about anyone): each lands in a moderator's
        queue, and a danger report at its top."""
        return self._get("REPORTS_PER_DAY", 10)

    @property
    def PROFILES_PER_PAGE(self) -> int:  # noqa: N802
        return self._get("PROFILES_PER_PAGE", 20)


app_settings = FriendsSettings()
