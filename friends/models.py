"""Friend service (vennetjeneste): pen-pal profiles, contact requests, private conversations,
blocks, reports, suspensions and the moderation log.

Text a member writes is stored as written and as HTML rendered once at write time by the
single sanitiser (``*_html``); templates show only the HTML. Conversations keep their members
with SET_NULL, so when an account is deleted (its messages go with it, see personal_data.py)
the partner sees "deleted user".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from friends import age
from ordrom.bilingual import localized


class AgeBand(models.TextChoices):
    B13_15 = "13-15", _("13–15 years")
    B16_17 = "16-17", _("16–17 years")
    B18_25 = "18-25", _("18–25 years")
    B26_35 = "26-35", _("26–35 years")
    B36_50 = "36-50", _("36–50 years")
    B51_65 = "51-65", _("51–65 years")
    B66 = "66+", _("66 years or older")


assert set(AgeBand.values) == set(age.UNDER_18_BANDS + age.ADULT_BANDS)


class Region(models.TextChoices):
    """Norway's counties from 1 January 2024, and abroad. County names are proper nouns."""

    AGDER = "agder", "Agder"
    AKERSHUS = "akershus", "Akershus"
    BUSKERUD = "buskerud", "Buskerud"
    FINNMARK = "finnmark", "Finnmark"
    INNLANDET = "innlandet", "Innlandet"
    MORE_OG_ROMSDAL = "more-og-romsdal", "Møre og Romsdal"
    NORDLAND = "nordland", "Nordland"
    OSLO = "oslo", "Oslo"
    ROGALAND = "rogaland", "Rogaland"
    TELEMARK = "telemark", "Telemark"
    TROMS = "troms", "Troms"
    TRONDELAG = "trondelag", "Trøndelag"
    VESTFOLD = "vestfold", "Vestfold"
    VESTLAND = "vestland", "Vestland"
    OSTFOLD = "ostfold", "Østfold"
    ABROAD = "abroad", _("Abroad")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Non-binary or other")


