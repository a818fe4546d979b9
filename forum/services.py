"""Every state change of the forum: one function each, transactional, the only writers.

Views pass ``now`` and the editors' word lists in; nothing here reads the clock or the request.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from forum import fragments, moderation_rules
from forum.conf import app_settings
from forum.models import (
    Category,
    ModerationAction,
    Post,
    Reaction,
    Report,
    Standing,
    Topic,
    WatchedWord,
)
from ordrom import notifications
from ordrom.sanitiser import render_user_text

ERROR_EMPTY = _("Write something before you post.")
ERROR_TOO_LONG = _("A post can be at most %(max)d characters. Yours has %(length)d.")
ERROR_TITLE = _("Give the topic a title of at most %(max)d characters.")
ERROR_LOCKED = _("This topic is locked: no new replies can be written.")
ERROR_SUSPENDED = _("You cannot write in the forum until %(until)s.")
ERROR_TOO_FAST = _(
    "You have written many posts in a short time. Take a short break and try again in a "
    "few minutes; what you wrote is still here."
)
ERROR_NOT_YOURS = _("You can only change your own posts.")
ERROR_NO_REASON = _("Give the author a reason, so they know what to change.")
ERROR_ALREADY_REPORTED = _("You have already reported this post. A moderator will look at it.")
ERROR_GONE = _("This post has been deleted: there is nothing left to approve.")

POSTS_PER_TEN_MINUTES = 10
TOPICS_PER_HOUR = 3

NOTIFY_APPROVED = "forum.approved"
NOTIFY_RETURNED = "forum.returned"
NOTIFY_REPLY = "forum.reply"


def standing_for(member) -> Standing:
    standing, _created = Standing.objects.get_or_create(member=member)
    return standing


def watched_words() -> list[str]:
    return list(WatchedWord.objects.values_list("word", flat=True))


def _clean_body(body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError(ERROR_EMPTY, code="empty")
    if len(body) > app_settings.MAX_POST_LENGTH:
        raise ValidationError(
            ERROR_TOO_LONG,
            code="too_long",
            params={"max": app_settings.MAX_POST_LENGTH, "length": len(body)},
        )
    return body


def _check_not_suspended(standing: Standing, now: dt.datetime) -> None:
    if standing.is_suspended(now):
        from django.utils import formats, timezone

        until = formats.date_format(timezone.localtime(standing.suspended_until), "j. F Y H:i")
        raise PermissionDenied(ERROR_SUSPENDED % {"until": until})


def _check_may_write(member, standing: Standing, now: dt.datetime) -> None:
    # The member's row lock, held until the post is saved: the limits count rows and then
    # insert one, and posts sent at the same moment each saw room for one more
    # (PostgreSQL; SQLite has one writer at a time anyway).
    from django.contrib.auth import get_user_model

    list(get_user_model().objects.select_for_update().filter(pk=member.pk).values_list("pk"))
    _check_not_suspended(standing, now)
    recent = Post.objects.filter(author=member, created_at__gte=now - dt.timedelta(minutes=10))
    if recent.count() >= POSTS_PER_TEN_MINUTES:
        raise ValidationError(ERROR_TOO_FAST, code="rate")


def _apply_moderation(post: Post, *, member, category, crisis_words, now) -> None:
    standing = standing_for(member)
    reasons, urgent = moderation_rules.hold_reasons(
        text=post.body,
        standing=standing,
        member_joined=member.date_joined,
        category=category,
        watched_words=watched_words(),
        crisis_words=crisis_words,
        now=now,
    )
    post.hold_reasons = reasons
    post.urgent = urgent
    post.status = Post.Status.HELD if reasons else Post.Status.PUBLISHED
    post.published_at = None if reasons else now
    post.queued_at = now if reasons else None


def _published(post: Post, now: dt.datetime) -> None:
    """Bookkeeping when a post becomes visible: topic, category and notifications.

    A post that was visible before (edited and held again, or hidden by reports, then
    approved) only counts again: it is no new activity and no new reply to tell about."""
    topic = post.topic
    if post.first_published_at is not None:
        Topic.objects.filter(pk=topic.pk).update(post_count=F("post_count") + 1)
        return
    post.first_published_at = now
    Post.objects.filter(pk=post.pk).update(first_published_at=now)
    first = not topic.is_visible
    Topic.objects.filter(pk=topic.pk).update(
        is_visible=True, post_count=F("post_count") + 1, last_activity_at=now
    )
    category_update = {"last_activity_at": now}
    if first:
        category_update["topic_count"] = F("topic_count") + 1
    Category.objects.filter(pk=topic.category_id).update(**category_update)
    if topic.author_id and topic.author_id != post.author_id and not first:
        notifications.notify(
            recipient=topic.author,
            kind=NOTIFY_REPLY,
            subject=topic.title,
            url=f"/forum/t/{topic.pk}/",
            now=now,
        )


@transaction.atomic
def topic_create(
    *, author, category: Category, title: str, body: str, now: dt.datetime, crisis_words=()
) -> Post:
    """Start a topic with its first post. Returns the post (held or published)."""
    title = " ".join(title.split())
    if not title or len(title) > app_settings.MAX_TITLE_LENGTH:
        raise ValidationError(
            ERROR_TITLE, code="title", params={"max": app_settings.MAX_TITLE_LENGTH}
        )
    body = _clean_body(body)
    standing = standing_for(author)
    _check_may_write(author, standing, now)
    recent_topics = Topic.objects.filter(author=author, created_at__gte=now - dt.timedelta(hours=1))
    if recent_topics.count() >= TOPICS_PER_HOUR:
        raise ValidationError(ERROR_TOO_FAST, code="rate")
    topic = Topic.objects.create(
        category=category, author=author, title=title, created_at=now, last_activity_at=now
    )
    post = Post(
        topic=topic,
        author=author,
        body=body,
        body_html=render_user_text(body),
        created_at=now,
        updated_at=now,
    )
    _apply_moderation(post, member=author, category=category, crisis_words=crisis_words, now=now)
    # The title is moderated with the post: contact details in it hold the post, crisis words in
    # it make the post urgent, even when the post is already held for another reason.
    title_reasons, title_urgent = moderation_rules.hold_reasons(
        text=title,
        standing=standing,
        member_joined=author.date_joined,
        category=category,
        watched_words=watched_words(),
        crisis_words=crisis_words,
        now=now,
    )
    extra = [reason for reason in title_reasons if reason not in post.hold_reasons]
    if extra:
        post.hold_reasons = [*post.hold_reasons, *extra]
        post.status, post.published_at, post.queued_at = Post.Status.HELD, None, now
    post.urgent = post.urgent or title_urgent
    post.save()
    if post.status == Post.Status.PUBLISHED:
        _published(post, now)
    return post


@transaction.atomic
def post_create(
    *,
    author,
    topic: Topic,
    body: str,
    now: dt.datetime,
    quote_of: Post | None = None,
    crisis_words=(),
) -> Post:
    # of=("self",): PostgreSQL cannot lock the nullable side of the author outer join, see
    # https://docs.djangoproject.com/en/5.2/ref/models/querysets/#select-for-update
    topic = (
        Topic.objects.select_for_update(of=("self",))
        .select_related("category", "author")
        .get(pk=topic.pk)
    )
    if topic.is_locked:
        raise PermissionDenied(ERROR_LOCKED)
    body = _clean_body(body)
    _check_may_write(author, standing_for(author), now)
    post = Post(
        topic=topic,
        author=author,
        body=body,
        body_html=render_user_text(body),
        quote_of=quote_of,
        created_at=now,
        updated_at=now,
    )
    _apply_moderation(
        post, member=author, category=topic.category, crisis_words=crisis_words, now=now
    )
    post.save()
    if post.status == Post.Status.PUBLISHED:
        _published(post, now)
    return post


@transaction.atomic
def post_edit(*, post: Post, by, body: str, now: dt.datetime, crisis_words=()) -> Post:
    """The author edits (or, after a return, resubmits) a post: moderated like a new one."""
    post = Post.objects.select_for_update().select_related("topic__category").get(pk=post.pk)
    if post.author_id != by.pk or post.status in (Post.Status.DELETED, Post.Status.HIDDEN):
        raise PermissionDenied(ERROR_NOT_YOURS)
    # Editing is writing: a suspended member can read only.
    _check_not_suspended(standing_for(by), now)
    was_published = post.status == Post.Status.PUBLISHED
    # Members hid it by reporting: only a moderator releases it, however it is rewritten.
    reported = post.status == Post.Status.HELD and Post.HoldReason.REPORTED in post.hold_reasons
    fragments.forget_posts([post])  # the words as they were
    post.body = _clean_body(body)
    post.body_html = render_user_text(post.body)
    post.updated_at = now
    post.moderator_reason = ""
    _apply_moderation(
        post, member=by, category=post.topic.category, crisis_words=crisis_words, now=now
    )
    if reported:
        post.hold_reasons = [*post.hold_reasons, str(Post.HoldReason.REPORTED)]
        post.status, post.published_at, post.queued_at = Post.Status.HELD, None, now
    if was_published and post.status == Post.Status.HELD:
        Topic.objects.filter(pk=post.topic_id).update(post_count=F("post_count") - 1)
    post.save()
    if not was_published and post.status == Post.Status.PUBLISHED:
        _published(post, now)
    return post


@transaction.atomic
def post_delete_own(*, post: Post, by, now: dt.datetime) -> None:
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.author_id != by.pk:
        raise PermissionDenied(ERROR_NOT_YOURS)
    _remove(post, now)


def _remove(post: Post, now: dt.datetime) -> None:
    """Keep the row (replies stay in place) but drop the text: "deleted" in the thread."""
    fragments.forget_posts([post])
    if post.status == Post.Status.PUBLISHED:
        Topic.objects.filter(pk=post.topic_id).update(post_count=F("post_count") - 1)
    post.status = Post.Status.DELETED
    post.body = ""
    post.body_html = ""
    post.updated_at = now
    post.save(update_fields=["status", "body", "body_html", "updated_at"])


@transaction.atomic
def post_recognise(*, post: Post, member, now: dt.datetime) -> bool:
    """Toggle "kjenner meg igjen". Returns whether the member now recognises the post."""
    existing = Reaction.objects.filter(post=post, member=member)
    if existing.exists():
        existing.delete()
        Post.objects.filter(pk=post.pk).update(recognise_count=F("recognise_count") - 1)
        return False
    Reaction.objects.create(post=post, member=member, created_at=now)
    Post.objects.filter(pk=post.pk).update(recognise_count=F("recognise_count") + 1)
    return True


@transaction.atomic
def post_report(*, post: Post, reporter, reason: str, text: str = "", now: dt.datetime) -> Report:
    """Report a post. Enough reports from different members hide it until reviewed."""
    if reason not in Report.Reason.values:
        raise ValidationError(_("Choose a reason."), code="reason")
    if Report.objects.filter(post=post, reporter=reporter, resolved_at__isnull=True).exists():
        raise ValidationError(ERROR_ALREADY_REPORTED, code="duplicate")
    report = Report.objects.create(
        post=post, reporter=reporter, reason=reason, text=text.strip()[:500], created_at=now
    )
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.report_count = Report.objects.filter(post=post, resolved_at__isnull=True).count()
    fields = ["report_count"]
    if post.queued_at is None:
        post.queued_at = now  # reported: it comes to the moderators from now on
        fields.append("queued_at")
    if reason == Report.Reason.DANGER:
        post.urgent = True
        fields.append("urgent")
    if post.report_count >= app_settings.REPORTS_TO_HIDE and post.status == Post.Status.PUBLISHED:
        Topic.objects.filter(pk=post.topic_id).update(post_count=F("post_count") - 1)
        post.status = Post.Status.HELD
        post.hold_reasons = [*post.hold_reasons, str(Post.HoldReason.REPORTED)]
        fields += ["status", "hold_reasons"]
    post.save(update_fields=fields)
    return report


# --- Moderators --------------------------------------------------------------------------------


def _log(*, moderator, action: str, now, post=None, topic=None, member=None, reason="") -> None:
    ModerationAction.objects.create(
        moderator=moderator,
        moderator_name=moderator.get_username(),
        action=action,
        post=post,
        topic=topic or (post.topic if post else None),
        member=member,
        reason=reason,
        at=now,
    )


def _resolve_reports(post: Post, now) -> None:
    """A moderator has looked: the reports are closed and the post leaves the queue."""
    Report.objects.filter(post=post, resolved_at__isnull=True).update(resolved_at=now)
    Post.objects.filter(pk=post.pk).update(report_count=0, queued_at=None)
    post.report_count, post.queued_at = 0, None


@transaction.atomic
def post_approve(*, post: Post, by, now: dt.datetime) -> Post:
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("topic", "author")
        .get(pk=post.pk)
    )
    if post.status == Post.Status.DELETED:  # nothing left to approve
        raise ValidationError(ERROR_GONE, code="state")
    was_published = post.status == Post.Status.PUBLISHED
    # Approving an edit of a post approved before is no new step towards trust.
    counts_for_trust = post.first_published_at is None
    post.status = Post.Status.PUBLISHED
    post.published_at = post.published_at or now
    post.hold_reasons = []
    post.urgent = False
    post.save(update_fields=["status", "published_at", "hold_reasons", "urgent"])
    _resolve_reports(post, now)
    if not was_published:
        _published(post, now)
        if post.author_id:
            if counts_for_trust:
                standing = standing_for(post.author)
                standing.approved_posts += 1
                if moderation_rules.is_trusted(
                    standing=standing, member_joined=post.author.date_joined, now=now
                ):
                    standing.trust_level = max(standing.trust_level, 1)
                standing.save(update_fields=["approved_posts", "trust_level"])
            notifications.notify(
                recipient=post.author,
                kind=NOTIFY_APPROVED,
                subject=post.topic.title,
                url=f"/forum/t/{post.topic_id}/",
                now=now,
            )
    _log(moderator=by, action="approve", post=post, now=now)
    return post


@transaction.atomic
def post_return(*, post: Post, by, reason: str, now: dt.datetime) -> Post:
    """Return a post to its author with a reason; they can edit and resubmit it."""
    if not reason.strip():
        raise ValidationError(ERROR_NO_REASON, code="reason")
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("topic", "author")
        .get(pk=post.pk)
    )
    if post.status == Post.Status.PUBLISHED:
        Topic.objects.filter(pk=post.topic_id).update(post_count=F("post_count") - 1)
    post.status = Post.Status.RETURNED
    post.moderator_reason = reason.strip()
    post.save(update_fields=["status", "moderator_reason"])
    _resolve_reports(post, now)
    if post.author_id:  # a deleted account has nobody to tell
        notifications.notify(
            recipient=post.author,
            kind=NOTIFY_RETURNED,
            subject=post.topic.title,
            reason=post.moderator_reason,
            url=f"/forum/t/{post.topic_id}/",
            now=now,
        )
    _log(moderator=by, action="return", post=post, reason=reason, now=now)
    return post


@transaction.atomic
def post_hide(*, post: Post, by, reason: str, now: dt.datetime) -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    fragments.forget_posts([post])
    if post.status == Post.Status.PUBLISHED:
        Topic.objects.filter(pk=post.topic_id).update(post_count=F("post_count") - 1)
    post.status = Post.Status.HIDDEN
    post.moderator_reason = reason.strip()
    post.save(update_fields=["status", "moderator_reason"])
    _resolve_reports(post, now)
    _log(moderator=by, action="hide", post=post, reason=reason, now=now)
    return post


@transaction.atomic
def post_moderator_delete(*, post: Post, by, reason: str, now: dt.datetime) -> None:
    post = Post.objects.select_for_update().get(pk=post.pk)
    _resolve_reports(post, now)
    _remove(post, now)
    _log(moderator=by, action="delete", post=post, reason=reason, now=now)


@transaction.atomic
def post_moderator_edit(*, post: Post, by, body: str, note: str, now: dt.datetime) -> Post:
    """Edit someone's post with a visible note (e.g. "phone number removed by a moderator")."""
    if not note.strip():
        raise ValidationError(ERROR_NO_REASON, code="reason")
    post = Post.objects.select_for_update().get(pk=post.pk)
    fragments.forget_posts([post])  # "phone number removed": the number goes from the cache too
    post.body = _clean_body(body)
    post.body_html = render_user_text(post.body)
    post.edit_note = note.strip()[:200]
    post.updated_at = now
    post.save(update_fields=["body", "body_html", "edit_note", "updated_at"])
    _log(moderator=by, action="edit", post=post, reason=note, now=now)
    return post


