"""Every state change of the friend service: one function each, transactional, the only writers.

Views pass ``now`` and the editors' crisis words in; nothing here reads the clock or the
request. The age safeguard (friends.age) is asked by every function that lets two members
meet: a contact request, its acceptance and every message.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from friends import age, moderation_rules
from friends.conf import app_settings
from friends.models import (
    AgeBand,
    Block,
    ContactRequest,
    Conversation,
    FriendStanding,
    Interest,
    Message,
    ModerationAction,
    Profile,
    Region,
    Report,
)
from ordrom import crisis, notifications
from ordrom.sanitiser import render_user_text

ERROR_ABOUT_EMPTY = _("Write a few words about yourself and who you would like to write with.")
ERROR_ABOUT_TOO_LONG = _("“About me” can be at most %(max)d characters. Yours has %(length)d.")
ERROR_ABOUT_CONTACT = _(
    "Your profile contains what looks like contact details (a phone number, an email or web "
    "address, or a social media name). Remove them: members get to know each other here first."
)
ERROR_TOO_MANY_INTERESTS = _("Choose at most %(max)d interests.")
ERROR_AGE_BAND = _("Choose your age.")
ERROR_REGION = _("Choose where you live.")
ERROR_HAS_PROFILE = _("You already have a profile.")
ERROR_NOT_APPROVED = _("Only an approved profile can be renewed or paused.")
ERROR_NEED_PROFILE = _(
    "Your own profile must be approved and active before you can send contact requests."
)
ERROR_SUSPENDED = _("You cannot use the friend service until %(until)s.")
ERROR_UNAVAILABLE = _("This profile is not available.")
ERROR_SELF = _("You cannot send a request to yourself.")
ERROR_ALREADY_ASKED = _("There is already a request between you and this member.")
ERROR_ALREADY_FRIENDS = _("You already write with this member.")
ERROR_REQUEST_LIMIT = _(
    "You can send at most %(max)d contact requests in a day. Try again tomorrow; what you "
    "wrote is still here."
)
ERROR_REQUEST_CONTACT = _(
    "Your message contains what looks like contact details (a phone number, an email or web "
    "address, or a social media name). Remove them before you send the request."
)
ERROR_MESSAGE_EMPTY = _("Write something before you send.")
ERROR_MESSAGE_TOO_LONG = _("A message can be at most %(max)d characters. Yours has %(length)d.")
ERROR_MESSAGE_TOO_FAST = _(
    "You have sent many messages in a short time. Take a break and try again later; what you "
    "wrote is still here."
)
ERROR_ALREADY_REPORTED = _(
    "You have already reported this member, and a moderator will look at it soon. You can "
    "block them meanwhile."
)
ERROR_REPORT_LIMIT = _(
    "You can make at most %(max)d reports in a day. If someone is in danger, call 113; what "
    "you wrote is still here."
)
ERROR_CLOSED = _("You can no longer write in this conversation.")
ERROR_NOT_YOURS = _("You can only answer requests sent to you.")
ERROR_NOT_OPEN = _("This request has already been answered.")
ERROR_NO_REASON = _("Give a reason, so the member knows what to change.")
ERROR_REPORT_REASON = _("Choose a reason.")
ERROR_CANNOT_PASS_ON = _(
    "This request can no longer be passed on: the two members cannot meet any more (a block, "
    "a changed age band or a deleted profile). Do not pass it on, and give the writer a kind "
    "reason."
)
ERROR_REPORT_MESSAGES = _("You can only report messages your partner wrote in this conversation.")

NOTIFY_REQUEST = "friends.request"
NOTIFY_ACCEPTED = "friends.accepted"
NOTIFY_MESSAGE = "friends.message"
NOTIFY_APPROVED = "friends.approved"
NOTIFY_RETURNED = "friends.returned"
NOTIFY_EXPIRED = "friends.expired"
NOTIFY_NOT_PASSED = "friends.not_passed"

# The shared notification list shows ``subject`` as the notice; it is written in the site's
# default language, which is what almost every member reads.
# Shown for the partner's pseudonym in a notification once the partner deleted their account.
DELETED_USER = _("a deleted user")

_NOTICES = {
    NOTIFY_REQUEST: _("You have a new contact request in the friend service."),
    NOTIFY_ACCEPTED: _("Your contact request was accepted. You can write to each other now."),
    NOTIFY_MESSAGE: _("You have a new letter from %(subject)s in the friend service."),
    NOTIFY_APPROVED: _("Your friend service profile was approved and can now be seen."),
    NOTIFY_RETURNED: _("A moderator returned your friend service profile to you."),
    NOTIFY_EXPIRED: _(
        "Your friend service profile has expired and is no longer shown. Renew it with one "
        "click if you want to be found."
    ),
    NOTIFY_NOT_PASSED: _(
        "A moderator read your contact request and did not pass it on. See why on your "
        "requests page."
    ),
}


def _notify(*, recipient, kind: str, url: str, now, name: str = "", reason: str = "") -> None:
    # The text is written in the reader's language when shown (notifications.text_for);
    # only the partner's pseudonym, if any, is stored.
    notifications.notify(
        recipient=recipient, kind=kind, url=url, subject=name, reason=reason, now=now
    )


def _words(crisis_words):
    return crisis.DEFAULT_WORDS if crisis_words is None else crisis_words


# --- Standing ----------------------------------------------------------------------------------


def standing_for(member) -> FriendStanding:
    standing, _created = FriendStanding.objects.get_or_create(member=member)
    return standing


def check_not_suspended(member, now: dt.datetime) -> None:
    standing = FriendStanding.objects.filter(member=member).first()
    if standing and standing.is_suspended(now):
        until = formats.date_format(timezone.localtime(standing.suspended_until), "j. F Y H:i")
        raise PermissionDenied(ERROR_SUSPENDED % {"until": until})


def is_blocked_between(member_a_id, member_b_id) -> bool:
    return Block.objects.filter(
        Q(blocker_id=member_a_id, blocked_id=member_b_id)
        | Q(blocker_id=member_b_id, blocked_id=member_a_id)
    ).exists()


# --- Profiles ----------------------------------------------------------------------------------


def _clean_about(about: str) -> str:
    about = about.replace("\r\n", "\n").strip()
    if not about:
        raise ValidationError(ERROR_ABOUT_EMPTY, code="empty")
    if len(about) > app_settings.MAX_ABOUT_LENGTH:
        raise ValidationError(
            ERROR_ABOUT_TOO_LONG,
            code="too_long",
            params={"max": app_settings.MAX_ABOUT_LENGTH, "length": len(about)},
        )
    reasons, _urgent = moderation_rules.hold_reasons(text=about, crisis_words=())
    if moderation_rules.CONTACT in reasons:
        raise ValidationError(ERROR_ABOUT_CONTACT, code="contact")
    return about


def _clean_interests(interests) -> list[Interest]:
    interests = list(interests)
    if len(interests) > app_settings.MAX_INTERESTS:
        raise ValidationError(
            ERROR_TOO_MANY_INTERESTS, code="interests", params={"max": app_settings.MAX_INTERESTS}
        )
    return interests


def _check_region(region: str, gender: str) -> None:
    if region not in Region.values:
        raise ValidationError(ERROR_REGION, code="region")
    if gender and gender not in dict(Profile._meta.get_field("gender").choices):
        raise ValidationError(_("Choose a gender, or leave it empty."), code="gender")


@transaction.atomic
def profile_create(
    *,
    member,
    age_band: str,
    region: str,
    gender: str = "",
    interests=(),
    about: str,
    now: dt.datetime,
) -> Profile:
    """A new profile, waiting for a moderator. A member who deleted a profile before gets the
    same row back with the age band it had: only a moderator changes an age band."""
    check_not_suspended(member, now)
    about = _clean_about(about)
    interests = _clean_interests(interests)
    _check_region(region, gender)
    profile = Profile.objects.select_for_update().filter(member=member).first()
    if profile is not None and profile.status != Profile.Status.DELETED:
        raise ValidationError(ERROR_HAS_PROFILE, code="exists")
    if profile is None:
        if age_band not in AgeBand.values:
            raise ValidationError(ERROR_AGE_BAND, code="age_band")
        profile = Profile(member=member, age_band=age_band, created_at=now)
    profile.region = region
    profile.gender = gender
    profile.about = about
    profile.about_html = render_user_text(about)
    profile.status = Profile.Status.PENDING
    profile.return_reason = ""
    profile.submitted_at = now
    profile.listed_at = None
    profile.expires_at = None
    profile.save()
    profile.interests.set(interests)
    return profile


@transaction.atomic
def profile_update(
    *,
    profile: Profile,
    by,
    region: str,
    gender: str = "",
    interests=(),
    about: str,
    now: dt.datetime,
) -> Profile:
    """The member edits their profile: it is hidden until a moderator approves it again. The
    age band is not theirs to change."""
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    if profile.member_id != by.pk or profile.status == Profile.Status.DELETED:
        raise PermissionDenied(ERROR_UNAVAILABLE)
    check_not_suspended(by, now)
    profile.about = _clean_about(about)
    profile.about_html = render_user_text(profile.about)
    interests = _clean_interests(interests)
    _check_region(region, gender)
    profile.region = region
    profile.gender = gender
    profile.status = Profile.Status.PENDING
    profile.return_reason = ""
    profile.submitted_at = now
    profile.save()
    profile.interests.set(interests)
    return profile


def _own_profile(profile: Profile, by) -> Profile:
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    if profile.member_id != by.pk:
        raise PermissionDenied(ERROR_UNAVAILABLE)
    return profile


@transaction.atomic
def profile_renew(*, profile: Profile, by, now: dt.datetime) -> Profile:
    """One click: listed again for the full lifetime from now (expired or not)."""
    profile = _own_profile(profile, by)
    if profile.status not in (Profile.Status.APPROVED, Profile.Status.PAUSED):
        raise ValidationError(ERROR_NOT_APPROVED, code="status")
    profile.status = Profile.Status.APPROVED
    profile.listed_at = now
    profile.expires_at = now + app_settings.PROFILE_LIFETIME
    profile.expiry_notified = False
    profile.save(update_fields=["status", "listed_at", "expires_at", "expiry_notified"])
    return profile


@transaction.atomic
def profile_pause(*, profile: Profile, by, now: dt.datetime) -> Profile:
    profile = _own_profile(profile, by)
    if profile.status != Profile.Status.APPROVED:
        raise ValidationError(ERROR_NOT_APPROVED, code="status")
    profile.status = Profile.Status.PAUSED
    profile.save(update_fields=["status"])
    return profile


@transaction.atomic
def profile_resume(*, profile: Profile, by, now: dt.datetime) -> Profile:
    """Listed again, with the expiry it had (renewing is a separate click)."""
    profile = _own_profile(profile, by)
    if profile.status != Profile.Status.PAUSED:
        raise ValidationError(ERROR_NOT_APPROVED, code="status")
    profile.status = Profile.Status.APPROVED
    profile.save(update_fields=["status"])
    return profile


@transaction.atomic
def profile_delete(*, profile: Profile, by, now: dt.datetime) -> None:
    """The member takes their ad down: text and interests go, open requests end.
    Conversations they already have go on (they are between two people, not an ad)."""
    profile = _own_profile(profile, by)
    profile.status = Profile.Status.DELETED
    profile.about = ""
    profile.about_html = ""
    profile.return_reason = ""
    profile.listed_at = None
    profile.expires_at = None
    profile.save()
    profile.interests.clear()
    ContactRequest.objects.filter(sender=by, status=ContactRequest.Status.OPEN).update(
        status=ContactRequest.Status.WITHDRAWN, answered_at=now
    )
    ContactRequest.objects.filter(recipient=by, status=ContactRequest.Status.OPEN).update(
        status=ContactRequest.Status.DECLINED, answered_at=now
    )


def profiles_notify_expired(*, now: dt.datetime) -> int:
    """Tell each member whose profile expired, once (run by every sweep; idempotent: the
    conditional UPDATE decides who is told, so two workers never tell anyone twice)."""
    told = 0
    expired = Profile.objects.filter(
        status=Profile.Status.APPROVED, expires_at__lte=now, expiry_notified=False
    ).select_related("member")
    for profile in expired[:1000]:
        claimed = Profile.objects.filter(pk=profile.pk, expiry_notified=False).update(
            expiry_notified=True
        )
        if claimed:
            _notify(recipient=profile.member, kind=NOTIFY_EXPIRED, url="/friends/profile/", now=now)
            told += 1
    return told


# --- Contact requests --------------------------------------------------------------------------


def _may_meet(member_a, member_b) -> bool:
    """The age safeguard between two accounts, by their profiles' age bands."""
    bands = dict(
        Profile.objects.filter(member__in=[member_a, member_b]).values_list("member_id", "age_band")
    )
    return age.may_meet(bands.get(member_a.pk), bands.get(member_b.pk))


