"""The friend service's staff workspace: profiles to approve, held letters, reports, member
suspensions and the moderation log. Registered in ``friends/wagtail_hooks.py``.

Who may do what (DESIGN.md, least privilege): moderators keep the friend service safe, and
coordinators (team leads) can stand in for them, so both may use every view here. Supervisors
work letters and chats and have no reason to read members' private letters: they get 403,
as do editors (who maintain only the interests list, a snippet). A moderator reads a private
letter only when it is held or reported, and every such reading is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.defaults import permission_denied

from friends import selectors, services
from friends.admin_forms import AgeBandForm, ReasonForm, ResolveForm, SuspendForm
from friends.models import ContactRequest, Message, Profile, Report
from ordrom import audit
from ordrom.roles import Role, has_role

PAGE_SIZE = 50
AUDIT_MESSAGE = "friends.message"
AUDIT_REPORT = "friends.report"
AUDIT_REQUEST = "friends.request"

MESSAGE_APPROVED = gettext_lazy("The profile was approved and is shown now.")
MESSAGE_RETURNED = gettext_lazy("The profile was returned to the member with your reason.")
MESSAGE_AGE_BAND = gettext_lazy("The age band was changed.")
MESSAGE_DELIVERED = gettext_lazy("The letter was delivered.")
MESSAGE_REJECTED = gettext_lazy("The letter was not delivered; the writer sees your reason.")
MESSAGE_PASSED_ON = gettext_lazy("The request was passed on to the recipient.")
MESSAGE_NOT_PASSED_ON = gettext_lazy("The request was not passed on; the writer sees your reason.")
MESSAGE_RESOLVED = gettext_lazy("The report was closed.")
MESSAGE_SUSPENDED = gettext_lazy("The member is suspended from the friend service.")
MESSAGE_UNSUSPENDED = gettext_lazy("The suspension was lifted.")


def can_moderate(user) -> bool:
    return has_role(user, Role.MODERATOR, Role.COORDINATOR)


def moderators_only(view):
    """Others get a plain 403 (Wagtail would turn PermissionDenied into a redirect)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_moderate(request.user):
            return permission_denied(request, PermissionDenied())
        return view(request, *args, **kwargs)

    return wrapper


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("p"))


# --- Profiles ----------------------------------------------------------------------------------


@moderators_only
def profile_queue(request):
    page = _page(request, selectors.pending_profiles())
    return TemplateResponse(
        request, "friends/admin/profile_queue.html", {"page_obj": page, "profiles": page}
    )


@moderators_only
def profile_review(request, profile_id: int):
    try:
        profile = Profile.objects.select_related("member").get(pk=profile_id)
    except Profile.DoesNotExist:
        raise Http404 from None
    now = timezone.now()
    return_form = ReasonForm(prefix="return")
    age_form = AgeBandForm(prefix="age", initial={"age_band": profile.age_band})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.profile_approve(profile=profile, by=request.user, now=now)
                messages.success(request, MESSAGE_APPROVED)
                return redirect("friends_profile_queue")
            if action == "return":
                return_form = ReasonForm(request.POST, prefix="return")
                if return_form.is_valid():
                    services.profile_return(
                        profile=profile,
                        by=request.user,
                        reason=return_form.cleaned_data["reason"],
                        now=now,
                    )
                    messages.success(request, MESSAGE_RETURNED)
                    return redirect("friends_profile_queue")
            elif action == "age_band":
                age_form = AgeBandForm(request.POST, prefix="age")
                if age_form.is_valid():
                    services.profile_set_age_band(
                        profile=profile, by=request.user, now=now, **age_form.cleaned_data
                    )
                    messages.success(request, MESSAGE_AGE_BAND)
                    return redirect("friends_profile_review", profile_id=profile.pk)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
    standing = selectors.standing_of(profile.member)
    return TemplateResponse(
        request,
        "friends/admin/profile_review.html",
        {
            "profile": profile,
            "return_form": return_form,
            "age_form": age_form,
            "suspend_form": SuspendForm(),
            "suspended": standing is not None and standing.is_suspended(now),
            "standing": standing,
        },
    )


# --- Held letters ------------------------------------------------------------------------------


@moderators_only
def held_queue(request):
    """Held contact requests first (they are held only for crisis words, so every one is
    urgent), then held letters, urgent first."""
    page = _page(request, selectors.held_messages())
    for message in page:
        message.hold_labels = _hold_labels(message)
    held_requests = list(selectors.held_requests()[:PAGE_SIZE])
    for item in held_requests:
        item.hold_labels = _hold_labels(item)
    return TemplateResponse(
        request,
        "friends/admin/held_queue.html",
        {"page_obj": page, "held": page, "held_requests": held_requests},
    )


