"""Browse costs the same number of queries with 20 000 profiles as with a handful, on every
page and with every filter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from friends_support import approved_profile

from friends.models import Interest, Profile

pytestmark = pytest.mark.django_db

PROFILES = 20_000
# session, user, own profile, the age group's count (cached a minute), the viewer's blocks
# and what of the group they and the viewer hide, page rows, their interests (the link
# table), the interests (once, for the filter form and the cards), the requests and
# unread-letter counts of the friend menu, the header's roles and notification count; one to
# spare for a session write.
MAX_QUERIES = 14
BANDS = ("18-25", "26-35", "36-50", "51-65", "66+", "13-15", "16-17")
REGIONS = ("oslo", "vestland", "agder", "troms", "abroad")


@pytest.fixture
def crowd(db):
    User = get_user_model()
    User.objects.bulk_create(
        [User(username=f"Skribent {i:05d}", password="!") for i in range(PROFILES)],
        batch_size=2000,
    )
    users = list(User.objects.filter(username__startswith="Skribent ").values_list("pk", flat=True))
    now = timezone.now()
    Profile.objects.bulk_create(
        [
            Profile(
                member_id=pk,
                age_band=BANDS[i % len(BANDS)],
                region=REGIONS[i % len(REGIONS)],
                about="Jeg liker å skrive brev.",
                about_html="<p>Jeg liker å skrive brev.</p>",
                status=Profile.Status.APPROVED,
                created_at=now,
                submitted_at=now,
                listed_at=now - dt.timedelta(minutes=i),
                expires_at=now + dt.timedelta(days=30),
            )
            for i, pk in enumerate(users)
        ],
        batch_size=2000,
    )
    interests = list(Interest.objects.all()[:3])
    Through = Profile.interests.through
    profile_ids = list(Profile.objects.values_list("pk", flat=True))
    Through.objects.bulk_create(
        [
            Through(profile_id=pid, interest_id=interests[n % 3].pk)
            for n, pid in enumerate(profile_ids)
        ],
        batch_size=5000,
    )
    return interests


QUERIES = (
    {},
    {"page": "40"},
    {"page": "last"},
    {"age_band": "26-35", "region": "oslo"},
    {"interests": "INTEREST"},
    {"interests": "INTEREST", "region": "abroad", "page": "3"},
)


def test_browse_has_constant_queries_with_20000_profiles(
    crowd, member, member_client, django_assert_max_num_queries
):
    """One crowd for every query: making 20 000 profiles is the slow part of this test."""
    approved_profile(member, "26-35")
    member_client.get("/friends/")  # the session and site settings are warm, as for a member

    for query in QUERIES:
        query = {k: (str(crowd[0].pk) if v == "INTEREST" else v) for k, v in query.items()}
        with django_assert_max_num_queries(MAX_QUERIES, info=str(query)):
            response = member_client.get("/friends/", query)

        assert response.status_code == 200
        assert response.content.decode().count('class="friends-card"') == 20, query
