"""Forms of the staff workspace for letters: the queue filters, the reply editor, the review."""

from __future__ import annotations

import datetime as dt
import hashlib

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from letters.conf import app_settings
from letters.selectors import QueueFilters
from letters.services import ERROR_FOLLOW_UP_DATE, ERROR_NO_COMMENT


class QueueFilterForm(forms.Form):
    """GET filters of the reply queue: plain checkboxes and a select, so they work without JS."""

    mine = forms.BooleanField(label=_("Mine"), required=False)
    unclaimed = forms.BooleanField(label=_("Nobody on it"), required=False)
    due_soon = forms.BooleanField(label=_("Due within 12 hours"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    topic = forms.TypedChoiceField(label=_("Topic"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("All topics"))] + [(t.pk, t.name) for t in topics]

    def rendering_key(self) -> str:
        """What this form's HTML depends on: the language, what was sent in its fields and
        the topics to choose from. The queue keeps the rendered controls under it (six
        widgets through Django's form templates cost ~2 ms, a sixth of the page)."""
        sent = [(name, self.data.getlist(name) if hasattr(self.data, "getlist")
                 else self.data.get(name)) for name in self.fields]
        topics = [(str(value), str(label)) for value, label in self.fields["topic"].choices]
        parts = (translation.get_language(), sent, topics)
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    def filters(self) -> QueueFilters:
        if not self.is_valid():
            return QueueFilters()
        data = self.cleaned_data
        return QueueFilters(
            mine=data["mine"],
            unclaimed=data["unclaimed"],
            due_soon=data["due_soon"],
            overdue=data["overdue"],
            urgent=data["urgent"],
            topic_id=data["topic"],
        )


class ReplyForm(forms.Form):
    """The supervisor's answer. Every error re-renders this form bound, so nothing typed is lost."""

    body = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=app_settings.MAX_BODY_LENGTH * 2,
        widget=forms.Textarea(attrs={"rows": 16, "data-reply-body": ""}),
        strip=False,
    )
    referral_service_ids = forms.TypedMultipleChoiceField(
        label=_("Help services to refer to"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    next_step = forms.CharField(
        label=_("Agreed next step"),
        required=False,
        max_length=300,
        help_text=_("One small step you agreed on, e.g. 'send a message to your cousin'."),
    )
    follow_up_on = forms.DateField(
        label=_("Follow up on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The writer is asked how it went on this day."),
    )
    template = forms.TypedChoiceField(
        label=_("Reply template"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, referral_choices=(), templates=(), today: dt.date | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["referral_service_ids"].choices = list(referral_choices)
        self.templates = {t.pk: t for t in templates}
        self.fields["template"].choices = [("", _("Choose a template"))] + [
            (t.pk, t.title) for t in templates
        ]

    def clean_follow_up_on(self):
        date = self.cleaned_data.get("follow_up_on")
        if date is not None and date <= self.today:
            raise forms.ValidationError(ERROR_FOLLOW_UP_DATE, code="follow_up_date")
        return date

    def draft_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "body": data["body"],
            "referral_service_ids": data["referral_service_ids"],
            "next_step": data["next_step"],
            "follow_up_on": data["follow_up_on"],
        }

    def with_template_appended(self):
        """A copy of the submitted data with the chosen template's text added to the draft."""
        data = self.data.copy()
        try:
            template = self.templates.get(int(data.get("template", "")))
        except ValueError:
            template = None
        if template is not None:
            body = data.get("body", "").rstrip()
            data["body"] = (body + "\n\n" if body else "") + template.body
            data["template"] = ""
        return data


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should be changed?"),
        required=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": ERROR_NO_COMMENT},
    )


class StatisticsForm(forms.Form):
    PERIODS = [("week", _("Per week")), ("month", _("Per month"))]

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)

    def period_value(self) -> str:
        if self.is_valid() and self.cleaned_data["period"]:
            return self.cleaned_data["period"]
        return "week"
