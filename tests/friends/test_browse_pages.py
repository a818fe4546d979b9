"""Deep browse pages read their ids from the listing first and the cards by id
(friends.selectors.BrowsePaginator, ordrom.pagination.page_rows): every page must show the
same profiles, in the same order, as a plain slice would, with nothing shown twice or left out,
and with the same members hidden (blocks, suspensions, expiry, other age groups) on the deep
pages as on the first ones."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from friends_support import NOW, approved_profile, moderator_user, pending_profile

from friends import services
from friends.models import Profile
from ordrom import pagination

pytestmark = pytest.mark.django_db


def _recorded(method, calls: list):
    def page(self, **kwargs):
        calls.append(kwargs)
        return method(self, **kwargs)

    return page


def names_on(client, page: int) -> list[str]:
    html = client.get("/friends/", {"page": page}).content.decode()
    return re.findall(r"Brevvenn (\d\d)", html)


@pytest.mark.parametrize(
    ("suspended_limit", "prepared_ids"),
    [
        (200, 30),  # SQL compiled once (selectors.PreparedListing)
        (200, 0),  # the ORM's listing, the suspended members as a list
        (0, 30),  # the ORM's listing, each standing looked up
    ],
)
def test_every_browse_page_shows_its_profiles_in_order_shallow_or_deep(
    adult, member_client, user_factory, settings, monkeypatch, suspended_limit, prepared_ids
):
    from friends import selectors

    monkeypatch.setattr(selectors, "SUSPENDED_LIMIT", suspended_limit)
    monkeypatch.setattr(selectors, "PREPARED_SUSPENDED_IDS", prepared_ids)
    used = []
    monkeypatch.setattr(selectors.PreparedListing, "page", _recorded(
        selectors.PreparedListing.page, used))
    make_user = user_factory
    settings.FRIENDS_PROFILES_PER_PAGE = 3
    monkeypatch.setattr(pagination, "DEEP_OFFSET", 6)  # pages 3 and on are deep
    minutes = [5, 1, 1, 9, 3, 3, 3, 7, 2, 8, 4, 6, 1, 2]  # ties: the newer id comes first
    listed = []
    for n, minute in enumerate(minutes):
        profile = approved_profile(make_user(f"Brevvenn {n:02d}"), "36-50")
        listed.append(profile)
        Profile.objects.filter(pk=profile.pk).update(
            listed_at=NOW - dt.timedelta(minutes=minute)
        )
    # Never shown to the viewer, wherever they would fall in the order.
    blocked, suspended, expired = listed[3], listed[8], listed[12]
    services.block_create(blocker=adult, blocked=blocked.member, now=NOW)
    services.member_suspend(member=suspended.member, by=moderator_user(),
                            until=NOW + dt.timedelta(days=7), reason="Test", now=NOW)
    Profile.objects.filter(pk=expired.pk).update(expires_at=NOW)
    approved_profile(make_user("Brevvenn 90"), "16-17")  # another age group
    pending_profile(make_user("Brevvenn 91"), "36-50")
    hidden = {blocked.pk, suspended.pk, expired.pk}
    expected = [
        profile.member.username.split()[-1]
        for profile in sorted(
            Profile.objects.filter(pk__in=[p.pk for p in listed]).exclude(pk__in=hidden),
            key=lambda p: (-p.listed_at.timestamp(), -p.pk),
        )
    ]

    shown = [names_on(member_client, page) for page in range(1, 5)]

    assert [len(page) for page in shown] == [3, 3, 3, 2]
    assert sum(shown, []) == expected
    assert len(used) == (4 if suspended_limit and prepared_ids else 0)

    # A lifted suspension shows the profile again at once, in its place.
    services.member_unsuspend(member=suspended.member, by=moderator_user(), now=NOW)
    shown = sum((names_on(member_client, page) for page in range(1, 5)), [])
    assert len(shown) == len(expected) + 1 and "08" in shown and "08" not in expected