@transaction.atomic
def member_suspend(*, member, by, until: dt.datetime, reason: str, now: dt.datetime) -> Standing:
    if not reason.strip():
        raise ValidationError(ERROR_NO_REASON, code="reason")
    standing = standing_for(member)
    standing.suspended_until = until
    standing.suspension_reason = reason.strip()[:300]
    standing.save(update_fields=["suspended_until", "suspension_reason"])
    _log(moderator=by, action="suspend", member=member, reason=reason, now=now)
    return standing


@transaction.atomic
def topic_set_flags(
    *, topic: Topic, by, now: dt.datetime, locked: bool | None = None, pinned: bool | None = None
) -> Topic:
    if locked is not None:
        topic.is_locked = locked
        _log(moderator=by, action="lock" if locked else "unlock", topic=topic, now=now)
    if pinned is not None:
        topic.is_pinned = pinned
        _log(moderator=by, action="pin" if pinned else "unpin", topic=topic, now=now)
    topic.save(update_fields=["is_locked", "is_pinned"])
    return topic


@transaction.atomic
def topic_move(*, topic: Topic, by, category: Category, now: dt.datetime) -> Topic:
    old = topic.category_id
    if old == category.pk:
        return topic
    topic.category = category
    topic.save(update_fields=["category"])
    if topic.is_visible:
        Category.objects.filter(pk=old).update(topic_count=F("topic_count") - 1)
        Category.objects.filter(pk=category.pk).update(topic_count=F("topic_count") + 1)
    _log(moderator=by, action="move", topic=topic, reason=f"{old} -> {category.pk}", now=now)
    return topic


def recount(*, topic_ids, category_ids) -> None:
    """Recompute the kept counters from the rows (after a bulk change such as an erasure)."""
    from django.db.models import Count, Max, Q

    for topic in Topic.objects.filter(pk__in=topic_ids).annotate(
        published=Count("posts", filter=Q(posts__status=Post.Status.PUBLISHED))
    ):
        Topic.objects.filter(pk=topic.pk).update(post_count=topic.published)
    for category in Category.objects.filter(pk__in=category_ids).annotate(
        visible=Count("topics", filter=Q(topics__is_visible=True)),
        latest=Max("topics__last_activity_at", filter=Q(topics__is_visible=True)),
    ):
        Category.objects.filter(pk=category.pk).update(
            topic_count=category.visible, last_activity_at=category.latest
        )
