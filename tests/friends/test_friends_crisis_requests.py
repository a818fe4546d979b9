"""A contact request whose first message holds crisis words: the writer sees the crisis
numbers at once, staff get it urgent-first in the held queue, and the recipient sees it only
when a moderator passes it on. Nothing the writer wrote is refused or lost."""

from __future__ import annotations

import datetime as dt

import pytest
from friends_support import NOW, befriend, moderator_user

from friends import admin_views, selectors, services, views
from friends.models import Block, ContactRequest, Conversation, Message, ModerationAction
from ordrom.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db

CRISIS_TEXT = "Hei. Jeg orker ikke mer, jeg tenker på selvmord. Vil du skrive med meg?"
CRISIS_WITH_CONTACT = "Jeg vil ikke leve lenger. Ring meg på 912 34 567."


def send(sender, recipient, text=CRISIS_TEXT, now=NOW):
    return services.request_send(
        sender=sender, profile=recipient.friend_profile, message=text, now=now
    )


# --- Services ------------------------------------------------------------------------------


def test_crisis_words_hold_the_request_as_urgent_and_hidden(adult, other_adult):
    request = send(adult, other_adult)

    assert request.status == ContactRequest.Status.HELD
    assert request.urgent is True
    assert request.hold_reasons == ["crisis"]
    assert request.message == CRISIS_TEXT
    assert list(selectors.incoming_requests(member=other_adult)) == []
    assert not Notification.objects.filter(
        recipient=other_adult, kind=services.NOTIFY_REQUEST
    ).exists()
    assert list(selectors.held_requests()) == [request]


def test_a_request_without_crisis_words_goes_straight_through(adult, other_adult):
    request = send(adult, other_adult, text="Hei! Jeg liker også fjellturer.")
    assert request.status == ContactRequest.Status.OPEN
    assert not request.urgent
    assert list(selectors.held_requests()) == []


def test_the_sites_own_crisis_words_are_used(adult, other_adult):
    request = services.request_send(
        sender=adult,
        profile=other_adult.friend_profile,
        message="Alt er mørkt og tungt nå.",
        now=NOW,
        crisis_words=["mørkt og tungt"],
    )
    assert request.status == ContactRequest.Status.HELD


def test_crisis_words_with_contact_details_are_held_not_refused(adult, other_adult):
    request = send(adult, other_adult, text=CRISIS_WITH_CONTACT)
    assert request.status == ContactRequest.Status.HELD
    assert set(request.hold_reasons) == {"contact", "crisis"}
    assert request.message == CRISIS_WITH_CONTACT


def test_a_held_request_stands_between_the_pair(adult, other_adult):
    send(adult, other_adult)
    with pytest.raises(services.ValidationError):
        send(adult, other_adult, text="Hei igjen!")


def test_a_held_request_does_not_keep_the_recipient_from_asking(adult, other_adult):
    """The recipient cannot tell that a request to them is held."""
    send(adult, other_adult)
    reverse = send(other_adult, adult, text="Hei! Vil du skrive med meg?")
    assert reverse.status == ContactRequest.Status.OPEN


def test_passing_on_shows_it_to_the_recipient_and_notifies(adult, other_adult):
    request = send(adult, other_adult)
    moderator = moderator_user()

    services.request_pass_on(request=request, by=moderator, now=NOW)

    assert list(selectors.incoming_requests(member=other_adult)) == [request]
    assert Notification.objects.filter(recipient=other_adult, kind=services.NOTIFY_REQUEST).exists()
    assert ModerationAction.objects.filter(action="pass_on_request", member=adult).exists()


def test_accepting_a_passed_on_request_delivers_its_letter_without_holding_it_again(
    adult, other_adult
):
    request = send(adult, other_adult)
    services.request_pass_on(request=request, by=moderator_user(), now=NOW)

    conversation = services.request_accept(request=request, by=other_adult, now=NOW)

    letter = Message.objects.get(conversation=conversation)
    assert letter.status == Message.Status.VISIBLE
    assert letter.body == CRISIS_TEXT


def test_a_held_request_cannot_be_accepted_by_the_recipient(adult, other_adult):
    request = send(adult, other_adult)
    with pytest.raises(services.ValidationError):
        services.request_accept(request=request, by=other_adult, now=NOW)
    assert not Conversation.objects.exists()


