from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.pseudonyms import characters_validator


class User(AbstractUser):
    """A member or a staff account. ``username`` is the pseudonym.

    Members give no name: first_name/last_name stay empty and ``email`` is an optional
    address used only for notifications, never shown to staff.
    """

    username = models.CharField(
        _("pseudonym"),
        max_length=150,
        unique=True,
        validators=[characters_validator],
        error_messages={"unique": _("That pseudonym is taken. Please choose another one.")},
    )
    email = models.EmailField(_("email for notifications"), blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.username
