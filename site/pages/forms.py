from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from pages.models import CallbackRequest, Region
from pages.services import MAX_DAYS_AHEAD

ERROR_ANSWER = _("Choose one of the answers.")


class DirectoryFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("What is it about?"), required=False)
    region = forms.ChoiceField(
        label=_("Where do you live?"),
        required=False,
        choices=[("", _("Anywhere")), *[c for c in Region.choices if c[0] != Region.NATIONAL]],
    )
    open_now = forms.BooleanField(label=_("Only services that are open now"), required=False)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("Everything")),
            *[(c.slug, c.name) for c in categories],
        ]


class GuidedCheckForm(forms.Form):
    """One radio group per question of the page; nothing is saved."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for number, question in enumerate(self.questions):
            self.fields[f"q{number}"] = forms.TypedChoiceField(
                label=question["question"],
                help_text=question["help_text"],
                choices=[
                    (index, option["label"]) for index, option in enumerate(question["options"])
                ],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": ERROR_ANSWER, "invalid_choice": ERROR_ANSWER},
            )

    def danger_signalled(self) -> bool:
        """True if any answer given signals danger, even when other questions are unanswered:
        someone in danger must not be held back by a form error."""
        for number, question in enumerate(self.questions):
            raw = self.data.get(f"q{number}", "")
            index = int(raw) if raw.isdigit() else len(question["options"])
            if index < len(question["options"]) and question["options"][index]["signals_danger"]:
                return True
        return False

    def chosen_options(self) -> list:
        return [
            self.questions[number]["options"][self.cleaned_data[f"q{number}"]]
            for number in range(len(self.questions))
        ]


def _day_choices(now: dt.datetime) -> list[tuple[str, str]]:
    today = timezone.localdate(now)
    choices = []
    for offset in range(MAX_DAYS_AHEAD + 1):
        day = today + dt.timedelta(days=offset)
        if offset == 0:
            label = _("Today")
        elif offset == 1:
            label = _("Tomorrow")
        else:
            label = formats.date_format(day, "l j. F")
        choices.append((day.isoformat(), label))
    return choices


class CallbackRequestForm(forms.Form):
    phone = forms.CharField(
        label=_("Your phone number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    preferred_date = forms.TypedChoiceField(label=_("Which day?"), coerce=dt.date.fromisoformat)
    window = forms.ChoiceField(
        label=_("When may we call?"),
        choices=CallbackRequest.Window.choices,
        widget=forms.RadioSelect,
    )
    about = forms.CharField(
        label=_("What is it about? (optional)"),
        max_length=200,
        required=False,
        help_text=_("One line is enough. You do not have to say anything."),
    )
    urgent = forms.BooleanField(label=_("It is urgent for me"), required=False)

    def __init__(self, *args, now: dt.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_date"].choices = _day_choices(now)
