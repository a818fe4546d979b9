"""Every friend service URL for every role: members' pages need an account (and show only
what that member may see), the staff workspace is for moderators and coordinators only."""

from __future__ import annotations

import pytest
from django.utils import timezone
from friends_support import befriend

from friends import services
from friends.models import Message, Profile, Report
from ordrom.models import AuditEntry

pytestmark = pytest.mark.django_db

ROLES = ("member", "supervisor", "moderator", "coordinator", "editor")


@pytest.fixture
def world(adult, other_adult):
    """Two adults writing together, one held letter, one report, one pending profile."""
    now = timezone.now()
    conversation = befriend(adult, other_adult)
    held = services.message_send(
        conversation=conversation, author=other_adult, body="Mail: per@example.com", now=now
    )
    rude = services.message_send(
        conversation=conversation, author=other_adult, body="Du er dum.", now=now
    )
    report = services.report_create(
        reporter=adult,
        reported=other_adult,
        conversation=conversation,
        reason="harassment",
        messages=[rude],
        now=now,
    )
    return {
        "conversation": conversation,
        "held": held,
        "report": report,
        "profile": other_adult.friend_profile,
    }


def member_urls(world) -> list[tuple[str, str]]:
    c, p = world["conversation"].pk, world["profile"].pk
    return [
        ("get", "/friends/profile/"),
        ("get", "/friends/profile/edit/"),
        ("post", "/friends/profile/edit/"),
        ("post", "/friends/profile/renew/"),
        ("post", "/friends/profile/pause/"),
        ("post", "/friends/profile/resume/"),
        ("get", "/friends/profile/delete/"),
        ("post", "/friends/profile/delete/"),
        ("get", f"/friends/p/{p}/"),
        ("post", f"/friends/p/{p}/"),
        ("post", f"/friends/p/{p}/block/"),
        ("get", f"/friends/p/{p}/report/"),
        ("post", f"/friends/p/{p}/report/"),
        ("get", "/friends/requests/"),
        ("post", "/friends/requests/1/"),
        ("get", "/friends/c/"),
        ("get", f"/friends/c/{c}/"),
        ("post", f"/friends/c/{c}/"),
        ("post", f"/friends/c/{c}/block/"),
        ("get", f"/friends/c/{c}/report/"),
        ("post", f"/friends/c/{c}/report/"),
    ]


def staff_urls(world) -> list[tuple[str, str]]:
    return [
        ("get", "/admin/friends/profiles/"),
        ("get", f"/admin/friends/profiles/{world['profile'].pk}/"),
        ("post", f"/admin/friends/profiles/{world['profile'].pk}/"),
        ("get", "/admin/friends/held/"),
        ("get", f"/admin/friends/held/{world['held'].pk}/"),
        ("post", f"/admin/friends/held/{world['held'].pk}/"),
        ("get", "/admin/friends/reports/"),
        ("get", f"/admin/friends/reports/{world['report'].pk}/"),
        ("post", f"/admin/friends/reports/{world['report'].pk}/"),
        ("post", f"/admin/friends/members/{world['profile'].member_id}/suspend/"),
        ("get", "/admin/friends/log/"),
    ]


def test_anonymous_visitor_is_sent_to_log_in_everywhere_but_the_intro(client, world):
    assert client.get("/friends/").status_code == 200
    for method, url in member_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response.headers["Location"], url
    for method, url in staff_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "login" in response.headers["Location"], url


@pytest.mark.parametrize("role", ROLES)
def test_members_pages_answer_every_signed_in_role(request, role, client_for):
    """Staff accounts have no profile: they see the intro and their (empty) lists."""
    client = client_for(request.getfixturevalue(role))
    for url in ("/friends/", "/friends/profile/edit/", "/friends/requests/", "/friends/c/"):
        assert client.get(url).status_code == 200, url


def test_a_member_without_profile_cannot_open_profiles(world, user_factory, client_for):
    client = client_for(user_factory("Uten Profil"))
    assert client.get(f"/friends/p/{world['profile'].pk}/").status_code == 404


