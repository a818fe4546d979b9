"""The writer's forms: a new letter, a follow-up, the three questions, "I have saved it".

A visitor's letter also carries the guards against flooding the queue: a honeypot field,
a signed timestamp (a form sent faster than a person can write is a bot) and a one-time
submission token (a double click or a reload must not create a second letter or account).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.core import signing
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from letters import services
from letters.conf import app_settings
from letters.models import Feedback, Topic

# What the writer is told when a guard refuses a letter. The honeypot, a form sent too fast
# and a tampered timestamp all get the same kind words: a person who trips one by accident
# only needs to press Send again, and a bot learns nothing about which guard it hit.
ERROR_NOT_SENT = _(
    "Sorry, we could not send your letter just now. Your text is kept below: please check it "
    "and press Send again."
)
ERROR_RATE_LIMITED = _(
    "Many letters have been sent from your connection in the last hour, so we have to wait "
    "a little before we can take another one. Your text is kept below: please try again in "
    "an hour. If you need to talk to someone now, the numbers at the top of the page are "
    "open day and night."
)
ERROR_NO_FEEDBACK = _("Choose an answer to at least one of the questions, or skip them.")
ERROR_NOT_SAVED = _("Tick the box when you have written down your pseudonym and key phrase.")

# A Django date format (https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date),
# translated so each language writes the deadline its own way: bokmål "onsdag 25. november
# kl. 14.30", English "Wednesday 25 November at 14:30".
DEADLINE_FORMAT = pgettext_lazy("answer deadline, a Django date format", r"l j F \a\t H:i")

STAMP_SALT = "letters.new-letter-form"

HONEYPOT_FIELD = "website"


class Stamp:
    """Outcomes of checking the signed timestamp of a visitor's form."""

    OK = "ok"
    TOO_FAST = "too_fast"
    TAMPERED = "tampered"


def form_stamp(token: uuid.UUID | str) -> str:
    """When the form was shown, signed together with its submission token."""
    return signing.TimestampSigner(salt=STAMP_SALT).sign(str(token))


def stamp_check(stamp: str, token: uuid.UUID | str | None) -> str:
    """Was the form shown at least MIN_FORM_SECONDS ago, by us, for this token?

    ``unsign(max_age=...)`` raises SignatureExpired when the stamp is older than max_age,
    which is exactly the "a person took their time" case; a stamp that is still fresh
    means the form came back too fast.
    """
    signer = signing.TimestampSigner(salt=STAMP_SALT)
    try:
        value = signer.unsign(
            stamp or "", max_age=dt.timedelta(seconds=app_settings.MIN_FORM_SECONDS)
        )
    except signing.SignatureExpired:
        try:
            value = signer.unsign(stamp)
        except signing.BadSignature:  # pragma: no cover - it verified a moment ago
            return Stamp.TAMPERED
        return Stamp.OK if value == str(token) else Stamp.TAMPERED
    except signing.BadSignature:
        return Stamp.TAMPERED
    return Stamp.TOO_FAST if value == str(token) else Stamp.TAMPERED


def _clean_letter_body(body: str) -> str:
    # The same rules as services.letter_create, checked here too so the writer sees them
    # beside the field; the service still has the last word.
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise forms.ValidationError(services.ERROR_EMPTY, code="empty")
    if len(body) > app_settings.MAX_BODY_LENGTH:
        raise forms.ValidationError(
            services.ERROR_TOO_LONG,
            code="too_long",
            params={"max": app_settings.MAX_BODY_LENGTH, "length": len(body)},
        )
    return body


def _body_field(label) -> forms.CharField:
    # No max_length on purpose: it would add a maxlength attribute, and browsers silently
    # cut pasted text at it. The writer is told instead, with their text kept.
    return forms.CharField(
        label=label,
        strip=False,
        error_messages={"required": services.ERROR_EMPTY},
        widget=forms.Textarea(
            attrs={
                "rows": 14,
                "data-letter-body": "",
                "data-max-length": app_settings.MAX_BODY_LENGTH,
                # Read by static/js/letters.js, which replaces %(count)s.
                "data-counter-left": _("%(count)s characters left"),
                "data-counter-over": _("%(count)s characters too many"),
            }
        ),
    )


class LetterForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = _body_field(_("Your letter"))
    topic = forms.ModelChoiceField(
        label=_("What is it about? (optional)"),
        queryset=Topic.objects.filter(is_active=True),
        required=False,
        empty_label=_("Choose if you like"),
    )
    # The honeypot: hidden from people (CSS, aria-hidden, out of the tab order), filled in
    # by bots that fill in every field.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("Up to %(max)s characters.") % {
            "max": app_settings.MAX_BODY_LENGTH
        }

    def visible_fields(self):
        # The honeypot is rendered on its own, inside its hidden wrapper.
        return [field for field in super().visible_fields() if field.name != HONEYPOT_FIELD]

    @property
    def honeypot(self):
        return self[HONEYPOT_FIELD]

    def honeypot_filled(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    def clean_body(self):
        return _clean_letter_body(self.cleaned_data["body"])

    def refresh_guards(self) -> None:
        """A new submission token and timestamp for the next press of Send, keeping the
        text: a re-shown form is a new attempt."""
        token = uuid.uuid4()
        data = self.data.copy()
        data["token"] = str(token)
        data["started"] = form_stamp(token)
        self.data = data

    @classmethod
    def fresh(cls) -> LetterForm:
        token = uuid.uuid4()
        return cls(initial={"token": token, "started": form_stamp(token)})


class FollowUpForm(forms.Form):
    body = _body_field(_("Your answer"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("Up to %(max)s characters.") % {
            "max": app_settings.MAX_BODY_LENGTH
        }

    def clean_body(self):
        return _clean_letter_body(self.cleaned_data["body"])


class FeedbackForm(forms.Form):
    """The three short questions after an answer was read: anonymous, each optional."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in Feedback.Question:
            self.fields[question.value] = forms.ChoiceField(
                label=question.label,
                choices=Feedback.Answer.choices,
                required=False,
                widget=forms.RadioSelect,
            )

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(question) for question in Feedback.Question.values):
            raise forms.ValidationError(ERROR_NO_FEEDBACK, code="empty")
        return cleaned

    def questions(self) -> list[dict]:
        """Each question with its radio buttons written out here, from the same values
        Django's RadioSelect gives its templates: label, and for each choice the <input> tag,
        its id and its label. Through the widget templates the thread page spent ~1.4 ms per
        form (three templates per radio); the template prints these instead."""
        questions = []
        for field in self:
            radios = []
            for radio in field:
                data = radio.data
                attrs = {key: value for key, value in data["attrs"].items() if value is not False}
                tag = format_html(
                    '<input type="{}" name="{}"{}{}>',
                    data["type"], data["name"],
                    format_html(' value="{}"', data["value"]) if data["value"] is not None else "",
                    flatatt(attrs),
                )
                radios.append({"tag": tag, "id": attrs.get("id", ""), "label": data["label"]})
            questions.append({"label": field.label, "radios": radios})
        return questions

    def answers(self) -> dict[str, str]:
        return {
            question: self.cleaned_data[question]
            for question in Feedback.Question.values
            if self.cleaned_data.get(question)
        }


class KeySavedForm(forms.Form):
    saved = forms.BooleanField(
        label=_("I have written down my pseudonym and key phrase."),
        error_messages={"required": ERROR_NOT_SAVED},
    )
