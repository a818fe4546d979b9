"""The one-to-one chat: a conversation in the queue or running, its numbered messages,
the supervisors' presence and canned phrases, and anonymous feedback."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from letters.models import Feedback as LetterFeedback


class Conversation(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ACTIVE = "active", _("Running")
        ENDED = "ended", _("Ended")

    class EndedBy(models.TextChoices):
        MEMBER = "member", _("the member")
        SUPERVISOR = "supervisor", _("the supervisor")
        GAVE_UP = "gave_up", _("the member left the queue")
        EXPIRED = "expired", _("the place in the queue lapsed")
        CLOSED = "closed", _("the chat closed")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chat_conversations",
        verbose_name=_("member"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_conversations_held",
        verbose_name=_("supervisor"),
    )
    preferred_supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Asked for 'the same supervisor as last time'.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    urgent = models.BooleanField(_("urgent"), default=False)
    first_line = models.TextField(_("what they want to talk about"), blank=True)
    queued_at = models.DateTimeField(_("entered the queue"))
    place_kept_until = models.DateTimeField(null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=12, choices=EndedBy.choices, blank=True)
    # Guarded ending of an urgent chat: what the supervisor confirmed.
    safety_next_step = models.BooleanField(default=False)
    safety_numbers_given = models.BooleanField(default=False)
    safety_note = models.TextField(blank=True)
    next_seq = models.PositiveIntegerField(default=1)
    # Opt-in, in a crisis: a phone number or a place, shown only to the staff in this
    # conversation and deleted with it.
    crisis_contact = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        constraints = [
            # One place in the queue (or one running chat) per account.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state__in=["waiting", "active"]),
                name="chat_one_open_conversation_per_member",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "queued_at"], name="chat_queue"),
            models.Index(fields=["supervisor", "state"], name="chat_supervisor_state"),
        ]

    def __str__(self):
        return f"chat {self.pk} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.WAITING, self.State.ACTIVE)


class Message(models.Model):
    class Sender(models.TextChoices):
        MEMBER = "member", _("member")
        SUPERVISOR = "supervisor", _("supervisor")
        SYSTEM = "system", _("system")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    sender = models.CharField(max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=150, blank=True)
    text = models.TextField()
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The sending client's own id for the message: a client that resends after a dropped
    # connection (stored, but the ack never arrived) gets the stored message's ack again.
    client_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq"),
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_id"],
                condition=~Q(client_id=""),
                name="chat_message_client_id",
            ),
        ]

    def __str__(self):
        return f"{self.conversation_id}#{self.seq}"

    def as_frame(self) -> dict:
        return {
            "type": "message",
            "conversation": self.conversation_id,
            "seq": self.seq,
            "sender": self.sender,
            "name": self.author_name,
            "text": self.text,
            "created": self.created_at.isoformat(),
            "delivered": self.delivered_at is not None,
        }


class ChatFeedback(models.Model):
    """The three feedback questions of letters, answered after a chat: anonymous, counted per
    week, linked to no conversation and no person."""

    Question = LetterFeedback.Question
    Answer = LetterFeedback.Answer

    question = models.CharField(max_length=20, choices=LetterFeedback.Question.choices)
    answer = models.CharField(max_length=10, choices=LetterFeedback.Answer.choices)
    week = models.DateField(help_text="Monday of the week the answer was given.")

    class Meta:
        indexes = [models.Index(fields=["week", "question"], name="chat_feedback_week")]

    def __str__(self):
        return f"{self.week} · {self.question}: {self.answer}"


class CannedPhrase(models.Model):
    """A phrase supervisors insert into a chat with one click (a snippet)."""

    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"), max_length=2000)
    sort_order = models.IntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "title"]
        verbose_name = _("canned phrase")
        verbose_name_plural = _("canned phrases")

    def __str__(self):
        return self.title


class SupervisorPresence(models.Model):
    """Whether a supervisor is taking chats, and how many at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_presence"
    )
    online = models.BooleanField(default=False)
    last_seen = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("parallel chats"), null=True, blank=True, help_text=_("Empty: the site default.")
    )

    def __str__(self):
        return f"{self.user} ({'online' if self.online else 'offline'})"
