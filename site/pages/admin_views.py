"""The callback queue in the staff workspace."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ordrom.roles import Role, has_role
from pages import selectors, services
from pages.models import CallbackRequest

QUEUE_ROLES = (Role.SUPERVISOR, Role.COORDINATOR)
PAGE_SIZE = 50


def can_work_callbacks(user) -> bool:
    return has_role(user, *QUEUE_ROLES)


def _check(request):
    if not can_work_callbacks(request.user):
        raise PermissionDenied


def callback_queue(request):
    _check(request)
    page = Paginator(selectors.callback_queue_list(), PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "pages/admin/callback_queue.html",
        {
            "page_obj": page,
            "requests": page.object_list,
            "outcomes": [
                (CallbackRequest.Status.CALLED, _("Called")),
                (CallbackRequest.Status.NOT_REACHED, _("Not reached")),
                (CallbackRequest.Status.CLOSED, _("Close without a call")),
            ],
        },
    )


@require_POST
def callback_record(request, pk: int):
    _check(request)
    outcome = request.POST.get("outcome", "")
    if outcome not in {
        CallbackRequest.Status.CALLED,
        CallbackRequest.Status.NOT_REACHED,
        CallbackRequest.Status.CLOSED,
    }:
        messages.error(request, _("Choose what happened."))
        return redirect("callback_queue")
    try:
        services.callback_request_record(
            request_id=pk, outcome=outcome, by=request.user, now=timezone.now()
        )
    except CallbackRequest.DoesNotExist:
        messages.error(request, _("That request no longer exists."))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Saved."))
    return redirect("callback_queue")
