"""The members' friend service pages, as a member sees them: making a profile, browsing,
asking, answering, writing, blocking and reporting; what each page shows and hides."""

from __future__ import annotations

import pytest
from django.utils import timezone
from friends_support import approved_profile, befriend, interests

from friends import services, views
from friends.models import Block, ContactRequest, Message, Profile, Report

pytestmark = pytest.mark.django_db


def test_visitor_sees_what_the_service_is(client):
    response = client.get("/friends/")
    assert response.status_code == 200
    assert b'href="/accounts/signup/"' in response.content


def test_member_without_profile_is_invited_to_make_one(member_client):
    response = member_client.get("/friends/")
    assert b'href="/friends/profile/edit/"' in response.content


def test_member_makes_a_profile_and_it_waits(member, member_client):
    chosen = interests(2)
    response = member_client.post(
        "/friends/profile/edit/",
        {
            "age_band": "18-25",
            "region": "vestland",
            "gender": "",
            "interests": [i.pk for i in chosen],
            "about": "Jeg liker fjellturer og vil skrive med noen om bøker.",
        },
        follow=True,
    )
    profile = Profile.objects.get(member=member)
    assert profile.status == Profile.Status.PENDING
    assert set(profile.interests.all()) == set(chosen)
    assert str(views.MESSAGE_PROFILE_SENT) in response.content.decode()


