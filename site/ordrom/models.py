"""The shared core's own tables: the audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """A staff member read (or acted on) a piece of sensitive content.

    Written through ``ordrom.audit.record``; coordinators read it. The actor's name is kept
    as written at the time, so the entry still says who it was after the account is gone.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_name = models.CharField(_("who (as then)"), max_length=150)
    action = models.CharField(_("what"), max_length=40)
    target_type = models.CharField(_("kind"), max_length=40)
    target_id = models.PositiveBigIntegerField(_("which"))
    at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["-at"], name="audit_recent"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_type}"


class Notification(models.Model):
    """An in-site notification ("your post was approved"), shown with an unread count.

    ``kind`` names the message, which the app that sent it renders in the reader's language;
    ``subject`` is the title of what it is about and ``reason`` a moderator's words, if any.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            )
        ]

    def __str__(self):
        return f"{self.kind} for {self.recipient_id}"
