"""Redis down: the cache behaves as an empty cache and the site keeps working.

The cache points at a port where nothing listens (a real connection refusal, not a mock),
which is what a stopped Redis looks like to the application.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from letters.models import Letter

DEAD_REDIS = {
    "default": {
        "BACKEND": "ordrom.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def redis_down():
    with override_settings(CACHES=DEAD_REDIS):
        yield cache


def test_a_dead_cache_reads_as_empty_and_drops_writes(redis_down):
    assert redis_down.get("anything", "fallback") == "fallback"
    assert redis_down.set("key", "value") is None
    assert redis_down.get_many(["a", "b"]) == {}
    assert redis_down.add("once", True) is True, "a one-time guard must let the request through"
    assert redis_down.incr("counter") == 1, "a rate limit counts from zero instead of refusing"
    assert redis_down.delete("key") is False


@pytest.mark.django_db
def test_public_pages_and_sign_in_work_while_redis_is_down(redis_down, member):
    client = Client()
    for path in ("/", "/forum/", "/letters/new/", "/accounts/login/", "/healthz"):
        response = client.get(path, follow=True)
        assert response.status_code in (200, 503), path  # /healthz reports the layer itself
    client.force_login(member)
    assert client.get("/letters/").status_code == 200


def _hidden(content: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', content)
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


@pytest.mark.django_db
def test_a_visitor_letter_is_stored_while_redis_is_down(redis_down):
    client = Client()
    with time_machine.travel(timezone.now() - dt.timedelta(seconds=60)):
        form = client.get("/letters/new/").content.decode()
    response = client.post(
        "/letters/new/",
        {
            "subject": "",
            "body": "Det er stille her, og jeg vet ikke hvem jeg skal snakke med.",
            "topic": "",
            "website": "",
            "token": _hidden(form, "token"),
            "started": _hidden(form, "started"),
        },
    )
    assert response.status_code == 200
    assert Letter.objects.filter(body__startswith="Det er stille her").count() == 1


def _reachable_redis() -> str:
    import os

    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except (redis.RedisError, OSError):
        pytest.skip(f"no Redis at {url}")
    return url


def test_clearing_the_cache_leaves_other_prefixes_in_the_same_redis_alone():
    # Django's RedisCache.clear() is FLUSHDB: a test run's (or an operator's) cache.clear()
    # emptied the rate-limit counters of another site or run sharing the database.
    from django.core.cache.backends.redis import RedisCache

    from ordrom.cache import ResilientRedisCache

    url = _reachable_redis()
    ours = ResilientRedisCache(url, {"KEY_PREFIX": "ordrom-clear-[a]*"})
    theirs = RedisCache(url, {"KEY_PREFIX": "ordrom-clear-[b]"})
    ours.set_many({f"k{i}": i for i in range(2500)})
    theirs.set("counter", 5)
    try:
        assert ours.clear() is True
        assert ours.get("k0") is None and ours.get("k2499") is None
        assert theirs.get("counter") == 5
    finally:
        theirs.delete("counter")
