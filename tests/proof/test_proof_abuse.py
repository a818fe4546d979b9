"""Suite 7 of the proof issue: brute force and abuse. Each limit is met exactly (accepted)
and passed by one (refused with a clear message, what the person wrote kept in the form).

Where the limits are:
- key phrases (a visitor's letter account: pseudonym + key phrase, allauth's login):
  settings.ACCOUNT_RATE_LIMITS["login_failed"], 5 a minute per pseudonym and per address;
  logins 20 a minute per address; sign-ups ORDROM_SIGNUP_RATE_LIMIT, 5 a minute per address;
- staff TOTP codes: allauth MFA, the same "login_failed" limit keyed on the account;
- forum: forum.services.POSTS_PER_TEN_MINUTES and TOPICS_PER_HOUR (new members' held posts
  count too), one open report per member and post;
- friend service: friends.conf REQUESTS_PER_DAY (5 in a rolling day), MESSAGES_PER_HOUR
  (30, across conversations), REPORTS_PER_DAY (10) and one open report per member about
  another.
Chat sockets (30 messages a minute, 5 sockets a session) are covered in
tests/chat/test_chat_sockets.py and tests/chat_groups/test_groups_consumer.py.

The clock is frozen with time-machine (allauth's limits read time.time(), the apps
timezone.now()), so "a minute later" needs no waiting.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.services import generated_member_create
from accounts.views import ERROR_TOO_MANY_REQUESTS

T = timezone.make_aware(dt.datetime(2026, 11, 16, 12, 0))
MINUTE = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)


def _minute_limit(name: str) -> int:
    """The per-minute amount of an allauth rate limit ("5/m/ip,20/h/ip" -> 5)."""
    rates = settings.ACCOUNT_RATE_LIMITS[name].split(",")
    return min(int(rate.split("/")[0]) for rate in rates if rate.split("/")[1] == "m")


def _errors(response) -> list[str]:
    return [str(error) for error in response.context["form"].non_field_errors()]


def _nb(message) -> str:
    with translation.override("nb"):
        return str(message)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Key phrases: the visitor's letter account ---------------------------------------------------


def _try_key_phrase(pseudonym: str, phrase: str, n: int):
    client = Client(REMOTE_ADDR=f"198.51.100.{n % 250 + 1}")  # another address each time
    response = client.post("/accounts/login/", {"login": pseudonym, "password": phrase})
    return client, response


def _answer(response, pseudonym: str) -> tuple:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return response.status_code, tuple(_errors(response)), html.replace(escape(pseudonym), "P")


@pytest.fixture
def frozen_clock_cache(settings):
    """The local-memory cache, whose expiry follows the frozen clock. Redis expires a
    counter after a minute of real time, and 200 requests on a busy machine can take longer
    than the minute the clock stands still for."""
    from ordrom.environment import caches

    settings.CACHES = caches({})


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen_clock_cache")
def test_100_wrong_key_phrases_are_throttled_after_5_a_minute_like_an_unknown_pseudonym():
    writer, phrase = generated_member_create()
    limit = _minute_limit("login_failed")
    assert limit == 5
    mismatch = _nb(get_adapter().error_messages["username_password_mismatch"])
    too_many = _nb(get_adapter().error_messages["too_many_login_attempts"])

    with time_machine.travel(T, tick=False):
        known = [_try_key_phrase(writer.username, f"feil frase {n}", n)[1] for n in range(100)]
        unknown = [_try_key_phrase("Ukjent Ugle 77", f"feil frase {n}", n)[1] for n in range(100)]
        # Now even the right phrase is refused, with the same answer: the limit tells nothing.
        client, right_too_soon = _try_key_phrase(writer.username, phrase, 100)
        assert not _signed_in(client)

    answers = [_answer(r, writer.username) for r in known]
    assert answers == [_answer(r, "Ukjent Ugle 77") for r in unknown]
    assert [errors for _status, errors, _html in answers] == (
        [(mismatch,)] * limit + [(too_many,)] * (100 - limit)
    )
    assert {status for status, _errors, _html in answers} == {200}
    assert _answer(right_too_soon, writer.username) == answers[-1]
    assert f'value="{escape(writer.username)}"' in known[-1].content.decode()  # kept
    assert too_many.startswith("For mange")  # in bokmål, like the rest of the page

    # A minute later the owner gets in (sessions are read at the frozen time: they expire).
    with time_machine.travel(T + MINUTE + dt.timedelta(seconds=1), tick=False):
        client, response = _try_key_phrase(writer.username, phrase, 101)
        assert response.status_code == 302 and _signed_in(client)


@pytest.mark.django_db
def test_logins_from_one_address_are_limited_at_20_a_minute_keeping_the_pseudonym(member, password):
    limit = _minute_limit("login")
    with time_machine.travel(T, tick=False):
        for _ in range(limit):
            client = Client(REMOTE_ADDR="203.0.113.9")
            response = client.post(
                "/accounts/login/", {"login": member.username, "password": password}
            )
            assert response.status_code == 302 and _signed_in(client)
        client = Client(REMOTE_ADDR="203.0.113.9")
        refused = client.post("/accounts/login/", {"login": member.username, "password": password})

    assert refused.status_code == 429 and not _signed_in(client)
    text = refused.content.decode()
    assert escape(_nb(ERROR_TOO_MANY_REQUESTS)) in text
    assert f'value="{escape(member.username)}"' in text
    assert password not in text


@pytest.mark.django_db
def test_sign_ups_from_one_address_are_limited_keeping_the_pseudonym():
    limit = _minute_limit("signup")
    users = get_user_model().objects

    def sign_up(name: str):
        client = Client(REMOTE_ADDR="203.0.113.10")
        password = "en-lang-og-trygg-frase-91"
        data = {"username": name, "password1": password, "password2": password}
        return client, client.post("/accounts/signup/", data)

    with time_machine.travel(T, tick=False):
        for n in range(limit):
            client, response = sign_up(f"Ny Skriver {n}")
            assert response.status_code == 302 and _signed_in(client), n
        client, refused = sign_up("Én For Mange")

    assert users.filter(username__startswith="Ny Skriver").count() == limit
    assert refused.status_code == 429 and not _signed_in(client)
    assert not users.filter(username="Én For Mange").exists()
    text = refused.content.decode()
    assert escape(_nb(ERROR_TOO_MANY_REQUESTS)) in text
    assert 'value="Én For Mange"' in text


# --- Staff: TOTP codes ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_totp_codes_are_throttled_after_5_wrong_ones(supervisor, password, totp_code):
    limit = _minute_limit("login_failed")
    incorrect = _nb(get_adapter().error_messages.get("incorrect_code", "Feil kode."))
    too_many = _nb(get_adapter().error_messages["too_many_login_attempts"])
    client = Client(REMOTE_ADDR="203.0.113.11")

    with time_machine.travel(T, tick=False):
        signed = client.post(
            "/accounts/login/", {"login": supervisor.username, "password": password}
        )
        assert signed.headers["Location"].startswith("/accounts/2fa/authenticate/")
        right = totp_code(supervisor.totp_secret)
        wrong = f"{(int(right) + 1) % 10**6:06d}"
        answers = []
        for _ in range(limit + 1):
            response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
            answers.append((response.status_code, response.context["form"].errors.get("code")))
        right_too_soon = client.post("/accounts/2fa/authenticate/", {"code": right})
        assert right_too_soon.status_code == 200 and not _signed_in(client)

    assert all(status == 200 for status, _errors in answers)
    assert [errors for _status, errors in answers[:limit]] == [[incorrect]] * limit
    assert answers[limit][1] == [too_many]

    later = T + MINUTE + dt.timedelta(seconds=31)  # the next TOTP period: a code not yet used
    with time_machine.travel(later, tick=False):
        response = client.post(
            "/accounts/2fa/authenticate/", {"code": totp_code(supervisor.totp_secret)}
        )
        assert response.status_code == 302 and _signed_in(client)


# --- Forum ---------------------------------------------------------------------------------------


def _category():
    from forum.models import Category

    category, _created = Category.objects.get_or_create(
        slug="hverdagen",
        defaults={"name_nb": "Hverdagen", "moderation": Category.Moderation.POST},
    )
    return category


def _trusted(user):
    from forum.models import Standing

    get_user_model().objects.filter(pk=user.pk).update(date_joined=T - dt.timedelta(days=60))
    Standing.objects.update_or_create(member=user, defaults={"approved_posts": 3})
    user.refresh_from_db()
    return user


@pytest.fixture
def newcomer(user_factory):
    """A member who joined today: every post waits for a moderator, and counts all the same."""
    user = user_factory("Helt Ny Her")
    get_user_model().objects.filter(pk=user.pk).update(date_joined=T - dt.timedelta(hours=1))
    return user


@pytest.fixture
def open_topic(other_member):
    from forum import services

    post = services.topic_create(
        author=_trusted(other_member), category=_category(), title="Hverdag", body="Hei.", now=T
    )
    return post.topic


@pytest.mark.django_db
def test_a_new_members_replies_are_limited_at_10_in_ten_minutes(newcomer, open_topic, client):
    from forum import services
    from forum.models import Post

    limit = services.POSTS_PER_TEN_MINUTES
    for n in range(limit - 1):  # the first one almost ten minutes ago
        services.post_create(
            author=newcomer,
            topic=open_topic,
            body=f"Svar {n}",
            now=T - 9 * MINUTE + n * SECOND,
        )
    client.force_login(newcomer)
    url = f"/forum/t/{open_topic.pk}/reply/"

    with time_machine.travel(T, tick=False):
        at_limit = client.post(url, {"body": "Det tiende svaret."})
        past = client.post(url, {"body": "Det ellevte svaret, som jeg vil beholde."})
    with time_machine.travel(T + MINUTE + dt.timedelta(seconds=1), tick=False):
        later = client.post(url, {"body": "Det ellevte svaret, som jeg vil beholde."})

    assert at_limit.status_code == 302
    assert past.status_code == 200
    text = past.content.decode()
    assert escape(_nb(services.ERROR_TOO_FAST)) in text
    assert "Det ellevte svaret, som jeg vil beholde." in text
    assert later.status_code == 302  # the first of the ten is more than ten minutes old
    mine = Post.objects.filter(author=newcomer)
    assert mine.count() == limit + 1
    assert set(mine.values_list("status", flat=True)) == {Post.Status.HELD}


@pytest.mark.django_db
def test_a_new_members_topics_are_limited_at_3_an_hour(newcomer, client):
    from forum import services
    from forum.models import Topic

    limit = services.TOPICS_PER_HOUR
    category = _category()
    for n in range(limit - 1):
        services.topic_create(
            author=newcomer,
            category=category,
            title=f"Emne {n}",
            body="Tekst.",
            now=T - 59 * MINUTE,
        )
    client.force_login(newcomer)
    url = f"/forum/{category.slug}/new/"

    with time_machine.travel(T, tick=False):
        at_limit = client.post(url, {"title": "Det tredje", "body": "Tekst."})
        past = client.post(url, {"title": "Ett for mye", "body": "Dette vil jeg ikke miste."})
    with time_machine.travel(T + MINUTE + dt.timedelta(seconds=1), tick=False):
        later = client.post(url, {"title": "Ett for mye", "body": "Dette vil jeg ikke miste."})

    assert at_limit.status_code == 302
    assert past.status_code == 200
    text = past.content.decode()
    assert escape(_nb(services.ERROR_TOO_FAST)) in text
    assert 'value="Ett for mye"' in text and "Dette vil jeg ikke miste." in text
    assert later.status_code == 302
    assert Topic.objects.filter(author=newcomer).count() == limit + 1


@pytest.mark.django_db
def test_a_forum_post_is_reported_once_per_member_until_a_moderator_looked(
    member, open_topic, client
):
    from forum import services
    from forum.models import Report

    post = open_topic.posts.get()
    client.force_login(member)
    url = f"/forum/p/{post.pk}/report/"

    first = client.post(url, {"reason": "other", "text": "Dette er ikke greit."})
    again = client.post(url, {"reason": "other", "text": "Jeg melder det igjen."})

    assert first.status_code == 302
    assert again.status_code == 200
    assert escape(_nb(services.ERROR_ALREADY_REPORTED)) in again.content.decode()
    assert "Jeg melder det igjen." in again.content.decode()
    assert Report.objects.filter(post=post).count() == 1


# --- Friend service ------------------------------------------------------------------------------


def _approved_profile(user, band="26-35"):
    from friends import services

    moderator, _created = get_user_model().objects.get_or_create(username="Proof Moderator")
    profile = services.profile_create(
        member=user, age_band=band, region="oslo", about="Jeg liker turer.", interests=(), now=T
    )
    return services.profile_approve(profile=profile, by=moderator, now=T)


@pytest.fixture
def pen_pals(user_factory):
    """A sender with an approved profile and seven others, all adults."""
    users = [user_factory(f"Brevvenn {n}") for n in range(8)]
    for user in users:
        _approved_profile(user)
    return users


@pytest.mark.django_db
def test_contact_requests_are_limited_at_5_in_a_rolling_day(pen_pals, client):
    from friends import services
    from friends.conf import app_settings
    from friends.models import ContactRequest

    sender, *others = pen_pals
    limit = app_settings.REQUESTS_PER_DAY
    assert limit == 5
    # Four in the last day, the first 23 h 59 min ago.
    for n, other in enumerate(others[: limit - 1]):
        sent_at = T - dt.timedelta(hours=23, minutes=59) + n * MINUTE
        services.request_send(
            sender=sender, profile=other.friend_profile, message="Hei!", now=sent_at
        )
    client.force_login(sender)
    fifth, sixth = (f"/friends/p/{other.friend_profile.pk}/" for other in others[4:6])

    with time_machine.travel(T, tick=False):
        at_limit = client.post(fifth, {"message": "Hei, vil du skrive?"})
        past = client.post(sixth, {"message": "Hei! Dette skrev jeg med omhu."})
    with time_machine.travel(T + MINUTE + dt.timedelta(seconds=1), tick=False):
        later = client.post(sixth, {"message": "Hei! Dette skrev jeg med omhu."})

    assert at_limit.status_code == 302
    assert past.status_code == 200
    text = past.content.decode()
    assert escape(_nb(services.ERROR_REQUEST_LIMIT) % {"max": limit}) in text
    assert "Hei! Dette skrev jeg med omhu." in text
    assert later.status_code == 302  # the oldest is now more than a day old
    assert ContactRequest.objects.filter(sender=sender).count() == limit + 1


@pytest.mark.django_db
def test_friend_messages_are_limited_at_30_an_hour_across_conversations(pen_pals, client):
    from friends import services
    from friends.conf import app_settings
    from friends.models import Message

    writer, first_friend, second_friend = pen_pals[:3]
    limit = app_settings.MESSAGES_PER_HOUR
    conversations = []
    for friend in (first_friend, second_friend):
        request = services.request_send(
            sender=friend, profile=writer.friend_profile, message="Hei!", now=T - 2 * 60 * MINUTE
        )
        conversations.append(
            services.request_accept(request=request, by=writer, now=T - 2 * 60 * MINUTE)
        )
    for n in range(limit - 1):  # spread over both conversations, the first 59 minutes ago
        services.message_send(
            conversation=conversations[n % 2],
            author=writer,
            body=f"Brev {n}",
            now=T - 59 * MINUTE + n * SECOND,
        )
    client.force_login(writer)
    url = f"/friends/c/{conversations[0].pk}/"

    with time_machine.travel(T, tick=False):
        at_limit = client.post(url, {"body": "Det trettiende brevet."})
        past = client.post(url, {"body": "Et langt brev jeg ikke vil miste."})
    with time_machine.travel(T + MINUTE + dt.timedelta(seconds=1), tick=False):
        later = client.post(url, {"body": "Et langt brev jeg ikke vil miste."})

    assert at_limit.status_code == 302
    assert past.status_code == 200
    text = past.content.decode()
    assert escape(_nb(services.ERROR_MESSAGE_TOO_FAST)) in text
    assert "Et langt brev jeg ikke vil miste." in text
    assert later.status_code == 302
    assert Message.objects.filter(author=writer).count() == limit + 1


@pytest.mark.django_db
def test_a_member_is_reported_once_until_a_moderator_looked_unless_in_danger(pen_pals, client):
    from friends import services
    from friends.models import Report

    reporter, reported = pen_pals[:2]
    client.force_login(reporter)
    url = f"/friends/p/{reported.friend_profile.pk}/report/"

    first = client.post(url, {"reason": "harassment", "text": "Stygge meldinger."})
    again = client.post(url, {"reason": "spam", "text": "Og nå reklame også."})
    danger = client.post(url, {"reason": "danger", "text": "Skriver at hen vil skade seg."})
    danger_again = client.post(url, {"reason": "danger", "text": "Fortsatt redd for hen."})

    assert first.status_code == 302
    assert again.status_code == 200
    assert escape(_nb(services.ERROR_ALREADY_REPORTED)) in again.content.decode()
    assert "Og nå reklame også." in again.content.decode()
    assert danger.status_code == 302  # more urgent than the open one: it goes through
    assert danger_again.status_code == 200
    assert "Fortsatt redd for hen." in danger_again.content.decode()
    assert list(Report.objects.values_list("reason", "urgent")) == [
        ("danger", True),
        ("harassment", False),
    ]


@pytest.mark.django_db
def test_reports_are_limited_at_10_a_day(user_factory, client):
    from friends import services
    from friends.conf import app_settings
    from friends.models import Report

    limit = app_settings.REPORTS_PER_DAY
    reporter = user_factory("Melder Mye")
    _approved_profile(reporter)
    reported = [user_factory(f"Meldt {n}") for n in range(limit + 2)]
    for user in reported:
        _approved_profile(user)
    for user in reported[: limit - 1]:
        services.report_create(
            reporter=reporter,
            reported=user,
            reason="spam",
            now=T - dt.timedelta(hours=23, minutes=59),
        )
    client.force_login(reporter)
    last, one_more = (f"/friends/p/{user.friend_profile.pk}/report/" for user in reported[-2:])

    with time_machine.travel(T, tick=False):
        at_limit = client.post(last, {"reason": "spam", "text": "Reklame."})
        past = client.post(one_more, {"reason": "harassment", "text": "Dette skrev jeg nøye."})
    with time_machine.travel(T + MINUTE + dt.timedelta(seconds=1), tick=False):
        later = client.post(one_more, {"reason": "harassment", "text": "Dette skrev jeg nøye."})

    assert at_limit.status_code == 302
    assert past.status_code == 200
    text = past.content.decode()
    assert escape(_nb(services.ERROR_REPORT_LIMIT) % {"max": limit}) in text
    assert "Dette skrev jeg nøye." in text
    assert later.status_code == 302
    assert Report.objects.filter(reporter=reporter).count() == limit + 1


# --- At the limit, all at once (a script does not wait for one answer before the next) ----------


def _at_once(calls) -> list[str]:
    """Run the calls in threads released together; each gives "ok" or its refusal's code."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results: list[str] = []

    def run(call):
        try:
            barrier.wait()
            call()
            results.append("ok")
        except ValidationError as error:
            results.append(error.code)
        except Exception as error:  # shown in the assertion, not lost in the thread
            results.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


