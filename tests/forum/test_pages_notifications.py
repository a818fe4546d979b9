"""In-site notifications: the list (approved, returned with the reason, a reply), marked read
on view, and the unread count in the header."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from forum_pages_support import (
    english,  # noqa: F401
    make_category,
    reply,
    start_topic,
    trust,
)

from forum import services
from ordrom.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def held(member):
    return start_topic(member, make_category(), title="Mitt første emne", body="Hei.")


def test_approved_returned_and_reply_notifications_are_listed(
    member, member_client, other_member, moderator, held
):
    services.post_approve(post=held, by=moderator, now=timezone.now())
    second = reply(member, held.topic, "Ring 912 34 567.")
    services.post_return(post=second, by=moderator, reason="Ingen nummer her.", now=timezone.now())
    trust(other_member)
    reply(other_member, held.topic, "Velkommen!")

    text = member_client.get("/forum/notifications/").content.decode()

    assert "Your post in “Mitt første emne” was approved" in text
    assert "A moderator returned your post in “Mitt første emne”" in text
    assert "The moderator's reason: Ingen nummer her." in text
    assert "Someone replied to your topic “Mitt første emne”." in text
    assert f'href="/forum/t/{held.topic_id}/"' in text


def test_notifications_are_marked_read_on_view(member, member_client, moderator, held):
    services.post_approve(post=held, by=moderator, now=timezone.now())

    first = member_client.get("/forum/notifications/").content.decode()
    second = member_client.get("/forum/notifications/").content.decode()

    assert "forum-list__item--unread" in first
    assert "forum-list__item--unread" not in second
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()


def test_unread_count_is_shown_in_the_header(member, member_client, moderator, held):
    services.post_approve(post=held, by=moderator, now=timezone.now())

    before = member_client.get("/forum/").content.decode()
    member_client.get("/forum/notifications/")
    after = member_client.get("/forum/").content.decode()

    assert '<span class="unread-count" aria-hidden="true">1</span>' in before
    assert "(1 unread)" in before
    assert 'class="unread-count"' not in after
    assert 'href="/forum/notifications/"' in after


def test_other_members_notifications_are_not_shown(other_member_client, moderator, held):
    services.post_approve(post=held, by=moderator, now=timezone.now())

    text = other_member_client.get("/forum/notifications/").content.decode()

    assert "You have no notifications." in text
    assert 'class="unread-count"' not in other_member_client.get("/forum/").content.decode()


def _notification_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return [q["sql"] for q in queries if "ordrom_notification" in q["sql"]]


def test_unread_count_costs_one_query_for_members_and_none_for_visitors(client, member_client):
    assert len(_notification_queries(member_client, "/forum/regler/")) == 1
    assert _notification_queries(client, "/forum/regler/") == []
