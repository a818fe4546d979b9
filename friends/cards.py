"""What a profile card shows (templates/friends/includes/profile_card.html), worked out in
Python once per card.

The browse page shows twenty cards, and in the template language each value costs several
times what it costs here: ``get_FOO_display`` rebuilds the field's whole choice dict on every
call, each ``{% url %}`` resolves the pattern again, and a card's interests went through the
prefetch machinery as model instances. The card template only prints what is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.template.defaultfilters import linebreaksbr, truncatechars
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from friends.models import AgeBand, Gender, Interest, Profile, Region
from ordrom.links import pk_url

# How much of the text a card in a list shows (the whole text is on the profile page).
SHORT_ABOUT_CHARS = 220
CARD_TEMPLATE = "friends/includes/profile_card.html"


@lru_cache(maxsize=4096)
def _short_about(about: str) -> SafeString:
    """The start of a text as a list's card shows it (the same filters the template applied,
    called directly, once per text in this process)."""
    return linebreaksbr(truncatechars(about, SHORT_ABOUT_CHARS))


@dataclass(frozen=True)
class ProfileCard:
    pk: int
    name: str
    url: str  # "" when the card is not a link (on the profile page itself)
    age: str
    region: str
    gender: str  # "" when the member did not say
    interests: tuple[str, ...]
    about: SafeString  # the start of the text as HTML in lists, else the sanitised HTML


class _Labels:
    """The choice labels in the language of this request (Region's county names are plain
    strings, "Abroad" and the age bands are translated)."""

    def __init__(self):
        self.age = {value: str(label) for value, label in AgeBand.choices}
        self.region = {value: str(label) for value, label in Region.choices}
        self.gender = {value: str(label) for value, label in Gender.choices}


def _card(
    profile: Profile,
    interests: tuple[str, ...],
    labels: _Labels,
    *,
    url: Callable[[int], str] | None,
    short: bool,
) -> ProfileCard:
    about = profile.about
    return ProfileCard(
        pk=profile.pk,
        # A listing reads the name with the row (selectors.browse); else the member's.
        name=getattr(profile, "member_name", None) or profile.member.get_username(),
        url=url(profile.pk) if url else "",
        # An unknown value shows as stored, as get_FOO_display does.
        age=labels.age.get(profile.age_band, profile.age_band),
        region=labels.region.get(profile.region, profile.region),
        gender=labels.gender.get(profile.gender, profile.gender) if profile.gender else "",
        interests=interests,
        about=(
            _short_about(about)
            if short
            else mark_safe(profile.about_html)  # noqa: S308 - sanitised when written
        ),
    )


def profile_card(profile: Profile, *, link: bool = False, short: bool = False) -> ProfileCard:
    """One card, its interests from ``profile.interests`` (prefetch them for several)."""
    interests = tuple(interest.name for interest in profile.interests.all())
    url = pk_url("friends:profile") if link else None
    return _card(profile, interests, _Labels(), url=url, short=short)


def profile_cards(
    profiles: Iterable[Profile],
    *,
    interest_ids: Mapping[int, Iterable[int]],
    interests: Sequence[Interest],
    link: bool = False,
    short: bool = False,
) -> list[ProfileCard]:
    """Cards for a list of profiles: *interest_ids* maps a profile's pk to the ids it chose,
    *interests* is every interest (active or not) in the list's order, which is the order a
    card shows them in."""
    labels = _Labels()
    url = pk_url("friends:profile") if link else None
    position = {interest.pk: n for n, interest in enumerate(interests)}
    names = [interest.name for interest in interests]
    cards = []
    for profile in profiles:
        chosen = sorted(position[i] for i in interest_ids.get(profile.pk, ()) if i in position)
        cards.append(
            _card(profile, tuple(names[n] for n in chosen), labels, url=url, short=short)
        )
    return cards


@lru_cache(maxsize=4096)
def _card_html(card: ProfileCard, language: str) -> str:
    return render_to_string(CARD_TEMPLATE, {"card": card})


def cards_html(cards: Iterable[ProfileCard]) -> list[SafeString]:
    """The cards' HTML. A card holds every value it shows, so the HTML of an equal card in
    the same language is the same: kept in this process (at most 4 096, the least recently
    shown go first; a changed profile makes a different card), never in the shared cache.
    Twenty cards through the template were a tenth of the browse page."""
    language = translation.get_language()
    return [mark_safe(_card_html(card, language)) for card in cards]  # noqa: S308 (our template)
