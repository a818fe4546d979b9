"""Undoing a block: the member who blocked sees whom they blocked and can unblock with a
POST form (CSRF-protected); nobody else can undo it, and the other member is not told."""

from __future__ import annotations

import pytest
from django.test import Client
from friends_support import NOW

from friends import selectors, services, views
from friends.models import Block
from ordrom.models import Notification

pytestmark = pytest.mark.django_db


def test_the_blocked_page_lists_whom_i_blocked(adult, other_adult, client_for):
    services.block_create(blocker=adult, blocked=other_adult, now=NOW)
    page = client_for(adult).get("/friends/blocked/").content.decode()
    assert other_adult.get_username() in page
    assert f'action="/friends/blocked/{other_adult.pk}/unblock/"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_blocked_member_sees_nothing_of_it(adult, other_adult, client_for):
    services.block_create(blocker=adult, blocked=other_adult, now=NOW)
    page = client_for(other_adult).get("/friends/blocked/").content.decode()
    assert adult.get_username() not in page


def test_unblocking_lets_them_find_each_other_again(adult, other_adult, client_for):
    services.block_create(blocker=adult, blocked=other_adult, now=NOW)
    client = client_for(adult)
    assert client.get(f"/friends/p/{other_adult.friend_profile.pk}/").status_code == 404

    response = client.post(f"/friends/blocked/{other_adult.pk}/unblock/", follow=True)

    assert response.redirect_chain[-1][0] == "/friends/blocked/"
    assert not Block.objects.exists()
    message = str(views.MESSAGE_UNBLOCKED) % {"name": other_adult.get_username()}
    assert message.split("%")[0][:20] in response.content.decode()
    assert client.get(f"/friends/p/{other_adult.friend_profile.pk}/").status_code == 200
    assert client_for(other_adult).get(f"/friends/p/{adult.friend_profile.pk}/").status_code == 200
    assert not Notification.objects.filter(recipient=other_adult, kind__contains="block").exists()


def test_the_blocked_member_cannot_undo_it(adult, other_adult, client_for):
    services.block_create(blocker=adult, blocked=other_adult, now=NOW)
    response = client_for(other_adult).post(f"/friends/blocked/{adult.pk}/unblock/")
    assert response.status_code == 404
    assert Block.objects.filter(blocker=adult, blocked=other_adult).exists()


def test_unblocking_needs_a_post(adult, other_adult, client_for):
    services.block_create(blocker=adult, blocked=other_adult, now=NOW)
    assert client_for(adult).get(f"/friends/blocked/{other_adult.pk}/unblock/").status_code == 405
    assert Block.objects.exists()


def test_unblocking_needs_the_csrf_token(adult, other_adult):
    services.block_create(blocker=adult, blocked=other_adult, now=NOW)
    client = Client(enforce_csrf_checks=True)
    client.force_login(adult)
    response = client.post(f"/friends/blocked/{other_adult.pk}/unblock/")
    assert response.status_code == 403
    assert Block.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, adult, other_adult):
    services.block_create(blocker=adult, blocked=other_adult, now=NOW)
    for response in (
        client.get("/friends/blocked/"),
        client.post(f"/friends/blocked/{other_adult.pk}/unblock/"),
    ):
        assert response.status_code == 302
        assert "/accounts/login/" in response.headers["Location"]
    assert Block.objects.exists()


def test_a_block_both_ways_stays_until_both_undo_it(adult, other_adult):
    services.block_create(blocker=adult, blocked=other_adult, now=NOW)
    services.block_create(blocker=other_adult, blocked=adult, now=NOW)
    services.block_remove(blocker=adult, blocked=other_adult, now=NOW)
    assert services.is_blocked_between(adult.pk, other_adult.pk)
    assert selectors.blocks_by(member=adult) == []


def test_the_blocked_page_has_a_fixed_number_of_queries(
    adult, user_factory, client_for, django_assert_max_num_queries
):
    for i in range(15):
        services.block_create(blocker=adult, blocked=user_factory(f"Blokkert {i}"), now=NOW)
    client = client_for(adult)
    client.get("/friends/blocked/")
    with django_assert_max_num_queries(15):
        client.get("/friends/blocked/")
