"""A Redis cache that keeps the site up when Redis is down.

Django's RedisCache raises on every call while Redis is unreachable, and everything that
touches the cache (rate limits, the double-submit guard, Wagtail's settings and site
lookups) would answer 500. Here a failing call behaves like an empty cache instead:
reads miss, writes are dropped, ``add`` and ``incr`` act as on a fresh key, so rate
limits open rather than refuse a letter. Nothing a user sends depends on the cache, so
nothing is lost; the database remains the one store (sessions live there too, see
settings.SESSION_ENGINE).

After a failure the cache is skipped for ``RETRY_SECONDS`` (a small circuit breaker),
so an outage costs one timeout per process every few seconds, not one per call.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


class _Breaker:
    def __init__(self) -> None:
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allows(self) -> bool:
        return time.monotonic() >= self._open_until

    def trip(self, operation: str) -> None:
        with self._lock:
            first = self.allows()
            self._open_until = time.monotonic() + RETRY_SECONDS
        if first:
            logger.warning(
                "cache: Redis did not answer (%s); serving without cache for %.0fs",
                operation,
                RETRY_SECONDS,
            )

    def reset(self) -> None:
        self._open_until = 0.0


class _ReusedClients(RedisCacheClient):
    """Django's Redis cache client, with one ``redis.Redis`` per connection pool instead of a
    new one for every call: building it (its options, retry and response callbacks) cost more
    Python than the command it sent. A ``redis.Redis`` is safe to share between threads; it
    takes a connection from its pool for each command."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._clients_lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            with self._clients_lock:
                client = self._clients.get(index)
                if client is None:
                    pool = self._get_connection_pool(write)
                    client = self._clients[index] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache whose calls degrade to "empty cache" while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients
        self.breaker = _Breaker()

    def _guarded(self, operation: str, fallback, call):
        if not self.breaker.allows():
            return fallback
        try:
            return call()
        except (RedisError, OSError):
            self.breaker.trip(operation)
            return fallback

    def get(self, key, default=None, version=None):
        return self._guarded(
            "get", default, lambda: super(ResilientRedisCache, self).get(key, default, version)
        )

    def get_many(self, keys, version=None):
        return self._guarded(
            "get_many", {}, lambda: super(ResilientRedisCache, self).get_many(keys, version)
        )

    def has_key(self, key, version=None):
        return self._guarded(
            "has_key", False, lambda: super(ResilientRedisCache, self).has_key(key, version)
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            "set", None, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version)
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # On outage: as if the key were new, so one-time guards let the request through.
        return self._guarded(
            "add", True, lambda: super(ResilientRedisCache, self).add(key, value, timeout, version)
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            "set_many",
            [],
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(
            "touch", False, lambda: super(ResilientRedisCache, self).touch(key, timeout, version)
        )

    def delete(self, key, version=None):
        return self._guarded(
            "delete", False, lambda: super(ResilientRedisCache, self).delete(key, version)
        )

    def delete_many(self, keys, version=None):
        return self._guarded(
            "delete_many", None, lambda: super(ResilientRedisCache, self).delete_many(keys, version)
        )

    def incr(self, key, delta=1, version=None):
        # On outage: as if counting from zero, so rate limits open instead of refusing.
        return self._guarded(
            "incr", delta, lambda: super(ResilientRedisCache, self).incr(key, delta, version)
        )

    def decr(self, key, delta=1, version=None):
        return self._guarded(
            "decr", 0, lambda: super(ResilientRedisCache, self).decr(key, delta, version)
        )

    def clear(self):
        """Delete this cache's keys (its KEY_PREFIX), not the whole Redis database.

        Django's RedisCache.clear() is FLUSHDB: it would also take the channel layer's
        groups and every other site or test run that shares the database with us."""
        return self._guarded("clear", False, self._clear_own_keys)

    def _clear_own_keys(self) -> bool:
        client = self._cache.get_client(None, write=True)
        prefix = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix)
        batch = []
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.unlink(*batch)
                batch.clear()
        if batch:
            client.unlink(*batch)
        return True
