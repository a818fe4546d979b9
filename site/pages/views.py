"""Views of the help pages: directory, crisis page, guided check and callback requests."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pages import group_schedule, page_cache, selectors, services
from pages import guided_check as routing
from pages.forms import CallbackRequestForm, DirectoryFilterForm, GuidedCheckForm
from pages.models import SiteSettings
from pages.opening_hours import describe


def _fresh(response):
    """Statuses are computed per request; no cache may keep one past an opening time."""
    add_never_cache_headers(response)
    return response


def _until_a_service_changes(response, now):
    """Anonymous visitors may be served this page from the whole-page cache until the first
    service opens or closes (no browser or proxy keeps it: see _fresh)."""
    return page_cache.cacheable_for(response, selectors.services_unchanged_for(now=now))


def _site_settings(request) -> SiteSettings:
    return SiteSettings.for_request(request)


def help_directory(request, page):
    now = timezone.now()
    categories = selectors.help_categories()
    form = DirectoryFilterForm(request.GET or None, categories=categories)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = form.cleaned_data
    cards = selectors.help_directory_list(
        now=now,
        category=filters.get("category", ""),
        region=filters.get("region", ""),
        open_now=filters.get("open_now", False),
    )
    context = page.get_context(request)
    context.update({"form": form, "cards": cards, "now": now})
    return _until_a_service_changes(
        _fresh(TemplateResponse(request, page.get_template(request), context)), now
    )


def crisis_page(request, page):
    now = timezone.now()
    context = page.get_context(request)
    context["cards"] = selectors.crisis_services(now=now)
    return _until_a_service_changes(
        _fresh(TemplateResponse(request, page.get_template(request), context)), now
    )


def _offer_context(offers, suggestions, site_settings, now):
    items = []
    for key in offers:
        item = {"key": key}
        if key == "chat":
            item["status"] = site_settings.chat_status(now)
            item["status_text"] = describe(item["status"], now)
        elif key == "group":
            item["status"] = site_settings.next_group_session(now)
            item["status_text"] = describe(item["status"], now)
            item["url"] = site_settings.group_session_url or group_schedule.url()
        elif key == "forum":
            item["paths"] = suggestions.forum_paths or ["/forum/"]
        items.append(item)
    return items


def _crisis_url(request, page) -> str:
    crisis = page.crisis_page or _site_settings(request).crisis_page
    return crisis.specific.get_url(request) if crisis else "/"


@require_http_methods(["GET", "POST"])
def guided_check(request, page):
    """The guided check. Answers arrive in one POST and are gone after the response:
    no row is written and the session is not touched (a CSRF cookie is all it sets)."""
    questions = [block.value for block in page.questions if block.block_type == "question"]
    form = GuidedCheckForm(request.POST or None, questions=questions)
    context = page.get_context(request)
    context["form"] = form
    if request.method == "POST" and form.danger_signalled():
        return HttpResponseRedirect(_crisis_url(request, page), status=303)
    if request.method == "POST" and form.is_valid():
        suggestions = routing.route(form.chosen_options())
        now = timezone.now()
        site_settings = _site_settings(request)
        context.update(
            {
                "suggestions": suggestions,
                "offers": _offer_context(suggestions.offers, suggestions, site_settings, now),
                "cards": selectors.services_in_categories(
                    category_ids=suggestions.category_ids, now=now
                ),
            }
        )
    return _fresh(TemplateResponse(request, page.get_template(request), context))


@require_http_methods(["GET", "POST"])
def callback_request(request):
    now = timezone.now()
    form = CallbackRequestForm(request.POST or None, now=now)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.callback_request_create(
                phone=data["phone"],
                preferred_date=data["preferred_date"],
                window=data["window"],
                about=data["about"],
                urgent=data["urgent"],
                crisis_words=_site_settings(request).crisis_word_list(),
                now=now,
            )
        except ValidationError as error:
            field = {"phone": "phone", "day": "preferred_date", "window": "window"}.get(error.code)
            form.add_error(field, error)
        else:
            messages.success(
                request,
                _("Thank you. We will call you on the day and in the time window you chose."),
            )
            return redirect("callback_request_sent")
    return _fresh(TemplateResponse(request, "pages/callback_request.html", {"form": form}))


def callback_request_sent(request):
    return _fresh(TemplateResponse(request, "pages/callback_request_sent.html", {}))
