"""The member's chat pages: status and hours, joining the queue (members and visitors),
turning text into a letter, ending, feedback, crisis contact, and who may see what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from chat_hours_support import chat_open_all_day
from django.urls import reverse
from django.utils import timezone

from chat import services
from chat.forms import ERROR_CLOSED, ERROR_RATE_LIMITED
from chat.models import ChatFeedback, Conversation
from pages.models import ChatHoursException

pytestmark = pytest.mark.django_db


def close_chat_today():
    settings = chat_open_all_day()
    today = timezone.localdate()
    for day in (today, today + dt.timedelta(days=1)):
        ChatHoursException.objects.create(settings=settings, date=day, closed=True)


def test_open_chat_page_shows_waiting_and_the_start_form(client, member):
    chat_open_all_day()
    services.conversation_enter_queue(member=member, now=timezone.now())
    response = client.get("/chat/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'action="/chat/start/"' in body
    assert "<noscript>" in body
    assert "116 123" in body


def test_closed_chat_offers_a_letter_and_the_numbers(client):
    close_chat_today()
    body = client.get("/chat/").content.decode()
    assert 'action="/chat/start/"' not in body
    assert 'action="/chat/letter/"' in body
    assert "116 123" in body and "113" in body


def test_member_joins_the_queue_once(member_client, member):
    chat_open_all_day()
    first = member_client.post("/chat/start/", {"first_line": "Hei"})
    conversation = Conversation.objects.get(member=member)
    assert first["Location"] == reverse("chat:conversation", args=[conversation.pk])
    member_client.post("/chat/start/", {"first_line": "Igjen"})
    assert Conversation.objects.filter(member=member).count() == 1
    assert member_client.get("/chat/")["Location"] == first["Location"]


def test_visitor_gets_an_account_and_key_phrase_and_a_place(client):
    chat_open_all_day()
    response = client.post("/chat/start/", {"first_line": "Jeg er ensom"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-key-phrase" in body
    conversation = Conversation.objects.get()
    assert conversation.first_line == "Jeg er ensom"
    page = client.get(reverse("chat:conversation", args=[conversation.pk]))
    assert page.status_code == 200


def test_visitor_accounts_share_the_letters_hourly_limit(client, settings):
    chat_open_all_day()
    settings.LETTERS_VISITOR_LETTERS_PER_HOUR = 2
    for _ in range(2):
        fresh = client.__class__()
        assert fresh.post("/chat/start/", {"first_line": "x"}).status_code == 200
    refused = client.__class__().post("/chat/start/", {"first_line": "behold meg"})
    body = refused.content.decode()
    assert str(ERROR_RATE_LIMITED).split(",")[0] in body.replace("&#x27;", "'")
    assert "behold meg" in body
    assert Conversation.objects.count() == 2


def test_starting_when_closed_keeps_the_text_for_a_letter(member_client):
    close_chat_today()
    response = member_client.post("/chat/start/", {"first_line": "Jeg vil snakke om jobben"})
    body = response.content.decode()
    assert str(ERROR_CLOSED) in body.replace("&#x27;", "'")
    assert "Jeg vil snakke om jobben" in body
    assert not Conversation.objects.exists()


def test_text_becomes_a_letter(member_client, member):
    close_chat_today()
    response = member_client.post("/chat/letter/", {"text": "Jeg vil snakke om jobben"})
    assert response.status_code == 302
    assert "/letters/" in response["Location"]
    from letters.models import Letter

    assert Letter.objects.get().thread.writer == member


def test_giving_up_waiting_turns_the_first_line_into_a_letter(member_client, member):
    conversation = services.conversation_enter_queue(
        member=member, first_line="Jeg sover dårlig", now=timezone.now()
    )
    member_client.post("/chat/letter/", {"text": "Jeg sover dårlig"})
    conversation.refresh_from_db()
    assert conversation.state == Conversation.State.ENDED
    from letters.models import Letter

    assert Letter.objects.get().body == "Jeg sover dårlig"


def test_conversation_page_shows_the_history_as_text(member_client, member, supervisor):
    conversation = services.conversation_enter_queue(member=member, now=timezone.now())
    services.conversation_take_next(supervisor=supervisor, now=timezone.now())
    services.message_send(
        conversation_id=conversation.pk,
        sender="member",
        author=member,
        text="<script>alert(1)</script>",
        now=timezone.now(),
    )
    body = member_client.get(reverse("chat:conversation", args=[conversation.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    assert services.staff_name(supervisor) in body


@pytest.mark.parametrize("who", [None, "other_member", "supervisor", "coordinator", "moderator"])
def test_only_the_member_sees_their_conversation(request, client, member, who, client_for):
    conversation = services.conversation_enter_queue(member=member, now=timezone.now())
    browser = client if who is None else client_for(request.getfixturevalue(who))
    url = reverse("chat:conversation", args=[conversation.pk])
    response = browser.get(url)
    assert response.status_code in (302, 404)
    if who is not None:
        assert response.status_code == 404
    for action in ("chat:end", "chat:crisis_contact", "chat:feedback"):
        assert browser.post(reverse(action, args=[conversation.pk])).status_code in (302, 404)
    conversation.refresh_from_db()
    assert conversation.state == Conversation.State.WAITING


def test_member_ends_and_answers_the_questions_once(member_client, member):
    conversation = services.conversation_enter_queue(member=member, now=timezone.now())
    member_client.post(reverse("chat:end", args=[conversation.pk]))
    conversation.refresh_from_db()
    assert conversation.state == Conversation.State.ENDED
    page = member_client.get(reverse("chat:conversation", args=[conversation.pk]))
    assert b"data-chat-feedback" in page.content
    url = reverse("chat:feedback", args=[conversation.pk])
    assert member_client.post(url, {}).status_code == 200  # nothing chosen: asked again
    member_client.post(url, {"feel_better": "partly"})
    member_client.post(url, {"feel_better": "yes"})
    assert ChatFeedback.objects.count() == 1


def test_crisis_contact_is_opt_in_and_marks_urgent(member_client, member):
    conversation = services.conversation_enter_queue(member=member, now=timezone.now())
    url = reverse("chat:crisis_contact", args=[conversation.pk])
    assert member_client.post(url, {"contact": ""}).status_code == 200
    member_client.post(url, {"contact": "Storgata 1, Oslo"})
    conversation.refresh_from_db()
    assert conversation.crisis_contact == "Storgata 1, Oslo" and conversation.urgent


def test_privacy_text_says_we_cannot_trace_anyone(client):
    body = client.get("/chat/").content.decode()
    assert re.search("spore|trace", body)


def test_chat_page_query_count_does_not_grow(client, django_assert_max_num_queries, user_factory):
    chat_open_all_day()
    for _ in range(10):
        services.conversation_enter_queue(member=user_factory(), now=timezone.now())
    with django_assert_max_num_queries(20):
        client.get("/chat/")
