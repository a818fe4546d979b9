"""The total on the browse page ("N profiles") is counted once for the whole age group and
cached; what only the viewer does not see (their own profile, blocks either way) is taken off
exactly, and a change to any profile or suspension shows in the very next total."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from friends_support import approved_profile, moderator_user

from friends import services

pytestmark = pytest.mark.django_db


def shown_total(client) -> int:
    page = client.get("/friends/").content.decode()
    match = re.search(r'<p class="friends-count">\s*(\d+)', page)
    assert match, "the browse page shows how many profiles there are"
    return int(match.group(1))


def test_total_follows_profiles_blocks_and_suspensions(adult, user_factory, client_for):
    others = [user_factory(f"Leser {n}") for n in range(4)]
    for other in others[:3]:
        approved_profile(other, "36-50")
    teen = user_factory("Ung Leser")
    approved_profile(teen, "16-17")
    viewer = client_for(adult)
    assert shown_total(viewer) == 3  # not their own profile, no under-18 profile

    approved_profile(others[3], "51-65")  # approved just now: counted at once
    assert shown_total(viewer) == 4

    now = timezone.now()
    services.block_create(blocker=adult, blocked=others[0], now=now)
    assert shown_total(viewer) == 3
    services.block_create(blocker=others[1], blocked=adult, now=now)  # blocked by them
    assert shown_total(viewer) == 2
    services.block_create(blocker=adult, blocked=others[1], now=now)  # now both ways
    assert shown_total(viewer) == 2  # still one profile off, not two
    services.block_create(blocker=adult, blocked=teen, now=now)  # never in the adult's list
    assert shown_total(viewer) == 2
    assert shown_total(client_for(others[2])) == 4  # another viewer: only their own is off
    services.block_remove(blocker=adult, blocked=others[0], now=now)  # unblocked: back at once
    assert shown_total(viewer) == 3
    services.block_create(blocker=adult, blocked=others[0], now=now)  # and off again
    assert shown_total(viewer) == 2

    services.member_suspend(
        member=others[2], by=moderator_user(), until=now + dt.timedelta(days=3),
        reason="Brudd på reglene.", now=now,
    )
    assert shown_total(viewer) == 1
    services.profile_pause(profile=others[3].friend_profile, by=others[3], now=now)
    assert shown_total(viewer) == 0


def test_an_edited_profile_shows_as_edited_once_approved_again(adult, other_adult, client_for):
    """The browse page's cards are kept rendered per card and language (friends.cards); an
    edit makes a different card, and each language gets its own."""
    viewer = client_for(adult)
    page = viewer.get("/friends/").content.decode()
    assert "Jeg samler på gamle kart." not in page
    profile = other_adult.friend_profile
    now = timezone.now()
    services.profile_update(
        profile=profile, by=other_adult, region="vestland",
        about="Jeg samler på gamle kart.", now=now,
    )
    assert "Jeg samler på gamle kart." not in viewer.get("/friends/").content.decode()  # pending
    services.profile_approve(profile=profile, by=moderator_user(), now=now)
    assert "Jeg samler på gamle kart." in viewer.get("/friends/").content.decode()


def test_a_new_or_retired_interest_shows_in_the_filters_at_once(adult, client_for):
    """The interests list is kept in the cache; saving or deleting one forgets it."""
    from friends.models import Interest

    viewer = client_for(adult)
    assert "Fuglekikking" not in viewer.get("/friends/").content.decode()
    interest = Interest.objects.create(slug="fugler", name_nb="Fuglekikking",
                                       name_en="Birdwatching", sort_order=999)
    viewer.cookies["django_language"] = "nb"
    assert "Fuglekikking" in viewer.get("/friends/").content.decode()
    interest.is_active = False
    interest.save()
    assert "Fuglekikking" not in viewer.get("/friends/").content.decode()
