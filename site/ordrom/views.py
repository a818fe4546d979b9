"""Site-wide views that belong to no app: quick exit, error pages, image renditions."""

import logging
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.static import serve


@never_cache
def quick_exit(request):
    """The no-JavaScript path of the quick-exit button: leave for a neutral site at once.

    With JavaScript the button replaces the history entry instead (static/js/quick-exit.js),
    so the back button does not return here either.
    """
    return HttpResponseRedirect(settings.ORDROM_QUICK_EXIT_URL)


@never_cache
def switch_language(request):
    """The language switch in the header: ?language=en&next=/path/.

    A plain GET link-form, so the header needs no CSRF token and anonymous pages can be
    cached whole (pages.page_cache). Changing someone's display language is all a forged
    request could do. *next* must be a path on this site; anything else goes home.
    """
    language = request.GET.get("language", "")
    target = request.GET.get("next", "") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in {code for code, _name in settings.LANGUAGES}:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@require_safe
def media_image(request, path: str):
    """An image rendition from MEDIA_ROOT/images/ (what `{% image %}` and ImageBlock link to).

    Nothing else serves media: WhiteNoise serves only collected static files, nginx only
    /static/, and Django's static() helper only with DEBUG, so without this an image an
    editor adds to an article would be a broken link in production. The file goes through
    the middleware like any page, so it carries the site's security headers.
    """
    try:
        response = serve(request, path, document_root=Path(settings.MEDIA_ROOT) / "images")
    except SuspiciousFileOperation:  # a path out of images/
        raise Http404 from None
    patch_cache_control(response, public=True, max_age=60 * 60)
    return response


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def csrf_failure(request, reason=""):
    """A form whose CSRF check failed (CSRF_FAILURE_VIEW): an old tab, or a sign-in in
    another tab. Django's own page is English technical text with an inline style, which
    the site's Content-Security-Policy blocks; this one says what to do, in the site's
    layout. *reason* is for developers and is not shown."""
    return render(request, "403_csrf.html", status=403)


logger = logging.getLogger(__name__)

# What a stopped, restarting or unreachable database raises (psycopg's and sqlite3's errors,
# as Django wraps them); an IntegrityError is a bug, not an outage, and stays a 500.
DATABASE_OUTAGES = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# Never echoed back into a page: secrets a person types again rather than see in the HTML.
_SECRET_FIELD_PARTS = ("password", "csrf", "code", "secret", "key_phrase", "login")
_TEXT_FIELDS = {"body", "text", "first_line", "subject", "title", "message"}


def _kept_fields(request) -> tuple[list[dict], list[dict]]:
    """What the person sent, to send again: (text to show and edit, hidden values)."""
    shown, hidden = [], []
    if request.method != "POST":
        return shown, hidden
    for name, values in request.POST.lists():
        if any(part in name.lower() for part in _SECRET_FIELD_PARTS):
            continue
        for value in values:
            long_text = name in _TEXT_FIELDS or "\n" in value or len(value) > 120
            (shown if long_text and value.strip() else hidden).append(
                {"name": name, "value": value}
            )
    return shown, hidden


def database_unavailable(request) -> HttpResponse:
    """503 while the database does not answer: say so plainly and give back what was sent,
    in a form that sends it again (a letter's one-time token comes back too, so a second
    press never stores it twice).

    Rendered without the site's context processors: they read the session and the site
    settings from the very database that is down."""
    shown, hidden = _kept_fields(request)
    context = {
        "LANGUAGE_CODE": translation.get_language(),
        "kept_text": shown,
        "kept_hidden": hidden,
        "action": request.path,
        "csrf_token": get_token(request) if shown else "",
        "retry_seconds": RETRY_AFTER_SECONDS,
    }
    response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    # Django calls this inside its `except` block (django.core.handlers.exception), so the
    # exception is still at hand: a database outage gets its own answer, not a generic 500.
    if isinstance(sys.exc_info()[1], DATABASE_OUTAGES):
        logger.warning("database unavailable: answered %s %s with 503", request.method,
                       request.path)
        return database_unavailable(request)
    return render(request, "500.html", status=500)


def bench_ok(request):
    """The bare view `make bench` measures every page against (mounted only with ORDROM_BENCH=1):
    it goes through the whole middleware stack, so a page's ratio to it is the page's own cost."""
    return HttpResponse("ok", content_type="text/plain")
