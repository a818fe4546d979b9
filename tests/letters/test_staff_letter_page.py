"""The letter page: reading (audited), the reply editor without and with JS (autosave),
templates, referrals, review by a coordinator, sending, and that errors keep the text."""

from __future__ import annotations

import datetime as dt

import pytest
from staff_support import TUESDAY, letter_url, make_letter, reload, reply_of

from letters import services
from letters.models import Reply, ReplyTemplate, Thread
from ordrom.models import AuditEntry
from pages.models import HelpService

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def claimed(supervisor, travel):
    travel(TUESDAY)
    letter = make_letter(body="Hei.\nJeg er ensom. Se https://example.com <b>fet</b>")
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)
    return letter


def form(**overrides):
    return {
        "body": "Takk for brevet ditt.",
        "next_step": "",
        "follow_up_on": "",
        "template": "",
        "action": "save",
        **overrides,
    }


def test_opening_a_letter_is_written_to_the_audit_log_every_time(supervisor_client, supervisor,
                                                                travel):
    travel(TUESDAY)
    letter = make_letter()

    supervisor_client.get(letter_url(letter))
    supervisor_client.get(letter_url(letter))

    entries = AuditEntry.objects.filter(target_type="letter", target_id=letter.pk)
    assert entries.count() == 2
    entry = entries.first()
    assert (entry.actor, entry.action, entry.at) == (supervisor, "read", TUESDAY)


def test_letter_text_is_escaped_with_line_breaks_and_links_are_not_clickable(
    supervisor_client, claimed
):
    page = supervisor_client.get(letter_url(claimed)).content.decode()

    assert "Hei.<br>Jeg er ensom." in page
    assert "&lt;b&gt;fet&lt;/b&gt;" in page
    assert 'href="https://example.com' not in page


def test_an_unknown_letter_is_404(supervisor_client):
    assert supervisor_client.get("/admin/letters/999999/").status_code == 404


def test_an_unclaimed_letter_is_read_only_with_an_answer_button(supervisor_client, travel):
    travel(TUESDAY)
    letter = make_letter()

    response = supervisor_client.get(letter_url(letter))

    assert response.context["form"] is None
    assert f'action="{letter_url(letter, "claim/")}"' in response.content.decode()


def test_the_holder_gets_the_editor_with_the_draft(supervisor_client, supervisor, claimed):
    services.reply_save_draft(letter_id=claimed.pk, by=supervisor, body="Utkast", now=TUESDAY)

    response = supervisor_client.get(letter_url(claimed))

    assert response.context["form"]["body"].value() == "Utkast"
    assert "js/reply-editor.js" in response.content.decode()


def test_save_draft_without_js_stores_it_and_renews_the_claim(supervisor_client, claimed,
                                                             travel):
    travel(TUESDAY + 20 * MINUTE)

    response = supervisor_client.post(letter_url(claimed), form())

    assert response.status_code == 302
    assert reply_of(claimed).body == "Takk for brevet ditt."
    assert reload(claimed).claim_expires_at == TUESDAY + 50 * MINUTE


def test_autosave_posts_the_form_and_answers_with_the_time(supervisor_client, claimed, travel):
    travel(dt.datetime(2026, 3, 10, 13, 5, tzinfo=dt.UTC))

    response = supervisor_client.post(letter_url(claimed, "autosave/"), form(body="Halvferdig"))

    assert response.status_code == 200
    assert response.json() == {"ok": True, "saved_at": "14:05", "message": "Saved 14:05"}
    assert reply_of(claimed).body == "Halvferdig"


def test_autosave_on_a_letter_someone_else_has_is_refused(coordinator_client, claimed):
    response = coordinator_client.post(letter_url(claimed, "autosave/"), form())

    assert response.status_code == 409
    assert response.json()["errors"] == [str(services.ERROR_CLAIMED % {"name": "Vakt Kari"})]
    assert not Reply.objects.filter(letter=claimed).exists()


def test_autosave_after_a_lapsed_claim_nobody_took_claims_again(supervisor_client, supervisor,
                                                                claimed, travel):
    travel(TUESDAY + 45 * MINUTE)

    response = supervisor_client.post(letter_url(claimed, "autosave/"), form())

    assert response.status_code == 200
    assert reload(claimed).claimed_by == supervisor


def test_inserting_a_template_without_js_appends_it_and_keeps_the_rest(supervisor_client,
                                                                       claimed):
    template = ReplyTemplate.objects.create(title="Hilsen", body="Varm hilsen fra oss")

    response = supervisor_client.post(
        letter_url(claimed),
        form(body="Hei du.", next_step="Ring en venn", template=str(template.pk),
             action="insert"),
    )

    assert response.status_code == 200
    bound = response.context["form"]
    assert bound["body"].value() == "Hei du.\n\nVarm hilsen fra oss"
    assert bound["next_step"].value() == "Ring en venn"


def test_referrals_are_saved_and_shown_as_cards(supervisor_client, claimed):
    service = HelpService.objects.create(name="Mental Helse Hjelpetelefonen", phone="116 123")

    supervisor_client.post(letter_url(claimed), form(referral_service_ids=[str(service.pk)]))
    page = supervisor_client.get(letter_url(claimed)).content.decode()

    assert reply_of(claimed).referral_service_ids == [service.pk]
    assert "service-card" in page and "Mental Helse Hjelpetelefonen" in page


