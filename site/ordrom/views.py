"""Site-wide views that belong to no app: quick exit and error pages."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def quick_exit(request):
    """The no-JavaScript path of the quick-exit button: leave for a neutral site at once.

    With JavaScript the button replaces the history entry instead (static/js/quick-exit.js),
    so the back button does not return here either.
    """
    return HttpResponseRedirect(settings.ORDROM_QUICK_EXIT_URL)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def bench_ok(request):
    """The bare view `make bench` measures every page against (mounted only with ORDROM_BENCH=1):
    it goes through the whole middleware stack, so a page's ratio to it is the page's own cost."""
    return HttpResponse("ok", content_type="text/plain")
