"""Request/response middleware for the whole site: headers, language, sessions, staff 2FA."""

from __future__ import annotations

import time

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from ordrom import roles

ADMIN_PREFIX = "/admin/"


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except when saving the session fails because the database is locked or
    unreachable: Django turns every database error there into "the session was deleted"
    (SessionInterrupted, a 400 Bad Request), which tells a writer nothing and may hide that
    their letter was stored. Re-raised as the database error, it gets the 503 page that says
    so and keeps what they sent (ordrom.views.server_error)."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except SessionInterrupted as interrupted:
            update_error = interrupted.__context__
            cause = update_error.__context__ if isinstance(update_error, UpdateError) else None
            if isinstance(cause, (OperationalError, InterfaceError)):
                raise cause from interrupted
            raise


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with a second, looser policy for the Wagtail admin.

    Wagtail's admin relies on inline scripts, so it cannot run under the strict policy
    the public site uses (DESIGN.md, strict headers).
    """

    def process_response(self, request, response):
        own = response.get("Content-Security-Policy")
        if own and "frame-ancestors" not in own:
            # A view's own policy (Wagtail serves documents with "default-src 'none'") keeps
            # it, but framing and <base> have no fallback to default-src: add them.
            response["Content-Security-Policy"] = f"{own}; base-uri 'none'; frame-ancestors 'none'"
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and request.path.startswith(ADMIN_PREFIX):
            parts.config = settings.ORDROM_ADMIN_CSP
        return parts


class CsrfMiddleware(CsrfViewMiddleware):
    """Django's CSRF check, made to work with `Referrer-Policy: no-referrer`.

    Under that policy browsers send `Origin: null` with every form POST (Fetch standard,
    "serializing a request origin"), which Django rejects as a foreign origin, so no form
    on the site could be sent. The browser's own `Sec-Fetch-Site: same-origin` (set by the
    browser, not by page script, and unaffected by the referrer policy) says what the
    Origin header would have said. The CSRF token is still checked as usual.
    https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header
    """

    def _origin_verified(self, request):
        if (
            request.META.get("HTTP_ORIGIN") == "null"
            and request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"
        ):
            return True
        return super()._origin_verified(request)


class LanguageMiddleware:
    """Bokmål unless the visitor chose English with the language switch.

    Unlike Django's LocaleMiddleware this ignores Accept-Language: the service is
    Norwegian first, and the same URL shows the same language until someone asks otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class IdleTimeoutMiddleware:
    """End a signed-in session after ORDROM_IDLE_TIMEOUT seconds without a request.

    Devices are often shared. The last-seen time is written at most once a minute so an
    active user does not cost a session write per request.
    """

    KEY = "_ordrom_last_seen"
    WRITE_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.KEY)
            if last_seen is not None and now - last_seen > settings.ORDROM_IDLE_TIMEOUT:
                logout(request)
            elif last_seen is None or now - last_seen >= self.WRITE_EVERY:
                request.session[self.KEY] = now
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """A signed-in page must not be kept by the browser or a proxy (shared devices)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
            response.headers["Cache-Control"] = "no-store, private, max-age=0"
        return response


class StaffAreaMiddleware:
    """Guard the staff workspace (/admin/) before Wagtail sees the request.

    - A signed-in member gets 403: Wagtail would send them to the login page, and the
      login page sends a signed-in user back to ?next=, an endless loop.
    - Staff without an active authenticator may only set one up. allauth has no setting
      that forces MFA, so a staff account that has signed in with its password alone is
      sent to the TOTP set-up page from every /admin/ page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(ADMIN_PREFIX) and request.user.is_authenticated:
            roles.read_for_staff_area(request.user)
            if not roles.is_staff(request.user):
                raise PermissionDenied
            if settings.ORDROM_STAFF_REQUIRE_2FA and not roles.has_two_factor(request.user):
                return redirect(reverse("mfa_activate_totp") + "?next=" + ADMIN_PREFIX)
        return self.get_response(request)
