"""The members' friend service forms. The rules (lengths, limits, contact details) live in
friends.services; the forms carry what the member typed so a refusal keeps it."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from friends import age, services
from friends.conf import app_settings
from friends.models import AgeBand, Gender, Interest, Region, Report
from ordrom.kept import KeptHtml, hashable

ABOUT_HELP = _(
    "Do not write your name, where you go to school or work, or any contact details. "
    "Up to %(max)s characters."
)


def _interest_field(label) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Interest.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ProfileForm(forms.Form):
    age_band = forms.ChoiceField(
        label=_("Your age"),
        choices=[("", "—"), *AgeBand.choices],
        help_text=_(
            "Members under 18 only meet members under 18, and adults only adults. Only a "
            "moderator can change your age later."
        ),
        error_messages={"required": services.ERROR_AGE_BAND},
    )
    region = forms.ChoiceField(
        label=_("Where you live"),
        choices=[("", "—"), *Region.choices],
        error_messages={"required": services.ERROR_REGION},
    )
    gender = forms.ChoiceField(
        label=_("Gender (optional)"), choices=[("", "—"), *Gender.choices], required=False
    )
    interests = _interest_field(_("Interests"))
    about = forms.CharField(
        label=_("About me, and who I would like to write with"),
        strip=False,
        error_messages={"required": services.ERROR_ABOUT_EMPTY},
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interests"].label = _("Interests (up to %(max)d)") % {
            "max": app_settings.MAX_INTERESTS
        }
        self.fields["about"].help_text = ABOUT_HELP % {"max": app_settings.MAX_ABOUT_LENGTH}
        if editing:
            # The age band is chosen once; only a moderator can change it.
            del self.fields["age_band"]

    def clean_interests(self):
        chosen = self.cleaned_data["interests"]
        if len(chosen) > app_settings.MAX_INTERESTS:
            raise forms.ValidationError(
                services.ERROR_TOO_MANY_INTERESTS % {"max": app_settings.MAX_INTERESTS}
            )
        return chosen


BROWSE_FILTERS_TEMPLATE = "friends/includes/browse_filters.html"
_rendered = KeptHtml(limit=1024)


class BrowseForm(forms.Form):
    """The browse filters; the age choices are only the bands of the member's own group.

    The page template writes the widgets out from ``widget_parts`` rather than rendering them:
    Django renders every option of a widget through a template of its own, which cost more
    than the rest of the page. The markup is the widgets' own (ids, names, labels, checked).
    """

    age_band = forms.ChoiceField(label=_("Age"), required=False)
    region = forms.ChoiceField(
        label=_("Where"), choices=[("", _("Everywhere")), *Region.choices], required=False
    )
    # The interests that can be chosen, given by the view (loaded once for the filters and the
    # cards): choices rather than a queryset, which queried again to validate and to render.
    interests = forms.MultipleChoiceField(
        label=_("Interests"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, viewer_band: str, interests: list[Interest], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(AgeBand.choices)
        self.fields["age_band"].choices = [("", _("All ages I can meet"))] + [
            (band, labels[band]) for band in age.bands_visible_to(viewer_band)
        ]
        self.fields["interests"].choices = [
            (str(interest.pk), interest.name) for interest in interests if interest.is_active
        ]

    def filters(self):
        from friends.selectors import BrowseFilters

        if not self.is_valid():
            return BrowseFilters()
        return BrowseFilters(
            age_band=self.cleaned_data["age_band"],
            region=self.cleaned_data["region"],
            interest_ids=tuple(int(pk) for pk in self.cleaned_data["interests"]),
        )

    def rendered(self) -> SafeString:
        """The filters' HTML (templates/friends/includes/browse_filters.html). It follows
        from the labels, names and ids of the three fields and their widget parts, so the
        HTML is kept in this process under exactly those values (at most
        1 024 sets: each language, age group and set of chosen filters is one)."""
        fields = [self[name] for name in ("age_band", "region", "interests")]
        parts = {name: self.widget_parts(name) for name in ("age_band", "region", "interests")}
        key = hashable((
            translation.get_language(),
            [(field.auto_id, str(field.label), field.html_name) for field in fields],
            parts,
        ))
        html = _rendered.get(key, lambda: render_to_string(BROWSE_FILTERS_TEMPLATE, {
            "form": self,
            "age_widget": parts["age_band"],
            "region_widget": parts["region"],
            "interests_widget": parts["interests"],
        }))
        return mark_safe(html)  # noqa: S308 (our template; every value escaped in it)

    def widget_parts(self, name: str) -> dict:
        """What the page template needs to write a field's widget out: ``attrs``, the
        attributes Django gives the widget besides its name and id (``aria-invalid`` when
        what was sent is refused, ``aria-describedby``), and ``options``, (value, label,
        chosen) for each choice, chosen as the widget marks it: what the member sent, or with
        nothing sent the first, empty choice of a select."""
        bound = self[name]
        widget = bound.field.widget
        attrs = widget.build_attrs(widget.attrs, bound.build_widget_attrs({}))
        chosen = set(widget.format_value(bound.value()))
        options, marked = [], False
        for value, label in bound.field.choices:
            value = str(value)
            # A select marks only its first match, as Django's ChoiceWidget.optgroups does.
            selected = value in chosen and (widget.allow_multiple_selected or not marked)
            marked |= selected
            options.append((value, str(label), selected))
        return {"attrs": flatatt(attrs), "options": options}


_unfiltered = KeptHtml(limit=256)


def unfiltered_filters_html(*, viewer_band: str, interests: list[Interest]) -> SafeString:
    """The filters with nothing chosen, as ``BrowseForm(None, ...).rendered()`` gives them:
    kept under the language, the viewer's age group and the interests, so a visit without
    filters does not build the form (a deep copy of its fields and their choices, then
    their widget parts) only to find the same HTML. Filters sent: ``BrowseForm``."""
    key = (
        translation.get_language(),
        viewer_band,
        tuple((interest.pk, interest.name, interest.is_active) for interest in interests),
    )
    html = _unfiltered.get(key, lambda: str(
        BrowseForm(None, viewer_band=viewer_band, interests=interests).rendered()
    ))
    return mark_safe(html)  # noqa: S308 (BrowseForm.rendered: our template, values escaped)


def _message_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        error_messages={"required": services.ERROR_MESSAGE_EMPTY},
        help_text=_(
            "Do not share contact details: a message with a phone number, an email or web "
            "address or a social media name waits for a moderator."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class RequestForm(forms.Form):
    message = _message_field(_("Your first message"))


class MessageForm(forms.Form):
    body = _message_field(_("Your letter"))


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you reporting this member?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": services.ERROR_REPORT_REASON},
    )
    messages = forms.MultipleChoiceField(
        label=_("Which of their messages should the moderator read? (only these are shown)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    text = forms.CharField(
        label=_("Anything the moderator should know? (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, partner_messages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.partner_messages = {str(m.pk): m for m in partner_messages}
        self.fields["messages"].choices = [
            (str(m.pk), f"{m.created_at:%d.%m.%Y %H:%M}: {m.body[:80]}") for m in partner_messages
        ]
        if not partner_messages:
            del self.fields["messages"]

    def chosen_messages(self):
        return [self.partner_messages[pk] for pk in self.cleaned_data.get("messages", [])]
