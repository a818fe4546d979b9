"""Group sessions (Samtalerom): a weekly, one-hour group chat led by a supervisor.

A coordinator schedules a *series* (weekday and time in Europe/Oslo wall-clock time); the
sweep generates its upcoming *sessions* with their start stored in UTC, so a session at
19:00 stays at 19:00 on the clock across daylight saving. Members sign up as
*participants*, shown to the group by a first name and a region only. The *transcript*
(group messages) exists only while the session lives: closing the session deletes it and
keeps two counts. *Private notes* are the supervisor's short messages to one participant
before or after the session (the online form of the telephone groups' check-in calls).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ordrom.bilingual import localized
from pages.opening_hours import WEEKDAY_CHOICES

MAX_CAPACITY = 8
SESSION_MINUTES = 60
SUPERVISOR_EARLY_MINUTES = 10

REGION_CHOICES = [
    ("agder", "Agder"),
    ("akershus", "Akershus"),
    ("buskerud", "Buskerud"),
    ("finnmark", "Finnmark"),
    ("innlandet", "Innlandet"),
    ("more-og-romsdal", "Møre og Romsdal"),
    ("nordland", "Nordland"),
    ("oslo", "Oslo"),
    ("rogaland", "Rogaland"),
    ("telemark", "Telemark"),
    ("troms", "Troms"),
    ("trondelag", "Trøndelag"),
    ("vestfold", "Vestfold"),
    ("vestland", "Vestland"),
    ("ostfold", "Østfold"),
    ("abroad", _("Outside Norway")),
    ("unsaid", _("Rather not say")),
]


class GroupSeries(models.Model):
    title_nb = models.CharField(_("title (bokmål)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120, blank=True)
    topic_nb = models.TextField(_("topic (bokmål)"), max_length=600, blank=True)
    topic_en = models.TextField(_("topic (English)"), max_length=600, blank=True)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES)
    start_time = models.TimeField(_("starts (Oslo time)"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=SESSION_MINUTES,
        validators=[MinValueValidator(15), MaxValueValidator(180)],
    )
    capacity = models.PositiveSmallIntegerField(
        _("places"),
        default=MAX_CAPACITY,
        validators=[MinValueValidator(2), MaxValueValidator(MAX_CAPACITY)],
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="led_group_series",
        verbose_name=_("leading supervisor"),
    )
    starts_on = models.DateField(_("first date"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["weekday", "start_time", "title_nb"]
        verbose_name = _("group series")
        verbose_name_plural = _("group series")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=2, capacity__lte=MAX_CAPACITY),
                name="group_series_capacity_2_to_8",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def topic(self) -> str:
        return localized(self, "topic")


class GroupSession(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", pgettext_lazy("group room state", "Open")
        CLOSED = "closed", pgettext_lazy("group room state", "Closed")

    series = models.ForeignKey(
        GroupSeries, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("series")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.SCHEDULED
    )
    agreed_topic = models.CharField(_("agreed topic"), max_length=300, blank=True)
    last_seq = models.PositiveIntegerField(default=0)
    participant_count = models.PositiveSmallIntegerField(_("participants"), default=0)
    message_count = models.PositiveIntegerField(_("messages"), default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        constraints = [
            models.UniqueConstraint(fields=["series", "starts_at"], name="group_session_once"),
        ]
        indexes = [models.Index(fields=["state", "starts_at"])]

    def __str__(self):
        return f"{self.series} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    def opens_for_staff_at(self) -> dt.datetime:
        return self.starts_at - dt.timedelta(minutes=SUPERVISOR_EARLY_MINUTES)


class Participant(models.Model):
    session = models.ForeignKey(
        GroupSession, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_places"
    )
    display_name = models.CharField(_("first name shown to the group"), max_length=20)
    region = models.CharField(_("region"), max_length=20, choices=REGION_CHOICES)
    muted = models.BooleanField(_("muted"), default=False)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    joined_at = models.DateTimeField(_("first in the room"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed up"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="group_place_once"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def removed(self) -> bool:
        return self.removed_at is not None


class GroupMessage(models.Model):
    """One line of the transcript; deleted with the rest when the session closes."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message")
        TOPIC = "topic", _("Agreed topic")

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_name = models.CharField(max_length=150)
    text = models.TextField()
    created_at = models.DateTimeField()
    # The sender's id for a post (its ack may be lost with the connection): a resend with the
    # same id finds the stored post instead of storing it twice. Kept in the database, in the
    # same transaction as the post, so a process killed between the two cannot let it through.
    client_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["session", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="group_message_seq_once"),
            models.UniqueConstraint(
                fields=["session", "participant", "client_id"],
                condition=~models.Q(client_id="") & models.Q(participant__isnull=False),
                name="group_message_participant_client_id",
            ),
            models.UniqueConstraint(
                fields=["session", "supervisor", "client_id"],
                condition=~models.Q(client_id="") & models.Q(participant__isnull=True),
                name="group_message_staff_client_id",
            ),
        ]

    def __str__(self):
        return f"{self.session_id}#{self.seq}"

    @property
    def from_staff(self) -> bool:
        return self.participant_id is None

    def as_frame(self) -> dict:
        return {
            "type": "message",
            "seq": self.seq,
            "kind": self.kind,
            "author": self.author_name,
            "staff": self.from_staff,
            "text": self.text,
            "at": self.created_at.isoformat(),
        }


class PrivateNote(models.Model):
    class Timing(models.TextChoices):
        BEFORE = "before", _("Before the session")
        AFTER = "after", _("After the session")

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    timing = models.CharField(max_length=8, choices=Timing.choices)
    text = models.TextField(_("message"), max_length=1000)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")

    def __str__(self):
        return f"{self.author_name} → {self.participant_id}"