def _postgres() -> bool:
    """SQLite runs one writer at a time (IMMEDIATE transactions): races need PostgreSQL."""
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.postgres
@pytest.mark.skipif(not _postgres(), reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_contact_requests_sent_at_once_stop_at_the_limit(user_factory):
    from friends import services
    from friends.conf import app_settings
    from friends.models import ContactRequest

    users = [user_factory(f"Samtidig {n}") for n in range(app_settings.REQUESTS_PER_DAY + 4)]
    for user in users:
        _approved_profile(user)
    sender, *others = users
    for other in others[: app_settings.REQUESTS_PER_DAY - 1]:
        services.request_send(sender=sender, profile=other.friend_profile, message="Hei!", now=T)

    def send(other):
        return lambda: services.request_send(
            sender=sender, profile=other.friend_profile, message="Hei!", now=T
        )

    results = _at_once([send(other) for other in others[app_settings.REQUESTS_PER_DAY - 1 :]])

    assert results == ["limit"] * 3 + ["ok"]
    assert ContactRequest.objects.filter(sender=sender).count() == app_settings.REQUESTS_PER_DAY


@pytest.mark.postgres
@pytest.mark.skipif(not _postgres(), reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_friend_messages_sent_at_once_stop_at_the_limit(user_factory):
    from friends import services
    from friends.conf import app_settings
    from friends.models import Message

    limit = app_settings.MESSAGES_PER_HOUR
    writer, *friends = [user_factory(f"Brevskriver {n}") for n in range(5)]
    conversations = []
    for user in (writer, *friends):
        _approved_profile(user)
    for friend in friends:
        request = services.request_send(
            sender=friend, profile=writer.friend_profile, message="Hei!", now=T - 60 * MINUTE
        )
        conversations.append(
            services.request_accept(request=request, by=writer, now=T - 60 * MINUTE)
        )
    for n in range(limit - 1):
        services.message_send(
            conversation=conversations[0], author=writer, body=f"Brev {n}", now=T - MINUTE
        )

    def write(conversation):
        return lambda: services.message_send(
            conversation=conversation, author=writer, body="Samtidig brev", now=T
        )

    results = _at_once([write(conversation) for conversation in conversations])

    assert results == ["ok"] + ["rate"] * (len(conversations) - 1)
    assert Message.objects.filter(author=writer).count() == limit


@pytest.mark.postgres
@pytest.mark.skipif(not _postgres(), reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_forum_posts_sent_at_once_stop_at_the_limit(user_factory):
    from forum import services
    from forum.models import Post

    limit = services.POSTS_PER_TEN_MINUTES
    author, other = user_factory("Rask Skriver"), _trusted(user_factory("Annen Skriver"))
    topics = [
        services.topic_create(
            author=other,
            category=_category(),
            title=f"Emne {n}",
            body="Hei.",
            now=T - dt.timedelta(hours=2 * (4 - n)),  # within the topics-per-hour limit
        ).topic
        for n in range(4)
    ]
    for n in range(limit - 1):
        services.post_create(author=author, topic=topics[0], body=f"Svar {n}", now=T - MINUTE)

    def reply(topic):
        return lambda: services.post_create(author=author, topic=topic, body="Samtidig", now=T)

    results = _at_once([reply(topic) for topic in topics])

    assert results == ["ok"] + ["rate"] * (len(topics) - 1)
    assert Post.objects.filter(author=author).count() == limit
