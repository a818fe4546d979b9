"""The members' side of the forum: read (everyone), write, react and report (members).

Every state change goes through forum.services; a refusal there (a rule, a rate limit, a
suspension, a locked topic) is shown in the form with what the member typed still in it.
Moderators work in the staff workspace; here they read like members, and also see posts
that wait for review.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from forum import fragments, selectors, services
from forum.forms import (
    ERROR_SEARCH_SHORT,
    SEARCH_MIN_LENGTH,
    EditForm,
    ReplyForm,
    ReportForm,
    SearchForm,
    TopicForm,
    quote_text,
)
from forum.models import Category, Post, Topic
from ordrom import notifications
from ordrom.roles import member_required
from pages import lookups

MESSAGE_PUBLISHED = gettext_lazy("Your post is published.")
MESSAGE_HELD = gettext_lazy(
    "Thank you. Your post is waiting for a moderator, who reads it before it is shown to "
    "others. You will get a notification when it has been looked at."
)
MESSAGE_DELETED = gettext_lazy("Your post was deleted.")
MESSAGE_REPORTED = gettext_lazy("Thank you for telling us. A moderator will look at the post.")

# The crisis help is shown on the next page the author sees, once.
CRISIS_SESSION_KEY = "forum:show-crisis-help"

NOTIFICATION_TEXTS = {
    services.NOTIFY_APPROVED: gettext_lazy(
        "Your post in “%(subject)s” was approved and can now be read by others."
    ),
    services.NOTIFY_RETURNED: gettext_lazy(
        "A moderator returned your post in “%(subject)s” to you. You can change it and send "
        "it again."
    ),
    services.NOTIFY_REPLY: gettext_lazy("Someone replied to your topic “%(subject)s”."),
}


def _now():
    return timezone.now()


def _suspended_until(request, suspended: bool | None = None) -> str | None:
    """When the member may write again, as people read it; None when they may write.
    *suspended*: whether they may not, when the page read it already (``viewer_suspended``
    of the category or topic it opened)."""
    now = _now()
    if suspended is None:
        suspended = selectors.is_suspended(request.user, now)
    if not suspended:
        return None
    standing = selectors.standing_of(request.user)
    if standing is None or not standing.is_suspended(now):
        return None
    return formats.date_format(timezone.localtime(standing.suspended_until), "j. F Y H:i")


def _refused(form, error) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You cannot do this."))
    else:
        form.add_error(None, error)


def _after_writing(request, post: Post) -> None:
    if post.status == Post.Status.PUBLISHED:
        messages.success(request, MESSAGE_PUBLISHED)
        return
    messages.info(request, MESSAGE_HELD)
    if str(Post.HoldReason.CRISIS) in post.hold_reasons:
        request.session[CRISIS_SESSION_KEY] = True


def _post_url(request, post: Post) -> str:
    position = selectors.post_position(post=post, viewer=request.user)
    page = position // selectors.POSTS_PER_PAGE + 1
    url = reverse("forum:topic", args=[post.topic_id])
    return f"{url}?page={page}#post-{post.pk}" if page > 1 else f"{url}#post-{post.pk}"


def _topic_or_404(request, topic_id: int) -> Topic:
    try:
        return selectors.topic_for_reader(topic_id=topic_id, viewer=request.user, now=_now())
    except Topic.DoesNotExist:
        raise Http404 from None


def _readable_post_or_404(request, post_id: int) -> Post:
    try:
        return selectors.post_for_reader(post_id=post_id, viewer=request.user)
    except (Post.DoesNotExist, Topic.DoesNotExist):
        raise Http404 from None


def _published_post_or_404(request, post_id: int) -> Post:
    post = _readable_post_or_404(request, post_id)
    if post.status != Post.Status.PUBLISHED:
        raise Http404
    return post


def _own_post_or_404(request, post_id: int) -> Post:
    try:
        post = selectors.own_post(post_id=post_id, author=request.user)
    except Post.DoesNotExist:
        raise Http404 from None
    if post.status in (Post.Status.DELETED, Post.Status.HIDDEN):
        raise Http404
    return post


# --- Reading -----------------------------------------------------------------------------------


@require_http_methods(["GET"])
def forum_index(request):
    return render(
        request,
        "forum/index.html",
        {"categories": selectors.category_list(), "search_form": SearchForm()},
    )


@require_http_methods(["GET"])
def forum_rules(request):
    """The editors' rules page (forum.ForumRulesPage) when there is one, shown here so the
    address every form links to stays the same; the built-in rules until it is made."""
    page = selectors.forum_rules_page()
    if page is None:
        return render(request, "forum/rules.html")
    return render(request, page.template, {"page": page, "self": page})


@require_http_methods(["GET"])
def category_detail(request, slug: str):
    try:
        category = selectors.category_for_slug(slug=slug, viewer=request.user, now=_now())
    except Category.DoesNotExist:
        raise Http404 from None
    paginator = selectors.category_topics(category=category)
    page = paginator.get_page(selectors.page_number(request.GET.get("page"), paginator))
    return render(
        request,
        "forum/category.html",
        {
            "category": category,
            "page_obj": page,
            "topic_rows": fragments.rendered_topic_rows(
                selectors.page_topics(page, category=category)
            ),
            "suspended_until": _suspended_until(request, category.viewer_suspended),
        },
    )


def _topic_page(request, topic: Topic, *, reply_form=None, status=200):
    paginator = selectors.topic_posts(topic=topic, viewer=request.user)
    page = paginator.get_page(selectors.page_number(request.GET.get("page"), paginator))
    posts = selectors.page_posts(page, topic=topic, viewer=request.user)
    recognised = selectors.recognised_post_ids(
        member=request.user, post_ids=[post.pk for post in posts]
    )
    for post in posts:
        post.recognised_by_viewer = post.pk in recognised
        post.is_own = request.user.is_authenticated and post.author_id == request.user.pk
    report_reasons = ReportForm.base_fields["reason"].choices
    is_moderator = selectors.is_moderator(request.user)
    return render(
        request,
        "forum/topic.html",
        {
            "topic": topic,
            "category": topic.category,
            "page_obj": page,
            "posts": posts,
            "post_html": fragments.rendered_posts(
                request,
                posts,
                topic=topic,
                report_reasons=report_reasons,
                is_moderator=is_moderator,
            ),
            "reply_form": reply_form,
            "reply_fields": (
                fragments.blank_form_fields(ReplyForm) if reply_form is None else None
            ),
            "report_reasons": report_reasons,
            "suspended_until": _suspended_until(request, getattr(topic, "viewer_suspended", None)),
            "show_crisis_help": request.session.pop(CRISIS_SESSION_KEY, False),
            "is_moderator": is_moderator,
        },
        status=status,
    )


@require_http_methods(["GET"])
def topic_detail(request, topic_id: int):
    return _topic_page(request, _topic_or_404(request, topic_id))


# --- Writing -----------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def topic_new(request, slug: str):
    try:
        category = selectors.category_for_slug(slug=slug, viewer=request.user, now=_now())
    except Category.DoesNotExist:
        raise Http404 from None
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.topic_create(
                author=request.user,
                category=category,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                now=_now(),
                crisis_words=lookups.crisis_words(request),
            )
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            _after_writing(request, post)
            return redirect("forum:topic", topic_id=post.topic_id)
    return render(
        request,
        "forum/topic_new.html",
        {
            "category": category,
            "form": form,
            "suspended_until": _suspended_until(request, category.viewer_suspended),
        },
    )


@member_required
@require_http_methods(["GET", "POST"])
def topic_reply(request, topic_id: int):
    """The reply page: for a quote (``?quote=<post id>``), and the form again after a refusal."""
    topic = _topic_or_404(request, topic_id)
    quoted = None
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            quoted = _quoted_post(request, topic, form.cleaned_data.get("quote_of"))
            try:
                post = services.post_create(
                    author=request.user,
                    topic=topic,
                    body=form.cleaned_data["body"],
                    quote_of=quoted,
                    now=_now(),
                    crisis_words=lookups.crisis_words(request),
                )
            except (ValidationError, PermissionDenied) as error:
                _refused(form, error)
            else:
                _after_writing(request, post)
                return redirect(_post_url(request, post))
    else:
        quoted = _quoted_post(request, topic, request.GET.get("quote"))
        initial = {"body": quote_text(quoted.body), "quote_of": quoted.pk} if quoted else {}
        form = ReplyForm(initial=initial)
    return render(
        request,
        "forum/reply.html",
        {
            "topic": topic,
            "category": topic.category,
            "form": form,
            "quoted": quoted,
            "suspended_until": _suspended_until(request),
        },
    )


def _quoted_post(request, topic: Topic, post_id) -> Post | None:
    try:
        post = selectors.post_for_reader(post_id=int(post_id), viewer=request.user)
    except (TypeError, ValueError, Post.DoesNotExist, Topic.DoesNotExist):
        return None
    if post.topic_id != topic.pk or post.status != Post.Status.PUBLISHED:
        return None
    return post


@member_required
@require_http_methods(["GET", "POST"])
def post_edit(request, post_id: int):
    post = _own_post_or_404(request, post_id)
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid():
            try:
                post = services.post_edit(
                    post=post,
                    by=request.user,
                    body=form.cleaned_data["body"],
                    now=_now(),
                    crisis_words=lookups.crisis_words(request),
                )
            except (ValidationError, PermissionDenied) as error:
                _refused(form, error)
            else:
                _after_writing(request, post)
                return redirect(_post_url(request, post))
    else:
        form = EditForm(initial={"body": post.body})
    return render(
        request,
        "forum/post_edit.html",
        {
            "post": post,
            "topic": post.topic,
            "category": post.topic.category,
            "form": form,
            "suspended_until": _suspended_until(request),
        },
    )


@member_required
@require_http_methods(["GET", "POST"])
def post_delete(request, post_id: int):
    post = _own_post_or_404(request, post_id)
    if request.method == "POST":
        services.post_delete_own(post=post, by=request.user, now=_now())
        messages.success(request, MESSAGE_DELETED)
        return redirect(_post_url(request, post))
    return render(
        request,
        "forum/post_delete.html",
        {"post": post, "topic": post.topic, "category": post.topic.category},
    )


@member_required
@require_POST
def post_recognise(request, post_id: int):
    post = _published_post_or_404(request, post_id)
    services.post_recognise(post=post, member=request.user, now=_now())
    return redirect(_post_url(request, post))


@member_required
@require_http_methods(["GET", "POST"])
def post_report(request, post_id: int):
    """The report form: inline under every post, and on its own page (errors, no details)."""
    post = _published_post_or_404(request, post_id)
    if post.author_id == request.user.pk:
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_report(
                post=post,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                now=_now(),
            )
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, MESSAGE_REPORTED)
            return redirect(_post_url(request, post))
    return render(
        request,
        "forum/report.html",
        {"post": post, "topic": post.topic, "category": post.topic.category, "form": form},
    )


# --- Notifications and search ------------------------------------------------------------------


@member_required
@require_http_methods(["GET"])
def notification_list(request):
    items = selectors.member_notifications(member=request.user)
    for item in items:
        item.text = notifications.text_for(item)
        item.is_unread = item.read_at is None
    notifications.mark_read(recipient=request.user, now=_now())
    return render(
        request,
        "forum/notifications.html",
        {"notifications": items, "returned_kind": services.NOTIFY_RETURNED},
    )


@require_http_methods(["GET"])
def search(request):
    form = SearchForm(request.GET)
    query = form.query()
    page = None
    message = None
    if query:
        paginator = selectors.post_search(query=query)
        page = paginator.get_page(request.GET.get("page"))
    elif request.GET.get("q", "").strip():
        message = ERROR_SEARCH_SHORT % {"min": SEARCH_MIN_LENGTH}
    else:
        message = _("Write what you are looking for.")
    return render(
        request,
        "forum/search.html",
        {
            "search_form": form,
            "query": query,
            "page_obj": page,
            "results": page.object_list if page else [],
            "message": message,
            "extra_query": urlencode({"q": query}) + "&" if query else "",
        },
    )