def _clean_message(body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError(ERROR_MESSAGE_EMPTY, code="empty")
    if len(body) > app_settings.MAX_MESSAGE_LENGTH:
        raise ValidationError(
            ERROR_MESSAGE_TOO_LONG,
            code="too_long",
            params={"max": app_settings.MAX_MESSAGE_LENGTH, "length": len(body)},
        )
    return body


def _one_writer_at_a_time(member) -> None:
    """Hold the member's row lock until the transaction ends. The limits here count rows
    and then insert one: without the lock, requests sent at the same moment (a script does
    not wait for an answer) each saw room for one more, and all went through (PostgreSQL;
    SQLite has one writer at a time anyway)."""
    from django.contrib.auth import get_user_model

    list(get_user_model().objects.select_for_update().filter(pk=member.pk).values_list("pk"))


def requests_sent_today(member, now: dt.datetime) -> int:
    return ContactRequest.objects.filter(
        sender=member, created_at__gt=now - dt.timedelta(days=1)
    ).count()


@transaction.atomic
def request_send(
    *, sender, profile: Profile, message: str, now: dt.datetime, crisis_words=None
) -> ContactRequest:
    """Ask the member behind *profile* to write together, with a first message.

    The recipient's profile must be one the sender may see right now (listed, same age group,
    no block either way); the sender's own profile must be listed too, so the recipient can
    see who is asking.

    Crisis words in the message hold the request for a moderator, urgent (status HELD): the
    recipient does not see it until a moderator passes it on, and the view shows the writer
    the crisis numbers. Such a message is never refused for contact details either (the
    moderator sees both). Contact details alone refuse the request, with what was written
    kept in the form.
    """
    _one_writer_at_a_time(sender)
    check_not_suspended(sender, now)
    recipient = profile.member
    if recipient.pk == sender.pk:
        raise ValidationError(ERROR_SELF, code="self")
    own = Profile.objects.filter(member=sender).first()
    if own is None or not own.is_listed(now):
        raise PermissionDenied(ERROR_NEED_PROFILE)
    profile = Profile.objects.get(pk=profile.pk)
    if (
        not profile.is_listed(now)
        or not age.may_meet(own.age_band, profile.age_band)
        or is_blocked_between(sender.pk, recipient.pk)
    ):
        raise PermissionDenied(ERROR_UNAVAILABLE)
    message = _clean_message(message)
    if find_pair(sender, recipient) is not None:
        raise ValidationError(ERROR_ALREADY_FRIENDS, code="friends")
    # A request the other way that a moderator still holds is not the sender's to know of.
    if ContactRequest.objects.filter(
        Q(sender=sender, recipient=recipient, status__in=ContactRequest.PENDING_STATUSES)
        | Q(sender=recipient, recipient=sender, status=ContactRequest.Status.OPEN)
    ).exists():
        raise ValidationError(ERROR_ALREADY_ASKED, code="open")
    if requests_sent_today(sender, now) >= app_settings.REQUESTS_PER_DAY:
        raise ValidationError(
            ERROR_REQUEST_LIMIT, code="limit", params={"max": app_settings.REQUESTS_PER_DAY}
        )
    reasons, urgent = moderation_rules.hold_reasons(text=message, crisis_words=_words(crisis_words))
    if not urgent and moderation_rules.CONTACT in reasons:
        raise ValidationError(ERROR_REQUEST_CONTACT, code="contact")
    try:
        with transaction.atomic():
            request = ContactRequest.objects.create(
                sender=sender,
                recipient=recipient,
                message=message,
                message_html=render_user_text(message),
                status=ContactRequest.Status.HELD if urgent else ContactRequest.Status.OPEN,
                hold_reasons=reasons if urgent else [],
                urgent=urgent,
                created_at=now,
            )
    except IntegrityError:
        raise ValidationError(ERROR_ALREADY_ASKED, code="open") from None
    if not urgent:
        _notify(recipient=recipient, kind=NOTIFY_REQUEST, url="/friends/requests/", now=now)
    return request


def find_pair(member_1, member_2) -> Conversation | None:
    low, high = sorted([member_1.pk, member_2.pk])
    return Conversation.objects.filter(member_a_id=low, member_b_id=high).first()


@transaction.atomic
def request_accept(
    *, request: ContactRequest, by, now: dt.datetime, crisis_words=None
) -> Conversation:
    """The recipient says yes: a conversation starts, with the request's text as its first
    letter (held like any message if it needs a moderator)."""
    request = ContactRequest.objects.select_for_update().get(pk=request.pk)
    if request.recipient_id != by.pk:
        raise PermissionDenied(ERROR_NOT_YOURS)
    if request.status != ContactRequest.Status.OPEN:
        raise ValidationError(ERROR_NOT_OPEN, code="answered")
    check_not_suspended(by, now)
    sender = request.sender
    if not _may_meet(sender, by) or is_blocked_between(sender.pk, by.pk):
        raise PermissionDenied(ERROR_UNAVAILABLE)
    request.status = ContactRequest.Status.ACCEPTED
    request.answered_at = now
    request.save(update_fields=["status", "answered_at"])
    low, high = sorted([sender.pk, by.pk])
    conversation, _created = Conversation.objects.get_or_create(
        member_a_id=low, member_b_id=high, defaults={"created_at": now, "last_message_at": now}
    )
    _store_message(
        conversation=conversation,
        author=sender,
        body=request.message,
        now=now,
        crisis_words=_words(crisis_words),
        notify=False,
        # A moderator already read and passed on this message: it is not held again.
        moderated=bool(request.hold_reasons),
    )
    _notify(recipient=sender, kind=NOTIFY_ACCEPTED, url=f"/friends/c/{conversation.pk}/", now=now)
    return conversation


@transaction.atomic
def request_decline(*, request: ContactRequest, by, now: dt.datetime) -> ContactRequest:
    """Silent: the sender is not told beyond the request showing "not accepted"."""
    request = ContactRequest.objects.select_for_update().get(pk=request.pk)
    if request.recipient_id != by.pk:
        raise PermissionDenied(ERROR_NOT_YOURS)
    if request.status != ContactRequest.Status.OPEN:
        raise ValidationError(ERROR_NOT_OPEN, code="answered")
    request.status = ContactRequest.Status.DECLINED
    request.answered_at = now
    request.save(update_fields=["status", "answered_at"])
    return request


@transaction.atomic
def request_withdraw(*, request: ContactRequest, by, now: dt.datetime) -> ContactRequest:
    """The sender takes a request back, open or still held (a held one leaves the staff queue:
    the moderation log keeps nothing of its text)."""
    request = ContactRequest.objects.select_for_update().get(pk=request.pk)
    if request.sender_id != by.pk:
        raise PermissionDenied(ERROR_NOT_YOURS)
    if request.status not in ContactRequest.PENDING_STATUSES:
        raise ValidationError(ERROR_NOT_OPEN, code="answered")
    request.status = ContactRequest.Status.WITHDRAWN
    request.answered_at = now
    request.save(update_fields=["status", "answered_at"])
    return request


# --- Conversations -----------------------------------------------------------------------------


def may_write(*, conversation: Conversation, author) -> bool:
    """Whether *author* can write in *conversation* now: a member of it, the partner's account
    still there, no block either way, and the age safeguard still holds (a moderator may
    have corrected an age band since they met)."""
    if not conversation.has_member(author):
        return False
    partner_id = conversation.partner_id(author)
    if partner_id is None or is_blocked_between(author.pk, partner_id):
        return False
    bands = dict(
        Profile.objects.filter(member_id__in=[author.pk, partner_id]).values_list(
            "member_id", "age_band"
        )
    )
    return age.may_meet(bands.get(author.pk), bands.get(partner_id))


def _store_message(
    *,
    conversation: Conversation,
    author,
    body: str,
    now,
    crisis_words,
    notify: bool = True,
    moderated: bool = False,
) -> Message:
    if moderated:
        reasons, urgent = [], False
    else:
        reasons, urgent = moderation_rules.hold_reasons(text=body, crisis_words=crisis_words)
    message = Message.objects.create(
        conversation=conversation,
        author=author,
        body=body,
        body_html=render_user_text(body),
        status=Message.Status.HELD if reasons else Message.Status.VISIBLE,
        hold_reasons=reasons,
        urgent=urgent,
        created_at=now,
    )
    if message.status == Message.Status.VISIBLE:
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
        if notify:
            _notify_partner(message, now)
    return message


def _notify_partner(message: Message, now) -> None:
    conversation = message.conversation
    partner_id = conversation.partner_id(message.author) if message.author else None
    if partner_id is None:
        return
    from django.contrib.auth import get_user_model

    partner = get_user_model().objects.filter(pk=partner_id).first()
    _notify(
        recipient=partner,
        kind=NOTIFY_MESSAGE,
        url=f"/friends/c/{conversation.pk}/",
        name=message.author.get_username() if message.author else "",
        now=now,
    )


def _check_may_report(*, reporter, reported, reason: str, now: dt.datetime) -> None:
    """One open report per member about another (more would only fill the moderators'
    queue), except a danger report when the open one is not urgent; and a daily cap."""
    waiting = Report.objects.filter(reporter=reporter, reported=reported, resolved_at=None)
    if reason == Report.Reason.DANGER:
        waiting = waiting.filter(urgent=True)
    if waiting.exists():
        raise ValidationError(ERROR_ALREADY_REPORTED, code="reported")
    today = Report.objects.filter(reporter=reporter, created_at__gt=now - dt.timedelta(days=1))
    if today.count() >= app_settings.REPORTS_PER_DAY:
        raise ValidationError(
            ERROR_REPORT_LIMIT, code="limit", params={"max": app_settings.REPORTS_PER_DAY}
        )


@transaction.atomic
def message_send(
    *, conversation: Conversation, author, body: str, now: dt.datetime, crisis_words=None
) -> Message:
    """A letter to the partner. Contact details or crisis words hold it for a moderator
    (crisis words also mark it urgent); the view tells the writer which and why."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if not conversation.has_member(author):
        raise PermissionDenied(ERROR_CLOSED)
    check_not_suspended(author, now)
    if not may_write(conversation=conversation, author=author):
        raise PermissionDenied(ERROR_CLOSED)
    body = _clean_message(body)
    _one_writer_at_a_time(author)  # the hourly limit is across all their conversations
    recent = Message.objects.filter(author=author, created_at__gt=now - dt.timedelta(hours=1))
    if recent.count() >= app_settings.MESSAGES_PER_HOUR:
        raise ValidationError(ERROR_MESSAGE_TOO_FAST, code="rate")
    return _store_message(
        conversation=conversation,
        author=author,
        body=body,
        now=now,
        crisis_words=_words(crisis_words),
    )


def conversation_mark_read(*, conversation: Conversation, reader, now: dt.datetime) -> int:
    return (
        Message.objects.filter(
            conversation=conversation, status=Message.Status.VISIBLE, read_at__isnull=True
        )
        .exclude(author=reader)
        .update(read_at=now)
    )


# --- Block and report --------------------------------------------------------------------------


@transaction.atomic
def block_create(*, blocker, blocked, now: dt.datetime) -> Block:
    """At once and silently: open requests between them end, and from now on neither sees the
    other's profile nor can write to the other. The blocked member is not told."""
    if blocker.pk == blocked.pk:
        raise ValidationError(ERROR_SELF, code="self")
    block, _created = Block.objects.get_or_create(
        blocker=blocker, blocked=blocked, defaults={"created_at": now}
    )
    # The blocked member's request to the blocker reads "not accepted", like any decline:
    # nothing tells them they were blocked.
    ContactRequest.objects.filter(
        sender=blocked, recipient=blocker, status=ContactRequest.Status.OPEN
    ).update(status=ContactRequest.Status.DECLINED, answered_at=now)
    ContactRequest.objects.filter(
        sender=blocker, recipient=blocked, status=ContactRequest.Status.OPEN
    ).update(status=ContactRequest.Status.WITHDRAWN, answered_at=now)
    return block


@transaction.atomic
def block_remove(*, blocker, blocked, now: dt.datetime) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()


@transaction.atomic
def report_create(
    *,
    reporter,
    reported,
    reason: str,
    text: str = "",
    conversation: Conversation | None = None,
    messages=(),
    now: dt.datetime,
) -> Report:
    """A member reports another. The moderator will see the messages chosen here, and only
    those, with the two profiles."""
    if reason not in Report.Reason.values:
        raise ValidationError(ERROR_REPORT_REASON, code="reason")
    if reported is None or reported.pk == reporter.pk:
        raise ValidationError(ERROR_SELF, code="self")
    _one_writer_at_a_time(reporter)
    _check_may_report(reporter=reporter, reported=reported, reason=reason, now=now)
    messages = list(messages)
    if messages:
        if conversation is None or not conversation.has_member(reporter):
            raise ValidationError(ERROR_REPORT_MESSAGES, code="messages")
        if any(
            m.conversation_id != conversation.pk
            or m.author_id != reported.pk
            or m.status != Message.Status.VISIBLE
            for m in messages
        ):
            raise ValidationError(ERROR_REPORT_MESSAGES, code="messages")
    report = Report.objects.create(
        reporter=reporter,
        reported=reported,
        conversation=conversation,
        reason=reason,
        text=text.strip()[:500],
        urgent=reason == Report.Reason.DANGER,
        created_at=now,
    )
    report.messages.set(messages)
    return report


# --- Moderators --------------------------------------------------------------------------------


def _log(
    *,
    moderator,
    action: str,
    now,
    profile=None,
    message=None,
    report=None,
    member=None,
    reason: str = "",
) -> None:
    ModerationAction.objects.create(
        moderator=moderator,
        moderator_name=moderator.get_username(),
        action=action,
        profile=profile,
        message=message,
        report=report,
        member=member,
        reason=reason,
        at=now,
    )


@transaction.atomic
def profile_approve(*, profile: Profile, by, now: dt.datetime) -> Profile:
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    if profile.status != Profile.Status.PENDING:
        raise ValidationError(ERROR_NOT_OPEN, code="status")
    profile.status = Profile.Status.APPROVED
    profile.return_reason = ""
    profile.listed_at = now
    profile.expires_at = now + app_settings.PROFILE_LIFETIME
    profile.expiry_notified = False
    profile.save(
        update_fields=["status", "return_reason", "listed_at", "expires_at", "expiry_notified"]
    )
    _notify(recipient=profile.member, kind=NOTIFY_APPROVED, url="/friends/profile/", now=now)
    _log(moderator=by, action="approve_profile", profile=profile, member=profile.member, now=now)
    return profile


@transaction.atomic
def profile_return(*, profile: Profile, by, reason: str, now: dt.datetime) -> Profile:
    if not reason.strip():
        raise ValidationError(ERROR_NO_REASON, code="reason")
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    if profile.status == Profile.Status.DELETED:
        raise ValidationError(ERROR_NOT_OPEN, code="status")
    profile.status = Profile.Status.RETURNED
    profile.return_reason = reason.strip()
    profile.listed_at = None
    profile.expires_at = None
    profile.save(update_fields=["status", "return_reason", "listed_at", "expires_at"])
    _notify(
        recipient=profile.member,
        kind=NOTIFY_RETURNED,
        url="/friends/profile/",
        reason=profile.return_reason,
        now=now,
    )
    _log(
        moderator=by,
        action="return_profile",
        profile=profile,
        member=profile.member,
        reason=reason,
        now=now,
    )
    return profile


@transaction.atomic
def profile_set_age_band(
    *, profile: Profile, by, age_band: str, reason: str, now: dt.datetime
) -> Profile:
    """Only moderators change an age band (a member who chose wrongly asks them, or a report
    shows it). Conversations across the new boundary stop at once: every message asks
    friends.age."""
    if age_band not in AgeBand.values:
        raise ValidationError(ERROR_AGE_BAND, code="age_band")
    if not reason.strip():
        raise ValidationError(ERROR_NO_REASON, code="reason")
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    old = profile.age_band
    profile.age_band = age_band
    profile.save(update_fields=["age_band"])
    if not age.may_meet(old, age_band):
        member = profile.member
        ContactRequest.objects.filter(
            Q(sender=member) | Q(recipient=member), status=ContactRequest.Status.OPEN
        ).update(status=ContactRequest.Status.WITHDRAWN, answered_at=now)
    _log(
        moderator=by,
        action="age_band",
        profile=profile,
        member=profile.member,
        reason=f"{old} -> {age_band}: {reason.strip()}",
        now=now,
    )
    return profile


@transaction.atomic
def message_approve(*, message: Message, by, now: dt.datetime) -> Message:
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("conversation", "author")
        .get(pk=message.pk)
    )
    if message.status != Message.Status.HELD:
        raise ValidationError(ERROR_NOT_OPEN, code="status")
    message.status = Message.Status.VISIBLE
    message.save(update_fields=["status"])
    Conversation.objects.filter(pk=message.conversation_id).update(last_message_at=now)
    _notify_partner(message, now)
    _log(moderator=by, action="approve_message", message=message, member=message.author, now=now)
    return message


