"""Forms of the group sessions: the member's sign-up, the coordinator's series, the
supervisor's private note and topic."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chat.groups import services
from chat.groups.models import REGION_CHOICES, GroupSeries
from ordrom.roles import Role


class SignUpForm(forms.Form):
    display_name = forms.CharField(
        label=_("First name shown to the group"),
        max_length=40,
        help_text=_("Only this name and your region are shown to the others. No contact details."),
    )
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("Choose a region"))] + REGION_CHOICES
    )

    def clean_display_name(self):
        return services.clean_display_name(self.cleaned_data["display_name"])


def staff_leaders():
    return (
        get_user_model()
        .objects.filter(
            Q(groups__name=Role.SUPERVISOR) | Q(groups__name=Role.COORDINATOR), is_active=True
        )
        .distinct()
        .order_by("username")
    )


class SeriesForm(forms.ModelForm):
    class Meta:
        model = GroupSeries
        fields = [
            "title_nb", "title_en", "topic_nb", "topic_en", "weekday", "start_time",
            "capacity", "supervisor", "starts_on", "is_active",
        ]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "topic_nb": forms.Textarea(attrs={"rows": 3}),
            "topic_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = staff_leaders()
        self.fields["supervisor"].required = True


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Private message"),
        max_length=services.MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TopicForm(forms.Form):
    text = forms.CharField(label=_("Agreed topic"), max_length=services.MAX_TOPIC_LENGTH)
