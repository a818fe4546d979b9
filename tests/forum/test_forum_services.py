"""The forum services: hold rules, publishing bookkeeping, trust, reports, moderator actions,
limits and the forum's part of a member's export and erasure."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.test import override_settings
from django.utils import formats, timezone, translation
from forum_services_support import NOW, joined, make_trusted

from forum import personal_data, services
from forum.models import (
    TITLE_REMOVED,
    Category,
    ModerationAction,
    Post,
    Reaction,
    Report,
    Standing,
    Topic,
    WatchedWord,
)
from ordrom import crisis, notifications
from ordrom import personal_data as registry
from ordrom.models import Notification

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
H = Post.HoldReason
S = Post.Status


def start(author, category, *, title="Lange kvelder", body="Kveldene er lange.", now=NOW):
    """A topic with its first post, moderated with the default crisis words as a view does."""
    return services.topic_create(
        author=author,
        category=category,
        title=title,
        body=body,
        now=now,
        crisis_words=crisis.DEFAULT_WORDS,
    )


def reply(author, topic, body="Jeg kjenner meg igjen.", *, now=NOW, **extra):
    return services.post_create(
        author=author, topic=topic, body=body, now=now, crisis_words=crisis.DEFAULT_WORDS, **extra
    )


def reload(obj):
    obj.refresh_from_db()
    return obj


def assert_counters_match_rows():
    """The kept counters equal what the rows say: published posts per topic, visible topics
    and their latest activity per category, reactions per post."""
    for topic in Topic.objects.annotate(n=Count("posts", filter=Q(posts__status=S.PUBLISHED))):
        assert topic.post_count == topic.n, f"post_count of {topic.title!r}"
    for category in Category.objects.annotate(n=Count("topics", filter=Q(topics__is_visible=True))):
        assert category.topic_count == category.n, f"topic_count of {category.slug}"
    for post in Post.objects.annotate(n=Count("reactions")):
        assert post.recognise_count == post.n, f"recognise_count of post {post.pk}"


def published_topic(author, category, **kwargs):
    post = start(author, category, **kwargs)
    assert post.status == S.PUBLISHED
    return reload(post.topic)


# --- Hold rules ---------------------------------------------------------------------------------


def test_new_members_first_post_is_held_in_a_post_moderated_category(newcomer, post_moderated):
    post = start(newcomer, post_moderated)

    assert post.status == S.HELD
    assert post.hold_reasons == [H.NEW_MEMBER]
    assert post.published_at is None
    assert not post.topic.is_visible


def test_new_members_post_is_held_in_a_pre_moderated_category(newcomer, pre_moderated):
    post = start(newcomer, pre_moderated)

    assert post.status == S.HELD
    assert set(post.hold_reasons) == {H.PRE_MODERATED, H.NEW_MEMBER}


def test_new_members_reply_is_held(newcomer, other_trusted, post_moderated):
    topic = published_topic(other_trusted, post_moderated)

    assert reply(newcomer, topic).status == S.HELD


def test_trusted_member_publishes_at_once_in_a_post_moderated_category(trusted, post_moderated):
    post = start(trusted, post_moderated)

    assert post.status == S.PUBLISHED
    assert post.hold_reasons == []
    assert post.published_at == NOW


def test_trusted_member_is_held_in_the_pre_moderated_category(trusted, pre_moderated):
    post = start(trusted, pre_moderated)

    assert post.status == S.HELD
    assert post.hold_reasons == [H.PRE_MODERATED]


def test_member_with_enough_approvals_but_too_new_is_held(member, post_moderated):
    joined(member, ago=DAY)
    Standing.objects.create(member=member, approved_posts=3)

    assert start(member, post_moderated).hold_reasons == [H.NEW_MEMBER]


def test_member_old_enough_but_with_too_few_approvals_is_held(member, post_moderated):
    joined(member, ago=30 * DAY)
    Standing.objects.create(member=member, approved_posts=2)

    assert start(member, post_moderated).hold_reasons == [H.NEW_MEMBER]


def test_member_is_trusted_exactly_two_days_after_signing_up(member, post_moderated):
    joined(member, ago=2 * DAY)
    Standing.objects.create(member=member, approved_posts=3)

    assert start(member, post_moderated).status == S.PUBLISHED


CONTACT_DETAILS = [
    "+47 912 34 567",
    "912 34 567",
    "91234567",
    "0047 91234567",
    "ola@example.no",
    "ola (at) example (dot) no",
    "snap: kari_99",
    "@kari_99",
    "www.example.com",
    "https://example.com/x",
]


@pytest.mark.parametrize("detail", CONTACT_DETAILS)
def test_contact_details_hold_a_trusted_members_post(trusted, post_moderated, detail):
    post = start(trusted, post_moderated, body=f"Ta kontakt om du vil prate: {detail} i kveld.")

    assert post.status == S.HELD
    assert post.hold_reasons == [H.CONTACT]
    assert not post.urgent


@pytest.mark.parametrize("detail", CONTACT_DETAILS)
def test_contact_details_hold_a_reply_too(trusted, other_trusted, post_moderated, detail):
    topic = published_topic(other_trusted, post_moderated)

    assert reply(trusted, topic, f"Skriv til meg: {detail}").hold_reasons == [H.CONTACT]


@pytest.mark.parametrize(
    "link",
    [
        "https://www.mentalhelse.no/fa-hjelp/hjelpetelefonen",
        "https://mentalhelse.no/",
        "www.mentalhelse.no",
        "ung.no",
        "https://www.ung.no/oss/psykisk",
    ],
)
def test_link_to_an_allowed_site_does_not_hold(trusted, post_moderated, link):
    post = start(trusted, post_moderated, body=f"Dette hjalp meg: {link} - les det gjerne.")

    assert post.status == S.PUBLISHED


def test_allowed_domain_inside_another_host_still_holds(trusted, post_moderated):
    post = start(trusted, post_moderated, body="Se https://mentalhelse.no.example.com/x")

    assert post.hold_reasons == [H.CONTACT]


def test_email_address_at_an_allowed_domain_still_holds(trusted, post_moderated):
    post = start(trusted, post_moderated, body="Skriv til kari@ung.no om du vil.")

    assert post.hold_reasons == [H.CONTACT]


def test_watched_word_holds_a_trusted_members_post(trusted, post_moderated):
    WatchedWord.objects.create(word="kokain")

    post = start(trusted, post_moderated, body="Noen tilbød meg Kokain på festen.")

    assert post.status == S.HELD
    assert post.hold_reasons == [H.WATCHED]
    assert not post.urgent


def test_text_without_watched_words_is_published(trusted, post_moderated):
    WatchedWord.objects.create(word="kokain")

    assert start(trusted, post_moderated, body="En rolig dag.").status == S.PUBLISHED


def test_crisis_words_hold_and_mark_the_post_urgent(trusted, post_moderated):
    post = start(trusted, post_moderated, body="Jeg tenker på selvmord hver kveld.")

    assert post.status == S.HELD
    assert post.hold_reasons == [H.CRISIS]
    assert post.urgent


def test_crisis_words_in_a_reply_mark_it_urgent(trusted, other_trusted, post_moderated):
    topic = published_topic(other_trusted, post_moderated)

    post = reply(trusted, topic, "Jeg vil ikke leve lenger.")

    assert post.urgent and H.CRISIS in post.hold_reasons


def test_crisis_words_mark_a_new_members_held_post_urgent(newcomer, post_moderated):
    post = start(newcomer, post_moderated, body="I want to die.")

    assert post.urgent
    assert set(post.hold_reasons) == {H.NEW_MEMBER, H.CRISIS}


def test_contact_details_in_the_title_hold_the_first_post(trusted, post_moderated):
    post = start(trusted, post_moderated, title="Ring meg på 912 34 567", body="Jeg er alene.")

    assert post.status == S.HELD
    assert post.hold_reasons == [H.CONTACT]
    assert not reload(post.topic).is_visible


def test_crisis_words_in_the_title_mark_the_first_post_urgent(trusted, post_moderated):
    post = start(trusted, post_moderated, title="Vil ikke leve lenger", body="Alt er tungt.")

    assert post.status == S.HELD
    assert post.urgent
    assert H.CRISIS in post.hold_reasons


def test_crisis_words_in_a_new_members_title_mark_the_post_urgent(newcomer, post_moderated):
    post = start(newcomer, post_moderated, title="Tanker om selvmord", body="Alt er tungt.")

    assert post.urgent
    assert set(post.hold_reasons) == {H.NEW_MEMBER, H.CRISIS}


def test_contact_details_in_a_new_members_title_are_a_reason_too(newcomer, post_moderated):
    post = start(newcomer, post_moderated, title="Snap: kari_99", body="Alt er tungt.")

    assert set(post.hold_reasons) == {H.NEW_MEMBER, H.CONTACT}


def test_empty_post_and_overlong_title_are_refused(trusted, post_moderated):
    with pytest.raises(ValidationError) as empty:
        start(trusted, post_moderated, body="  \n ")
    with pytest.raises(ValidationError) as title:
        start(trusted, post_moderated, title="x" * 121)

    assert empty.value.messages == [str(services.ERROR_EMPTY)]
    assert title.value.code == "title"
    assert not Topic.objects.exists()


@override_settings(FORUM_MAX_POST_LENGTH=20)
def test_overlong_post_is_refused_with_its_length(trusted, post_moderated):
    with pytest.raises(ValidationError) as error:
        start(trusted, post_moderated, body="a" * 21)

    assert error.value.messages == [str(services.ERROR_TOO_LONG % {"max": 20, "length": 21})]


# --- Publishing bookkeeping ---------------------------------------------------------------------


def test_topic_becomes_visible_and_counted_when_its_first_post_is_approved(
    newcomer, moderator, post_moderated
):
    post = start(newcomer, post_moderated)
    category = reload(post_moderated)
    assert (category.topic_count, category.last_activity_at) == (0, None)
    assert reload(post.topic).post_count == 0

    services.post_approve(post=post, by=moderator, now=NOW + HOUR)

    topic = reload(post.topic)
    assert topic.is_visible
    assert topic.post_count == 1
    assert topic.last_activity_at == NOW + HOUR
    category = reload(post_moderated)
    assert category.topic_count == 1
    assert category.last_activity_at == NOW + HOUR
    assert reload(post).published_at == NOW + HOUR
    assert_counters_match_rows()


def test_published_first_post_counts_topic_and_category_at_once(trusted, post_moderated):
    topic = published_topic(trusted, post_moderated)

    assert topic.is_visible and topic.post_count == 1
    category = reload(post_moderated)
    assert (category.topic_count, category.last_activity_at) == (1, NOW)


def test_published_reply_moves_topic_and_category_activity(trusted, other_trusted, post_moderated):
    topic = published_topic(trusted, post_moderated)

    reply(other_trusted, topic, now=NOW + HOUR)

    topic = reload(topic)
    assert topic.post_count == 2 and topic.last_activity_at == NOW + HOUR
    category = reload(post_moderated)
    assert category.topic_count == 1 and category.last_activity_at == NOW + HOUR


def test_held_reply_changes_no_counter(trusted, newcomer, post_moderated):
    topic = published_topic(trusted, post_moderated)

    reply(newcomer, topic, now=NOW + HOUR)

    topic = reload(topic)
    assert topic.post_count == 1 and topic.last_activity_at == NOW
    assert reload(post_moderated).last_activity_at == NOW


def test_counters_follow_every_moderator_action(
    trusted, other_trusted, third_member, moderator, post_moderated
):
    topic = published_topic(trusted, post_moderated)
    posts = [reply(author, topic) for author in (other_trusted, third_member, other_trusted)]
    assert reload(topic).post_count == 4

    services.post_hide(post=posts[0], by=moderator, reason="Sårende", now=NOW + MINUTE)
    assert reload(topic).post_count == 3
    services.post_return(post=posts[1], by=moderator, reason="Fjern navnet", now=NOW + MINUTE)
    assert reload(topic).post_count == 2
    services.post_moderator_delete(post=posts[2], by=moderator, reason="Spam", now=NOW + MINUTE)
    assert reload(topic).post_count == 1
    assert_counters_match_rows()

    services.post_approve(post=posts[0], by=moderator, now=NOW + HOUR)
    assert reload(topic).post_count == 2
    assert_counters_match_rows()


def test_actions_on_a_held_post_change_no_counter(trusted, newcomer, moderator, post_moderated):
    topic = published_topic(trusted, post_moderated)
    held = [reply(newcomer, topic, f"Svar {n}") for n in range(3)]

    services.post_hide(post=held[0], by=moderator, reason="", now=NOW)
    services.post_return(post=held[1], by=moderator, reason="Uten navn, takk", now=NOW)
    services.post_moderator_delete(post=held[2], by=moderator, reason="", now=NOW)

    assert reload(topic).post_count == 1
    assert_counters_match_rows()


def test_own_delete_of_a_published_post_lowers_the_count(trusted, other_trusted, post_moderated):
    topic = published_topic(trusted, post_moderated)
    post = reply(other_trusted, topic)

    services.post_delete_own(post=post, by=other_trusted, now=NOW + MINUTE)

    assert reload(topic).post_count == 1
    assert_counters_match_rows()


def test_edit_that_gets_held_lowers_the_count_and_approval_restores_it(
    trusted, moderator, post_moderated
):
    post = start(trusted, post_moderated)

    services.post_edit(post=post, by=trusted, body="Ring 912 34 567", now=NOW + MINUTE)
    assert reload(post).status == S.HELD
    assert reload(post.topic).post_count == 0
    assert_counters_match_rows()

    services.post_approve(post=post, by=moderator, now=NOW + HOUR)
    assert reload(post.topic).post_count == 1
    assert_counters_match_rows()


def test_edit_that_stays_published_changes_no_counter(trusted, post_moderated):
    post = start(trusted, post_moderated)

    services.post_edit(post=post, by=trusted, body="Kveldene er kortere nå.", now=NOW + MINUTE)

    post = reload(post)
    assert post.status == S.PUBLISHED
    assert post.body == "Kveldene er kortere nå."
    assert "Kveldene er kortere nå." in post.body_html
    assert reload(post.topic).post_count == 1


def test_returned_post_resubmitted_by_a_trusted_member_is_published(
    trusted, other_trusted, moderator, post_moderated
):
    topic = published_topic(other_trusted, post_moderated)
    post = reply(trusted, topic)
    services.post_return(post=post, by=moderator, reason="Fjern navnet", now=NOW)

    post = services.post_edit(post=post, by=trusted, body="Uten navn nå.", now=NOW + HOUR)

    assert post.status == S.PUBLISHED
    assert post.moderator_reason == ""
    assert reload(topic).post_count == 2
    assert_counters_match_rows()


def test_moving_a_visible_topic_moves_its_count(trusted, moderator, post_moderated):
    other = Category.objects.get(slug="angst")
    topic = published_topic(trusted, post_moderated)

    services.topic_move(topic=topic, by=moderator, category=other, now=NOW)

    assert reload(topic).category == other
    assert (reload(post_moderated).topic_count, reload(other).topic_count) == (0, 1)
    action = ModerationAction.objects.get(action="move")
    assert action.topic == topic and action.moderator == moderator
    assert_counters_match_rows()


def test_moving_a_hidden_topic_changes_no_count(newcomer, moderator, post_moderated):
    other = Category.objects.get(slug="angst")
    topic = start(newcomer, post_moderated).topic

    services.topic_move(topic=topic, by=moderator, category=other, now=NOW)

    assert (reload(post_moderated).topic_count, reload(other).topic_count) == (0, 0)


def test_recount_repairs_drifted_counters(trusted, other_trusted, post_moderated):
    topic = published_topic(trusted, post_moderated)
    reply(other_trusted, topic, now=NOW + HOUR)
    Topic.objects.update(post_count=9)
    Category.objects.update(topic_count=7, last_activity_at=None)

    services.recount(topic_ids=[topic.pk], category_ids=Category.objects.values("pk"))

    assert reload(topic).post_count == 2
    category = reload(post_moderated)
    assert (category.topic_count, category.last_activity_at) == (1, NOW + HOUR)
    assert_counters_match_rows()


# --- Trust --------------------------------------------------------------------------------------


def test_member_reaches_trust_level_1_after_three_approvals_and_two_days(
    member, other_trusted, moderator, post_moderated
):
    joined(member, ago=3 * DAY)
    topic = published_topic(other_trusted, post_moderated)
    held = [reply(member, topic, f"Svar {n}") for n in range(3)]

    for post in held[:2]:
        services.post_approve(post=post, by=moderator, now=NOW + HOUR)
    assert services.standing_for(member).trust_level == 0
    services.post_approve(post=held[2], by=moderator, now=NOW + HOUR)

    standing = services.standing_for(member)
    assert (standing.approved_posts, standing.trust_level) == (3, 1)
    assert reply(member, topic, "Nå går det rett ut.", now=NOW + 2 * HOUR).status == S.PUBLISHED


def test_approvals_before_two_days_count_and_trust_follows_when_the_days_pass(
    member, other_trusted, moderator, post_moderated
):
    joined(member, ago=HOUR)
    topic = published_topic(other_trusted, post_moderated)
    for n in range(3):
        services.post_approve(post=reply(member, topic, f"Svar {n}"), by=moderator, now=NOW)

    standing = services.standing_for(member)
    assert (standing.approved_posts, standing.trust_level) == (3, 0)
    assert reply(member, topic, "Fortsatt ny.", now=NOW + DAY).status == S.HELD
    assert reply(member, topic, "To dager nå.", now=NOW + 2 * DAY).status == S.PUBLISHED


@override_settings(FORUM_TRUST_APPROVED_POSTS=1, FORUM_TRUST_DAYS=0)
def test_trust_rule_follows_the_settings(newcomer, moderator, post_moderated):
    services.post_approve(post=start(newcomer, post_moderated), by=moderator, now=NOW)

    assert services.standing_for(newcomer).trust_level == 1
    assert start(newcomer, post_moderated, title="Igjen").status == S.PUBLISHED


def test_edit_of_an_approved_post_by_an_untrusted_member_is_held_again(
    newcomer, moderator, post_moderated
):
    post = start(newcomer, post_moderated)
    services.post_approve(post=post, by=moderator, now=NOW)

    post = services.post_edit(post=post, by=newcomer, body="En ny tekst.", now=NOW + MINUTE)

    assert post.status == S.HELD
    assert post.hold_reasons == [H.NEW_MEMBER]
    assert reload(post.topic).post_count == 0
    assert_counters_match_rows()


def test_edit_of_a_held_post_stays_held_with_new_text(newcomer, post_moderated):
    post = start(newcomer, post_moderated)

    post = services.post_edit(post=post, by=newcomer, body="Bedre sagt.", now=NOW + MINUTE)

    assert reload(post).status == S.HELD
    assert reload(post).body == "Bedre sagt."


# --- Reports ------------------------------------------------------------------------------------


def report(post, by, reason=Report.Reason.HARASSMENT, now=NOW, **extra):
    return services.post_report(post=post, reporter=by, reason=reason, now=now, **extra)


def test_three_reports_by_different_members_hide_a_published_post(
    trusted, member_factory_three, post_moderated
):
    post = start(trusted, post_moderated)
    first, second, third = member_factory_three

    report(post, first)
    report(post, second)
    assert reload(post).status == S.PUBLISHED
    assert reload(post).report_count == 2
    report(post, third, text="Hun skriver navnet til en venn")

    post = reload(post)
    assert post.status == S.HELD
    assert H.REPORTED in post.hold_reasons
    assert post.report_count == 3
    assert reload(post.topic).post_count == 0
    assert_counters_match_rows()


def test_fourth_report_on_a_hidden_post_changes_no_counter(
    trusted, member_factory_three, user_factory, post_moderated
):
    post = start(trusted, post_moderated)
    for reporter in member_factory_three:
        report(post, reporter)

    report(post, user_factory())

    assert reload(post).report_count == 4
    assert reload(post.topic).post_count == 0
    assert_counters_match_rows()


def test_the_same_member_cannot_report_a_post_twice(trusted, other_member, post_moderated):
    post = start(trusted, post_moderated)
    report(post, other_member)

    with pytest.raises(ValidationError) as error:
        report(post, other_member, reason=Report.Reason.SPAM)

    assert error.value.messages == [str(services.ERROR_ALREADY_REPORTED)]
    assert reload(post).report_count == 1
    assert Report.objects.count() == 1


def test_report_with_an_unknown_reason_is_refused(trusted, other_member, post_moderated):
    post = start(trusted, post_moderated)

    with pytest.raises(ValidationError):
        report(post, other_member, reason="boring")

    assert not Report.objects.exists()


def test_danger_report_marks_the_post_urgent(trusted, other_member, post_moderated):
    post = start(trusted, post_moderated)

    report(post, other_member, reason=Report.Reason.DANGER, text="Hun virker redd")

    post = reload(post)
    assert post.urgent
    assert post.status == S.PUBLISHED


@override_settings(FORUM_REPORTS_TO_HIDE=1)
def test_report_threshold_follows_the_settings(trusted, other_member, post_moderated):
    post = start(trusted, post_moderated)

    report(post, other_member)

    assert reload(post).status == S.HELD


def test_approval_resolves_the_reports_and_lets_members_report_again(
    trusted, member_factory_three, moderator, post_moderated
):
    post = start(trusted, post_moderated)
    for reporter in member_factory_three:
        report(post, reporter)

    services.post_approve(post=post, by=moderator, now=NOW + HOUR)

    post = reload(post)
    assert post.status == S.PUBLISHED and post.report_count == 0
    assert not Report.objects.filter(resolved_at__isnull=True).exists()
    assert Report.objects.filter(resolved_at=NOW + HOUR).count() == 3
    assert reload(post.topic).post_count == 1
    report(post, member_factory_three[0], now=NOW + 2 * HOUR)
    assert reload(post).report_count == 1


def test_author_edit_does_not_release_a_post_hidden_by_reports(
    trusted, member_factory_three, post_moderated
):
    post = start(trusted, post_moderated)
    for reporter in member_factory_three:
        report(post, reporter)

    services.post_edit(post=post, by=trusted, body="Nå er det greit.", now=NOW + MINUTE)

    post = reload(post)
    assert post.status == S.HELD
    assert H.REPORTED in post.hold_reasons
    assert_counters_match_rows()


@pytest.fixture
def member_factory_three(user_factory):
    return [user_factory(f"Melder {n}") for n in range(3)]


# --- Moderator actions --------------------------------------------------------------------------


def test_approve_is_logged_and_notifies_the_author(newcomer, moderator, post_moderated):
    post = start(newcomer, post_moderated)

    services.post_approve(post=post, by=moderator, now=NOW + HOUR)

    action = ModerationAction.objects.get()
    assert (action.moderator, action.moderator_name, action.action) == (
        moderator,
        moderator.username,
        "approve",
    )
    assert (action.post, action.topic, action.at) == (post, post.topic, NOW + HOUR)
    note = Notification.objects.get(recipient=newcomer)
    assert note.kind == services.NOTIFY_APPROVED == "forum.approved"
    assert note.subject == "Lange kvelder"
    assert note.url == f"/forum/t/{post.topic_id}/"
    post = reload(post)
    assert post.status == S.PUBLISHED and post.hold_reasons == [] and not post.urgent


def test_approving_an_urgent_post_clears_the_urgent_mark(trusted, moderator, post_moderated):
    post = start(trusted, post_moderated, body="Jeg vil dø.")

    services.post_approve(post=post, by=moderator, now=NOW)

    assert not reload(post).urgent


def test_return_needs_a_reason(newcomer, moderator, post_moderated):
    post = start(newcomer, post_moderated)

    with pytest.raises(ValidationError) as error:
        services.post_return(post=post, by=moderator, reason="  ", now=NOW)

    assert error.value.messages == [str(services.ERROR_NO_REASON)]
    assert reload(post).status == S.HELD
    assert not ModerationAction.objects.exists()
    assert not Notification.objects.exists()


def test_return_tells_the_author_the_reason_and_is_logged(newcomer, moderator, post_moderated):
    post = start(newcomer, post_moderated)

    services.post_return(post=post, by=moderator, reason=" Fjern skolens navn. ", now=NOW)

    post = reload(post)
    assert post.status == S.RETURNED
    assert post.moderator_reason == "Fjern skolens navn."
    note = Notification.objects.get(recipient=newcomer)
    assert note.kind == services.NOTIFY_RETURNED == "forum.returned"
    assert note.reason == "Fjern skolens navn."
    action = ModerationAction.objects.get()
    assert (action.moderator, action.action, action.post) == (moderator, "return", post)
    assert action.reason.strip() == "Fjern skolens navn."


def test_hide_is_logged_with_the_reason(trusted, moderator, post_moderated):
    post = start(trusted, post_moderated)

    services.post_hide(post=post, by=moderator, reason="Hetsende", now=NOW)

    assert reload(post).status == S.HIDDEN
    action = ModerationAction.objects.get()
    assert (action.moderator, action.action, action.reason, action.post) == (
        moderator,
        "hide",
        "Hetsende",
        post,
    )


def test_hidden_post_cannot_be_edited_by_its_author(trusted, moderator, post_moderated):
    post = start(trusted, post_moderated)
    services.post_hide(post=post, by=moderator, reason="Hetsende", now=NOW)

    with pytest.raises(PermissionDenied):
        services.post_edit(post=post, by=trusted, body="Unnskyld", now=NOW + MINUTE)


def test_moderator_delete_removes_the_text_and_is_logged(trusted, moderator, post_moderated):
    post = start(trusted, post_moderated)

    services.post_moderator_delete(post=post, by=moderator, reason="Personopplysninger", now=NOW)

    post = reload(post)
    assert (post.status, post.body, post.body_html) == (S.DELETED, "", "")
    action = ModerationAction.objects.get()
    assert (action.moderator, action.action, action.reason) == (
        moderator,
        "delete",
        "Personopplysninger",
    )


def test_moderator_edit_needs_a_note(trusted, moderator, post_moderated):
    post = start(trusted, post_moderated)

    with pytest.raises(ValidationError) as error:
        services.post_moderator_edit(post=post, by=moderator, body="Ny", note=" ", now=NOW)

    assert error.value.messages == [str(services.ERROR_NO_REASON)]
    assert reload(post).body == "Kveldene er lange."


def test_moderator_edit_rerenders_the_text_with_a_note_and_is_logged(
    trusted, moderator, post_moderated
):
    post = start(trusted, post_moderated, body="Ring meg på 912 34 567, da.")

    services.post_moderator_edit(
        post=post,
        by=moderator,
        body="Ring meg på [fjernet], da.",
        note="Telefonnummer fjernet av en moderator",
        now=NOW + HOUR,
    )

    post = reload(post)
    assert post.body == "Ring meg på [fjernet], da."
    assert "912" not in post.body_html and "[fjernet]" in post.body_html
    assert post.edit_note == "Telefonnummer fjernet av en moderator"
    assert post.updated_at == NOW + HOUR
    action = ModerationAction.objects.get()
    assert (action.action, action.reason, action.moderator) == (
        "edit",
        "Telefonnummer fjernet av en moderator",
        moderator,
    )


def test_lock_and_pin_are_logged(trusted, moderator, post_moderated):
    topic = published_topic(trusted, post_moderated)

    services.topic_set_flags(topic=topic, by=moderator, locked=True, pinned=True, now=NOW)

    topic = reload(topic)
    assert topic.is_locked and topic.is_pinned
    assert set(ModerationAction.objects.values_list("action", "topic", "moderator")) == {
        ("lock", topic.pk, moderator.pk),
        ("pin", topic.pk, moderator.pk),
    }


def test_locked_topic_refuses_replies(trusted, other_trusted, moderator, post_moderated):
    topic = published_topic(trusted, post_moderated)
    services.topic_set_flags(topic=topic, by=moderator, locked=True, now=NOW)

    with pytest.raises(PermissionDenied) as error:
        reply(other_trusted, topic)

    assert str(error.value) == str(services.ERROR_LOCKED)
    assert reload(topic).post_count == 1
    services.topic_set_flags(topic=topic, by=moderator, locked=False, now=NOW)
    assert reply(other_trusted, topic).status == S.PUBLISHED


# --- Suspension ---------------------------------------------------------------------------------


def test_suspension_needs_a_reason(member, moderator):
    with pytest.raises(ValidationError):
        services.member_suspend(member=member, by=moderator, until=NOW + DAY, reason="", now=NOW)


def test_suspended_member_cannot_write_and_is_told_until_when(
    trusted, other_trusted, moderator, post_moderated
):
    topic = published_topic(other_trusted, post_moderated)
    until = NOW + 7 * DAY
    services.member_suspend(member=trusted, by=moderator, until=until, reason="Hets", now=NOW)
    expected = formats.date_format(timezone.localtime(until), "j. F Y H:i")

    with pytest.raises(PermissionDenied) as on_reply:
        reply(trusted, topic, now=NOW + DAY)
    with pytest.raises(PermissionDenied) as on_topic:
        start(trusted, post_moderated, title="Nytt", now=NOW + DAY)

    for error in (on_reply, on_topic):
        assert str(error.value) == str(services.ERROR_SUSPENDED % {"until": expected})
        assert expected in str(error.value)
    action = ModerationAction.objects.get(action="suspend")
    assert (action.moderator, action.member, action.reason) == (moderator, trusted, "Hets")
    standing = services.standing_for(trusted)
    assert (standing.suspended_until, standing.suspension_reason) == (until, "Hets")


def test_suspended_member_cannot_edit_their_posts(trusted, moderator, post_moderated):
    post = start(trusted, post_moderated)
    services.member_suspend(member=trusted, by=moderator, until=NOW + DAY, reason="Hets", now=NOW)

    with pytest.raises(PermissionDenied):
        services.post_edit(post=post, by=trusted, body="Enda verre", now=NOW + HOUR)

    assert reload(post).body == "Kveldene er lange."


def test_member_can_write_again_when_the_suspension_ends(trusted, moderator, post_moderated):
    until = NOW + DAY
    services.member_suspend(member=trusted, by=moderator, until=until, reason="Hets", now=NOW)

    assert start(trusted, post_moderated, now=until).status == S.PUBLISHED


# --- Rate limits --------------------------------------------------------------------------------


def test_eleventh_post_in_ten_minutes_is_refused_with_the_kind_message(
    trusted, other_trusted, post_moderated
):
    topic = published_topic(other_trusted, post_moderated)
    for n in range(10):
        reply(trusted, topic, f"Svar {n}", now=NOW + n * 30 * dt.timedelta(seconds=1))

    with pytest.raises(ValidationError) as error:
        reply(trusted, topic, "Ett til", now=NOW + 9 * MINUTE)

    assert error.value.code == "rate"
    assert error.value.messages == [str(services.ERROR_TOO_FAST)]
    assert Post.objects.filter(author=trusted).count() == 10
    assert reply(trusted, topic, "Ett til", now=NOW + 10 * MINUTE + MINUTE).pk


def test_fourth_topic_in_an_hour_is_refused(trusted, post_moderated):
    for n in range(3):
        start(trusted, post_moderated, title=f"Emne {n}", now=NOW + n * MINUTE)

    with pytest.raises(ValidationError) as error:
        start(trusted, post_moderated, title="Emne 4", now=NOW + 59 * MINUTE)

    assert error.value.messages == [str(services.ERROR_TOO_FAST)]
    assert Topic.objects.filter(author=trusted).count() == 3
    assert start(trusted, post_moderated, title="Emne 4", now=NOW + 2 * HOUR).pk


def test_rate_limit_is_per_member(trusted, other_trusted, post_moderated):
    for n in range(3):
        start(trusted, post_moderated, title=f"Emne {n}")

    assert start(other_trusted, post_moderated).pk


# --- Recognise, own delete, own edit ------------------------------------------------------------


def test_recognise_toggles_and_counts(trusted, other_member, third_member, post_moderated):
    post = start(trusted, post_moderated)

    assert services.post_recognise(post=post, member=other_member, now=NOW) is True
    assert services.post_recognise(post=post, member=third_member, now=NOW) is True
    assert reload(post).recognise_count == 2
    assert services.post_recognise(post=post, member=other_member, now=NOW) is False

    assert reload(post).recognise_count == 1
    assert list(Reaction.objects.values_list("member", flat=True)) == [third_member.pk]


def test_own_delete_keeps_the_row_without_text(trusted, other_trusted, post_moderated):
    topic = published_topic(trusted, post_moderated)
    post = reply(other_trusted, topic, "Noe jeg angrer på")
    later = reply(trusted, topic, "Et svar etterpå")

    services.post_delete_own(post=post, by=other_trusted, now=NOW + HOUR)

    post = reload(post)
    assert (post.status, post.body, post.body_html) == (S.DELETED, "", "")
    assert post.updated_at == NOW + HOUR
    assert post.author == other_trusted
    assert reload(later).status == S.PUBLISHED


def test_deleting_someone_elses_post_is_refused(trusted, other_member, post_moderated):
    post = start(trusted, post_moderated)

    with pytest.raises(PermissionDenied):
        services.post_delete_own(post=post, by=other_member, now=NOW)

    assert reload(post).status == S.PUBLISHED


def test_editing_someone_elses_post_is_refused(trusted, other_member, post_moderated):
    post = start(trusted, post_moderated)

    with pytest.raises(PermissionDenied) as error:
        services.post_edit(post=post, by=other_member, body="Overtatt", now=NOW)

    assert str(error.value) == str(services.ERROR_NOT_YOURS)
    assert reload(post).body == "Kveldene er lange."


def test_deleted_post_cannot_be_edited_back(trusted, post_moderated):
    post = start(trusted, post_moderated)
    services.post_delete_own(post=post, by=trusted, now=NOW)

    with pytest.raises(PermissionDenied):
        services.post_edit(post=post, by=trusted, body="Tilbake", now=NOW + MINUTE)


def test_edit_with_contact_details_is_held(trusted, post_moderated):
    post = start(trusted, post_moderated)

    post = services.post_edit(post=post, by=trusted, body="ola@example.no", now=NOW + MINUTE)

    assert post.status == S.HELD and post.hold_reasons == [H.CONTACT]


# --- Notifications ------------------------------------------------------------------------------


def test_reply_notifies_the_topic_author(trusted, other_trusted, post_moderated):
    topic = published_topic(trusted, post_moderated)

    reply(other_trusted, topic, now=NOW + HOUR)

    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.subject) == (trusted, "forum.reply", "Lange kvelder")
    assert note.url == f"/forum/t/{topic.pk}/"


def test_own_reply_does_not_notify(trusted, post_moderated):
    topic = published_topic(trusted, post_moderated)

    reply(trusted, topic, "Et tillegg fra meg selv.")

    assert not Notification.objects.exists()


def test_held_reply_notifies_the_topic_author_only_when_approved(
    trusted, newcomer, moderator, post_moderated
):
    topic = published_topic(trusted, post_moderated)
    post = reply(newcomer, topic)
    assert not Notification.objects.filter(recipient=trusted).exists()

    services.post_approve(post=post, by=moderator, now=NOW + HOUR)

    assert Notification.objects.get(recipient=trusted).kind == services.NOTIFY_REPLY
    assert Notification.objects.get(recipient=newcomer).kind == services.NOTIFY_APPROVED


def test_approving_a_first_post_sends_no_reply_notification(newcomer, moderator, post_moderated):
    services.post_approve(post=start(newcomer, post_moderated), by=moderator, now=NOW)

    assert list(Notification.objects.values_list("kind", flat=True)) == ["forum.approved"]


# --- Personal data ------------------------------------------------------------------------------


def test_export_lists_the_members_posts_and_topics(
    trusted, other_trusted, newcomer, post_moderated
):
    own = published_topic(trusted, post_moderated, title="Mitt emne", body="Første innlegg")
    theirs = published_topic(other_trusted, post_moderated, title="Ditt emne")
    reply(trusted, theirs, "Mitt svar", now=NOW + MINUTE)
    services.post_recognise(post=own.posts.get(), member=trusted, now=NOW)
    report(theirs.posts.first(), trusted, text="Står det et navn her?")

    data = registry.export_user(trusted)["forum"]

    assert data == personal_data.export_forum(trusted)
    assert [(p["topic"], p["text"], p["status"]) for p in data["posts"]] == [
        ("Mitt emne", "Første innlegg", "published"),
        ("Ditt emne", "Mitt svar", "published"),
    ]
    assert data["topics_started"] == ["Mitt emne"]
    assert data["recognised_posts"] == 1
    # What the member wrote in a report is theirs too.
    assert [(r["topic"], r["reason"], r["text"]) for r in data["reports_made"]] == [
        ("Ditt emne", "harassment", "Står det et navn her?")
    ]


def test_erase_removes_text_unlinks_author_and_keeps_others_replies(
    trusted, other_trusted, third_member, moderator, post_moderated, pre_moderated
):
    with_replies = published_topic(trusted, post_moderated, title="Med svar", body="Min tekst")
    others_reply = reply(other_trusted, with_replies, "Jeg er her.", now=NOW + MINUTE)
    alone = published_topic(trusted, post_moderated, title="Alene", now=NOW + 2 * MINUTE)
    held_alone = start(trusted, pre_moderated, title="Venter", now=NOW + 3 * MINUTE).topic
    theirs = published_topic(other_trusted, Category.objects.get(slug="angst"))
    my_reply = reply(trusted, theirs, "Mitt svar", now=NOW + 4 * MINUTE)
    services.post_recognise(post=others_reply, member=trusted, now=NOW)
    services.post_recognise(post=others_reply, member=third_member, now=NOW)
    report(theirs.posts.first(), trusted, text="Et navn")
    # What the other author was told about their reply names the topic by its title.
    told = notifications.notify(
        recipient=other_trusted,
        kind=services.NOTIFY_APPROVED,
        subject=with_replies.title,
        url=f"/forum/t/{with_replies.pk}/",
        now=NOW,
    )

    registry.erase_user(trusted)

    assert not Post.objects.filter(body__in=["Min tekst", "Mitt svar"]).exists()
    first = with_replies.posts.order_by("created_at").first()
    assert (first.author, first.status, first.body, first.body_html) == (None, S.DELETED, "", "")
    assert reload(with_replies).author is None
    # The title is the member's words too: it goes, the topic stays for the others' replies.
    assert (reload(with_replies).title, reload(with_replies).shown_title) == (
        "",
        str(TITLE_REMOVED),
    )
    assert reload(told).subject == ""
    with translation.override("en"):
        assert str(TITLE_REMOVED) in notifications.text_for(reload(told))
    assert reload(others_reply).body == "Jeg er her."
    assert reload(others_reply).status == S.PUBLISHED
    assert not Topic.objects.filter(pk__in=[alone.pk, held_alone.pk]).exists()
    my_reply = reload(my_reply)
    assert (my_reply.author, my_reply.body) == (None, "")
    assert reload(theirs).post_count == 1
    assert reload(with_replies).post_count == 1
    assert reload(post_moderated).topic_count == 1
    assert reload(others_reply).recognise_count == 1
    assert Report.objects.get().text == ""
    assert_counters_match_rows()


def test_erase_of_a_member_without_forum_content_changes_nothing(member, trusted_topic_by_other):
    personal_data.erase_forum(member)

    assert reload(trusted_topic_by_other).post_count == 1
    assert_counters_match_rows()


@pytest.fixture
def trusted_topic_by_other(other_trusted, post_moderated):
    return published_topic(other_trusted, post_moderated)


# --- Sanitising ---------------------------------------------------------------------------------


HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<a href="javascript:alert(1)">klikk</a>',
    "<svg><script>alert(1)</script></svg>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]


class _Tags(HTMLParser):
    """The elements and attributes a browser would build from the HTML (text stays text)."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_input_never_renders_a_script(trusted, post_moderated, payload):
    post = start(trusted, post_moderated, body=f"Hei {payload} på deg")

    parser = _Tags()
    parser.feed(reload(post).body_html)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "img", "svg", "iframe"), tag
        assert not [name for name in attrs if name.startswith("on")], attrs
        for name in ("href", "src"):
            assert not attrs.get(name, "").strip().lower().startswith("javascript:"), attrs
    assert "<script" not in post.body_html.lower()


def test_make_trusted_helper_is_trusted_by_the_default_rule(member, post_moderated):
    make_trusted(member)

    assert start(member, post_moderated).status == S.PUBLISHED
