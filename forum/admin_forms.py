"""Forms of the moderators' workspace: a reason, an edit with its note, a suspension, a move,
and the moderation log's filters. The rules themselves live in forum.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from forum import services
from forum.models import Category, ModerationAction

SUSPENSION_DAYS = (1, 3, 7, 14, 30, 90, 365)
ERROR_NO_NOTE = _(
    "Write a short note that members see under the post, e.g. “phone number removed”."
)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the author"),
        help_text=_("The author sees this and can change the post and send it again."),
        max_length=1000,
        error_messages={"required": services.ERROR_NO_REASON},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the author)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeleteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (for the moderation log)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ModeratorEditForm(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        strip=False,
        error_messages={"required": services.ERROR_EMPTY},
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    note = forms.CharField(
        label=_("Note shown under the post"),
        max_length=200,
        error_messages={"required": ERROR_NO_NOTE},
    )


class SuspendForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Suspend for"),
        coerce=int,
        initial=7,
    )
    reason = forms.CharField(
        label=_("Reason (for the moderation log)"),
        max_length=300,
        error_messages={"required": services.ERROR_NO_REASON},
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, so the labels are in the moderator's language.
        self.fields["days"].choices = [
            (days, ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
            for days in SUSPENSION_DAYS
        ]


class MoveForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Move to category"),
        queryset=Category.objects.all(),
        empty_label=None,
    )


class LogFilterForm(forms.Form):
    moderator = forms.TypedChoiceField(
        label=_("Moderator"), required=False, coerce=int, empty_value=None
    )
    action = forms.ChoiceField(label=_("Action"), required=False)

    def __init__(self, *args, moderators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moderator"].choices = [("", _("Everyone")), *moderators]
        self.fields["action"].choices = [("", _("All actions")), *ModerationAction.Action.choices]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "moderator_id": self.cleaned_data["moderator"],
            "action": self.cleaned_data["action"],
        }
