"""Every members' forum URL for every role: reading is open, writing needs an account, and a
member can only change their own posts."""

from __future__ import annotations

import pytest
from django.utils import timezone
from forum_pages_support import ROLES, client_as, make_category, start_topic, trust

from forum import services
from forum.models import Post

pytestmark = pytest.mark.django_db

READ_URLS = ("/forum/", "/forum/regler/", "/forum/search/?q=kveld", "/forum/proverommet/")


@pytest.fixture
def post(member):
    trust(member)
    return start_topic(member, make_category(), title="Lange kvelder")


def _write_urls(post) -> list[tuple[str, str]]:
    return [
        ("get", "/forum/proverommet/new/"),
        ("post", "/forum/proverommet/new/"),
        ("get", f"/forum/t/{post.topic_id}/reply/"),
        ("post", f"/forum/t/{post.topic_id}/reply/"),
        ("get", f"/forum/p/{post.pk}/edit/"),
        ("post", f"/forum/p/{post.pk}/edit/"),
        ("get", f"/forum/p/{post.pk}/delete/"),
        ("post", f"/forum/p/{post.pk}/delete/"),
        ("post", f"/forum/p/{post.pk}/recognise/"),
        ("get", f"/forum/p/{post.pk}/report/"),
        ("post", f"/forum/p/{post.pk}/report/"),
        ("get", "/forum/notifications/"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_reading_pages_are_open_to_every_role(request, role, post):
    client = client_as(request, role)

    for url in (*READ_URLS, f"/forum/t/{post.topic_id}/"):
        assert client.get(url).status_code == 200, url


def test_anonymous_visitor_is_sent_to_log_in_for_every_writing_url(client, post):
    for method, url in _write_urls(post):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/accounts/login/?next="), url
    assert not Post.objects.exclude(pk=post.pk).exists()


@pytest.mark.parametrize("role", ("other_member", "moderator"))
def test_someone_elses_post_cannot_be_edited_or_deleted(request, role, post):
    client = client_as(request, role)

    for url in (f"/forum/p/{post.pk}/edit/", f"/forum/p/{post.pk}/delete/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"body": "Overtatt"}).status_code == 404
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED and post.body != "Overtatt"


def test_own_post_cannot_be_reported(member_client, post):
    assert member_client.post(f"/forum/p/{post.pk}/report/", {"reason": "spam"}).status_code == 404


def test_held_post_of_another_member_cannot_be_reached(other_member_client, member, post):
    Post.objects.filter(pk=post.pk).update(status=Post.Status.HELD)

    assert other_member_client.get(f"/forum/p/{post.pk}/report/").status_code == 404
    assert other_member_client.post(f"/forum/p/{post.pk}/recognise/").status_code == 404
    assert other_member_client.get(f"/forum/t/{post.topic_id}/reply/").status_code == 200


def test_deleted_post_cannot_be_edited_by_its_author(member, member_client, post):
    services.post_delete_own(post=post, by=member, now=timezone.now())

    assert member_client.get(f"/forum/p/{post.pk}/edit/").status_code == 404


@pytest.mark.parametrize("url", ["/forum/t/999999/", "/forum/t/999999/reply/"])
def test_unknown_topic_is_not_found(member_client, url):
    assert member_client.get(url).status_code == 404


def test_recognise_and_delete_refuse_get(member_client, post):
    assert member_client.get(f"/forum/p/{post.pk}/recognise/").status_code == 405
