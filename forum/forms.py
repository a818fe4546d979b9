"""The members' forum forms: a new topic, a reply, an edit, a report, a search.

The length and emptiness rules live in forum.services (the last word); the forms only carry
the text, so whatever the member typed is still in the form when a service refuses it.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from forum import services
from forum.conf import app_settings
from forum.models import Report

SEARCH_MIN_LENGTH = 3
ERROR_SEARCH_SHORT = _("Write at least %(min)d letters to search.")


def _body_field(label) -> forms.CharField:
    # No max_length: a maxlength attribute makes browsers cut pasted text silently. The
    # service tells the member instead, with their text kept.
    return forms.CharField(
        label=label,
        strip=False,
        error_messages={"required": services.ERROR_EMPTY},
        help_text=_(
            "Empty lines start a new paragraph. **bold**, *italic*, lists with - and quotes "
            "with > work. Up to %(max)s characters."
        )
        % {"max": app_settings.MAX_POST_LENGTH},
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class TopicForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        error_messages={"required": services.ERROR_TITLE},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = _body_field(_("Your post"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = services.ERROR_TITLE % {
            "max": app_settings.MAX_TITLE_LENGTH
        }


class ReplyForm(forms.Form):
    body = _body_field(_("Your reply"))
    quote_of = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EditForm(forms.Form):
    body = _body_field(_("Your post"))


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you reporting this post?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason.")},
    )
    text = forms.CharField(
        label=_("Anything the moderator should know? (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the forum"), required=False, strip=True)

    def query(self) -> str | None:
        """The search words, or None when there is nothing (long enough) to search for."""
        if not self.is_valid():
            return None
        q = " ".join(self.cleaned_data["q"].split())
        return q if len(q) >= SEARCH_MIN_LENGTH else None


def quote_text(body: str) -> str:
    """A post's text as a quote to start a reply with: every line behind "> "."""
    lines = body.replace("\r\n", "\n").strip().split("\n")
    return "\n".join(f"> {line}".rstrip() for line in lines) + "\n\n"
