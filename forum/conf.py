"""Tunables of the forum, read through one object; override as FORUM_<NAME> in settings."""

from __future__ import annotations

import datetime as dt

from django.conf import settings


class ForumSettings:
    def _get(self, name, default):
        return getattr(settings, f"FORUM_{name}", default)

    @property
    def TRUST_APPROVED_POSTS(self) -> int:  # noqa: N802
        """Approved posts before a member posts directly in post-moderated categories."""
        return self._get("TRUST_APPROVED_POSTS", 3)

    @property
    def TRUST_DAYS(self) -> dt.timedelta:  # noqa: N802
        return dt.timedelta(days=self._get("TRUST_DAYS", 2))

    @property
    def REPORTS_TO_HIDE(self) -> int:  # noqa: N802
        """Reports by distinct members that hide a post until a moderator has looked."""
        return self._get("REPORTS_TO_HIDE", 3)

    @property
    def MAX_POST_LENGTH(self) -> int:  # noqa: N802
        return self._get("MAX_POST_LENGTH", 10_000)

    @property
    def MAX_TITLE_LENGTH(self) -> int:  # noqa: N802
        return self._get("MAX_TITLE_LENGTH", 120)

    @property
    def ALLOWED_LINK_DOMAINS(self) -> tuple[str, ...]:  # noqa: N802
        """Links to these sites (and their subdomains) do not hold a post."""
        return tuple(
            self._get(
                "ALLOWED_LINK_DOMAINS",
                (
                    "mentalhelse.no",
                    "helsenorge.no",
                    "ung.no",
                    "rodekors.no",
                    "kirkens-sos.no",
                    "rustelefonen.no",
                    "116111.no",
                    "sidetmedord.no",
                ),
            )
        )


app_settings = ForumSettings()