def test_a_refused_profile_keeps_what_was_written(member_client):
    text = "Skriv til meg på mia@example.com"
    response = member_client.post(
        "/friends/profile/edit/", {"age_band": "18-25", "region": "oslo", "about": text}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert str(services.ERROR_ABOUT_CONTACT) in page
    assert text in page
    assert not Profile.objects.exists()


def test_edit_form_has_no_age_field(adult, member_client):
    response = member_client.get("/friends/profile/edit/")
    assert b'name="age_band"' not in response.content
    member_client.post(
        "/friends/profile/edit/", {"age_band": "13-15", "region": "oslo", "about": "Ny tekst"}
    )
    adult.friend_profile.refresh_from_db()
    assert adult.friend_profile.age_band == "26-35"


def test_renew_pause_resume_and_delete_from_my_profile(adult, member_client):
    profile = adult.friend_profile
    member_client.post("/friends/profile/pause/")
    profile.refresh_from_db()
    assert profile.status == Profile.Status.PAUSED
    member_client.post("/friends/profile/resume/")
    member_client.post("/friends/profile/renew/")
    profile.refresh_from_db()
    assert profile.status == Profile.Status.APPROVED
    assert profile.expires_at > timezone.now()
    member_client.post("/friends/profile/delete/")
    profile.refresh_from_db()
    assert profile.status == Profile.Status.DELETED


def test_browse_shows_only_own_age_group_and_filters(adult, other_adult, teen, member_client):
    response = member_client.get("/friends/")
    page = response.content.decode()
    assert f'href="/friends/p/{other_adult.friend_profile.pk}/"' in page
    assert f'href="/friends/p/{teen.friend_profile.pk}/"' not in page
    # The age filter offers only adult bands.
    assert 'value="16-17"' not in page and 'value="18-25"' in page
    filtered = member_client.get("/friends/", {"region": "finnmark"}).content.decode()
    assert f'href="/friends/p/{other_adult.friend_profile.pk}/"' not in filtered


def test_an_adult_asking_browse_for_an_under_18_band_gets_no_minors(adult, teen, member_client):
    page = member_client.get("/friends/", {"age_band": "16-17"}).content.decode()
    assert f'href="/friends/p/{teen.friend_profile.pk}/"' not in page


def test_profile_page_across_the_age_line_is_404_both_ways(adult, teen, client_for):
    assert client_for(adult).get(f"/friends/p/{teen.friend_profile.pk}/").status_code == 404
    assert client_for(teen).get(f"/friends/p/{adult.friend_profile.pk}/").status_code == 404


def test_request_from_profile_page_and_accept(adult, other_adult, client_for):
    sender, recipient = client_for(adult), client_for(other_adult)
    response = sender.post(
        f"/friends/p/{other_adult.friend_profile.pk}/", {"message": "Hei! Jeg liker også bøker."}
    )
    assert response.status_code == 302
    request = ContactRequest.objects.get()
    incoming = recipient.get("/friends/requests/").content.decode()
    assert "Jeg liker også bøker." in incoming

    response = recipient.post(f"/friends/requests/{request.pk}/", {"action": "accept"})
    assert response.status_code == 302
    conversation_url = response.headers["Location"]
    page = sender.get(conversation_url).content.decode()
    assert "Jeg liker også bøker." in page


def test_declined_request_shows_the_sender_only_not_accepted(adult, other_adult, client_for):
    request = services.request_send(
        sender=adult, profile=other_adult.friend_profile, message="Hei", now=timezone.now()
    )
    client_for(other_adult).post(f"/friends/requests/{request.pk}/", {"action": "decline"})
    page = client_for(adult).get("/friends/requests/").content.decode()
    assert str(ContactRequest.Status.DECLINED.label) in page


def test_request_across_the_age_line_by_post_is_404(adult, teen, client_for):
    response = client_for(adult).post(f"/friends/p/{teen.friend_profile.pk}/", {"message": "Hei"})
    assert response.status_code == 404
    assert not ContactRequest.objects.exists()


def test_a_refused_request_keeps_the_text(adult, other_adult, member_client):
    text = "Ring meg på 912 34 567"
    response = member_client.post(f"/friends/p/{other_adult.friend_profile.pk}/", {"message": text})
    page = response.content.decode()
    assert str(services.ERROR_REQUEST_CONTACT) in page
    assert text in page


def test_writing_letters_and_unread_counts(adult, other_adult, client_for):
    conversation = befriend(adult, other_adult)
    writer = client_for(other_adult)
    writer.post(f"/friends/c/{conversation.pk}/", {"body": "Takk for sist!"})
    reader = client_for(adult)

    listing = reader.get("/friends/c/").content.decode()
    assert "friends-conversation--unread" in listing
    page = reader.get(f"/friends/c/{conversation.pk}/").content.decode()
    assert "Takk for sist!" in page
    assert "friends-conversation--unread" not in reader.get("/friends/c/").content.decode()


def test_a_held_letter_tells_the_writer_why(adult, other_adult, client_for):
    conversation = befriend(adult, other_adult)
    response = client_for(adult).post(
        f"/friends/c/{conversation.pk}/", {"body": "Snap: mia_2009"}, follow=True
    )
    assert str(views.MESSAGE_HELD_CONTACT) in response.content.decode()
    assert (
        "Snap: mia_2009"
        not in client_for(other_adult).get(f"/friends/c/{conversation.pk}/").content.decode()
    )


def test_a_crisis_letter_shows_the_crisis_numbers(adult, other_adult, client_for):
    conversation = befriend(adult, other_adult)
    response = client_for(adult).post(
        f"/friends/c/{conversation.pk}/", {"body": "Jeg vil ikke leve lenger."}, follow=True
    )
    page = response.content.decode()
    assert 'class="callout callout--warning friends-crisis"' in page
    assert Message.objects.get(body="Jeg vil ikke leve lenger.").urgent


def test_an_outsider_gets_404_on_a_conversation(adult, other_adult, user_factory, client_for):
    conversation = befriend(adult, other_adult)
    outsider = client_for(user_factory("Nysgjerrig"))
    for method, url in [
        ("get", f"/friends/c/{conversation.pk}/"),
        ("post", f"/friends/c/{conversation.pk}/"),
        ("post", f"/friends/c/{conversation.pk}/block/"),
        ("get", f"/friends/c/{conversation.pk}/report/"),
    ]:
        assert getattr(outsider, method)(url).status_code == 404, url


def test_block_from_the_conversation_hides_the_profile_from_the_blocked(
    adult, other_adult, client_for
):
    conversation = befriend(adult, other_adult)
    client_for(adult).post(f"/friends/c/{conversation.pk}/block/")

    assert Block.objects.filter(blocker=adult, blocked=other_adult).exists()
    blocked = client_for(other_adult)
    assert blocked.get(f"/friends/p/{adult.friend_profile.pk}/").status_code == 404
    page = blocked.get(f"/friends/c/{conversation.pk}/").content.decode()
    assert 'name="body"' not in page
    blocked.post(f"/friends/c/{conversation.pk}/", {"body": "Hallo?"})
    assert not Message.objects.filter(body="Hallo?").exists()


def test_report_from_the_conversation_with_chosen_letters(adult, other_adult, client_for):
    conversation = befriend(adult, other_adult)
    now = timezone.now()
    rude = services.message_send(
        conversation=conversation, author=other_adult, body="Stygg", now=now
    )
    client_for(adult).post(
        f"/friends/c/{conversation.pk}/report/",
        {"reason": "harassment", "messages": [str(rude.pk)], "text": ""},
    )
    report = Report.objects.get()
    assert list(report.messages.all()) == [rude]
    assert report.reported == other_adult


def test_teen_sees_only_teens_in_browse(teen, other_teen, adult, client_for):
    page = client_for(teen).get("/friends/").content.decode()
    assert f'href="/friends/p/{other_teen.friend_profile.pk}/"' in page
    assert f'href="/friends/p/{adult.friend_profile.pk}/"' not in page


def test_expired_profile_is_offered_renewal(member, member_client):
    import datetime as dt

    approved_profile(member, now=timezone.now() - dt.timedelta(days=61))
    page = member_client.get("/friends/profile/").content.decode()
    assert 'action="/friends/profile/renew/"' in page


def test_the_menu_shows_waiting_requests_and_unread_letters_in_one_query(
    adult, other_adult, user_factory, client_for
):
    """The friend service's menu counts what waits for the member, both counts read in one
    round trip (on the browse page, with the member's blocks); a request from someone the
    member has blocked does not count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    conversation = befriend(adult, other_adult)
    services.message_send(
        conversation=conversation, author=other_adult, body="Takk for sist!", now=timezone.now()
    )
    asking, blocked = user_factory("Spør Pent"), user_factory("Blokkert Bruker")
    for sender in (asking, blocked):
        approved_profile(sender, "26-35")
        services.request_send(
            sender=sender, profile=adult.friend_profile, message="Hei!", now=timezone.now()
        )
    services.block_create(blocker=adult, blocked=blocked, now=timezone.now())
    client = client_for(adult)
    client.cookies["django_language"] = "en"
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/friends/").content.decode()
    assert "(1 new request)" in page and "(1 unread letter)" in page
    counting = [q["sql"] for q in queries.captured_queries if "SELECT COUNT(*)" in q["sql"]]
    assert len([sql for sql in counting if "friends_contactrequest" in sql]) == 1
    assert any("friends_message" in sql for sql in counting if "friends_contactrequest" in sql)
    assert len([q for q in queries.captured_queries if "friends_block" in q["sql"]]) == 1
    # Elsewhere in the service the menu reads its counts itself.
    page = client.get("/friends/requests/").content.decode()
    assert "(1 new request)" in page and "(1 unread letter)" in page
