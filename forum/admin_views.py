"""The moderators' workspace for the forum: the moderation queue, a post's review page with
every action, a topic's tools (lock, pin, move) and the moderation log. Registered in
``forum/wagtail_hooks.py``.

Every action goes through forum.services, which writes it to the moderation log. Each view
checks the role first; Wagtail's ``require_admin_access`` sends anonymous visitors to the
login, and the staff-area middleware refuses members and staff without two-factor login.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.defaults import permission_denied

from forum import selectors, services
from forum.admin_forms import (
    DeleteForm,
    HideForm,
    LogFilterForm,
    ModeratorEditForm,
    MoveForm,
    ReturnForm,
    SuspendForm,
)
from forum.models import Post, Report, Topic
from ordrom.roles import Role, has_role

MESSAGE_APPROVED = gettext_lazy("The post was approved and can now be read by everyone.")
MESSAGE_RETURNED = gettext_lazy("The post was returned to its author with your reason.")
MESSAGE_HIDDEN = gettext_lazy("The post was hidden.")
MESSAGE_DELETED = gettext_lazy("The post was deleted.")
MESSAGE_EDITED = gettext_lazy("The post was changed, with your note under it.")
MESSAGE_SUSPENDED = gettext_lazy("%(name)s cannot write in the forum until %(until)s.")
MESSAGE_LOCKED = gettext_lazy("The topic is locked.")
MESSAGE_UNLOCKED = gettext_lazy("The topic is open for replies again.")
MESSAGE_PINNED = gettext_lazy("The topic is pinned to the top of its category.")
MESSAGE_UNPINNED = gettext_lazy("The topic is no longer pinned.")
MESSAGE_MOVED = gettext_lazy("The topic was moved to %(category)s.")
ERROR_NO_AUTHOR = gettext_lazy("The author has deleted their account: there is nobody to suspend.")

TOPIC_FLAGS = {
    "lock": ({"locked": True}, MESSAGE_LOCKED),
    "unlock": ({"locked": False}, MESSAGE_UNLOCKED),
    "pin": ({"pinned": True}, MESSAGE_PINNED),
    "unpin": ({"pinned": False}, MESSAGE_UNPINNED),
}


# --- Who may do what ----------------------------------------------------------------------------


def can_moderate(user) -> bool:
    """Moderators, and coordinators who stand in for them and oversee the work."""
    return has_role(user, Role.MODERATOR, Role.COORDINATOR)


def moderators_only(view):
    """Others get a plain 403 (Wagtail's admin would turn a raised PermissionDenied into a
    redirect to the dashboard, which hides the refusal)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_moderate(request.user):
            return permission_denied(request, PermissionDenied())
        return view(request, *args, **kwargs)

    return wrapper


# --- Helpers ------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _post_or_404(post_id: int) -> Post:
    try:
        return selectors.staff_post(post_id=post_id)
    except Post.DoesNotExist as error:
        raise Http404 from error


def _topic_or_404(topic_id: int) -> Topic:
    try:
        return selectors.staff_topic(topic_id=topic_id)
    except Topic.DoesNotExist as error:
        raise Http404 from error


def _report_summary(reports: list[Report]) -> list[dict]:
    """Open reports grouped by reason: label, count, and the members' own words."""
    labels = dict(Report.Reason.choices)
    grouped: dict[str, dict] = {}
    for report in reports:
        entry = grouped.setdefault(
            report.reason, {"label": labels.get(report.reason, report.reason), "count": 0,
                            "texts": []}
        )
        entry["count"] += 1
        if report.text:
            entry["texts"].append(report.text)
    return sorted(grouped.values(), key=lambda entry: -entry["count"])


def _hold_labels(post: Post) -> list[str]:
    labels = dict(Post.HoldReason.choices)
    return [str(labels.get(reason, reason)) for reason in post.hold_reasons]


def _row(post: Post) -> dict:
    return {
        "post": post,
        "hold_reasons": _hold_labels(post),
        "reports": _report_summary(post.open_reports),
        "report_total": len(post.open_reports),
    }


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or str(gettext_lazy("You cannot do this."))


def _after(request, post: Post):
    """Back to where the moderator came from: the queue, or the post's page."""
    if request.POST.get("next") == "post":
        return redirect("forum_moderation_post", post_id=post.pk)
    return redirect("forum_moderation_queue")


# --- The queue ----------------------------------------------------------------------------------


@moderators_only
def queue(request):
    counts = selectors.moderation_queue_counts()
    paginator = Paginator(selectors.moderation_queue(), selectors.QUEUE_PER_PAGE)
    paginator.count = counts["total"]  # counted once above, not again by the paginator
    page = paginator.get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "forum/admin/queue.html",
        {"page_obj": page, "rows": [_row(post) for post in page.object_list], "counts": counts},
    )


# --- One post: its page and every action --------------------------------------------------------