@pytest.mark.parametrize("role", ("moderator", "coordinator"))
def test_moderators_and_coordinators_use_the_whole_workspace(request, role, world, client_for):
    client = client_for(request.getfixturevalue(role))
    for url in (
        "/admin/friends/profiles/",
        f"/admin/friends/profiles/{world['profile'].pk}/",
        "/admin/friends/held/",
        f"/admin/friends/held/{world['held'].pk}/",
        "/admin/friends/reports/",
        f"/admin/friends/reports/{world['report'].pk}/",
        "/admin/friends/log/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ("supervisor", "editor"))
def test_supervisors_and_editors_are_refused_the_workspace(request, role, world, client_for):
    client = client_for(request.getfixturevalue(role))
    for method, url in staff_urls(world):
        assert getattr(client, method)(url).status_code == 403, url
    world["held"].refresh_from_db()
    assert world["held"].status == Message.Status.HELD


def test_members_are_kept_out_of_the_workspace(world, member_client):
    for method, url in staff_urls(world):
        assert getattr(member_client, method)(url).status_code in (302, 403), url


def test_moderator_approves_a_profile_from_the_queue(moderator_client, member):
    from friends_support import pending_profile

    profile = pending_profile(member)
    page = moderator_client.get("/admin/friends/profiles/").content.decode()
    assert f"/admin/friends/profiles/{profile.pk}/" in page
    moderator_client.post(f"/admin/friends/profiles/{profile.pk}/", {"action": "approve"})
    profile.refresh_from_db()
    assert profile.status == Profile.Status.APPROVED


def test_moderator_returns_a_profile_with_a_reason(moderator_client, member):
    from friends_support import pending_profile

    profile = pending_profile(member)
    moderator_client.post(
        f"/admin/friends/profiles/{profile.pk}/",
        {"action": "return", "return-reason": "Fjern navnet på skolen."},
    )
    profile.refresh_from_db()
    assert profile.status == Profile.Status.RETURNED
    assert profile.return_reason == "Fjern navnet på skolen."


def test_moderator_changes_an_age_band(moderator_client, adult):
    profile = adult.friend_profile
    moderator_client.post(
        f"/admin/friends/profiles/{profile.pk}/",
        {"action": "age_band", "age-age_band": "16-17", "age-reason": "Skrev at hun er 16"},
    )
    profile.refresh_from_db()
    assert profile.age_band == "16-17"


def test_held_letter_page_is_audited_and_delivers(moderator, moderator_client, world):
    held = world["held"]
    page = moderator_client.get(f"/admin/friends/held/{held.pk}/").content.decode()
    assert "per@example.com" in page
    assert AuditEntry.objects.filter(actor=moderator, target_id=held.pk).exists()
    moderator_client.post(f"/admin/friends/held/{held.pk}/", {"action": "approve"})
    held.refresh_from_db()
    assert held.status == Message.Status.VISIBLE


def test_report_page_shows_only_the_reported_letters(moderator_client, world):
    page = moderator_client.get(f"/admin/friends/reports/{world['report'].pk}/").content.decode()
    assert "Du er dum." in page
    assert "Hei! Vil du skrive med meg?" not in page  # the first letter was not reported
    assert "per@example.com" not in page


def test_closing_a_report_can_take_the_letters_back(moderator_client, world):
    report = world["report"]
    moderator_client.post(
        f"/admin/friends/reports/{report.pk}/",
        {"resolution": "Skjult, advarsel gitt", "hide_messages": "on"},
    )
    report.refresh_from_db()
    assert report.resolved_at is not None
    assert not Message.objects.filter(body="Du er dum.", status=Message.Status.VISIBLE).exists()
    assert Report.objects.filter(resolved_at__isnull=True).count() == 0


def test_moderator_suspends_a_member(moderator_client, world, other_adult):
    moderator_client.post(
        f"/admin/friends/members/{other_adult.pk}/suspend/",
        {"action": "suspend", "days": "7", "reason": "Trakassering"},
    )
    assert other_adult.friend_standing.is_suspended(timezone.now())


def test_interest_snippet_is_for_editors_and_moderators(
    editor_client, moderator_client, supervisor_client
):
    url = "/admin/snippets/friends/interest/"
    assert editor_client.get(url).status_code == 200
    assert moderator_client.get(url).status_code == 200
    assert supervisor_client.get(url).status_code in (302, 403)


def test_moderators_read_no_letter_that_is_neither_held_nor_reported(
    moderator_client, world, adult
):
    conversation = world["conversation"]
    first = conversation.messages.filter(author=adult).first()
    assert moderator_client.get(f"/admin/friends/held/{first.pk}/").status_code == 404
    assert moderator_client.get(f"/friends/c/{conversation.pk}/").status_code == 404


def test_friend_notifications_appear_in_the_shared_list(adult, other_adult, client_for):
    services.request_send(
        sender=adult, profile=other_adult.friend_profile, message="Hei", now=timezone.now()
    )
    page = client_for(other_adult).get("/forum/notifications/").content.decode()
    assert 'href="/friends/requests/"' in page
    assert services.notice_text(services.NOTIFY_REQUEST) in page