@moderators_only
def held_request(request, request_id: int):
    """A held contact request: pass it on to the recipient, or not (with a kind reason the
    writer sees). Reading it is written to the audit log, like a held letter."""
    try:
        contact_request = ContactRequest.objects.select_related("sender", "recipient").get(
            pk=request_id, status=ContactRequest.Status.HELD
        )
    except ContactRequest.DoesNotExist:
        raise Http404 from None
    now = timezone.now()
    reject_form = ReasonForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "pass_on":
                services.request_pass_on(request=contact_request, by=request.user, now=now)
                messages.success(request, MESSAGE_PASSED_ON)
                return redirect("friends_held_queue")
            reject_form = ReasonForm(request.POST)
            if reject_form.is_valid():
                services.request_not_pass_on(
                    request=contact_request,
                    by=request.user,
                    reason=reject_form.cleaned_data["reason"],
                    now=now,
                )
                messages.success(request, MESSAGE_NOT_PASSED_ON)
                return redirect("friends_held_queue")
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
    else:
        audit.record(
            actor=request.user,
            action=audit.READ,
            target_type=AUDIT_REQUEST,
            target_id=contact_request.pk,
            now=now,
        )
    return TemplateResponse(
        request,
        "friends/admin/held_request.html",
        {
            "contact_request": contact_request,
            "reject_form": reject_form,
            "hold_labels": _hold_labels(contact_request),
        },
    )


@moderators_only
def held_message(request, message_id: int):
    try:
        message = Message.objects.select_related("author", "conversation").get(
            pk=message_id, status=Message.Status.HELD
        )
    except Message.DoesNotExist:
        raise Http404 from None
    now = timezone.now()
    reject_form = ReasonForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                services.message_approve(message=message, by=request.user, now=now)
                messages.success(request, MESSAGE_DELIVERED)
                return redirect("friends_held_queue")
            reject_form = ReasonForm(request.POST)
            if reject_form.is_valid():
                services.message_reject(
                    message=message,
                    by=request.user,
                    reason=reject_form.cleaned_data["reason"],
                    now=now,
                )
                messages.success(request, MESSAGE_REJECTED)
                return redirect("friends_held_queue")
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
    else:
        audit.record(
            actor=request.user,
            action=audit.READ,
            target_type=AUDIT_MESSAGE,
            target_id=message.pk,
            now=now,
        )
    return TemplateResponse(
        request,
        "friends/admin/held_message.html",
        {"message": message, "reject_form": reject_form, "hold_labels": _hold_labels(message)},
    )


def _hold_labels(message) -> list[str]:
    labels = dict(Message.HoldReason.choices)
    return [str(labels.get(reason, reason)) for reason in message.hold_reasons]


# --- Reports -----------------------------------------------------------------------------------


@moderators_only
def report_queue(request):
    page = _page(request, selectors.open_reports())
    return TemplateResponse(
        request, "friends/admin/report_queue.html", {"page_obj": page, "reports": page}
    )


@moderators_only
def report_detail(request, report_id: int):
    """The report, the reported messages (and no others) and the two profiles."""
    try:
        report = Report.objects.select_related("reporter", "reported").get(pk=report_id)
    except Report.DoesNotExist:
        raise Http404 from None
    now = timezone.now()
    reported_messages = list(report.messages.select_related("author").order_by("created_at"))
    form = ResolveForm()
    if request.method == "POST":
        form = ResolveForm(request.POST)
        if form.is_valid():
            try:
                if form.cleaned_data["hide_messages"]:
                    for message in reported_messages:
                        if message.status == Message.Status.VISIBLE:
                            services.message_hide(
                                message=message,
                                by=request.user,
                                reason=form.cleaned_data["resolution"],
                                now=now,
                            )
                services.report_resolve(
                    report=report,
                    by=request.user,
                    resolution=form.cleaned_data["resolution"],
                    now=now,
                )
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(request, MESSAGE_RESOLVED)
                return redirect("friends_report_queue")
    else:
        audit.record(
            actor=request.user,
            action=audit.READ,
            target_type=AUDIT_REPORT,
            target_id=report.pk,
            now=now,
        )
    profiles = {
        p.member_id: p
        for p in Profile.objects.filter(
            member_id__in=[report.reporter_id, report.reported_id]
        ).prefetch_related("interests")
    }
    standing = selectors.standing_of(report.reported) if report.reported else None
    return TemplateResponse(
        request,
        "friends/admin/report_detail.html",
        {
            "report": report,
            "reported_messages": reported_messages,
            "reporter_profile": profiles.get(report.reporter_id),
            "reported_profile": profiles.get(report.reported_id),
            "form": form,
            "suspend_form": SuspendForm(),
            "suspended": standing is not None and standing.is_suspended(now),
        },
    )


# --- Members -----------------------------------------------------------------------------------


@moderators_only
@require_POST
def member_suspend(request, user_id: int):
    member = get_user_model().objects.filter(pk=user_id).first()
    if member is None:
        raise Http404
    now = timezone.now()
    back = request.POST.get("next") or "friends_profile_queue"
    if not back.startswith("/admin/"):
        back = "friends_profile_queue"
    if request.POST.get("action") == "unsuspend":
        services.member_unsuspend(member=member, by=request.user, now=now)
        messages.success(request, MESSAGE_UNSUSPENDED)
        return redirect(back)
    form = SuspendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _error_text(ValidationError(list(form.errors.values()))))
        return redirect(back)
    services.member_suspend(
        member=member,
        by=request.user,
        until=now + dt.timedelta(days=form.cleaned_data["days"]),
        reason=form.cleaned_data["reason"],
        now=now,
    )
    messages.success(request, MESSAGE_SUSPENDED)
    return redirect(back)


@moderators_only
def moderation_log(request):
    page = _page(request, selectors.moderation_log())
    return TemplateResponse(request, "friends/admin/log.html", {"page_obj": page, "actions": page})
