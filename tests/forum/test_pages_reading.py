"""What the forum's reading pages show to each role: /forum/, a category, a topic, the rules."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from forum_pages_support import (
    ROLES,
    bulk_posts,
    client_as,
    english,  # noqa: F401
    make_category,
    reply,
    start_topic,
    trust,
)

from forum import services
from forum.models import Category, Post, Topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def category():
    return make_category()


@pytest.fixture
def topic(member, category):
    trust(member)
    return start_topic(member, category, title="Lange kvelder", body="Kveldene er lange.").topic


@pytest.mark.parametrize("role", ROLES)
def test_forum_index_lists_categories_with_topic_counts_for_every_role(request, role, topic):
    make_category("skriverom", name="Skriverom")
    Category.objects.create(slug="skjult", name_nb="Skjult", is_active=False)

    page = client_as(request, role).get("/forum/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Prøverommet" in text and "Skriverom" in text and "Skjult" not in text
    assert "1 topic" in text and "0 topics" in text
    assert 'href="/forum/regler/"' in text


def test_forum_rules_page_lists_the_rules():
    page = client_as(None, "anonymous").get("/forum/regler/")

    assert page.status_code == 200
    assert "phone numbers or email addresses" in page.content.decode()


def test_forum_rules_are_in_bokmal_by_default(settings):
    settings.LANGUAGE_CODE = "nb"

    page = client_as(None, "anonymous").get("/forum/regler/")

    assert "telefonnumre" in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_category_lists_visible_topics_pinned_first_then_newest(request, role, member, category):
    trust(member)
    old = start_topic(member, category, title="Gammelt emne").topic
    new = start_topic(member, category, title="Nytt emne").topic
    pinned = start_topic(member, category, title="Festet emne").topic
    Topic.objects.filter(pk=pinned.pk).update(
        is_pinned=True, last_activity_at=old.last_activity_at.replace(year=2020)
    )
    Topic.objects.filter(pk=new.pk).update(last_activity_at=timezone.now())
    Topic.objects.create(
        category=category,
        author=member,
        title="Venter på moderator",
        created_at=timezone.now(),
        last_activity_at=timezone.now(),
    )

    text = client_as(request, role).get("/forum/proverommet/").content.decode()

    assert text.index("Festet emne") < text.index("Nytt emne") < text.index("Gammelt emne")
    assert "Venter på moderator" not in text


def test_unknown_or_hidden_category_is_not_found(client, category):
    Category.objects.create(slug="skjult", name_nb="Skjult", is_active=False)

    assert client.get("/forum/finnes-ikke/").status_code == 404
    assert client.get("/forum/skjult/").status_code == 404


def test_category_is_paginated_by_25(client, member, category):
    trust(member)
    for n in range(26):
        Topic.objects.create(
            category=category,
            author=member,
            title=f"Emne nummer {n}",
            is_visible=True,
            created_at=timezone.now(),
            last_activity_at=timezone.now(),
        )
    Category.objects.filter(pk=category.pk).update(topic_count=26)

    first = client.get("/forum/proverommet/").content.decode()
    second = client.get("/forum/proverommet/?page=2").content.decode()

    assert first.count('class="forum-list__item') == 25
    assert second.count('class="forum-list__item') == 1
    assert "Page 1 of 2" in first


@pytest.mark.parametrize("role", ROLES)
def test_topic_shows_published_posts_to_everyone(request, role, topic, other_member):
    trust(other_member)
    reply(other_member, topic, "Du er ikke alene.")

    page = client_as(request, role).get(f"/forum/t/{topic.pk}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Kveldene er lange." in text and "Du er ikke alene." in text
    assert "Grå Morgen" in text


def test_held_post_is_shown_to_its_author_as_waiting_and_to_no_other_member(
    client, topic, other_member, other_member_client, member_client
):
    held = reply(other_member, topic, "Et nytt medlem skriver.")  # untrusted: held
    assert held.status == Post.Status.HELD

    own = other_member_client.get(f"/forum/t/{topic.pk}/").content.decode()
    others = member_client.get(f"/forum/t/{topic.pk}/").content.decode()
    anonymous = client.get(f"/forum/t/{topic.pk}/").content.decode()

    assert "Et nytt medlem skriver." in own and "Waiting for a moderator" in own
    assert "Et nytt medlem skriver." not in others
    assert "Et nytt medlem skriver." not in anonymous


def test_moderator_sees_held_posts_marked_as_waiting(topic, other_member, moderator_client):
    reply(other_member, topic, "Et nytt medlem skriver.")

    text = moderator_client.get(f"/forum/t/{topic.pk}/").content.decode()

    assert "Et nytt medlem skriver." in text and "Waiting for a moderator." in text


def test_returned_post_shows_the_reason_and_an_edit_link_to_its_author_only(
    topic, other_member, other_member_client, member_client, moderator
):
    held = reply(other_member, topic, "Ring meg på 912 34 567.")
    services.post_return(post=held, by=moderator, reason="Ingen telefonnumre.", now=timezone.now())

    own = other_member_client.get(f"/forum/t/{topic.pk}/").content.decode()
    others = member_client.get(f"/forum/t/{topic.pk}/").content.decode()

    assert "Returned by a moderator: Ingen telefonnumre." in own
    assert f'href="/forum/p/{held.pk}/edit/"' in own
    assert "Ingen telefonnumre." not in others and "912 34 567" not in others


def test_topic_whose_first_post_is_held_is_only_shown_to_its_author_and_moderators(
    client, category, other_member, other_member_client, member_client, moderator_client
):
    post = start_topic(other_member, category, title="Første gang her")
    assert post.status == Post.Status.HELD
    url = f"/forum/t/{post.topic_id}/"

    assert other_member_client.get(url).status_code == 200
    assert moderator_client.get(url).status_code == 200
    assert member_client.get(url).status_code == 404
    assert client.get(url).status_code == 404


def test_deleted_post_shows_as_deleted_and_the_replies_stay(client, member, topic, other_member):
    trust(other_member)
    second = reply(member, topic, "Dette angrer jeg på.")
    reply(other_member, topic, "Svaret mitt står.")
    services.post_delete_own(post=second, by=member, now=timezone.now())

    text = client.get(f"/forum/t/{topic.pk}/").content.decode()

    assert "This post was deleted." in text
    assert "Dette angrer jeg på." not in text
    assert "Svaret mitt står." in text


def test_posts_of_a_deleted_account_show_deleted_user(client, topic, other_member):
    trust(other_member)
    reply(other_member, topic, "Jeg skrev dette før.")
    get_user_model().objects.filter(pk=other_member.pk).delete()

    text = client.get(f"/forum/t/{topic.pk}/").content.decode()

    assert "deleted user" in text and "Jeg skrev dette før." in text


def test_moderator_edit_note_is_shown_under_the_post(client, topic, moderator):
    post = topic.posts.get()
    services.post_moderator_edit(
        post=post,
        by=moderator,
        body="Kveldene er lange.",
        note="Navn fjernet",
        now=timezone.now(),
    )

    text = client.get(f"/forum/t/{topic.pk}/").content.decode()

    assert "Edited by a moderator: Navn fjernet" in text


def test_topic_posts_are_paginated_by_30(client, member, topic):
    bulk_posts(topic, [member], 30)  # written before the topic's own post

    first = client.get(f"/forum/t/{topic.pk}/").content.decode()
    last = client.get(f"/forum/t/{topic.pk}/?page=last").content.decode()

    assert first.count('class="forum-post forum-post--') == 30
    assert "Kveldene er lange." not in first
    assert "Kveldene er lange." in last and "Page 2 of 2" in last


def test_suspended_member_reads_and_sees_until_when(member, member_client, topic):
    until = timezone.now() + timezone.timedelta(days=7)
    services.standing_for(member)
    member.forum_standing.suspended_until = until
    member.forum_standing.save()

    topic_page = member_client.get(f"/forum/t/{topic.pk}/").content.decode()
    category_page = member_client.get("/forum/proverommet/").content.decode()

    assert "you cannot write in it until" in topic_page
    assert str(timezone.localtime(until).year) in topic_page
    assert "you cannot write in it until" in category_page
    assert f'action="/forum/t/{topic.pk}/reply/"' not in topic_page

    member.forum_standing.suspended_until = timezone.now() - timezone.timedelta(minutes=1)
    member.forum_standing.save()
    for url in (f"/forum/t/{topic.pk}/", "/forum/proverommet/"):
        assert "you cannot write in it until" not in member_client.get(url).content.decode()


def test_locked_topic_shows_no_reply_form(member_client, topic):
    Topic.objects.filter(pk=topic.pk).update(is_locked=True)

    text = member_client.get(f"/forum/t/{topic.pk}/").content.decode()

    assert "This topic is locked" in text
    assert f'action="/forum/t/{topic.pk}/reply/"' not in text


def test_every_published_post_has_report_and_recognise_for_other_members(
    other_member_client, member_client, topic
):
    post = topic.posts.get()

    others = other_member_client.get(f"/forum/t/{topic.pk}/").content.decode()
    own = member_client.get(f"/forum/t/{topic.pk}/").content.decode()

    assert f'action="/forum/p/{post.pk}/report/"' in others
    assert f'action="/forum/p/{post.pk}/recognise/"' in others
    assert f'action="/forum/p/{post.pk}/report/"' not in own
    assert f'href="/forum/p/{post.pk}/edit/"' in own
