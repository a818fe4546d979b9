"""The chat's forms: join the queue, turn what you wrote into a letter, crisis contact,
the three feedback questions, and the supervisor's safety check."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chat.models import ChatFeedback
from chat.services import MAX_FIRST_LINE

ERROR_RATE_LIMITED = _(
    "Many people have started from your connection in the last hour, so we have to wait a "
    "little before we can make another account. Your text is kept below: please try again "
    "later. If you need to talk to someone now, the numbers at the top of the page are open "
    "day and night."
)
ERROR_NOT_STARTED = _("Sorry, we could not start the chat just now. Please try again.")
ERROR_CLOSED = _("The chat has just closed. You can turn what you wrote into a letter instead.")
ERROR_UNAVAILABLE = _(
    "The live chat is temporarily unavailable because of a technical problem. You can send "
    "what you wrote as a letter instead, or call one of the numbers at the top of the page."
)
ERROR_NO_FEEDBACK = _("Choose an answer to at least one of the questions, or skip them.")
ERROR_LETTER_EMPTY = _("Write something first: that is what we send as your letter.")

HONEYPOT_FIELD = "website"


class StartForm(forms.Form):
    first_line = forms.CharField(
        label=_("What would you like to talk about? (optional)"),
        max_length=MAX_FIRST_LINE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few words help the supervisor to be ready for you."),
    )
    same_supervisor = forms.BooleanField(
        label=_("I would like to talk with the same supervisor as last time, if they are here."),
        required=False,
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args, show_same_supervisor=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_same_supervisor:
            del self.fields["same_supervisor"]
        self.fields[HONEYPOT_FIELD].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))

    @property
    def visible_fields_without_honeypot(self):
        return [field for field in self.visible_fields() if field.name != HONEYPOT_FIELD]


class LetterFromChatForm(forms.Form):
    text = forms.CharField(
        label=_("Your letter"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": ERROR_LETTER_EMPTY},
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))


class CrisisContactForm(forms.Form):
    contact = forms.CharField(
        label=_("A phone number or a place where we can send help"),
        max_length=300,
        help_text=_(
            "Only if you want us to call for help. Only the staff in this chat see it, and it is "
            "deleted with the chat."
        ),
    )


class FeedbackForm(forms.Form):
    """The same three questions as for letters: anonymous, each optional."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in ChatFeedback.Question:
            self.fields[question.value] = forms.ChoiceField(
                label=question.label,
                choices=ChatFeedback.Answer.choices,
                required=False,
                widget=forms.RadioSelect,
            )

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(question) for question in ChatFeedback.Question.values):
            raise forms.ValidationError(ERROR_NO_FEEDBACK, code="empty")
        return cleaned

    def answers(self) -> dict[str, str]:
        return {
            question: self.cleaned_data[question]
            for question in ChatFeedback.Question.values
            if self.cleaned_data.get(question)
        }
