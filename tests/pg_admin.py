"""A connection to the PostgreSQL maintenance database of the cluster a URL names.

Shared by the browser tests and the live proof suites, which both create and drop databases:
the maintenance database exists on every cluster, the one named in the URL may not.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def maintenance_connect(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        dbname="postgres",
        user=parts.username or None,
        password=parts.password or None,
        host=parts.hostname or None,
        port=parts.port or None,
        autocommit=True,
    )
