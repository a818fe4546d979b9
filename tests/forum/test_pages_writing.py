"""Writing in the forum: start a topic, reply, quote, edit, delete, recognise, report.

Every refusal from the services is shown in the form with the member's text still in it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.html import escape
from forum_pages_support import (
    english,  # noqa: F401
    make_category,
    reply,
    start_topic,
    trust,
)

from forum import services
from forum.models import Category, Post, Reaction, Report, Topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def category():
    return make_category()


@pytest.fixture
def topic(other_member, category):
    trust(other_member)
    return start_topic(
        other_member, category, title="Lange kvelder", body="Kveldene er lange."
    ).topic


def test_trusted_member_starts_a_topic_and_sees_it_published(member, member_client, category):
    trust(member)

    response = member_client.post(
        "/forum/proverommet/new/",
        {"title": "Søvnløse netter", "body": "Jeg sover dårlig."},
        follow=True,
    )

    topic = Topic.objects.get(title="Søvnløse netter")
    assert response.redirect_chain[0][0] == f"/forum/t/{topic.pk}/"
    text = response.content.decode()
    assert "Your post is published." in text and "Jeg sover dårlig." in text
    assert "Søvnløse netter" in member_client.get("/forum/proverommet/").content.decode()


def test_new_members_topic_waits_for_review_and_the_author_is_told(member, member_client, category):
    response = member_client.post(
        "/forum/proverommet/new/",
        {"title": "Første gang", "body": "Hei alle sammen."},
        follow=True,
    )

    text = response.content.decode()
    assert "Your post is waiting for a moderator" in text
    assert "Hei alle sammen." in text
    assert "If you need help right now" not in text


def test_post_with_crisis_words_shows_the_crisis_numbers_at_once(member, member_client, category):
    trust(member)

    response = member_client.post(
        "/forum/proverommet/new/",
        {"title": "Tung dag", "body": "Jeg tenker på selvmord i kveld."},
        follow=True,
    )

    text = response.content.decode()
    assert Post.objects.get(topic__title="Tung dag").status == Post.Status.HELD
    assert "Your post is waiting for a moderator" in text
    assert "If you need help right now" in text
    assert 'href="tel:113"' in text and 'href="tel:116123"' in text
    # Once: the next page view no longer shows the crisis box.
    again = member_client.get(response.redirect_chain[-1][0]).content.decode()
    assert "If you need help right now" not in again


@pytest.mark.parametrize(
    ("title", "body", "error"),
    [
        ("Tittel", "   ", services.ERROR_EMPTY),
        ("", "Teksten min blir stående.", None),
        ("Tittel", "x" * 10_001, None),
    ],
)
def test_refused_topic_keeps_the_text_and_says_why(member_client, category, title, body, error):
    response = member_client.post("/forum/proverommet/new/", {"title": title, "body": body})

    assert response.status_code == 200
    text = response.content.decode()
    assert 'class="form-errors"' in text or 'class="error"' in text
    if error:
        assert escape(str(error)) in text
    if body.strip():
        assert body in text
    assert not Topic.objects.filter(title="Tittel").exists()


def test_too_long_post_says_how_long_it_is(member_client, category):
    response = member_client.post(
        "/forum/proverommet/new/", {"title": "Tittel", "body": "x" * 10_001}
    )

    assert "10000" in response.content.decode() or "10,000" in response.content.decode()
    assert "10001" in response.content.decode() or "10,001" in response.content.decode()


def test_topic_rate_limit_is_explained_and_keeps_the_text(member, member_client, category):
    trust(member)
    for n in range(services.TOPICS_PER_HOUR):
        start_topic(member, category, title=f"Emne {n}")

    response = member_client.post(
        "/forum/proverommet/new/", {"title": "Ett til", "body": "Dette vil jeg beholde."}
    )

    text = response.content.decode()
    assert escape(str(services.ERROR_TOO_FAST)) in text
    assert "Dette vil jeg beholde." in text and 'value="Ett til"' in text


def test_reply_rate_limit_is_explained_and_keeps_the_text(member, member_client, topic):
    trust(member)
    for n in range(services.POSTS_PER_TEN_MINUTES):
        reply(member, topic, f"Svar {n}")

    response = member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "Mitt ellevte svar."})

    text = response.content.decode()
    assert escape(str(services.ERROR_TOO_FAST)) in text and "Mitt ellevte svar." in text


def test_suspended_member_is_told_until_when_and_keeps_the_text(member, member_client, topic):
    until = timezone.now() + dt.timedelta(days=3)
    standing = services.standing_for(member)
    standing.suspended_until = until
    standing.save()

    response = member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "Kan jeg skrive?"})

    text = response.content.decode()
    assert "You cannot write in the forum until" in text
    assert str(timezone.localtime(until).day) in text
    assert "Kan jeg skrive?" in text
    assert not Post.objects.filter(body="Kan jeg skrive?").exists()


def test_reply_to_a_locked_topic_is_refused_with_the_text_kept(member_client, topic):
    Topic.objects.filter(pk=topic.pk).update(is_locked=True)

    response = member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "Et sent svar."})

    text = response.content.decode()
    assert escape(str(services.ERROR_LOCKED)) in text and "Et sent svar." in text


def test_trusted_member_replies_and_lands_on_the_post(member, member_client, topic):
    trust(member)

    response = member_client.post(f"/forum/t/{topic.pk}/reply/", {"body": "Du er ikke alene."})

    post = Post.objects.get(body="Du er ikke alene.")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/forum/t/{topic.pk}/#post-{post.pk}"
    assert post.status == Post.Status.PUBLISHED


def test_quote_fills_the_reply_with_the_quoted_lines(member_client, topic):
    quoted = topic.posts.get()
    Post.objects.filter(pk=quoted.pk).update(body="Første linje\nAndre linje")

    page = member_client.get(f"/forum/t/{topic.pk}/reply/?quote={quoted.pk}")

    text = page.content.decode()
    assert "&gt; Første linje\n&gt; Andre linje" in text
    assert f'name="quote_of" value="{quoted.pk}"' in text


def test_quote_of_a_held_post_is_ignored(member_client, topic, moderator):
    held = reply(moderator, topic, "Ikke godkjent ennå.")
    Post.objects.filter(pk=held.pk).update(status=Post.Status.HELD)

    text = member_client.get(f"/forum/t/{topic.pk}/reply/?quote={held.pk}").content.decode()

    assert "Ikke godkjent ennå." not in text


def test_reply_with_a_quote_records_the_quoted_post(member, member_client, topic):
    trust(member)
    quoted = topic.posts.get()

    member_client.post(
        f"/forum/t/{topic.pk}/reply/",
        {"body": "> Kveldene er lange.\n\nEnig.", "quote_of": quoted.pk},
    )

    assert Post.objects.get(author=member).quote_of == quoted


def test_author_edits_their_post(member, member_client, topic):
    trust(member)
    post = reply(member, topic, "Skrivefeil her.")

    page = member_client.get(f"/forum/p/{post.pk}/edit/")
    response = member_client.post(f"/forum/p/{post.pk}/edit/", {"body": "Rettet nå."})

    assert "Skrivefeil her." in page.content.decode()
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Rettet nå." and post.status == Post.Status.PUBLISHED


def test_returned_post_is_edited_and_sent_again_for_review(member, member_client, topic, moderator):
    post = reply(member, topic, "Ring 912 34 567.")
    services.post_return(post=post, by=moderator, reason="Uten nummer, takk.", now=timezone.now())

    page = member_client.get(f"/forum/p/{post.pk}/edit/").content.decode()
    response = member_client.post(
        f"/forum/p/{post.pk}/edit/", {"body": "Uten nummer."}, follow=True
    )

    assert "A moderator returned your post: Uten nummer, takk." in page
    post.refresh_from_db()
    assert post.status == Post.Status.HELD
    assert "Your post is waiting for a moderator" in response.content.decode()


def test_empty_edit_is_refused_and_the_post_is_unchanged(member, member_client, topic):
    trust(member)
    post = reply(member, topic, "Slik var det.")

    response = member_client.post(f"/forum/p/{post.pk}/edit/", {"body": "  "})

    assert escape(str(services.ERROR_EMPTY)) in response.content.decode()
    post.refresh_from_db()
    assert post.body == "Slik var det."


def test_delete_asks_for_confirmation_then_deletes(member, member_client, topic):
    trust(member)
    post = reply(member, topic, "Dette vil jeg fjerne.")

    confirm = member_client.get(f"/forum/p/{post.pk}/delete/")
    response = member_client.post(f"/forum/p/{post.pk}/delete/", follow=True)

    assert "Delete your post?" in confirm.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.DELETED
    text = response.content.decode()
    assert "Your post was deleted." in text and "This post was deleted." in text


def test_recognise_toggles_and_shows_the_count(member, member_client, topic):
    post = topic.posts.get()

    member_client.post(f"/forum/p/{post.pk}/recognise/")
    on = member_client.get(f"/forum/t/{topic.pk}/").content.decode()
    member_client.post(f"/forum/p/{post.pk}/recognise/")
    post.refresh_from_db()

    assert 'aria-pressed="true"' in on and '<span class="forum-recognise__count">1</span>' in on
    assert post.recognise_count == 0
    assert not Reaction.objects.exists()


def test_report_is_sent_and_the_member_is_thanked(member_client, member, topic):
    post = topic.posts.get()

    response = member_client.post(
        f"/forum/p/{post.pk}/report/", {"reason": "harassment", "text": "Sårende."}, follow=True
    )

    report = Report.objects.get()
    assert (report.post, report.reporter, report.reason, report.text) == (
        post,
        member,
        "harassment",
        "Sårende.",
    )
    assert "Thank you for telling us." in response.content.decode()


def test_report_without_a_reason_keeps_the_text(member_client, topic):
    post = topic.posts.get()

    response = member_client.post(f"/forum/p/{post.pk}/report/", {"text": "Noe er galt."})

    text = response.content.decode()
    assert "Choose a reason." in text and "Noe er galt." in text
    assert not Report.objects.exists()


def test_second_report_of_the_same_post_is_explained(member_client, topic):
    post = topic.posts.get()
    member_client.post(f"/forum/p/{post.pk}/report/", {"reason": "spam"})

    response = member_client.post(
        f"/forum/p/{post.pk}/report/", {"reason": "other", "text": "Igjen"}
    )

    text = response.content.decode()
    assert escape(str(services.ERROR_ALREADY_REPORTED)) in text and "Igjen" in text
    assert Report.objects.count() == 1


def test_pre_moderated_category_holds_a_trusted_members_topic(member, member_client):
    trust(member)
    make_category("stille", name="Stille", moderation=Category.Moderation.PRE)

    member_client.post("/forum/stille/new/", {"title": "Emne", "body": "Tekst."})

    assert Post.objects.get(author=member).status == Post.Status.HELD


def test_suspended_member_gets_no_new_topic_form_but_the_date(member, member_client, category):
    standing = services.standing_for(member)
    standing.suspended_until = timezone.now() + dt.timedelta(days=2)
    standing.save()

    text = member_client.get("/forum/proverommet/new/").content.decode()

    assert "you cannot write in it until" in text
    assert 'action="/forum/proverommet/new/"' not in text
