"""Why a post is held: pure functions of (text, member's standing, category, word lists, now)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from forum.conf import app_settings
from forum.models import Category, Post, Standing
from ordrom import crisis
from ordrom.contact_details import find_contact_details

# Full links and bare domains ("ung.no"), but not the domain of an email address.
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"']+"
    r"|(?<![\w@.-])[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)


def _allowed_link(url: str) -> bool:
    host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
    return any(host == d or host.endswith("." + d) for d in app_settings.ALLOWED_LINK_DOMAINS)


def _without_allowed_links(text: str) -> str:
    return _URL.sub(lambda m: " " if _allowed_link(m.group(0)) else m.group(0), text)


def hold_reasons(
    *,
    text: str,
    standing: Standing,
    member_joined: dt.datetime,
    category: Category,
    watched_words: list[str],
    crisis_words: list[str],
    now: dt.datetime,
) -> tuple[list[str], bool]:
    """The reasons to hold a post (empty: publish at once), and whether it is urgent."""
    reasons = []
    R = Post.HoldReason
    if category.moderation == Category.Moderation.PRE:
        reasons.append(R.PRE_MODERATED)
    if not is_trusted(standing=standing, member_joined=member_joined, now=now):
        reasons.append(R.NEW_MEMBER)
    if find_contact_details(_without_allowed_links(text)):
        reasons.append(R.CONTACT)
    if watched_words and crisis.find_crisis_words(text, watched_words):
        reasons.append(R.WATCHED)
    urgent = crisis.signals_crisis(text, crisis_words)
    if urgent:
        reasons.append(R.CRISIS)
    return [str(reason) for reason in reasons], urgent


def is_trusted(*, standing: Standing, member_joined: dt.datetime, now: dt.datetime) -> bool:
    return standing.trust_level >= 1 or (
        standing.approved_posts >= app_settings.TRUST_APPROVED_POSTS
        and now - member_joined >= app_settings.TRUST_DAYS
    )
