"""Find contact details (phone numbers, email addresses, web addresses, social handles).

Shared by pseudonym checks, the forum and the friend service: in forum and friend messages
they hold a message for moderation; in pseudonyms they are refused. It errs on the side of
catching: a false positive costs a moderator a look, a miss can cost a young user their
safety.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Kind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    WEB = "web"
    SOCIAL = "social"


_EMAIL = re.compile(
    r"[\w.+-]+\s*(?:@|\(at\)|\[at\]|\{at\}|\s+at\s+|\s+krøll\s+)\s*[\w-]+"
    r"(?:\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+|\s+punktum\s+)\s*[\w-]+)+",
    re.IGNORECASE,
)
_WEB = re.compile(
    r"\b(?:https?://|www\.)\S+"
    r"|\b[\w-]+\.(?:no|com|net|org|se|dk|io|me|app|info|eu|uk|de|ly|gg|tv)\b(?:/\S*)?",
    re.IGNORECASE,
)
# A run of digits, possibly separated by spaces, dots, dashes or brackets, optionally
# starting with + or 00. Eight digits is a Norwegian phone number.
_DIGIT_RUN = re.compile(r"(?:\+|\b00)?\d(?:[\s.\-()/]{0,2}\d){5,}")
_SOCIAL = re.compile(
    r"\b(?:snap(?:chat)?|insta(?:gram)?|ig|tiktok|discord|telegram|whats\s?app|signal|kik|"
    r"facebook|fb|messenger|twitter|x\.com)\b\s*[:=@-]?\s*@?[\w.]{2,}"
    r"|(?<![\w@])@[A-Za-z_][\w.]{2,}",
    re.IGNORECASE,
)


def _phone_like(match: str) -> bool:
    digits = sum(ch.isdigit() for ch in match)
    return digits >= 8 or (match.startswith(("+", "00")) and digits >= 6)


def find_contact_details(text: str) -> list[Kind]:
    """The kinds of contact detail in *text*, in a stable order, without duplicates."""
    found: list[Kind] = []
    if _EMAIL.search(text):
        found.append(Kind.EMAIL)
    if any(_phone_like(m.group(0)) for m in _DIGIT_RUN.finditer(text)):
        found.append(Kind.PHONE)
    if _WEB.search(text):
        found.append(Kind.WEB)
    if _SOCIAL.search(text):
        found.append(Kind.SOCIAL)
    return found


def has_contact_details(text: str) -> bool:
    return bool(find_contact_details(text))