@transaction.atomic
def message_reject(*, message: Message, by, reason: str, now: dt.datetime) -> Message:
    if not reason.strip():
        raise ValidationError(ERROR_NO_REASON, code="reason")
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.status != Message.Status.HELD:
        raise ValidationError(ERROR_NOT_OPEN, code="status")
    message.status = Message.Status.REJECTED
    message.moderator_reason = reason.strip()
    message.save(update_fields=["status", "moderator_reason"])
    _log(
        moderator=by,
        action="reject_message",
        message=message,
        member=message.author,
        reason=reason,
        now=now,
    )
    return message


def _held_request(request: ContactRequest) -> ContactRequest:
    request = (
        ContactRequest.objects.select_for_update(of=("self",))
        .select_related("sender", "recipient")
        .get(pk=request.pk)
    )
    if request.status != ContactRequest.Status.HELD:
        raise ValidationError(ERROR_NOT_OPEN, code="status")
    return request


@transaction.atomic
def request_pass_on(*, request: ContactRequest, by, now: dt.datetime) -> ContactRequest:
    """A moderator lets a held request through: the recipient sees it and is notified. It is
    refused if the two can no longer meet (a block, a changed age band, a profile taken
    down); the moderator then declines it."""
    request = _held_request(request)
    sender, recipient = request.sender, request.recipient
    profiles = {p.member_id: p for p in Profile.objects.filter(member__in=[sender, recipient])}
    sender_profile, recipient_profile = profiles.get(sender.pk), profiles.get(recipient.pk)
    if (
        sender_profile is None
        or recipient_profile is None
        or Profile.Status.DELETED in (sender_profile.status, recipient_profile.status)
        or not age.may_meet(sender_profile.age_band, recipient_profile.age_band)
        or is_blocked_between(sender.pk, recipient.pk)
        or find_pair(sender, recipient) is not None
    ):
        raise ValidationError(ERROR_CANNOT_PASS_ON, code="unavailable")
    request.status = ContactRequest.Status.OPEN
    request.save(update_fields=["status"])
    _notify(recipient=recipient, kind=NOTIFY_REQUEST, url="/friends/requests/", now=now)
    _log(moderator=by, action="pass_on_request", member=sender, now=now)
    return request


