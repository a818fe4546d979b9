"""/letters/new/: members and visitors write; visitors get a generated account shown once.

The guards against flooding the queue (honeypot, minimum time on the form, rate limit per
client, one-time submission token) refuse kindly and keep the text.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import zoneinfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from letters import services
from letters.forms import ERROR_NOT_SENT, ERROR_RATE_LIMITED
from letters.models import Letter, Thread, Topic

User = get_user_model()
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
NEW = "/letters/new/"
BODY = "Jeg har ikke snakket med noen på flere uker.\nDet er stille her."
ADDRESS = "198.51.100.23"


def _hidden(content: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', content)
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def _form_data(client, *, seconds_ago: int = 60, **fields) -> dict:
    """The form as a person sends it: shown *seconds_ago*, then filled in."""
    with time_machine.travel(timezone.now() - dt.timedelta(seconds=seconds_ago)):
        response = client.get(NEW)
    assert response.status_code == 200
    content = response.content.decode()
    data = {
        "subject": "",
        "body": BODY,
        "topic": "",
        "website": "",
        "token": _hidden(content, "token"),
        "started": _hidden(content, "started"),
    }
    data.update(fields)
    return data


def _key_phrase(response) -> tuple[str, str]:
    values = re.findall(r'class="key-phrase__value"[^>]*>([^<]+)<', response.content.decode())
    assert len(values) == 2, "the page shows the pseudonym and the key phrase"
    return html.unescape(values[0]), html.unescape(values[1])


def _textarea(response) -> str:
    match = re.search(r"<textarea[^>]*>(.*?)</textarea>", response.content.decode(), re.S)
    return html.unescape(match.group(1)).strip()


def _errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].non_field_errors()]


def _in_language(response, message) -> str:
    with translation.override(response.headers["Content-Language"]):
        return str(message)


# --- Visitors -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_visitor_gets_a_generated_account_with_a_seven_word_key_phrase_shown_once():
    client = Client(REMOTE_ADDR=ADDRESS)

    response = client.post(NEW, _form_data(client))

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "letters/key_phrase.html"
    pseudonym, phrase = _key_phrase(response)
    assert len(phrase.split()) == 7
    user = User.objects.get(username=pseudonym)
    assert user.check_password(phrase)
    assert user.groups.filter(name="member").exists()
    letter = Letter.objects.get(thread__writer=user)
    assert letter.body == BODY
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert "/accounts/password/change/" in content
    assert 'name="saved"' in content and "required" in content


@pytest.mark.django_db
def test_visitor_can_log_in_later_with_pseudonym_and_key_phrase_through_the_login_form():
    writer = Client(REMOTE_ADDR=ADDRESS)
    pseudonym, phrase = _key_phrase(writer.post(NEW, _form_data(writer)))

    later = Client()
    response = later.post("/accounts/login/", {"login": pseudonym, "password": phrase})

    assert response.status_code == 302
    user = User.objects.get(username=pseudonym)
    assert later.session["_auth_user_id"] == str(user.pk)
    assert later.get("/letters/").status_code == 200


@pytest.mark.django_db
def test_key_phrase_is_stored_nowhere_but_as_a_hash(caplog):
    caplog.set_level(logging.DEBUG)
    client = Client(REMOTE_ADDR=ADDRESS)
    response = client.post(NEW, _form_data(client, subject="Om kveldene"))
    pseudonym, phrase = _key_phrase(response)
    client.post(f"/letters/{Letter.objects.get().thread_id}/saved/", {"saved": "on"})

    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            names = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for name, value in zip(names, row, strict=True):
                    text = value.tobytes().decode() if isinstance(value, memoryview) else str(value)
                    if table == "django_session" and name == "session_data":
                        text = str(SessionStore().decode(text))
                    if phrase in text:
                        found.append(f"{table}.{name}")
    assert found == []
    assert apps.get_model("letters", "Letter").objects.filter(body__contains=phrase).count() == 0
    assert phrase not in caplog.text
    backend = cache._cache
    if isinstance(backend, dict):
        assert not [key for key, value in backend.items() if phrase in str(value)]


@pytest.mark.django_db
def test_i_have_saved_it_leads_to_the_letter_page():
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post(NEW, _form_data(client))
    thread = Thread.objects.get()

    response = client.post(f"/letters/{thread.pk}/saved/", {"saved": "on"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/letters/{thread.pk}/"
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.django_db
def test_filled_honeypot_is_refused_quietly_and_nothing_is_stored():
    client = Client(REMOTE_ADDR=ADDRESS)
    users_before = User.objects.count()

    response = client.post(NEW, _form_data(client, website="https://spam.example"))

    assert response.status_code == 200
    assert _errors(response) == [_in_language(response, ERROR_NOT_SENT)]
    assert User.objects.count() == users_before
    assert not Letter.objects.exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_honeypot_is_hidden_from_people_and_keyboards():
    content = Client().get(NEW).content.decode()

    wrapper = re.search(r'<div class="letters-hp" aria-hidden="true">(.*?)</div>', content, re.S)
    assert wrapper
    field = re.search(r"<input[^>]*name=\"website\"[^>]*>", wrapper.group(1)).group(0)
    assert 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field


@pytest.mark.django_db
def test_form_sent_too_fast_is_refused_kindly_keeping_the_text():
    client = Client(REMOTE_ADDR=ADDRESS)
    with time_machine.travel(timezone.now(), tick=False):
        data = _form_data(client, seconds_ago=0)
        response = client.post(NEW, data)

    assert _errors(response) == [_in_language(response, ERROR_NOT_SENT)]
    assert _textarea(response) == BODY
    assert not Letter.objects.exists()
    # A person who waits a moment and presses Send again gets through.
    assert _hidden(response.content.decode(), "started") != data["started"]


@pytest.mark.django_db
def test_tampered_timestamp_is_refused_keeping_the_text():
    client = Client(REMOTE_ADDR=ADDRESS)
    data = _form_data(client)
    data["started"] = data["started"][:-2] + ("aa" if not data["started"].endswith("aa") else "bb")

    response = client.post(NEW, data)

    assert _errors(response) == [_in_language(response, ERROR_NOT_SENT)]
    assert _textarea(response) == BODY
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_timestamp_of_another_form_is_refused():
    client = Client(REMOTE_ADDR=ADDRESS)
    data = _form_data(client)
    data["token"] = _form_data(client)["token"]

    response = client.post(NEW, data)

    assert _errors(response) == [_in_language(response, ERROR_NOT_SENT)]
    assert not Letter.objects.exists()


def _cache_keys() -> list[str]:
    backend = cache._cache
    if isinstance(backend, dict):
        return list(backend)
    return [key.decode() for key in backend.get_client(write=False).keys("*")]


@pytest.mark.django_db
def test_visitor_rate_limit_allows_the_limit_and_refuses_one_past_it_keeping_the_text(settings):
    settings.LETTERS_VISITOR_LETTERS_PER_HOUR = 3
    for _ in range(3):
        visitor = Client(REMOTE_ADDR=ADDRESS)
        assert visitor.post(NEW, _form_data(visitor)).status_code == 200
    users_before = User.objects.count()

    one_more = Client(REMOTE_ADDR=ADDRESS)
    response = one_more.post(NEW, _form_data(one_more, body="En gang til."))

    assert response.status_code == 200
    assert _errors(response) == [_in_language(response, ERROR_RATE_LIMITED)]
    assert _textarea(response) == "En gang til."
    assert Letter.objects.count() == 3
    assert User.objects.count() == users_before
    assert "_auth_user_id" not in one_more.session
    assert not [key for key in _cache_keys() if ADDRESS in key or "127.0.0.1" in key]
    # Another client is not affected.
    elsewhere = Client(REMOTE_ADDR="192.0.2.9")
    assert elsewhere.post(NEW, _form_data(elsewhere)).status_code == 200
    assert Letter.objects.count() == 4


@pytest.mark.django_db
def test_visitor_double_submit_creates_one_letter_and_one_account():
    client = Client(REMOTE_ADDR=ADDRESS)
    data = _form_data(client)
    users_before = User.objects.count()

    first = client.post(NEW, data)
    second = client.post(NEW, data)

    assert first.status_code == 200
    assert second.status_code == 302
    assert second.headers["Location"] == "/letters/"
    assert Letter.objects.count() == 1
    assert User.objects.count() == users_before + 1
    assert client.get("/letters/").status_code == 200


@pytest.mark.django_db
def test_csrf_token_is_required_to_send_a_letter():
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ADDRESS)

    response = client.post(NEW, _form_data(client))

    assert response.status_code == 403
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_too_long_letter_is_refused_with_the_text_kept():
    client = Client(REMOTE_ADDR=ADDRESS)
    body = "ord " * 2600

    response = client.post(NEW, _form_data(client, body=body))

    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert _textarea(response) == body.strip()
    assert 'aria-describedby="id_body_helptext id_body_error"' in response.content.decode()
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_new_letter_form_offers_the_active_topics_only():
    Topic.objects.filter(slug="rus").update(is_active=False)

    response = Client().get(NEW)

    names = [str(topic) for topic in response.context["form"].fields["topic"].queryset]
    assert "Ensomhet" in names
    assert "Rus" not in names


# --- Members ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_member_letter_is_saved_and_the_thread_page_says_when_the_answer_comes(member_client):
    # Monday 23 November 2026, 14:30 in Oslo: the answer is due Wednesday at 14:30.
    with time_machine.travel(dt.datetime(2026, 11, 23, 14, 30, tzinfo=OSLO), tick=False):
        response = member_client.post(
            NEW,
            {"subject": "Alene", "body": BODY, "topic": Topic.objects.get(slug="ensomhet").pk},
        )
        thread = Thread.objects.get()
        assert response.status_code == 302
        assert response.headers["Location"] == f"/letters/{thread.pk}/"
        page = member_client.get(response.headers["Location"]).content.decode()

    assert "Du får svar innen onsdag 25. november kl. 14.30" in page
    letter = thread.letters.get()
    assert letter.due_at == dt.datetime(2026, 11, 25, 13, 30, tzinfo=dt.UTC)
    assert thread.topic.slug == "ensomhet"
    assert thread.subject == "Alene"


@pytest.mark.django_db
def test_deadline_across_the_change_to_winter_time_is_in_oslo_time(member_client):
    # Friday 23 October 2026, 10:00 summer time; the clocks go back on Sunday the 25th, so
    # 48 hours later it is 09:00 winter time.
    with time_machine.travel(dt.datetime(2026, 10, 23, 10, 0, tzinfo=OSLO), tick=False):
        response = member_client.post(NEW, {"body": BODY}, follow=True)

    assert "Du får svar innen søndag 25. oktober kl. 09.00" in response.content.decode()


@pytest.mark.django_db
def test_deadline_is_written_in_english_for_english_readers(member_client):
    member_client.cookies["django_language"] = "en"
    with time_machine.travel(dt.datetime(2026, 11, 23, 14, 30, tzinfo=OSLO), tick=False):
        response = member_client.post(NEW, {"body": BODY}, follow=True)

    assert "You will get an answer by Wednesday 25 November at 14:30" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_member_at_the_waiting_limit_is_told_kindly_and_keeps_the_text(
    member, member_client, write_letter
):
    for _ in range(3):
        write_letter(member)

    assert "3" in member_client.get(NEW).content.decode()  # told before writing
    response = member_client.post(NEW, {"body": "Og en ting til."})

    assert response.status_code == 200
    with translation.override(response.headers["Content-Language"]):
        expected = str(services.ERROR_TOO_MANY_WAITING % {"max": 3})
    assert _errors(response) == [expected]
    assert _textarea(response) == "Og en ting til."
    assert Letter.objects.filter(thread__writer=member).count() == 3


@pytest.mark.django_db
def test_member_double_submit_creates_one_letter(member_client):
    data = _form_data(member_client)

    first = member_client.post(NEW, data)
    second = member_client.post(NEW, data)

    assert first.status_code == 302 and first.headers["Location"].startswith("/letters/")
    assert second.headers["Location"] == "/letters/"
    assert Letter.objects.count() == 1


@pytest.mark.django_db
def test_member_needs_no_honeypot_or_timer(member_client):
    response = member_client.post(NEW, {"body": BODY})

    assert response.status_code == 302
    assert Letter.objects.count() == 1


@pytest.mark.django_db
def test_empty_letter_is_refused(member_client):
    response = member_client.post(NEW, {"subject": "Bare emne", "body": "   "})

    assert response.status_code == 200
    with translation.override(response.headers["Content-Language"]):
        assert response.context["form"].errors["body"] == [str(services.ERROR_EMPTY)]
    assert 'value="Bare emne"' in response.content.decode()
    assert not Letter.objects.exists()


# --- Crisis words -------------------------------------------------------------------------------


def _crisis_section(content: str) -> str:
    match = re.search(r'<section class="callout[^"]*letters-crisis".*?</section>', content, re.S)
    return match.group(0) if match else ""


@pytest.mark.django_db
def test_member_letter_with_crisis_words_is_urgent_and_shows_the_crisis_numbers(member_client):
    response = member_client.post(
        NEW, {"body": "Jeg vil ikke leve lenger. Alt er mørkt."}, follow=True
    )

    assert Letter.objects.get().urgent
    section = _crisis_section(response.content.decode())
    assert 'href="tel:113"' in section
    assert 'href="tel:116123"' in section and "116 123" in section


@pytest.mark.django_db
def test_visitor_letter_with_crisis_words_shows_the_crisis_numbers_with_the_key_phrase():
    client = Client(REMOTE_ADDR=ADDRESS)

    response = client.post(NEW, _form_data(client, body="I want to die, nothing helps."))

    assert Letter.objects.get().urgent
    section = _crisis_section(response.content.decode())
    assert 'href="tel:113"' in section and 'href="tel:116123"' in section


@pytest.mark.django_db
def test_letter_without_crisis_words_shows_no_crisis_box(member_client):
    response = member_client.post(NEW, {"body": BODY}, follow=True)

    assert not Letter.objects.get().urgent
    assert _crisis_section(response.content.decode()) == ""
