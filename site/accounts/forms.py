from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import pseudonyms

ERROR_WRONG_PASSWORD = _("The password is not correct. Your account was not deleted.")
ERROR_NOT_CONFIRMED = _("Tick the box to confirm that you want to delete your account.")


class NotificationEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email for notifications (optional)"),
        required=False,
        help_text=_(
            "We only use it to tell you that an answer is waiting. It is never shown to "
            "other members or to our staff. Leave it empty to remove it."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password or key phrase"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that everything I have written will be deleted for good."),
        error_messages={"required": ERROR_NOT_CONFIRMED},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(ERROR_WRONG_PASSWORD, code="wrong_password")
        return password


PSEUDONYM_LABEL = _("Pseudonym")
PSEUDONYM_HELP = _(
    "This is the only name others see. Do not use your real name, and keep contact details "
    "out of it."
)


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up with the username presented as what it is: a pseudonym."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.label = PSEUDONYM_LABEL
        field.help_text = PSEUDONYM_HELP
        field.max_length = pseudonyms.MAX_LENGTH
        field.widget.attrs.update(
            {"maxlength": pseudonyms.MAX_LENGTH, "autocomplete": "username", "spellcheck": "false"}
        )
        field.widget.attrs.pop("placeholder", None)
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = PSEUDONYM_LABEL
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].label = _("Password or key phrase")
        self.fields["password"].widget.attrs.pop("placeholder", None)

    def clean_login(self):
        # The pseudonym as it was stored at sign-up (see pseudonyms.normalise).
        self.cleaned_data["login"] = pseudonyms.normalise(self.cleaned_data["login"])
        return super().clean_login()