@transaction.atomic
def request_not_pass_on(
    *, request: ContactRequest, by, reason: str, now: dt.datetime
) -> ContactRequest:
    """A moderator keeps a held request from the recipient. The writer sees the reason on
    their requests page and gets a notification; the recipient never learns of it."""
    if not reason.strip():
        raise ValidationError(ERROR_NO_REASON, code="reason")
    request = _held_request(request)
    request.status = ContactRequest.Status.NOT_PASSED
    request.moderator_reason = reason.strip()
    request.answered_at = now
    request.save(update_fields=["status", "moderator_reason", "answered_at"])
    _notify(
        recipient=request.sender,
        kind=NOTIFY_NOT_PASSED,
        url="/friends/requests/",
        reason=request.moderator_reason,
        now=now,
    )
    _log(moderator=by, action="not_pass_on_request", member=request.sender, reason=reason, now=now)
    return request


@transaction.atomic
def message_hide(*, message: Message, by, reason: str, now: dt.datetime) -> Message:
    """Take a delivered message back (from a report): the partner no longer sees it."""
    if not reason.strip():
        raise ValidationError(ERROR_NO_REASON, code="reason")
    message = Message.objects.select_for_update().get(pk=message.pk)
    message.status = Message.Status.REJECTED
    message.moderator_reason = reason.strip()
    message.save(update_fields=["status", "moderator_reason"])
    _log(
        moderator=by,
        action="hide_message",
        message=message,
        member=message.author,
        reason=reason,
        now=now,
    )
    return message