def _render_post(request, post: Post, *, status=200, **forms):
    forms = {
        "return_form": ReturnForm(),
        "hide_form": HideForm(),
        "delete_form": DeleteForm(),
        "edit_form": ModeratorEditForm(initial={"body": post.body, "note": post.edit_note}),
        "suspend_form": SuspendForm(),
        **forms,
    }
    standing = selectors.standing_of(post.author) if post.author_id else None
    return TemplateResponse(
        request,
        "forum/admin/post.html",
        {
            "post": post,
            "row": _row(post),
            "topic": post.topic,
            "standing": standing,
            "suspended": standing is not None and standing.is_suspended(_now()),
            **forms,
        },
        status=status,
    )


@moderators_only
def post_page(request, post_id: int):
    return _render_post(request, _post_or_404(post_id))


@moderators_only
@require_POST
def post_approve(request, post_id: int):
    post = _post_or_404(post_id)
    try:
        services.post_approve(post=post, by=request.user, now=_now())
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, MESSAGE_APPROVED)
    return _after(request, post)


def _with_form(form_class, form_name: str, action, message):
    """A POST action that needs a form: on bad input the post's page again, with the form
    bound (what the moderator wrote is kept) and its error; otherwise the service."""

    @moderators_only
    @require_POST
    def view(request, post_id: int):
        post = _post_or_404(post_id)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                text = action(request, post, form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, text or message)
                return _after(request, post)
        return _render_post(request, post, **{form_name: form})

    return view


def _return(request, post, data):
    services.post_return(post=post, by=request.user, reason=data["reason"], now=_now())


def _hide(request, post, data):
    services.post_hide(post=post, by=request.user, reason=data["reason"], now=_now())


def _delete(request, post, data):
    services.post_moderator_delete(post=post, by=request.user, reason=data["reason"], now=_now())


def _edit(request, post, data):
    services.post_moderator_edit(
        post=post, by=request.user, body=data["body"], note=data["note"], now=_now()
    )


def _suspend(request, post, data):
    if post.author is None:
        raise ValidationError(ERROR_NO_AUTHOR)
    now = _now()
    until = now + dt.timedelta(days=data["days"])
    services.member_suspend(
        member=post.author, by=request.user, until=until, reason=data["reason"], now=now
    )
    from django.utils import formats

    return MESSAGE_SUSPENDED % {
        "name": post.author.get_username(),
        "until": formats.date_format(timezone.localtime(until), "j. F Y H:i"),
    }


post_return = _with_form(ReturnForm, "return_form", _return, MESSAGE_RETURNED)
post_hide = _with_form(HideForm, "hide_form", _hide, MESSAGE_HIDDEN)
post_delete = _with_form(DeleteForm, "delete_form", _delete, MESSAGE_DELETED)
post_edit = _with_form(ModeratorEditForm, "edit_form", _edit, MESSAGE_EDITED)
post_suspend = _with_form(SuspendForm, "suspend_form", _suspend, MESSAGE_SUSPENDED)


# --- A topic's tools ----------------------------------------------------------------------------


def _render_topic(request, topic: Topic, *, move_form=None, status=200):
    return TemplateResponse(
        request,
        "forum/admin/topic.html",
        {
            "topic": topic,
            "move_form": move_form or MoveForm(initial={"category": topic.category_id}),
        },
        status=status,
    )


@moderators_only
def topic_page(request, topic_id: int):
    return _render_topic(request, _topic_or_404(topic_id))


@moderators_only
@require_POST
def topic_flags(request, topic_id: int):
    topic = _topic_or_404(topic_id)
    flag = TOPIC_FLAGS.get(request.POST.get("action", ""))
    if flag is None:
        messages.error(request, gettext_lazy("Choose what to do with the topic."))
        return redirect("forum_moderation_topic", topic_id=topic.pk)
    arguments, message = flag
    services.topic_set_flags(topic=topic, by=request.user, now=_now(), **arguments)
    messages.success(request, message)
    return redirect("forum_moderation_topic", topic_id=topic.pk)


@moderators_only
@require_POST
def topic_move(request, topic_id: int):
    topic = _topic_or_404(topic_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _render_topic(request, topic, move_form=form)
    category = form.cleaned_data["category"]
    services.topic_move(topic=topic, by=request.user, category=category, now=_now())
    messages.success(request, MESSAGE_MOVED % {"category": category.name})
    return redirect("forum_moderation_topic", topic_id=topic.pk)


# --- The moderation log -------------------------------------------------------------------------


@moderators_only
def log(request):
    form = LogFilterForm(request.GET, moderators=selectors.moderation_log_moderators())
    entries = selectors.moderation_log(**form.filters())
    page = Paginator(entries, selectors.LOG_PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "forum/admin/log.html",
        {"page_obj": page, "entries": page.object_list, "filter_form": form},
    )
