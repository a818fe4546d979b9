"""What a pseudonym may be.

A pseudonym is all other people see of a member, so it must not pass for staff and must
not carry contact details (a young user's phone number in the forum is exactly what the
moderation exists to prevent).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from ordrom.contact_details import find_contact_details

MIN_LENGTH = 3
MAX_LENGTH = 30

ERROR_LENGTH = _("A pseudonym must be between %(min)d and %(max)d characters long.")
ERROR_CHARACTERS = _(
    "A pseudonym may only contain letters, digits, spaces, dots, hyphens and underscores."
)
ERROR_STAFF = _(
    "This pseudonym could be mistaken for one of our staff. Please choose another one."
)
ERROR_SCRIPTS = _(
    "A pseudonym cannot mix Latin letters with Cyrillic or Greek ones: they look alike. "
    "Please write it in one alphabet."
)
ERROR_CONTACT = _(
    "A pseudonym must not contain a phone number, an email or a web address, "
    "so you stay anonymous. Please choose another one."
)

_ALLOWED = re.compile(r"^[\w .\-]+\Z")
# Deconstructible, so the User model can carry it (and migrations can serialise it).
characters_validator = RegexValidator(_ALLOWED, message=ERROR_CHARACTERS, code="characters")
# Words that would make a member look like staff, in Norwegian and English. Checked as
# substrings of the pseudonym with look-alike characters folded ("Adm1n", "V e i l e d e r").
RESERVED = (
    "admin",
    "administrator",
    "veileder",
    "moderator",
    "koordinator",
    "coordinator",
    "supervisor",
    "redaktor",
    "editor",
    "ordrom",
    "mentalhelse",
    "sidetmedord",
    "support",
    "kundeservice",
    "ansatt",
    "staff",
    "official",
    "offisiell",
    "superuser",
    "webmaster",
    "sysadmin",
)
_LOOKALIKES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                             "$": "s", "|": "l", "!": "i", "ø": "o", "å": "a", "æ": "ae"})


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_LOOKALIKES)
    return re.sub(r"[^a-z]", "", text)


def looks_like_staff(pseudonym: str) -> bool:
    folded = _fold(pseudonym)
    return any(word in folded for word in RESERVED)


# Latin, Cyrillic and Greek share look-alike letters ("А" is Cyrillic, "Ο" Greek): mixed in
# one pseudonym they pass for another one, or for staff ("Аdmin" folds to "dmin").
_CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})


def _scripts(text: str) -> set[str]:
    return {
        unicodedata.name(ch, "").split(" ", 1)[0] for ch in text if ch.isalpha()
    } & _CONFUSABLE_SCRIPTS


def normalise(pseudonym: str) -> str:
    """The form a pseudonym is stored and looked up in: NFKC, so that full-width letters
    ("Ｋａｒｉ"), ligatures and decomposed accents ("A" + combining ring, as some keyboards
    send "Å") are the same pseudonym as their plain spelling, and cannot sit beside it."""
    return unicodedata.normalize("NFKC", pseudonym)


# allauth's ACCOUNT_USERNAME_VALIDATORS points here; validate_pseudonym runs in the adapter.
username_validators = [characters_validator]


def validate_pseudonym(pseudonym: str) -> None:
    """Raise ValidationError with a message the member can act on."""
    if not MIN_LENGTH <= len(pseudonym) <= MAX_LENGTH:
        raise ValidationError(
            ERROR_LENGTH, code="length", params={"min": MIN_LENGTH, "max": MAX_LENGTH}
        )
    if find_contact_details(pseudonym) or "@" in pseudonym:
        raise ValidationError(ERROR_CONTACT, code="contact_details")
    if not _ALLOWED.match(pseudonym) or pseudonym.strip() != pseudonym:
        raise ValidationError(ERROR_CHARACTERS, code="characters")
    if len(_scripts(pseudonym)) > 1:
        raise ValidationError(ERROR_SCRIPTS, code="scripts")
    if looks_like_staff(pseudonym):
        raise ValidationError(ERROR_STAFF, code="reserved")