@transaction.atomic
def report_resolve(*, report: Report, by, resolution: str, now: dt.datetime) -> Report:
    if not resolution.strip():
        raise ValidationError(ERROR_NO_REASON, code="reason")
    report = Report.objects.select_for_update().get(pk=report.pk)
    report.resolved_at = now
    report.resolution = resolution.strip()[:300]
    report.save(update_fields=["resolved_at", "resolution"])
    _log(
        moderator=by,
        action="resolve_report",
        report=report,
        member=report.reported,
        reason=resolution,
        now=now,
    )
    return report


@transaction.atomic
def member_suspend(*, member, by, until: dt.datetime, reason: str, now: dt.datetime):
    """No profile listing, requests or messages until *until*; their profile is hidden and
    the requests they sent that wait for an answer are withdrawn."""
    if not reason.strip():
        raise ValidationError(ERROR_NO_REASON, code="reason")
    standing = standing_for(member)
    standing.suspended_until = until
    standing.suspension_reason = reason.strip()[:300]
    standing.save(update_fields=["suspended_until", "suspension_reason"])
    # Their open requests end, so nobody accepts one and starts a conversation with them
    # while suspended (a held one stays with the moderators).
    ContactRequest.objects.filter(sender=member, status=ContactRequest.Status.OPEN).update(
        status=ContactRequest.Status.WITHDRAWN, answered_at=now
    )
    _log(moderator=by, action="suspend", member=member, reason=reason, now=now)
    return standing


@transaction.atomic
def member_unsuspend(*, member, by, now: dt.datetime):
    standing = standing_for(member)
    standing.suspended_until = None
    standing.save(update_fields=["suspended_until"])
    _log(moderator=by, action="unsuspend", member=member, now=now)
    return standing


def notice_text(kind: str, name: str = "") -> str:
    """A notification's text in the active language (for pages that render them again)."""
    text = gettext(str(_NOTICES[kind]))
    return text % {"subject": name} if "%(subject)s" in text else text