def test_not_passing_on_tells_the_writer_kindly_and_not_the_recipient(adult, other_adult):
    request = send(adult, other_adult)

    services.request_not_pass_on(
        request=request,
        by=moderator_user(),
        reason="Vi sendte ikke meldingen videre. Ring gjerne Mental Helse på 116 123.",
        now=NOW,
    )

    request.refresh_from_db()
    assert request.status == ContactRequest.Status.NOT_PASSED
    assert request.message == CRISIS_TEXT
    note = Notification.objects.get(recipient=adult, kind=services.NOTIFY_NOT_PASSED)
    assert "116 123" in note.reason
    assert not Notification.objects.filter(
        recipient=other_adult, kind=services.NOTIFY_REQUEST
    ).exists()
    assert list(selectors.held_requests()) == []


def test_not_passing_on_needs_a_reason(adult, other_adult):
    request = send(adult, other_adult)
    with pytest.raises(services.ValidationError):
        services.request_not_pass_on(request=request, by=moderator_user(), reason=" ", now=NOW)


def test_a_request_to_a_member_who_blocked_since_cannot_be_passed_on(adult, other_adult):
    request = send(adult, other_adult)
    services.block_create(blocker=other_adult, blocked=adult, now=NOW)

    # The block does not take the crisis request away from staff.
    assert list(selectors.held_requests()) == [request]
    with pytest.raises(services.ValidationError):
        services.request_pass_on(request=request, by=moderator_user(), now=NOW)


def test_the_writer_can_withdraw_a_held_request(adult, other_adult):
    request = send(adult, other_adult)
    services.request_withdraw(request=request, by=adult, now=NOW)
    request.refresh_from_db()
    assert request.status == ContactRequest.Status.WITHDRAWN


def test_a_held_request_is_left_out_of_the_recipients_export(adult, other_adult):
    from friends.personal_data import export_friends

    send(adult, other_adult)
    assert export_friends(other_adult)["requests_received"] == []
    assert export_friends(adult)["requests_sent"][0]["text"] == CRISIS_TEXT


# --- Members' pages ------------------------------------------------------------------------