class Interest(models.Model):
    """Something to write about; editors and moderators maintain the list (a snippet)."""

    slug = models.SlugField(_("slug"), unique=True)
    name_nb = models.CharField(_("name (bokmål)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("can be chosen"), default=True)

    panels = [
        FieldPanel("name_nb"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("sort_order"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["sort_order", "name_nb"]
        verbose_name = _("friend service interest")
        verbose_name_plural = _("friend service interests")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Profile(models.Model):
    """A member's pen-pal ad. Listed while approved, not paused and not expired.

    A deleted profile keeps its row (text and interests removed, status DELETED) so its age
    band, which only a moderator may change, survives a "delete and start again".
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a moderator")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned to you")
        PAUSED = "paused", _("Paused")
        DELETED = "deleted", _("Deleted")

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="friend_profile"
    )
    age_band = models.CharField(_("age"), max_length=5, choices=AgeBand.choices)
    region = models.CharField(_("where you live"), max_length=20, choices=Region.choices)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    interests = models.ManyToManyField(Interest, blank=True, related_name="+")
    about = models.TextField(_("about me"))
    about_html = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    return_reason = models.TextField(_("reason given to the member"), blank=True)
    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField()
    listed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Set when the member has been told the profile expired; cleared by approval and renewal.
    expiry_notified = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("friend profile")
        verbose_name_plural = _("friend profiles")
        indexes = [
            # Browse, newest first, read in order until a page is full: one index for the whole
            # listing and one for an age filter. Not partial (WHERE status='approved'): SQLite
            # cannot plan a partial index against a bound parameter, and sorted every listed
            # profile of the age group instead (46 ms a page at 17 000 listed; 0.1 ms now).
            # With what the listing tests (age group, expiry, member) in the index, the rows a
            # deep page skips are tested in the index, not read with their text (page 50:
            # 4.6 to 3 ms). A deep page takes its twenty ids from this index alone and reads
            # their cards by id (selectors.BrowsePaginator, ordrom.pagination.page_rows).
            models.Index(
                fields=["status", "-listed_at", "-id", "age_band", "expires_at", "member"],
                name="friends_profile_browse_cover",
            ),
            models.Index(
                fields=["status", "age_band", "-listed_at", "-id", "expires_at", "member"],
                name="friends_profile_band_cover",
            ),
            # Counting the listed profiles of an age group reads only this index (no table rows:
            # each row carries the whole profile text).
            models.Index(
                fields=["age_band", "expires_at", "member_id"],
                condition=Q(status="approved"),
                name="friends_profile_count",
            ),
            models.Index(
                fields=["submitted_at"], condition=Q(status="pending"), name="friends_profile_queue"
            ),
        ]

    def __str__(self):
        return f"profile {self.pk} ({self.member_id})"

    def is_listed(self, now) -> bool:
        return self.status == self.Status.APPROVED and bool(
            self.expires_at and self.expires_at > now
        )

    def is_expired(self, now) -> bool:
        return self.status == self.Status.APPROVED and not self.is_listed(now)


class ContactRequest(models.Model):
    """A first message asking to write together.

    A request whose message holds crisis words is HELD: the recipient does not see it, staff
    see it urgent-first in the held queue and the writer is shown the crisis numbers at once.
    A moderator passes it on (it becomes OPEN, and is not held again when accepted) or does
    not (NOT_PASSED, with a kind reason the writer sees). Nothing the writer wrote is refused.
    """

    class Status(models.TextChoices):
        HELD = "held", _("Waiting for a moderator")
        OPEN = "open", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Not accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        NOT_PASSED = "not_passed", _("Not passed on")

    # Requests that still stand between a pair (at most one at a time).
    PENDING_STATUSES = ("held", "open")

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    message = models.TextField(_("first message"))
    message_html = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    hold_reasons = models.JSONField(default=list, blank=True)
    urgent = models.BooleanField(default=False)
    moderator_reason = models.TextField(_("reason given to the writer"), blank=True)
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "recipient"],
                condition=Q(status__in=["held", "open"]),
                name="friends_one_open_request_per_pair",
            )
        ]
        indexes = [
            models.Index(fields=["sender", "created_at"], name="friends_request_sent"),
            models.Index(
                fields=["-urgent", "created_at"],
                condition=Q(status="held"),
                name="friends_request_held",
            ),
        ]

    def __str__(self):
        return f"request {self.pk}: {self.sender_id} -> {self.recipient_id}"


class Conversation(models.Model):
    """A private thread of letters between two members; ``member_a`` has the lower id."""

    member_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    member_b = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["member_a", "member_b"], name="friends_one_pair")
        ]

    def __str__(self):
        return f"conversation {self.pk}"

    def has_member(self, user) -> bool:
        return user.pk is not None and user.pk in (self.member_a_id, self.member_b_id)

    def partner_id(self, user) -> int | None:
        return self.member_b_id if user.pk == self.member_a_id else self.member_a_id

    def partner(self, user):
        return self.member_b if user.pk == self.member_a_id else self.member_a


class Message(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("Delivered")
        HELD = "held", _("Waiting for a moderator")
        REJECTED = "rejected", _("Not delivered")

    class HoldReason(models.TextChoices):
        CONTACT = "contact", _("Contact details")
        CRISIS = "crisis", _("Crisis words")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("text as written"))
    body_html = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    hold_reasons = models.JSONField(default=list, blank=True)
    urgent = models.BooleanField(default=False)
    moderator_reason = models.TextField(_("reason given to the writer"), blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["conversation", "created_at", "id"], name="friends_message_order"),
            models.Index(
                fields=["-urgent", "created_at"],
                condition=Q(status="held"),
                name="friends_message_held",
            ),
        ]

    def __str__(self):
        return f"message {self.pk} in {self.conversation_id}"


class Block(models.Model):
    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="friends_one_block")
        ]

    def __str__(self):
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Report(models.Model):
    class Reason(models.TextChoices):
        CONTACT = "contact", _("They ask for or share contact details")
        HARASSMENT = "harassment", _("It is hurtful, sexual or harassing")
        AGE = "age", _("I think they are lying about their age")
        DANGER = "danger", _("Someone may be in danger")
        SPAM = "spam", _("Advertising, money or spam")
        OTHER = "other", _("Something else")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    messages = models.ManyToManyField(Message, blank=True, related_name="reports")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    text = models.CharField(max_length=500, blank=True)
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-urgent", "created_at"]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="friends_report_queue")]

    def __str__(self):
        return f"report {self.pk} on {self.reported_id}"


class FriendStanding(models.Model):
    """A member's suspension from the friend service (separate from the forum's)."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="friend_standing"
    )
    suspended_until = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=300, blank=True)

    def __str__(self):
        return f"{self.member_id} standing"

    def is_suspended(self, now) -> bool:
        return bool(self.suspended_until and self.suspended_until > now)


class ModerationAction(models.Model):
    """The friend service's moderation log: who did what to which profile, message or member."""

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderator_name = models.CharField(max_length=150)
    action = models.CharField(max_length=24)
    profile = models.ForeignKey(Profile, null=True, blank=True, on_delete=models.SET_NULL)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL)
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.moderator_name} {self.action}"