def test_a_follow_up_date_not_after_today_is_refused_and_the_text_is_kept(supervisor_client,
                                                                          claimed):
    response = supervisor_client.post(
        letter_url(claimed),
        form(body="Min lange tekst", next_step="Gå en tur", follow_up_on="2026-03-10",
             action="send"),
    )

    assert response.status_code == 200
    assert str(services.ERROR_FOLLOW_UP_DATE) in response.content.decode()
    assert response.context["form"]["body"].value() == "Min lange tekst"
    assert reload(claimed).answered_at is None


def test_sending_an_empty_answer_keeps_the_page_with_the_error(supervisor_client, claimed):
    response = supervisor_client.post(letter_url(claimed), form(body="   ", action="send"))

    assert response.status_code == 200
    assert str(services.ERROR_EMPTY_REPLY) in response.content.decode()


def test_send_delivers_the_answer_and_returns_to_the_queue(supervisor_client, supervisor,
                                                           claimed):
    response = supervisor_client.post(
        letter_url(claimed),
        form(next_step="Send en melding til kusina di", follow_up_on="2026-03-17",
             action="send"),
    )

    assert response["Location"] == "/admin/letters/"
    reply = reply_of(claimed)
    assert (reply.status, reply.next_step, reply.follow_up_on) == (
        Reply.Status.SENT, "Send en melding til kusina di", dt.date(2026, 3, 17)
    )
    letter = reload(claimed)
    assert letter.thread.state == Thread.State.ANSWERED
    assert letter.thread.supervisor == supervisor


def test_sending_after_someone_else_took_the_lapsed_claim_keeps_the_text(
    supervisor_client, coordinator, claimed, travel
):
    later = TUESDAY + 40 * MINUTE
    travel(later)
    services.letter_claim(letter_id=claimed.pk, by=coordinator, now=later)

    response = supervisor_client.post(letter_url(claimed), form(body="Mitt svar", action="send"))

    assert response.status_code == 200
    assert str(services.ERROR_CLAIMED % {"name": "Vakt Liv"}) in response.content.decode()
    assert response.context["form"]["body"].value() == "Mitt svar"


def test_release_button_frees_the_letter(supervisor_client, claimed):
    response = supervisor_client.post(letter_url(claimed), {"action": "release"})

    assert response["Location"] == "/admin/letters/"
    assert reload(claimed).claimed_by is None


# --- Review -------------------------------------------------------------------------------------


def test_asking_for_review_puts_it_on_the_coordinators_list(supervisor_client, coordinator_client,
                                                            claimed):
    supervisor_client.post(letter_url(claimed), form(action="review"))

    assert reply_of(claimed).status == Reply.Status.IN_REVIEW
    review = coordinator_client.get("/admin/letters/review/")
    assert [row["reply"].letter_id for row in review.context["rows"]] == [claimed.pk]
    page = coordinator_client.get(letter_url(claimed))
    assert page.context["return_form"] is not None
    assert "Approve and send" in page.content.decode()
    assert supervisor_client.get(letter_url(claimed)).context["return_form"] is None


def test_coordinator_approves_and_the_answer_is_sent(supervisor_client, coordinator_client,
                                                     coordinator, claimed):
    supervisor_client.post(letter_url(claimed), form(action="review"))

    response = coordinator_client.post(letter_url(claimed, "review/"), {"action": "approve"})

    assert response["Location"] == "/admin/letters/review/"
    reply = reply_of(claimed)
    assert (reply.status, reply.reviewed_by) == (Reply.Status.SENT, coordinator)
    assert reload(claimed).answered_at is not None


def test_coordinator_returns_with_a_comment_the_supervisor_sees(supervisor_client,
                                                               coordinator_client, claimed):
    supervisor_client.post(letter_url(claimed), form(action="review"))

    empty = coordinator_client.post(letter_url(claimed, "review/"), {"action": "return",
                                                                     "comment": ""})
    coordinator_client.post(
        letter_url(claimed, "review/"), {"action": "return", "comment": "Nevn 116 123."}
    )

    assert str(services.ERROR_NO_COMMENT) in empty.content.decode()
    assert reply_of(claimed).status == Reply.Status.RETURNED
    page = supervisor_client.get(letter_url(claimed))
    assert "Nevn 116 123." in page.content.decode()
    assert page.context["form"] is not None


def test_supervisors_cannot_approve(supervisor_client, claimed):
    supervisor_client.post(letter_url(claimed), form(action="review"))

    response = supervisor_client.post(letter_url(claimed, "review/"), {"action": "approve"})

    assert response.status_code == 403
    assert reply_of(claimed).status == Reply.Status.IN_REVIEW


@pytest.mark.parametrize("thread_length", [1, 8])
def test_letter_page_query_count_does_not_grow_with_the_thread(
    supervisor_client, supervisor, travel, django_assert_max_num_queries, thread_length
):
    travel(TUESDAY)
    first = make_letter(received_ago=dt.timedelta(days=20))
    letter = first
    for n in range(thread_length - 1):
        services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)
        services.reply_save_draft(letter_id=letter.pk, by=supervisor, body=f"Svar {n}",
                                  now=TUESDAY)
        services.reply_send(letter_id=letter.pk, by=supervisor, now=TUESDAY)
        letter = make_letter(thread=first.thread, received_ago=dt.timedelta(hours=n),
                             is_follow_up=True)
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)
    for n in range(3):
        ReplyTemplate.objects.create(title=f"Mal {n}", body="Tekst")
    supervisor_client.get(letter_url(letter))

    with django_assert_max_num_queries(24):
        response = supervisor_client.get(letter_url(letter))

    assert response.status_code == 200
    assert len(response.context["thread_letters"]) == thread_length