def test_the_writer_sees_the_crisis_numbers_at_once(adult, other_adult, client_for):
    response = client_for(adult).post(
        f"/friends/p/{other_adult.friend_profile.pk}/", {"message": CRISIS_TEXT}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/friends/requests/"
    assert 'class="callout callout--warning friends-crisis"' in page
    assert str(views.MESSAGE_REQUEST_HELD_CRISIS) in page
    assert ContactRequest.objects.get(sender=adult).status == ContactRequest.Status.HELD


def test_the_crisis_numbers_are_shown_once(adult, other_adult, client_for):
    client = client_for(adult)
    client.post(f"/friends/p/{other_adult.friend_profile.pk}/", {"message": CRISIS_TEXT})
    client.get("/friends/requests/")
    assert b"friends-crisis" not in client.get("/friends/requests/").content


def test_a_refused_crisis_request_still_shows_the_numbers_and_keeps_the_text(
    adult, other_adult, client_for, settings
):
    settings.FRIENDS_REQUESTS_PER_DAY = 0
    response = client_for(adult).post(
        f"/friends/p/{other_adult.friend_profile.pk}/", {"message": CRISIS_TEXT}
    )
    page = response.content.decode()
    assert "friends-crisis" in page
    assert "selvmord" in page


def test_the_recipient_does_not_see_a_held_request(adult, other_adult, client_for):
    send(adult, other_adult)
    page = client_for(other_adult).get("/friends/requests/").content.decode()
    assert "selvmord" not in page
    profile_page = client_for(other_adult).get(f"/friends/p/{adult.friend_profile.pk}/")
    assert b"already a request" not in profile_page.content


def test_the_writer_sees_the_moderators_reason(adult, other_adult, client_for):
    request = send(adult, other_adult)
    services.request_not_pass_on(
        request=request, by=moderator_user(), reason="Ring 116 123, de er der nå.", now=NOW
    )
    page = client_for(adult).get("/friends/requests/").content.decode()
    assert "Ring 116 123, de er der nå." in page


# --- Staff workspace -----------------------------------------------------------------------


def test_held_requests_come_first_in_the_held_queue(
    adult, other_adult, teen, other_teen, moderator_client
):
    conversation = befriend(teen, other_teen)
    services.message_send(
        conversation=conversation, author=teen, body="Jeg vil ikke leve lenger.", now=NOW
    )
    request = send(adult, other_adult)
    page = moderator_client.get("/admin/friends/held/").content.decode()
    assert f"/admin/friends/held/requests/{request.pk}/" in page
    assert page.index(f"/admin/friends/held/requests/{request.pk}/") < page.index(
        "friends-held-queue"
    )


def test_moderator_reads_and_passes_on_a_held_request(
    moderator, moderator_client, adult, other_adult
):
    request = send(adult, other_adult)
    url = f"/admin/friends/held/requests/{request.pk}/"
    page = moderator_client.get(url).content.decode()
    assert "selvmord" in page
    assert AuditEntry.objects.filter(
        actor=moderator, target_type=admin_views.AUDIT_REQUEST, target_id=request.pk
    ).exists()
    moderator_client.post(url, {"action": "pass_on"})
    request.refresh_from_db()
    assert request.status == ContactRequest.Status.OPEN


def test_moderator_declines_with_a_reason_and_keeps_it_without_one(
    moderator_client, adult, other_adult
):
    request = send(adult, other_adult)
    url = f"/admin/friends/held/requests/{request.pk}/"
    response = moderator_client.post(url, {"action": "reject", "reason": ""})
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == ContactRequest.Status.HELD
    moderator_client.post(url, {"action": "reject", "reason": "Vi er glade for at du skrev."})
    request.refresh_from_db()
    assert request.status == ContactRequest.Status.NOT_PASSED


def test_passing_on_a_blocked_request_says_why(moderator_client, adult, other_adult):
    request = send(adult, other_adult)
    Block.objects.create(blocker=other_adult, blocked=adult, created_at=NOW)
    response = moderator_client.post(
        f"/admin/friends/held/requests/{request.pk}/", {"action": "pass_on"}, follow=True
    )
    assert str(services.ERROR_CANNOT_PASS_ON)[:40] in response.content.decode()
    assert ContactRequest.objects.get(pk=request.pk).status == ContactRequest.Status.HELD


@pytest.mark.parametrize("role", ("supervisor", "editor", "member"))
def test_only_moderators_open_a_held_request(request, role, adult, other_adult, client_for):
    held = send(adult, other_adult)
    client = client_for(request.getfixturevalue(role))
    url = f"/admin/friends/held/requests/{held.pk}/"
    assert client.get(url).status_code in (302, 403)
    client.post(url, {"action": "pass_on"})
    held.refresh_from_db()
    assert held.status == ContactRequest.Status.HELD


def test_coordinator_opens_a_held_request(coordinator_client, adult, other_adult):
    held = send(adult, other_adult)
    assert coordinator_client.get(f"/admin/friends/held/requests/{held.pk}/").status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client, adult, other_adult):
    held = send(adult, other_adult)
    response = client.get(f"/admin/friends/held/requests/{held.pk}/")
    assert response.status_code == 302
    assert "login" in response.headers["Location"]


def test_the_moderators_dashboard_shows_urgent_held_requests(
    moderator_client, supervisor_client, adult, other_adult
):
    assert b'id="friends-urgent-section"' not in moderator_client.get("/admin/").content
    send(adult, other_adult)
    page = moderator_client.get("/admin/").content.decode()
    assert 'id="friends-urgent-section"' in page
    assert 'href="/admin/friends/held/"' in page
    assert b'id="friends-urgent-section"' not in supervisor_client.get("/admin/").content


def test_suspending_a_member_ends_their_open_requests_but_not_held_ones(
    adult, other_adult, teen, other_teen
):
    open_request = send(teen, other_teen, text="Hei! Liker du fotball?")
    held = send(adult, other_adult)
    moderator = moderator_user()
    for member in (teen, adult):
        services.member_suspend(
            member=member, by=moderator, until=NOW + dt.timedelta(days=7), reason="Brudd", now=NOW
        )

    open_request.refresh_from_db()
    assert open_request.status == ContactRequest.Status.WITHDRAWN
    assert list(selectors.incoming_requests(member=other_teen)) == []
    assert list(selectors.held_requests()) == [held]


def test_a_held_request_does_not_exist_for_its_recipient_by_url(adult, other_adult, client_for):
    held = send(adult, other_adult)
    for action in ("accept", "decline"):
        response = client_for(other_adult).post(f"/friends/requests/{held.pk}/", {"action": action})
        assert response.status_code == 404
    held.refresh_from_db()
    assert held.status == ContactRequest.Status.HELD
