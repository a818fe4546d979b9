"""allauth adapters: pseudonym rules, no client addresses, encrypted TOTP secrets."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.exceptions import ValidationError
from django.forms import ValidationError as FormValidationError

from accounts import services
from accounts.pseudonyms import normalise, validate_pseudonym
from ordrom import encryption, roles
from ordrom.client_keys import client_key


class AccountAdapter(DefaultAccountAdapter):
    def clean_username(self, username, shallow=False):
        # Stored (and so shown, and looked up at login) in its NFKC form.
        username = normalise(username)
        try:
            validate_pseudonym(username)
        except ValidationError as error:
            raise FormValidationError(error.messages) from error
        return super().clean_username(username, shallow=shallow)

    def get_client_ip(self, request):
        # allauth keys its rate limits on this; a keyed hash keeps the address out of the cache.
        return client_key(request)

    def get_http_user_agent(self, request):
        return ""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.member_role_grant(user=user)
        return user

    def get_login_redirect_url(self, request):
        if roles.is_staff(request.user):
            return "/admin/"
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encryption.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return encryption.decrypt(encrypted_text)
