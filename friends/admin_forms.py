"""Forms of the friend service's staff workspace."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from friends.models import AgeBand

SUSPENSION_DAYS = [(1, _("1 day")), (7, _("7 days")), (30, _("30 days")), (365, _("1 year"))]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the member sees it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class AgeBandForm(forms.Form):
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    reason = forms.CharField(label=_("Why (for the log)"), max_length=300)


class SuspendForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Suspend from the friend service for"), choices=SUSPENSION_DAYS, coerce=int
    )
    reason = forms.CharField(label=_("Reason (for the log)"), max_length=300)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("What was done (for the log)"), max_length=300)
    hide_messages = forms.BooleanField(
        label=_("Take the reported messages back (the partner no longer sees them)"),
        required=False,
    )
