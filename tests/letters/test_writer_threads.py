"""/letters/ and /letters/<id>/: the writer's threads, answers, follow-ups and feedback."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.utils import timezone, translation

from letters import services
from letters.forms import ERROR_NO_FEEDBACK
from letters.models import Feedback, Letter, Reply, Thread
from pages.models import HelpService

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def _thread_url(thread_or_letter) -> str:
    pk = thread_or_letter.thread_id if isinstance(thread_or_letter, Letter) else thread_or_letter.pk
    return f"/letters/{pk}/"


def _text(response) -> str:
    return response.content.decode()


def _thread_entry(content: str, thread: Thread) -> str:
    match = re.search(
        rf'<li class="letters-thread[^"]*">\s*<h3><a href="/letters/{thread.pk}/">.*?</li>',
        content,
        re.S,
    )
    assert match, f"thread {thread.pk} is listed"
    return match.group(0)


# --- /letters/ ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_index_shows_each_thread_with_its_state_deadline_and_unread_answers(
    member, member_client, write_letter, answer_letter
):
    with time_machine.travel(dt.datetime(2026, 11, 23, 14, 30, tzinfo=OSLO), tick=False):
        waiting = write_letter(member, subject="Venter")
        answered = write_letter(member, subject="Besvart")
        answer_letter(answered)
        closed = write_letter(member, subject="Ferdig")
        answer_letter(closed)
        services.thread_close(thread=closed.thread, now=timezone.now())

        content = _text(member_client.get("/letters/"))

    waiting_entry = _thread_entry(content, waiting.thread)
    assert "Venter på svar" in waiting_entry
    assert "Du får svar innen onsdag 25. november kl. 14.30" in waiting_entry
    answered_entry = _thread_entry(content, answered.thread)
    assert "Besvart" in answered_entry and "Nytt svar" in answered_entry
    assert "Du får svar innen" not in answered_entry
    closed_entry = _thread_entry(content, closed.thread)
    assert "letters-state--closed" in closed_entry
    assert "· 1 brev" in waiting_entry and "· 1 brev" in answered_entry


@pytest.mark.django_db
def test_index_counts_each_threads_letters_and_only_the_writers_own(
    member, other_member, member_client, write_letter, answer_letter
):
    first = write_letter(member, subject="To brev")
    answer_letter(first)
    services.letter_follow_up(thread=first.thread, writer=member, body="Takk, det hjalp.",
                              now=timezone.now())
    theirs = write_letter(other_member, subject="Deres")
    answer_letter(theirs)  # unread, but not this writer's

    content = _text(member_client.get("/letters/"))

    entry = _thread_entry(content, first.thread)
    assert "· 2 brev" in entry
    assert "Nytt svar" in entry  # the answer to the first letter is still unread
    assert "Deres" not in content


@pytest.mark.django_db
def test_index_lists_only_the_writers_own_threads(
    member, other_member, other_member_client, write_letter
):
    write_letter(member, subject="Mitt eget brev")

    content = _text(other_member_client.get("/letters/"))

    assert "Mitt eget brev" not in content


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in_for_the_letters_list(client):
    response = client.get("/letters/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/letters/"


# --- /letters/<id>/ -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_thread_shows_letters_and_sent_answers_escaped_with_line_breaks(
    member, member_client, write_letter, answer_letter
):
    letter = write_letter(member, body="Hei <b>dere</b>\nandre linje")
    answer_letter(letter, body="Takk for brevet.\nSe https://example.org <script>x()</script>")

    content = _text(member_client.get(_thread_url(letter)))

    assert "Hei &lt;b&gt;dere&lt;/b&gt;<br>andre linje" in content
    assert "Takk for brevet.<br>Se https://example.org &lt;script&gt;x()&lt;/script&gt;" in content
    assert 'href="https://example.org"' not in content


@pytest.mark.django_db
def test_thread_never_shows_a_draft_or_an_answer_waiting_for_review(
    member, member_client, write_letter, supervisor
):
    now = timezone.now()
    draft_letter = write_letter(member, subject="Utkast")
    services.letter_claim(letter_id=draft_letter.pk, by=supervisor, now=now)
    services.reply_save_draft(
        letter_id=draft_letter.pk, by=supervisor, body="HEMMELIG UTKAST", now=now
    )
    review_letter = write_letter(member, subject="Til vurdering")
    services.letter_claim(letter_id=review_letter.pk, by=supervisor, now=now)
    services.reply_save_draft(
        letter_id=review_letter.pk, by=supervisor, body="UNDER VURDERING", now=now
    )
    services.reply_request_review(letter_id=review_letter.pk, by=supervisor, now=now)

    draft_page = _text(member_client.get(_thread_url(draft_letter)))
    review_page = _text(member_client.get(_thread_url(review_letter)))

    assert "HEMMELIG UTKAST" not in draft_page
    assert "UNDER VURDERING" not in review_page
    assert "Venter på svar" in draft_page
    assert Reply.objects.filter(read_at__isnull=False).count() == 0


@pytest.mark.django_db
def test_opening_the_thread_marks_its_answers_read(
    member, member_client, write_letter, answer_letter
):
    letter = write_letter(member)
    reply = answer_letter(letter)

    first = _text(member_client.get(_thread_url(letter)))
    reply.refresh_from_db()
    second = _text(member_client.get(_thread_url(letter)))
    listing = _text(member_client.get("/letters/"))

    assert reply.read_at is not None
    assert '<strong class="letters-badge">Nytt svar</strong>' in first
    assert '<strong class="letters-badge">Nytt svar</strong>' not in second
    assert "Nytt svar" not in _thread_entry(listing, letter.thread)


@pytest.mark.django_db
def test_thread_shows_the_referral_cards_next_step_and_follow_up_date(
    member, member_client, write_letter, answer_letter
):
    service = HelpService.objects.create(
        name="Kirkens SOS", slug="kirkens-sos", summary_nb="Krisetelefon.", phone="22 40 00 40"
    )
    hidden = HelpService.objects.create(
        name="Skjult tjeneste", slug="skjult", summary_nb="Ikke vist.", is_active=False
    )
    letter = write_letter(member)
    answer_letter(
        letter,
        referral_service_ids=[service.pk, hidden.pk],
        next_step="Send en melding til fetteren din denne uka.",
        follow_up_on=dt.date(2099, 6, 2),
    )

    content = _text(member_client.get(_thread_url(letter)))

    assert "Kirkens SOS" in content
    assert "Skjult tjeneste" not in content
    assert "Send en melding til fetteren din denne uka." in content
    assert "2. juni 2099" in content


# --- Follow-ups ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_follow_up_is_a_new_letter_with_its_own_deadline_and_puts_the_thread_back_to_waiting(
    member, member_client, write_letter, answer_letter
):
    letter = write_letter(member, now=timezone.now() - dt.timedelta(days=3))
    answer_letter(letter)
    moment = dt.datetime(2026, 11, 23, 9, 5, tzinfo=OSLO)

    with time_machine.travel(moment, tick=False):
        response = member_client.post(
            f"{_thread_url(letter)}follow-up/", {"body": "Takk! Det gikk bedre."}
        )
        page = _text(member_client.get(response.headers["Location"]))

    assert response.status_code == 302
    assert response.headers["Location"] == _thread_url(letter)
    follow_up = Letter.objects.get(thread=letter.thread, is_follow_up=True)
    assert follow_up.received_at == moment
    assert follow_up.due_at == moment + dt.timedelta(hours=48)
    assert Thread.objects.get(pk=letter.thread_id).state == Thread.State.WAITING
    assert "Du får svar innen onsdag 25. november kl. 09.05" in page
    assert "Takk! Det gikk bedre." in page


@pytest.mark.django_db
def test_empty_follow_up_is_refused_on_the_thread_page(
    member, member_client, write_letter, answer_letter
):
    letter = write_letter(member)
    answer_letter(letter)

    response = member_client.post(f"{_thread_url(letter)}follow-up/", {"body": "  "})

    assert response.status_code == 200
    assert response.context["follow_up_form"].errors["body"]
    assert Letter.objects.filter(thread=letter.thread).count() == 1


@pytest.mark.django_db
def test_follow_up_on_a_closed_thread_is_refused_with_the_text_kept(
    member, member_client, write_letter, answer_letter
):
    letter = write_letter(member)
    answer_letter(letter)
    services.thread_close(thread=letter.thread, now=timezone.now())

    response = member_client.post(f"{_thread_url(letter)}follow-up/", {"body": "Hallo igjen"})

    assert response.status_code == 200
    with translation.override(response.headers["Content-Language"]):
        expected = str(services.ERROR_THREAD_CLOSED)
    assert list(response.context["follow_up_form"].non_field_errors()) == [expected]
    assert "Hallo igjen</textarea>" in _text(response)
    assert Letter.objects.filter(thread=letter.thread).count() == 1


@pytest.mark.django_db
def test_closed_thread_offers_a_new_letter_instead_of_a_follow_up(
    member, member_client, write_letter, answer_letter
):
    letter = write_letter(member)
    answer_letter(letter)
    services.thread_close(thread=letter.thread, now=timezone.now())

    content = _text(member_client.get(_thread_url(letter)))

    assert 'id="follow-up"' not in content
    assert 'href="/letters/new/"' in content


@pytest.mark.django_db
def test_how_did_it_go_prompt_appears_from_the_follow_up_date_and_opens_the_thread(
    member, member_client, write_letter, answer_letter
):
    # Real time, not time travel: a frozen clock days ahead would end the session.
    sent = timezone.now() - dt.timedelta(days=5)
    today = timezone.localdate()
    due = write_letter(member, subject="I dag", now=sent)
    reply = answer_letter(
        due,
        now=sent,
        next_step="Gå en tur med naboen.",
        follow_up_on=today - dt.timedelta(days=1),
    )
    later = write_letter(member, subject="Senere", now=sent)
    answer_letter(
        later, now=sent, next_step="Skriv i dagboka.", follow_up_on=today + dt.timedelta(days=2)
    )

    listing = _text(member_client.get("/letters/"))
    thread_page = _text(member_client.get(_thread_url(due)))

    assert "Hvordan gikk det?" in listing and "Gå en tur med naboen." in listing
    assert "Skriv i dagboka." not in listing
    assert f'href="/letters/{due.thread_id}/#follow-up"' in listing
    assert f"/letters/{due.thread_id}/answers/{reply.pk}/dismiss-follow-up/" in listing
    assert '<h2 id="follow-up-heading">Hvordan gikk det?</h2>' in thread_page


@pytest.mark.django_db
def test_how_did_it_go_prompt_can_be_dismissed(member, member_client, write_letter, answer_letter):
    letter = write_letter(member, now=timezone.now() - dt.timedelta(days=10))
    reply = answer_letter(
        letter,
        now=timezone.now() - dt.timedelta(days=9),
        next_step="Ring mormor.",
        follow_up_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert "Ring mormor." in _text(member_client.get("/letters/"))

    response = member_client.post(
        f"/letters/{letter.thread_id}/answers/{reply.pk}/dismiss-follow-up/"
    )

    assert response.status_code == 302 and response.headers["Location"] == "/letters/"
    assert "Ring mormor." not in _text(member_client.get("/letters/"))
    reply.refresh_from_db()
    assert reply.follow_up_dismissed


# --- Feedback -----------------------------------------------------------------------------------


def _feedback_data(reply, **answers):
    return {f"feedback-{reply.pk}-{question}": answer for question, answer in answers.items()}


@pytest.mark.django_db
def test_feedback_after_reading_is_stored_anonymously_once_per_answer(
    member, member_client, write_letter, answer_letter
):
    letter = write_letter(member)
    reply = answer_letter(letter)
    page = _text(member_client.get(_thread_url(letter)))
    url = f"/letters/{letter.thread_id}/answers/{reply.pk}/feedback/"
    assert url in page
    assert "<fieldset" in page and "<legend>" in page
    data = _feedback_data(reply, easy_to_reach="yes", feel_better="partly", wait_ok="no")

    first = member_client.post(url, data)
    second = member_client.post(url, data)

    assert first.status_code == second.status_code == 302
    assert sorted(Feedback.objects.values_list("question", "answer")) == [
        ("easy_to_reach", "yes"),
        ("feel_better", "partly"),
        ("wait_ok", "no"),
    ]
    assert url not in _text(member_client.get(_thread_url(letter)))


@pytest.mark.django_db
def test_feedback_with_no_answer_chosen_is_asked_again(
    member, member_client, write_letter, answer_letter
):
    letter = write_letter(member)
    reply = answer_letter(letter)
    member_client.get(_thread_url(letter))

    response = member_client.post(f"/letters/{letter.thread_id}/answers/{reply.pk}/feedback/", {})

    assert response.status_code == 200
    with translation.override(response.headers["Content-Language"]):
        assert str(ERROR_NO_FEEDBACK) in _text(response)
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_feedback_before_the_answer_was_read_is_not_stored(
    member, member_client, write_letter, answer_letter
):
    letter = write_letter(member)
    reply = answer_letter(letter)

    member_client.post(
        f"/letters/{letter.thread_id}/answers/{reply.pk}/feedback/",
        _feedback_data(reply, easy_to_reach="yes"),
    )

    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_feedback_on_an_answer_not_yet_sent_is_not_found(
    member, member_client, write_letter, supervisor
):
    letter = write_letter(member)
    now = timezone.now()
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=now)
    draft = services.reply_save_draft(letter_id=letter.pk, by=supervisor, body="Utkast", now=now)

    response = member_client.post(
        f"/letters/{letter.thread_id}/answers/{draft.pk}/feedback/",
        _feedback_data(draft, easy_to_reach="yes"),
    )

    assert response.status_code == 404
    assert not Feedback.objects.exists()
