"""Versions of cached data, shared through the cache: a key names its version, and a change
bumps it so every process stops using what it kept under the old one.

A missing version (a new or emptied cache, a restarted Redis) is drawn at random, never
counted from the start again: a process that keeps data of its own under a version must not
take what it kept under an old one for today's (the reply queue's pages, the help services).
"""

from __future__ import annotations

import secrets

from django.core.cache import cache


def current(key: str) -> int:
    version = cache.get(key)
    if version is None:
        cache.add(key, secrets.randbits(48), None)
        version = cache.get(key, 0)
    return version


def bump(key: str) -> int:
    """Move *key* to a new version, and return it."""
    try:
        return cache.incr(key)
    except ValueError:
        version = secrets.randbits(48)
        cache.set(key, version, None)
        return version
