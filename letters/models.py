"""Letters: a writer's thread of letters, each answered by a supervisor within the deadline.

A *thread* is one conversation. Every *letter* the writer sends (the first, and each
follow-up) enters the reply queue with its own deadline (``due_at``) and gets one *reply*.
Deadlines, claims and states are stored timestamps, so a restart loses nothing and the
queue order is a query, never an in-memory timer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel

from ordrom.bilingual import localized


class Topic(models.Model):
    """What a letter is about, from a list the editors maintain."""

    slug = models.SlugField(_("slug"), unique=True)
    name_nb = models.CharField(_("name (bokmål)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("shown"), default=True)

    panels = [
        FieldPanel("name_nb"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("sort_order"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["sort_order", "name_nb"]
        verbose_name = _("letter topic")
        verbose_name_plural = _("letter topics")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class ReplyTemplate(models.Model):
    """A starting point for a reply, maintained by coordinators and editors."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))

    panels = [FieldPanel("title"), FieldPanel("body")]

    class Meta:
        ordering = ["title"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self):
        return self.title


class Thread(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", pgettext_lazy("letter thread state", "Closed")

    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="letter_threads",
        verbose_name=_("writer"),
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("topic")
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("supervisor"),
        help_text=_("Who answered; follow-ups go to them first when possible."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.WAITING
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("letter thread")
        verbose_name_plural = _("letter threads")
        indexes = [
            models.Index(fields=["writer", "-updated_at"], name="thread_writer_recent"),
            models.Index(fields=["state", "closed_at"], name="thread_state_closed"),
        ]

    def __str__(self):
        return self.subject or f"#{self.pk}"


class Letter(models.Model):
    """One letter from the writer: the unit of the reply queue."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="letters")
    body = models.TextField(_("letter"))
    is_follow_up = models.BooleanField(_("follow-up"), default=False)
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Contains words that signal a crisis.")
    )
    received_at = models.DateTimeField(_("received"))
    due_at = models.DateTimeField(_("answer due"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claim_expires_at = models.DateTimeField(_("claim lapses"), null=True, blank=True)
    # The one-time key of the form that sent it (a new letter's hidden token): a form sent
    # again after an error (a lost answer, a database restart) finds this letter instead of
    # making a second one. Unique, so two copies sent at once cannot both be stored.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["received_at"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        indexes = [
            # The reply queue: open letters, urgent first, then by deadline. With the id and
            # the thread, a page's ids come from the index alone, so a deep page's OFFSET walks
            # the index, not every earlier letter's row (5.1 to 1.9 ms at page 50 of 8 700).
            models.Index(
                fields=["-urgent", "due_at", "id", "thread"],
                condition=Q(answered_at__isnull=True),
                name="letter_queue_order",
            ),
            models.Index(fields=["thread", "received_at"], name="letter_thread_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(due_at__gt=models.F("received_at")),
                                   name="letter_due_after_received"),
        ]

    def __str__(self):
        return f"{self.thread} · {self.received_at:%Y-%m-%d %H:%M}"

    def claim_is_active(self, now) -> bool:
        return bool(self.claimed_by_id and self.claim_expires_at and self.claim_expires_at > now)


class Reply(models.Model):
    """A supervisor's answer to one letter: a draft until it is sent."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("Waiting for review")
        RETURNED = "returned", _("Returned with a comment")
        SENT = "sent", _("Sent")

    letter = models.OneToOneField(Letter, on_delete=models.CASCADE, related_name="reply")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written by"),
    )
    body = models.TextField(_("answer"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    referral_service_ids = models.JSONField(
        _("help services referred to"), default=list, blank=True
    )
    next_step = models.CharField(
        _("agreed next step"),
        max_length=300,
        blank=True,
        help_text=_("One small step you agreed on, e.g. 'send a message to your cousin'."),
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    review_requested_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read by the writer"), null=True, blank=True)
    feedback_given = models.BooleanField(default=False)
    follow_up_dismissed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [
            models.Index(fields=["status", "review_requested_at"], name="reply_review_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="reply_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.letter} · {self.get_status_display()}"


class LetterRecord(models.Model):
    """What statistics need of a letter, and nothing personal.

    Written when a letter arrives and updated when it is answered; it has no text and no
    link to the writer, so it outlives the letter (retention, deleted accounts) and the
    statistics stay right.
    """

    letter = models.OneToOneField(
        Letter, null=True, blank=True, on_delete=models.SET_NULL, related_name="record"
    )
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL)
    is_follow_up = models.BooleanField(default=False)
    urgent = models.BooleanField(default=False)
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["received_at"], name="letterrecord_received")]

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d %H:%M}"


class Feedback(models.Model):
    """One anonymous answer to one of the three questions after an answer was read.

    Deliberately not linked to the reply or the writer: only counted per week.
    """

    class Question(models.TextChoices):
        EASY_TO_REACH = "easy_to_reach", _("Was it easy to reach us?")
        FEEL_BETTER = "feel_better", _("Do you feel better after the answer?")
        WAIT_OK = "wait_ok", _("Was the waiting time acceptable?")

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    question = models.CharField(max_length=20, choices=Question.choices)
    answer = models.CharField(max_length=10, choices=Answer.choices)
    week = models.DateField(help_text="Monday of the week the answer was given.")

    class Meta:
        indexes = [models.Index(fields=["week", "question"], name="feedback_week")]

    def __str__(self):
        return f"{self.week} · {self.question}: {self.answer}"


class DigestSent(models.Model):
    """One row per deadline digest sent, so running the task twice sends it once."""

    slot = models.CharField(max_length=40, unique=True)
    sent_at = models.DateTimeField()
    letters = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.slot
