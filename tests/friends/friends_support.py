"""Helpers of the friend service tests (not fixtures, so any test can call them)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from friends import services
from friends.models import Conversation, Interest, Profile

NOW = timezone.make_aware(dt.datetime(2026, 11, 2, 12, 0))
MODERATOR_USERNAME = "Friends Moderator"


def moderator_user():
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(username=MODERATOR_USERNAME)
    return user


def pending_profile(
    member, band="26-35", *, region="oslo", about="Jeg liker lange turer.", interests=(), now=NOW
) -> Profile:
    return services.profile_create(
        member=member, age_band=band, region=region, about=about, interests=interests, now=now
    )


def approved_profile(member, band="26-35", *, region="oslo", interests=(), now=NOW) -> Profile:
    profile = pending_profile(member, band, region=region, interests=interests, now=now)
    return services.profile_approve(profile=profile, by=moderator_user(), now=now)


def befriend(a, b, *, now=NOW, text="Hei! Vil du skrive med meg?") -> Conversation:
    request = services.request_send(sender=a, profile=b.friend_profile, message=text, now=now)
    return services.request_accept(request=request, by=b, now=now)


def interests(n: int = 3) -> list[Interest]:
    return list(Interest.objects.all()[:n])


def anonymous():
    return AnonymousUser()
