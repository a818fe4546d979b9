"""Wagtail's user forms without name and email.

Wagtail's forms require email, first and last name. Ordrom's members give none of them,
and a member's optional notification address must never be shown to staff, so the staff
user forms drop those fields entirely.
"""

from django.contrib.auth import get_user_model
from django.forms import CheckboxSelectMultiple
from wagtail.users.forms import UserCreationForm, UserEditForm

User = get_user_model()
HIDDEN = ("email", "first_name", "last_name")


class StaffUserCreationForm(UserCreationForm):
    email = first_name = last_name = None

    class Meta:
        model = User
        fields = ["username", "is_superuser", "groups"]
        widgets = {"groups": CheckboxSelectMultiple}


class StaffUserEditForm(UserEditForm):
    email = first_name = last_name = None

    class Meta:
        model = User
        fields = ["username", "is_active", "is_superuser", "groups"]
        widgets = {"groups": CheckboxSelectMultiple}
