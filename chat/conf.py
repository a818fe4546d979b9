"""The chat's tunables, read through one object (``app_settings``), each with its default.

Settings (or the environment through settings.py) may override them:

``CHAT_MAX_PARALLEL``      parallel chats one supervisor holds by default (2).
``CHAT_PLACE_KEPT_SECONDS`` how long a place in the queue is kept after the member's page
                           lost its connection (120: a reload or a dropped line loses nothing).
``CHAT_PRESENCE_SECONDS``  a supervisor counts as online this long after their console was
                           last heard from (the console pings every 30 s).
``CHAT_MINUTES_PER_CHAT``  the average length of a chat, for the estimated wait.
``CHAT_PREFERENCE_SECONDS`` how long a request for "the same supervisor as last time" waits
                           for that supervisor (while online) before anyone may take it.
``CHAT_RETENTION_DAYS``    ended conversations are deleted after this many days.
``CHAT_DB_THREADS``        threads (each with its own database connection) per process for
                           the sockets' message work (16).
"""

from __future__ import annotations

from django.conf import settings


class _Settings:
    def _get(self, name, default):
        return getattr(settings, name, default)

    @property
    def MAX_PARALLEL(self) -> int:  # noqa: N802
        return int(self._get("CHAT_MAX_PARALLEL", 2))

    @property
    def PLACE_KEPT_SECONDS(self) -> int:  # noqa: N802
        return int(self._get("CHAT_PLACE_KEPT_SECONDS", 120))

    @property
    def PRESENCE_SECONDS(self) -> int:  # noqa: N802
        return int(self._get("CHAT_PRESENCE_SECONDS", 90))

    @property
    def MINUTES_PER_CHAT(self) -> int:  # noqa: N802
        return int(self._get("CHAT_MINUTES_PER_CHAT", 20))

    @property
    def PREFERENCE_SECONDS(self) -> int:  # noqa: N802
        return int(self._get("CHAT_PREFERENCE_SECONDS", 180))

    @property
    def RETENTION_DAYS(self) -> int:  # noqa: N802
        return int(self._get("CHAT_RETENTION_DAYS", 30))

    @property
    def DB_THREADS(self) -> int:  # noqa: N802
        return max(1, int(self._get("CHAT_DB_THREADS", 16)))


app_settings = _Settings()
