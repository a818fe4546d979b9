"""The friend service's rules, through its services and selectors: profile life cycle and
expiry, the age safeguard in both directions everywhere two members can meet, request limits,
accept and decline, blocks, hold rules, reports, moderators, personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from friends_support import (
    NOW,
    approved_profile,
    befriend,
    interests,
    moderator_user,
    pending_profile,
)

from friends import age, selectors, services
from friends.conf import app_settings
from friends.models import (
    Block,
    ContactRequest,
    Conversation,
    Message,
    ModerationAction,
    Profile,
    Report,
)
from ordrom import notifications, personal_data
from ordrom.models import Notification

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def listed_for(viewer, now=NOW):
    band = viewer.friend_profile.age_band
    return set(selectors.listed_profiles(viewer=viewer, viewer_band=band, now=now))


# --- The age rule itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("13-15", "16-17", True),
        ("16-17", "13-15", True),
        ("16-17", "18-25", False),
        ("18-25", "16-17", False),
        ("13-15", "66+", False),
        ("66+", "13-15", False),
        ("18-25", "66+", True),
        ("18-25", None, False),
    ],
)
def test_age_bands_meet_only_within_their_group(a, b, expected):
    assert age.may_meet(a, b) is expected


# --- Profile life cycle -------------------------------------------------------------------------


def test_new_profile_waits_for_a_moderator_and_is_not_listed(member, other_adult):
    profile = pending_profile(member, interests=interests(2))

    assert profile.status == Profile.Status.PENDING
    assert profile.about_html.startswith("<p>")
    assert profile not in listed_for(other_adult)


def test_approved_profile_is_listed_until_it_expires_after_60_days(member, other_adult):
    profile = approved_profile(member)

    assert profile.expires_at == NOW + dt.timedelta(days=60)
    assert profile in listed_for(other_adult, NOW + dt.timedelta(days=59))
    assert profile not in listed_for(other_adult, NOW + dt.timedelta(days=60, seconds=1))
    profile.refresh_from_db()
    assert profile.is_expired(NOW + dt.timedelta(days=61))


def test_renewing_an_expired_profile_lists_it_for_60_days_more(member, other_adult):
    profile = approved_profile(member)
    later = NOW + dt.timedelta(days=70)

    services.profile_renew(profile=profile, by=member, now=later)

    assert profile in listed_for(other_adult, later)
    profile.refresh_from_db()
    assert profile.expires_at == later + app_settings.PROFILE_LIFETIME


def test_a_paused_profile_is_hidden_and_comes_back_when_resumed(member, other_adult):
    profile = approved_profile(member)

    services.profile_pause(profile=profile, by=member, now=NOW)
    assert profile not in listed_for(other_adult)

    services.profile_resume(profile=profile, by=member, now=NOW)
    assert profile in listed_for(other_adult)


def test_editing_hides_the_profile_until_approved_again(member, other_adult):
    profile = approved_profile(member)

    services.profile_update(
        profile=profile, by=member, region="agder", about="Nå bor jeg i Agder.", now=NOW
    )

    profile.refresh_from_db()
    assert profile.status == Profile.Status.PENDING
    assert profile not in listed_for(other_adult)


def test_returned_profile_keeps_the_reason_and_notifies_the_member(member):
    profile = pending_profile(member)

    services.profile_return(profile=profile, by=moderator_user(), reason="Skriv litt mer.", now=NOW)

    profile.refresh_from_db()
    assert profile.status == Profile.Status.RETURNED
    assert profile.return_reason == "Skriv litt mer."
    assert Notification.objects.filter(recipient=member, kind=services.NOTIFY_RETURNED).exists()
    assert ModerationAction.objects.filter(action="return_profile", profile=profile).exists()


def test_returning_without_a_reason_is_refused(member):
    profile = pending_profile(member)
    with pytest.raises(ValidationError):
        services.profile_return(profile=profile, by=moderator_user(), reason=" ", now=NOW)


def test_more_than_eight_interests_are_refused(member):
    with pytest.raises(ValidationError) as error:
        pending_profile(member, interests=interests(9))
    assert error.value.code == "interests"


def test_contact_details_in_the_profile_are_refused(member):
    with pytest.raises(ValidationError) as error:
        pending_profile(member, about="Send meg en snap: snap @mia_2009")
    assert error.value.code == "contact"


def test_a_deleted_and_recreated_profile_keeps_its_age_band(member):
    profile = approved_profile(member, "16-17")

    services.profile_delete(profile=profile, by=member, now=NOW)
    again = pending_profile(member, "26-35")

    assert again.pk == profile.pk
    assert again.age_band == "16-17"


def test_only_a_moderator_changes_the_age_band_and_it_is_logged(member):
    profile = approved_profile(member, "16-17")

    services.profile_update(
        profile=profile, by=member, region="oslo", about="Endret tekst.", now=NOW
    )
    profile.refresh_from_db()
    assert profile.age_band == "16-17"  # the member's edit has no age band to change

    services.profile_set_age_band(
        profile=profile,
        by=moderator_user(),
        age_band="18-25",
        reason="Meldte feil alder.",
        now=NOW,
    )
    profile.refresh_from_db()
    assert profile.age_band == "18-25"
    assert ModerationAction.objects.filter(action="age_band", profile=profile).exists()


def test_deleting_a_profile_ends_open_requests(adult, other_adult):
    request = services.request_send(
        sender=adult, profile=other_adult.friend_profile, message="Hei!", now=NOW
    )

    services.profile_delete(profile=adult.friend_profile, by=adult, now=NOW)

    request.refresh_from_db()
    assert request.status == ContactRequest.Status.WITHDRAWN
    assert adult.friend_profile not in listed_for(other_adult)


# --- The age safeguard, both directions ---------------------------------------------------------


def test_listing_shows_an_adult_only_adult_bands(adult, other_adult, teen, other_teen):
    assert listed_for(adult) == {other_adult.friend_profile}


def test_listing_shows_a_minor_only_under_18_bands(adult, other_adult, teen, other_teen):
    assert listed_for(teen) == {other_teen.friend_profile}


@pytest.mark.parametrize(("viewer", "target"), [("adult", "teen"), ("teen", "adult")])
def test_profile_page_by_url_is_not_found_across_the_age_line(request, viewer, target):
    viewer, target = request.getfixturevalue(viewer), request.getfixturevalue(target)

    with pytest.raises(Profile.DoesNotExist):
        selectors.profile_for_viewer(
            profile_id=target.friend_profile.pk,
            viewer=viewer,
            viewer_band=viewer.friend_profile.age_band,
            now=NOW,
        )


def test_profile_page_by_url_is_found_within_the_age_group(teen, other_teen):
    found = selectors.profile_for_viewer(
        profile_id=other_teen.friend_profile.pk, viewer=teen, viewer_band="16-17", now=NOW
    )
    assert found == other_teen.friend_profile


@pytest.mark.parametrize(("sender", "recipient"), [("adult", "teen"), ("teen", "adult")])
def test_request_across_the_age_line_is_refused(request, sender, recipient):
    sender, recipient = request.getfixturevalue(sender), request.getfixturevalue(recipient)

    with pytest.raises(PermissionDenied):
        services.request_send(
            sender=sender, profile=recipient.friend_profile, message="Hei!", now=NOW
        )
    assert not ContactRequest.objects.exists()


@pytest.mark.parametrize(("writer", "partner"), [("adult", "teen"), ("teen", "adult")])
def test_message_across_the_age_line_is_refused(request, writer, partner):
    """Two members who met, then a moderator corrected one age band: the letters stop."""
    writer, partner = request.getfixturevalue(writer), request.getfixturevalue(partner)
    # They met while both were adults (the minor's band was wrong).
    minor = writer if writer.friend_profile.age_band == "16-17" else partner
    Profile.objects.filter(member=minor).update(age_band="18-25")
    conversation = befriend(writer, partner)
    Profile.objects.filter(member=minor).update(age_band="16-17")

    with pytest.raises(PermissionDenied):
        services.message_send(conversation=conversation, author=writer, body="Hei", now=NOW)


def test_accepting_across_the_age_line_is_refused(adult, user_factory):
    other = user_factory("Snart Voksen")
    approved_profile(other, "18-25")
    request = services.request_send(
        sender=adult, profile=other.friend_profile, message="Hei!", now=NOW
    )
    services.profile_set_age_band(
        profile=other.friend_profile,
        by=moderator_user(),
        age_band="16-17",
        reason="Feil alder",
        now=NOW,
    )
    request.refresh_from_db()
    assert request.status == ContactRequest.Status.WITHDRAWN
    request.status = ContactRequest.Status.OPEN
    request.save()

    with pytest.raises(PermissionDenied):
        services.request_accept(request=request, by=other, now=NOW)
    assert not Conversation.objects.exists()


# --- Requests -----------------------------------------------------------------------------------


def test_request_needs_an_approved_profile_of_ones_own(member, other_adult):
    with pytest.raises(PermissionDenied):
        services.request_send(
            sender=member, profile=other_adult.friend_profile, message="Hei!", now=NOW
        )
    pending_profile(member)
    with pytest.raises(PermissionDenied):
        services.request_send(
            sender=member, profile=other_adult.friend_profile, message="Hei!", now=NOW
        )


def test_request_notifies_the_recipient(adult, other_adult):
    services.request_send(sender=adult, profile=other_adult.friend_profile, message="Hei!", now=NOW)

    notice = (
        Notification.objects.filter(recipient=other_adult)
        .exclude(kind=services.NOTIFY_APPROVED)
        .get()
    )
    assert notice.kind == services.NOTIFY_REQUEST
    assert notice.url == "/friends/requests/"


def test_at_most_five_requests_a_day(adult, user_factory):
    others = []
    for i in range(6):
        user = user_factory(f"Mottaker {i}")
        approved_profile(user, "51-65")
        others.append(user)
    for user in others[:5]:
        services.request_send(sender=adult, profile=user.friend_profile, message="Hei", now=NOW)

    with pytest.raises(ValidationError) as error:
        services.request_send(
            sender=adult,
            profile=others[5].friend_profile,
            message="Hei",
            now=NOW + dt.timedelta(hours=23),
        )
    assert error.value.code == "limit"
    # Withdrawing does not give a request back; the next day does.
    services.request_send(
        sender=adult,
        profile=others[5].friend_profile,
        message="Hei",
        now=NOW + DAY + dt.timedelta(seconds=1),
    )


def test_a_second_open_request_between_the_same_two_is_refused(adult, other_adult):
    services.request_send(sender=adult, profile=other_adult.friend_profile, message="Hei", now=NOW)

    with pytest.raises(ValidationError):
        services.request_send(
            sender=adult, profile=other_adult.friend_profile, message="Hei", now=NOW
        )
    with pytest.raises(ValidationError):
        services.request_send(
            sender=other_adult, profile=adult.friend_profile, message="Hei", now=NOW
        )


def test_contact_details_in_a_request_are_refused(adult, other_adult):
    with pytest.raises(ValidationError) as error:
        services.request_send(
            sender=adult,
            profile=other_adult.friend_profile,
            message="Ring meg på 912 34 567",
            now=NOW,
        )
    assert error.value.code == "contact"


def test_accepting_starts_a_conversation_with_the_first_message(adult, other_adult):
    request = services.request_send(
        sender=adult,
        profile=other_adult.friend_profile,
        message="Hei, jeg liker også bøker.",
        now=NOW,
    )

    conversation = services.request_accept(request=request, by=other_adult, now=NOW)

    request.refresh_from_db()
    assert request.status == ContactRequest.Status.ACCEPTED
    assert conversation.has_member(adult) and conversation.has_member(other_adult)
    first = conversation.messages.get()
    assert first.author == adult and first.status == Message.Status.VISIBLE
    assert Notification.objects.filter(recipient=adult, kind=services.NOTIFY_ACCEPTED).exists()


def test_declining_is_silent_and_shows_not_accepted(adult, other_adult):
    request = services.request_send(
        sender=adult, profile=other_adult.friend_profile, message="Hei", now=NOW
    )

    services.request_decline(request=request, by=other_adult, now=NOW)

    request.refresh_from_db()
    assert request.get_status_display() == str(ContactRequest.Status.DECLINED.label)
    assert (
        not Notification.objects.filter(recipient=adult)
        .exclude(kind=services.NOTIFY_APPROVED)
        .exists()
    )
    assert not Conversation.objects.exists()


def test_only_the_recipient_answers_and_only_once(adult, other_adult, user_factory):
    request = services.request_send(
        sender=adult, profile=other_adult.friend_profile, message="Hei", now=NOW
    )
    with pytest.raises(PermissionDenied):
        services.request_accept(request=request, by=adult, now=NOW)
    services.request_decline(request=request, by=other_adult, now=NOW)
    with pytest.raises(ValidationError):
        services.request_accept(request=request, by=other_adult, now=NOW)


# --- Messages and hold rules --------------------------------------------------------------------


def test_a_plain_message_is_delivered_and_notifies_the_partner(adult, other_adult):
    conversation = befriend(adult, other_adult)

    message = services.message_send(
        conversation=conversation, author=other_adult, body="Takk for brevet!", now=NOW
    )

    assert message.status == Message.Status.VISIBLE
    assert Notification.objects.filter(recipient=adult, kind=services.NOTIFY_MESSAGE).exists()
    assert [c.unread for c in selectors.conversations_of(member=adult)] == [1]
    services.conversation_mark_read(conversation=conversation, reader=adult, now=NOW)
    assert [c.unread for c in selectors.conversations_of(member=adult)] == [0]


@pytest.mark.parametrize(
    "text",
    [
        "Ring meg på 912 34 567",
        "Mail meg: mia@example.com",
        "Legg meg til på snap: mia_2009",
        "Se www.minside.no",
    ],
)
def test_contact_details_hold_the_message_and_the_partner_does_not_see_it(adult, other_adult, text):
    conversation = befriend(adult, other_adult)

    message = services.message_send(conversation=conversation, author=adult, body=text, now=NOW)

    assert message.status == Message.Status.HELD
    assert message.hold_reasons == ["contact"]
    assert message not in selectors.conversation_messages(
        conversation=conversation, reader=other_adult
    )
    assert message in selectors.conversation_messages(conversation=conversation, reader=adult)
    assert not Notification.objects.filter(
        recipient=other_adult, kind=services.NOTIFY_MESSAGE
    ).exists()


def test_crisis_words_hold_the_message_as_urgent(adult, other_adult):
    conversation = befriend(adult, other_adult)

    message = services.message_send(
        conversation=conversation, author=adult, body="Jeg tenker på selvmord i kveld.", now=NOW
    )

    assert message.urgent is True
    assert message.status == Message.Status.HELD
    assert list(selectors.held_messages())[0] == message


def test_approving_a_held_message_delivers_it(adult, other_adult):
    conversation = befriend(adult, other_adult)
    message = services.message_send(
        conversation=conversation, author=adult, body="Mail: mia@example.com", now=NOW
    )

    services.message_approve(message=message, by=moderator_user(), now=NOW)

    assert message in selectors.conversation_messages(conversation=conversation, reader=other_adult)
    assert ModerationAction.objects.filter(action="approve_message", message=message).exists()


def test_rejecting_a_held_message_keeps_it_from_the_partner(adult, other_adult):
    conversation = befriend(adult, other_adult)
    message = services.message_send(
        conversation=conversation, author=adult, body="Mail: mia@example.com", now=NOW
    )

    services.message_reject(message=message, by=moderator_user(), reason="Kontaktinfo", now=NOW)

    message.refresh_from_db()
    assert message.status == Message.Status.REJECTED
    assert message not in selectors.conversation_messages(
        conversation=conversation, reader=other_adult
    )


def test_an_outsider_cannot_write_or_open_a_conversation(adult, other_adult, user_factory):
    conversation = befriend(adult, other_adult)
    outsider = user_factory("Utenfor")
    approved_profile(outsider)

    with pytest.raises(PermissionDenied):
        services.message_send(conversation=conversation, author=outsider, body="Hei", now=NOW)
    with pytest.raises(Conversation.DoesNotExist):
        selectors.conversation_for_member(conversation_id=conversation.pk, member=outsider)


def test_message_rate_limit(adult, other_adult, settings):
    settings.FRIENDS_MESSAGES_PER_HOUR = 2
    conversation = befriend(adult, other_adult)
    services.message_send(conversation=conversation, author=adult, body="1", now=NOW)
    with pytest.raises(ValidationError):
        services.message_send(conversation=conversation, author=adult, body="2", now=NOW)


# --- Block --------------------------------------------------------------------------------------


def test_block_hides_both_profiles_stops_letters_both_ways_and_tells_nobody(adult, other_adult):
    conversation = befriend(adult, other_adult)
    notices_before = Notification.objects.filter(recipient=other_adult).count()

    services.block_create(blocker=adult, blocked=other_adult, now=NOW)

    assert adult.friend_profile not in listed_for(other_adult)
    assert other_adult.friend_profile not in listed_for(adult)
    with pytest.raises(Profile.DoesNotExist):
        selectors.profile_for_viewer(
            profile_id=adult.friend_profile.pk, viewer=other_adult, viewer_band="36-50", now=NOW
        )
    for writer in (adult, other_adult):
        with pytest.raises(PermissionDenied):
            services.message_send(conversation=conversation, author=writer, body="Hei", now=NOW)
    assert Notification.objects.filter(recipient=other_adult).count() == notices_before


def test_block_ends_open_requests_and_refuses_new_ones(adult, other_adult):
    request = services.request_send(
        sender=other_adult, profile=adult.friend_profile, message="Hei", now=NOW
    )

    services.block_create(blocker=adult, blocked=other_adult, now=NOW)

    request.refresh_from_db()
    assert request.status == ContactRequest.Status.DECLINED  # the sender sees "not accepted"
    with pytest.raises(PermissionDenied):
        services.request_send(
            sender=other_adult, profile=adult.friend_profile, message="Hei", now=NOW
        )
    assert Block.objects.count() == 1


# --- Reports, suspension -----------------------------------------------------------------------


def test_report_keeps_only_the_chosen_messages_of_the_partner(adult, other_adult):
    conversation = befriend(adult, other_adult)
    rude = services.message_send(
        conversation=conversation, author=other_adult, body="Stygg", now=NOW
    )
    services.message_send(conversation=conversation, author=other_adult, body="Vanlig", now=NOW)

    report = services.report_create(
        reporter=adult,
        reported=other_adult,
        conversation=conversation,
        reason="harassment",
        messages=[rude],
        now=NOW,
    )

    assert list(report.messages.all()) == [rude]
    assert list(selectors.open_reports()) == [report]


def test_one_cannot_report_ones_own_messages(adult, other_adult):
    conversation = befriend(adult, other_adult)
    own = conversation.messages.get()  # the first message, written by adult

    with pytest.raises(ValidationError):
        services.report_create(
            reporter=adult,
            reported=other_adult,
            conversation=conversation,
            reason="other",
            messages=[own],
            now=NOW,
        )


def test_danger_report_is_urgent(adult, other_adult):
    report = services.report_create(
        reporter=adult, reported=other_adult, reason=Report.Reason.DANGER, now=NOW
    )
    assert report.urgent


def test_suspended_member_is_hidden_and_cannot_write(adult, other_adult):
    conversation = befriend(adult, other_adult)

    services.member_suspend(
        member=adult, by=moderator_user(), until=NOW + 7 * DAY, reason="Trakassering", now=NOW
    )

    assert adult.friend_profile not in listed_for(other_adult)
    with pytest.raises(PermissionDenied):
        services.message_send(conversation=conversation, author=adult, body="Hei", now=NOW)
    assert ModerationAction.objects.filter(action="suspend", member=adult).exists()
    services.message_send(
        conversation=conversation, author=adult, body="Hei igjen", now=NOW + 8 * DAY
    )


# --- Personal data ------------------------------------------------------------------------------


def test_export_has_the_profile_and_own_messages_and_only_the_partners_pseudonym(
    adult, other_adult
):
    conversation = befriend(adult, other_adult)
    services.message_send(
        conversation=conversation, author=other_adult, body="Partnerens ord", now=NOW
    )

    data = personal_data.export_user(adult)["friends"]

    assert data["profile"]["age_band"] == "26-35"
    [exported] = data["conversations"]
    assert exported["partner"] == other_adult.username
    assert [m["text"] for m in exported["my_messages"]] == ["Hei! Vil du skrive med meg?"]
    assert "Partnerens ord" not in str(data)


def test_deleting_the_account_removes_profile_requests_and_messages_partner_sees_deleted_user(
    adult, other_adult
):
    from accounts.services import account_delete

    conversation = befriend(adult, other_adult)
    services.message_send(conversation=conversation, author=other_adult, body="Svar", now=NOW)
    services.message_send(conversation=conversation, author=adult, body="Takk", now=NOW)
    [told] = Notification.objects.filter(recipient=other_adult, kind=services.NOTIFY_MESSAGE)
    assert told.subject == adult.username

    account_delete(user=adult)

    # The partner's notification named the deleted member: the name is gone from it.
    told.refresh_from_db()
    assert told.subject == ""
    assert adult.username not in notifications.text_for(told)

    assert not Profile.objects.filter(pk=adult.friend_profile.pk).exists()
    assert not ContactRequest.objects.exists()
    conversation.refresh_from_db()
    assert conversation.partner(other_adult) is None
    assert [m.body for m in conversation.messages.all()] == ["Svar"]
    assert not services.may_write(conversation=conversation, author=other_adult)


def test_expired_profile_owner_is_told_once_and_renewal_rearms_it(member):
    profile = approved_profile(member)
    after = NOW + dt.timedelta(days=61)

    assert services.profiles_notify_expired(now=NOW) == 0
    assert services.profiles_notify_expired(now=after) == 1
    assert services.profiles_notify_expired(now=after) == 0
    assert Notification.objects.filter(recipient=member, kind=services.NOTIFY_EXPIRED).count() == 1

    services.profile_renew(profile=profile, by=member, now=after)
    assert services.profiles_notify_expired(now=after + dt.timedelta(days=61)) == 1


def test_the_sweep_runs_the_expiry_notice():
    from ordrom import sweeps

    assert "friends.expired_profiles" in sweeps.registered()
