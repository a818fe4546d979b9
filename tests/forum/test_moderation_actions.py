"""The moderation workspace as moderators use it: the queue (what it shows, its order, its
query count) and each action through its view, each landing in the moderation log, with what
the members then see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from forum_moderation_support import (
    LOG_URL,
    QUEUE_URL,
    held_reply,
    open_topic,
    post_url,
    reported,
    topic_url,
)
from forum_pages_support import make_category, trust

from forum import admin_views, services
from forum.admin_forms import ERROR_NO_NOTE
from forum.models import Category, ModerationAction, Post, Report, Standing, Topic
from ordrom.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(other_member):
    return open_topic(other_member)


@pytest.fixture
def newcomer(user_factory):
    return user_factory("Ny Stemme")


@pytest.fixture
def held(newcomer, topic):
    return held_reply(newcomer, topic, "Jeg vet ikke hvem jeg skal snakke med.")


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _log():
    return list(ModerationAction.objects.values_list("action", "moderator_name", "reason"))


# --- The queue ----------------------------------------------------------------------------------


def test_queue_shows_held_text_escaped_with_topic_category_and_reasons(
    moderator_client, newcomer, topic
):
    post = held_reply(newcomer, topic, "<script>alert(1)</script> Ring meg på 912 34 567")

    page = moderator_client.get(QUEUE_URL).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ring meg på 912 34 567" in page
    assert topic.title in page
    assert topic.category.name in page
    assert str(Post.HoldReason.CONTACT.label) in page
    assert str(Post.HoldReason.NEW_MEMBER.label) in page
    assert f'data-post-id="{post.pk}"' in page


def test_queue_shows_reported_posts_with_reason_counts_and_texts(
    moderator_client, member, topic, user_factory
):
    trust(member)
    post = services.post_create(author=member, topic=topic, body="Et svar", now=timezone.now())
    reporters = [user_factory(f"Melder {n}") for n in range(2)]
    reported(post, reporters[:1], reason="harassment", text="Dette var stygt sagt")
    reported(post, reporters[1:], reason="harassment")

    page = moderator_client.get(QUEUE_URL).content.decode()

    assert f'data-post-id="{post.pk}"' in page
    assert f"{Report.Reason.HARASSMENT.label}: 2" in page
    assert "Dette var stygt sagt" in page


def test_queue_orders_urgent_first_then_oldest(moderator_client, newcomer, topic, member):
    trust(member)
    now = timezone.now()
    old = held_reply(newcomer, topic, "Gammel", now=now - dt.timedelta(hours=3))
    new = held_reply(newcomer, topic, "Ny", now=now - dt.timedelta(hours=1))
    urgent = held_reply(newcomer, topic, "Haster", now=now - dt.timedelta(minutes=5))
    Post.objects.filter(pk=urgent.pk).update(urgent=True)
    published = services.post_create(
        author=member, topic=topic, body="Rapportert", now=now - dt.timedelta(hours=5)
    )
    # Reported two hours ago: it has waited since then, not since it was written.
    reported(published, [newcomer], now=now - dt.timedelta(hours=2))

    rows = moderator_client.get(QUEUE_URL).context["rows"]

    assert [row["post"].pk for row in rows] == [urgent.pk, old.pk, published.pk, new.pk]


def test_a_danger_report_puts_a_post_first(moderator_client, newcomer, topic, member):
    trust(member)
    held_reply(newcomer, topic, "Holdt")
    published = services.post_create(author=member, topic=topic, body="Svar", now=timezone.now())
    reported(published, [newcomer], reason="danger")

    rows = moderator_client.get(QUEUE_URL).context["rows"]

    assert rows[0]["post"].pk == published.pk and rows[0]["post"].urgent


def test_queue_leaves_out_what_needs_no_moderator(moderator_client, held, topic):
    services.post_approve(post=held, by=held.author, now=timezone.now())

    response = moderator_client.get(QUEUE_URL)

    assert response.context["rows"] == []
    assert topic.posts.count() == 2


def test_queue_queries_do_not_grow_with_the_queue(
    moderator_client, newcomer, topic, user_factory, django_assert_max_num_queries
):
    held_reply(newcomer, topic, "Først")

    def count():
        moderator_client.get(QUEUE_URL)  # warm the session and Wagtail's caches
        with CaptureQueriesContext(connection) as queries:
            assert moderator_client.get(QUEUE_URL).status_code == 200
        return len(queries)

    few = count()
    reporters = [user_factory(f"Melder {n}") for n in range(3)]
    authors = [user_factory(f"Forfatter {n}") for n in range(5)]
    posts = _bulk_held(topic, authors, 60)
    Report.objects.bulk_create(
        Report(post=post, reporter=r, reason="spam", created_at=timezone.now())
        for post in posts
        for r in reporters
    )

    assert count() == few
    with django_assert_max_num_queries(few):
        moderator_client.get(QUEUE_URL + "?p=2")


def _bulk_held(topic, authors, count: int) -> list[Post]:
    now = timezone.now()
    return Post.objects.bulk_create(
        Post(
            topic=topic, author=authors[n % len(authors)], body=f"Innlegg {n}", body_html="",
            status="held", hold_reasons=["new_member"], created_at=now, updated_at=now,
            queued_at=now - dt.timedelta(seconds=n),
        )
        for n in range(count)
    )


def test_queue_is_paginated(moderator_client, newcomer, topic):
    _bulk_held(topic, [newcomer], 30)

    first = moderator_client.get(QUEUE_URL)
    second = moderator_client.get(QUEUE_URL + "?p=2")

    assert len(first.context["rows"]) == 25 and len(second.context["rows"]) == 5
    assert first.context["counts"]["held"] == 30


# --- Each action --------------------------------------------------------------------------------


def test_approve_from_the_queue_publishes_notifies_and_logs(moderator_client, held, newcomer):
    response = moderator_client.post(post_url(held, "approve/"), follow=True)

    assert _messages(response) == [str(admin_views.MESSAGE_APPROVED)]
    assert response.redirect_chain[-1][0] == QUEUE_URL
    held.refresh_from_db()
    assert held.status == Post.Status.PUBLISHED
    assert _log() == [("approve", "Vakt Per", "")]
    assert Notification.objects.filter(recipient=newcomer, kind=services.NOTIFY_APPROVED).exists()


def test_return_needs_a_reason_and_keeps_what_was_written(moderator_client, held):
    response = moderator_client.post(post_url(held, "return/"), {"reason": "  "})

    assert response.status_code == 200  # the form again, with its error
    assert str(services.ERROR_NO_REASON) in response.content.decode()
    held.refresh_from_db()
    assert held.status == Post.Status.HELD
    assert not ModerationAction.objects.exists()


def test_returned_post_shows_the_author_the_reason_and_can_be_resubmitted(
    moderator_client, held, newcomer, client_for
):
    response = moderator_client.post(
        post_url(held, "return/"), {"reason": "Skriv uten fornavnet til læreren."}, follow=True
    )
    assert _messages(response) == [str(admin_views.MESSAGE_RETURNED)]
    assert _log() == [("return", "Vakt Per", "Skriv uten fornavnet til læreren.")]

    author = client_for(newcomer)
    page = author.get(f"/forum/t/{held.topic_id}/").content.decode()
    assert "Skriv uten fornavnet til læreren." in page
    assert f"/forum/p/{held.pk}/edit/" in page
    notes = author.get("/forum/notifications/").content.decode()
    assert "Skriv uten fornavnet til læreren." in notes

    author.post(f"/forum/p/{held.pk}/edit/", {"body": "Skrevet om uten navn."})
    held.refresh_from_db()
    assert held.status == Post.Status.HELD and held.moderator_reason == ""
    assert moderator_client.get(QUEUE_URL).context["rows"][0]["post"].pk == held.pk


def test_others_do_not_see_the_returned_post(held, moderator_client, client):
    moderator_client.post(post_url(held, "return/"), {"reason": "Uten navn"})

    assert "Uten navn" not in client.get(f"/forum/t/{held.topic_id}/").content.decode()


def test_edit_with_a_visible_note(moderator_client, held, client):
    services.post_approve(post=held, by=held.author, now=timezone.now())

    response = moderator_client.post(
        post_url(held, "edit/"),
        {
            "body": "Jeg vet ikke hvem jeg skal snakke med. [fjernet]",
            "note": "Telefonnummer fjernet",
            "next": "post",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == post_url(held)
    page = client.get(f"/forum/t/{held.topic_id}/").content.decode()
    assert "[fjernet]" in page and "Telefonnummer fjernet" in page
    assert _log()[0] == ("edit", "Vakt Per", "Telefonnummer fjernet")


def test_edit_without_a_note_is_refused_with_the_text_kept(moderator_client, held):
    response = moderator_client.post(post_url(held, "edit/"), {"body": "Ny tekst her", "note": ""})

    assert response.status_code == 200  # the form again, with its error
    page = response.content.decode()
    assert response.context["edit_form"].errors["note"] == [str(ERROR_NO_NOTE)]
    assert "Ny tekst her" in page
    held.refresh_from_db()
    assert held.body == "Jeg vet ikke hvem jeg skal snakke med."


def test_hide_and_delete(moderator_client, held, member, topic):
    trust(member)
    other = services.post_create(author=member, topic=topic, body="Reklame", now=timezone.now())

    moderator_client.post(post_url(held, "hide/"), {"reason": "Sårende"})
    moderator_client.post(post_url(other, "delete/"), {"reason": "Spam"})

    held.refresh_from_db()
    other.refresh_from_db()
    assert held.status == Post.Status.HIDDEN and held.moderator_reason == "Sårende"
    assert other.status == Post.Status.DELETED and other.body == ""
    assert {(a, r) for a, _n, r in _log()} == {("hide", "Sårende"), ("delete", "Spam")}
    assert Topic.objects.get(pk=topic.pk).post_count == 1


def test_approving_a_deleted_post_is_refused_with_a_message(moderator_client, held):
    moderator_client.post(post_url(held, "delete/"), {"reason": ""})

    response = moderator_client.post(post_url(held, "approve/"), follow=True)

    assert _messages(response)[-1] == str(services.ERROR_GONE)
    held.refresh_from_db()
    assert held.status == Post.Status.DELETED


def test_suspend_the_author_for_chosen_days(moderator_client, held, newcomer, client_for):
    before = timezone.now()
    response = moderator_client.post(
        post_url(held, "suspend/"), {"days": "7", "reason": "Deler kontaktinfo igjen"}
    )

    assert response.status_code == 302
    standing = Standing.objects.get(member=newcomer)
    assert before + dt.timedelta(days=7) <= standing.suspended_until
    assert standing.suspended_until <= timezone.now() + dt.timedelta(days=7)
    assert _log() == [("suspend", "Vakt Per", "Deler kontaktinfo igjen")]
    # The member can read, not write, and is told until when.
    author = client_for(newcomer)
    assert author.get(f"/forum/t/{held.topic_id}/").status_code == 200
    author.post(f"/forum/t/{held.topic_id}/reply/", {"body": "Et svar til"})
    assert not Post.objects.filter(body="Et svar til").exists()


def test_suspend_refuses_a_period_not_offered(moderator_client, held, newcomer):
    response = moderator_client.post(post_url(held, "suspend/"), {"days": "5000", "reason": "x"})

    assert response.status_code == 200  # the form again, with its error
    assert not Standing.objects.filter(member=newcomer, suspended_until__isnull=False).exists()


# --- Topic tools --------------------------------------------------------------------------------


def test_lock_pin_unlock_unpin_and_move_a_topic(moderator_client, topic):
    target = make_category("annet", name="Annet")
    for action in ("lock", "pin"):
        moderator_client.post(topic_url(topic, "flags/"), {"action": action})
    topic.refresh_from_db()
    assert topic.is_locked and topic.is_pinned
    for action in ("unlock", "unpin"):
        moderator_client.post(topic_url(topic, "flags/"), {"action": action})
    response = moderator_client.post(
        topic_url(topic, "move/"), {"category": target.pk}, follow=True
    )

    topic.refresh_from_db()
    assert not topic.is_locked and not topic.is_pinned
    assert topic.category == target
    assert _messages(response)[-1] == str(admin_views.MESSAGE_MOVED % {"category": target.name})
    assert [a for a, _n, _r in reversed(_log())] == ["lock", "pin", "unlock", "unpin", "move"]
    assert Category.objects.get(pk=target.pk).topic_count == 1


def test_a_locked_topic_takes_no_reply(moderator_client, topic, member, client_for):
    trust(member)
    moderator_client.post(topic_url(topic, "flags/"), {"action": "lock"})

    client_for(member).post(f"/forum/t/{topic.pk}/reply/", {"body": "Et svar"})

    assert not Post.objects.filter(body="Et svar").exists()


def test_move_to_an_unknown_category_is_refused(moderator_client, topic):
    response = moderator_client.post(topic_url(topic, "move/"), {"category": "999999"})

    assert response.status_code == 200  # the form again, with its error
    assert not ModerationAction.objects.exists()


# --- The moderation log -------------------------------------------------------------------------


def test_log_filters_by_moderator_and_action(moderator, coordinator, moderator_client, topic):
    now = timezone.now()
    services.topic_set_flags(topic=topic, by=moderator, now=now, locked=True)
    services.topic_set_flags(topic=topic, by=coordinator, now=now, pinned=True)

    everything = moderator_client.get(LOG_URL).context["entries"]
    by_coordinator = moderator_client.get(LOG_URL, {"moderator": coordinator.pk}).context["entries"]
    locks = moderator_client.get(LOG_URL, {"action": "lock"}).context["entries"]

    assert len(everything) == 2
    assert [e.action for e in by_coordinator] == ["pin"]
    assert [e.moderator_name for e in locks] == ["Vakt Per"]


def test_log_is_paginated(moderator_client, moderator, topic):
    ModerationAction.objects.bulk_create(
        ModerationAction(moderator=moderator, moderator_name="Vakt Per", action="lock",
                         topic=topic, at=timezone.now())
        for _n in range(60)
    )

    assert len(moderator_client.get(LOG_URL).context["entries"]) == 50
    assert len(moderator_client.get(LOG_URL + "?p=2").context["entries"]) == 10


# --- Approving again ----------------------------------------------------------------------------


def test_reapproving_an_edited_post_sends_no_second_reply_notice_nor_counts_for_trust(
    moderator, held, newcomer, other_member
):
    now = timezone.now()
    services.post_approve(post=held, by=moderator, now=now)
    assert Notification.objects.filter(recipient=other_member, kind="forum.reply").count() == 1
    assert Standing.objects.get(member=newcomer).approved_posts == 1

    edited = services.post_edit(post=held, by=newcomer, body="Skrevet om.", now=now)
    assert edited.status == Post.Status.HELD
    services.post_approve(post=edited, by=moderator, now=now + dt.timedelta(minutes=1))

    assert Notification.objects.filter(recipient=other_member, kind="forum.reply").count() == 1
    assert Standing.objects.get(member=newcomer).approved_posts == 1
    edited.refresh_from_db()
    assert edited.status == Post.Status.PUBLISHED
    assert Topic.objects.get(pk=held.topic_id).post_count == 2


def test_reapproving_a_post_hidden_by_reports_sends_no_second_reply_notice(
    moderator, member, topic, other_member, user_factory
):
    trust(member)
    post = services.post_create(author=member, topic=topic, body="Et svar", now=timezone.now())
    reported(post, [user_factory(f"Melder {n}") for n in range(3)])
    assert Post.objects.get(pk=post.pk).status == Post.Status.HELD

    services.post_approve(post=post, by=moderator, now=timezone.now())

    assert Notification.objects.filter(recipient=other_member, kind="forum.reply").count() == 1
    assert Topic.objects.get(pk=topic.pk).post_count == 2
    assert not Report.objects.filter(post=post, resolved_at__isnull=True).exists()


def test_moderators_reach_the_review_page_from_the_topic_and_members_do_not(
    moderator_client, member_client, held, topic
):
    link = f'href="{post_url(held)}"'

    assert link in moderator_client.get(f"/forum/t/{topic.pk}/").content.decode()
    assert link not in member_client.get(f"/forum/t/{topic.pk}/").content.decode()


def test_returning_a_deleted_users_post_notifies_nobody_and_is_logged(moderator, held, newcomer):
    newcomer.delete()
    held.refresh_from_db()

    services.post_return(post=held, by=moderator, reason="Uten navn", now=timezone.now())

    held.refresh_from_db()
    assert held.status == Post.Status.RETURNED
    assert not Notification.objects.filter(kind=services.NOTIFY_RETURNED).exists()
    assert _log() == [("return", "Vakt Per", "Uten navn")]


@pytest.mark.parametrize("page", ["post", "log"])
def test_review_page_and_log_queries_do_not_grow(
    page, moderator_client, moderator, held, topic, user_factory, django_assert_max_num_queries
):
    url = post_url(held) if page == "post" else LOG_URL
    services.topic_set_flags(topic=topic, by=moderator, now=timezone.now(), locked=True)
    Report.objects.create(
        post=held, reporter=user_factory("Første melder"), reason="spam", created_at=timezone.now()
    )

    def count():
        moderator_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert moderator_client.get(url).status_code == 200
        return len(queries)

    few = count()
    Report.objects.bulk_create(
        Report(post=held, reporter=user_factory(f"Melder {n}"), reason="spam",
               created_at=timezone.now())
        for n in range(10)
    )
    ModerationAction.objects.bulk_create(
        ModerationAction(moderator=user_factory(f"Mod {n}"), moderator_name=f"Mod {n}",
                         action="lock", topic=topic, member=held.author, at=timezone.now())
        for n in range(40)
    )

    with django_assert_max_num_queries(few):
        moderator_client.get(url)
