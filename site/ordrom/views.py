"""Site-wide views that belong to no app: quick exit and error pages."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache


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


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def bench_ok(request):
    """The bare view `make bench` measures every page against (mounted only with ORDROM_BENCH=1):
    it goes through the whole middleware stack, so a page's ratio to it is the page's own cost."""
    return HttpResponse("ok", content_type="text/plain")
