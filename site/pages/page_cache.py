"""Whole-page cache for public content pages seen by visitors who are not signed in.

Most visits are anonymous reads of the same few pages (home, articles, the crisis page).
Those pages mark their response cacheable (``PublicCacheable``); this middleware keeps the
rendered page in the cache, keyed by path, query and language, and answers the next
anonymous visitor from there without touching the database.

What is never cached:
- anything for a browser that carries a session or pending messages (signed-in members,
  visitors who just wrote a letter): their pages may hold personal data;
- responses that set a cookie or used a CSRF token (pages with forms): a token is personal;
- pages that do not opt in (app pages depend on data and on who asks).

A page whose content depends on the clock (the help directory and the crisis page show what is
open now) opts in for as long as it stays true: ``cacheable_for(response, seconds)`` keeps it
until the first service opens or closes (or midnight turns "tomorrow" into "today"), never
longer than ``CACHE_SECONDS``.

Publishing, unpublishing, moving or deleting a page and saving the site settings bump one
version number (pages.chrome.forget), which retires every cached page at once.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

CACHE_SECONDS = 300
VERSION_KEY = "pages:public:version"
MAX_QUERY_LENGTH = 200
_SKIPPED_HEADERS = {"set-cookie", "content-length"}


def version() -> int:
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, 1, None)
        current = cache.get(VERSION_KEY) or 1
    return current


def bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def cacheable_for(response, seconds: float):
    """Mark *response* as the same for every anonymous visitor for the next *seconds*."""
    seconds = int(min(seconds, CACHE_SECONDS))
    if seconds > 0:
        response.ordrom_public_cache = True
        response.ordrom_public_cache_seconds = seconds
    return response


class PublicCacheable:
    """Mixin for Wagtail page types whose page is the same for every anonymous visitor."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        response.ordrom_public_cache = True
        return response


def _anonymous(request) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _key(request) -> str | None:
    query = request.META.get("QUERY_STRING", "")
    if len(query) > MAX_QUERY_LENGTH:
        return None
    return (
        f"pages:public:{version()}:{request.LANGUAGE_CODE}:{request.get_host()}"
        f":{request.path}?{query}"
    )


class PublicPageCacheMiddleware:
    """Place after the language middleware (the key needs the language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not _anonymous(request):
            return self.get_response(request)
        key = _key(request)
        if key is None:
            return self.get_response(request)
        stored = cache.get(key)
        # The entry carries its own end, on this server's clock: a page that is true until
        # a service opens is never served after that, whatever the cache's own clock says.
        if stored is not None and len(stored) == 4 and time.time() < stored[3]:
            status, headers, content, _until = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            return response
        response = self.get_response(request)
        if self._cacheable(request, response):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            headers = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in _SKIPPED_HEADERS
            ]
            seconds = getattr(response, "ordrom_public_cache_seconds", CACHE_SECONDS)
            until = time.time() + seconds
            cache.set(key, (response.status_code, headers, response.content, until), seconds)
        return response

    @staticmethod
    def _cacheable(request, response) -> bool:
        return (
            getattr(response, "ordrom_public_cache", False)
            and response.status_code == 200
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not getattr(response, "streaming", False)
        )
