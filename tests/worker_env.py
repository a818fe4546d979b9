"""Give each pytest-xdist worker its own Redis database (``make test`` loads this plugin with
``-p tests.worker_env``, before Django reads its settings).

``make test`` runs the suite in two processes (``-n 2``). The database is already theirs
alone (pytest-django names a test database per worker), and the in-memory cache and channel
layer are per process; Redis is not: one worker's ``cache.clear()`` (FLUSHDB, before and after
every test) would empty the rate-limit counters and used TOTP codes another worker's test is
counting on, and both would share the channel layer's groups. So each worker other than the
first moves ``REDIS_URL`` to a database of its own, spread evenly over Redis' sixteen (two
workers: ``/1`` and ``/9``), before the settings read it. Children the tests start (live
servers) inherit it.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Redis has 16 databases (0-15) by default; CI's steps use 1-4, the benchmark 11.
DATABASES = 16


def worker_redis_url(url: str, worker: str, workers: int) -> str:
    """*url* for the xdist worker named *worker* (``gw0``, ``gw1``, …) of *workers*."""
    number = int(re.fullmatch(r"gw(\d+)", worker).group(1)) if worker else 0
    if not url or number == 0:
        return url
    if workers > DATABASES:
        raise RuntimeError(f"{workers} test workers would share Redis' {DATABASES} databases")
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if parts.scheme == "unix":  # unix:///run/redis.sock?db=1
        current = int(query.get("db", 0))
    else:  # redis://host:6379/1
        current = int(parts.path.strip("/") or query.get("db", 0))
    database = (current + number * (DATABASES // workers)) % DATABASES
    if parts.scheme == "unix":
        query["db"] = str(database)
        return f"unix://{parts.path}?{urlencode(query)}"
    if "db" in query:
        query["db"] = str(database)
        return urlunsplit(parts._replace(query=urlencode(query)))
    return urlunsplit(parts._replace(path=f"/{database}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = worker_redis_url(
        os.environ["REDIS_URL"], _worker, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", 2))
    )
