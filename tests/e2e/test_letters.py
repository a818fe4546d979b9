"""Letters (issue 5), as people do it in a real browser: a visitor writes without signing
up and keeps the key phrase, a supervisor (2FA set up in the browser) claims the letter and
answers it with a referral, and the visitor logs in with the pseudonym and key phrase and
reads the answer.

Fields and buttons are found by their names and forms by their addresses; the only texts
compared are ones the pages themselves showed (the deadline sentence, the pseudonym), or
ones computed here with the code the server uses, in bokmål, the default language.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

# The visitor's form is refused if sent sooner than this after it was shown
# (LETTERS_MIN_FORM_SECONDS, 3 s by default; the server runs with the default).
MIN_FORM_SECONDS = 3.0
ANSWER_HOURS = 48  # the demo site's answer time (SiteSettings.letter_answer_hours)
LETTER_ID = re.compile(r"/letters/(\d+)/$")


def log_out(page: Page) -> None:
    page.goto("/")
    page.locator('header form[action="/accounts/logout/"] button[type=submit]').click()
    expect(page.locator('header a[href="/accounts/login/"]')).to_be_visible()


def deadlines_between(start: dt.datetime, end: dt.datetime) -> set[str]:
    """The deadline sentences the server can have written for a letter sent in [start, end]."""
    from letters.views import deadline_text

    texts = set()
    moment = start
    with translation.override("nb"):
        while moment <= end + dt.timedelta(minutes=1):
            texts.add(deadline_text(moment + dt.timedelta(hours=ANSWER_HOURS)))
            moment += dt.timedelta(minutes=1)
    return texts


def test_visitor_writes_without_signing_up_supervisor_answers_visitor_reads_with_key_phrase(
    page: Page, staff_with_totp
):
    subject = f"Kveldene {secrets.token_hex(3)}"
    body = "Jeg har flyttet til en ny by og kjenner nesten ingen.\nKveldene blir lange."
    answer = f"Takk for at du skrev til oss. Det er modig å sette ord på det. ({subject})"

    # --- The visitor writes a letter, without signing up ---------------------------------------
    page.goto("/letters/new/")
    shown_at = time.monotonic()
    expect(page.locator('header a[href="/accounts/login/"]')).to_be_visible()
    form = page.locator('main form[action="/letters/new/"]')
    expect(form.locator("input[name=username], input[name=email]")).to_have_count(0)
    form.locator("input[name=subject]").fill(subject)
    form.locator("textarea[name=body]").fill(body)
    form.locator("select[name=topic]").select_option(index=1)
    # A person takes longer than the form's minimum time to write; a test waits out the rest.
    time.sleep(max(0.0, MIN_FORM_SECONDS + 0.3 - (time.monotonic() - shown_at)))
    sent_from = timezone.now()
    form.locator("button[type=submit]").click()

    # Sent: the generated pseudonym and key phrase are shown, this once.
    values = page.locator(".key-phrase .key-phrase__value")
    expect(values).to_have_count(2)
    sent_until = timezone.now()
    pseudonym = values.nth(0).inner_text().strip()
    key_phrase = values.nth(1).inner_text().strip()
    assert pseudonym, "no pseudonym shown"
    assert len(key_phrase.split()) >= 7, f"the key phrase is too short: {key_phrase!r}"
    deadline_sentence = page.locator("main p.lead").inner_text().strip()
    deadlines = deadlines_between(sent_from, sent_until)
    assert any(text in deadline_sentence for text in deadlines), (deadline_sentence, deadlines)
    # Signed in as the new account already.
    expect(page.locator('header a[href="/accounts/"]')).to_contain_text(pseudonym)

    saved = page.locator('main form[action$="/saved/"]')
    saved.locator("input[type=checkbox][name=saved]").check()
    saved.locator("button[type=submit]").click()

    # The letter, waiting, with its deadline.
    expect(page).to_have_url(LETTER_ID)
    thread_id = int(LETTER_ID.search(page.url).group(1))
    expect(page.locator("main h1")).to_have_text(subject)
    expect(page.locator("main .letters-state--waiting")).to_be_visible()
    expect(page.locator("main p.lead")).to_have_text(deadline_sentence)
    expect(page.locator("main .letters-letter__body")).to_contain_text("Kveldene blir lange.")
    expect(page.locator("main .letters-waiting")).to_have_count(1)
    expect(page.locator("main .letters-reply")).to_have_count(0)
    # The key phrase is not shown again.
    expect(page.locator("main")).not_to_contain_text(key_phrase)
    # And the list of letters has it, waiting.
    page.goto("/letters/")
    row = page.locator("main li.letters-thread").filter(
        has=page.locator(f'a[href="/letters/{thread_id}/"]')
    )
    expect(row).to_have_count(1)
    expect(row).to_have_class(re.compile(r"letters-thread--waiting"))
    log_out(page)

    # --- A supervisor claims the letter and answers it -----------------------------------------
    staff_with_totp(page, role="supervisor")
    page.goto("/admin/letters/")
    queue_row = page.locator("table.letters-queue tbody tr").filter(has_text=subject)
    expect(queue_row).to_have_count(1)
    queue_row.locator('form[action$="/claim/"] button[type=submit]').click()  # "Answer"

    expect(page).to_have_url(re.compile(r"/admin/letters/\d+/$"))
    letter_path = re.search(r"/admin/letters/\d+/$", page.url).group(0)
    expect(page.locator(".letters-message--current .letters-message__body")).to_contain_text(
        "Kveldene blir lange."
    )
    editor = page.locator(f'form[action="{letter_path}"][data-reply-editor]')
    expect(editor).to_be_visible()
    editor.locator("textarea[name=body]").fill(answer)
    referral = editor.locator("input[type=checkbox][name=referral_service_ids]").first
    referral_id = referral.get_attribute("value")
    referral_name = (
        editor.locator(f'label[for="{referral.get_attribute("id")}"]').inner_text().strip()
    )
    referral.check()
    editor.locator("button[name=action][value=send]").click()

    # Sent: back on the queue, and the letter has left it.
    expect(page).to_have_url(re.compile(r"/admin/letters/$"))
    expect(page.locator("table.letters-queue tbody tr").filter(has_text=subject)).to_have_count(0)
    log_out(page)

    # --- The visitor logs in with the pseudonym and key phrase, and reads the answer -----------
    page.locator('header a[href="/accounts/login/"]').click()
    form = page.locator("main form").filter(has=page.locator("#id_password"))
    form.locator("#id_login").fill(pseudonym)
    form.locator("#id_password").fill(key_phrase)
    form.locator("button[type=submit]:not([form])").click()
    expect(page.locator('header a[href="/accounts/"]')).to_contain_text(pseudonym)

    page.goto("/letters/")
    row = page.locator("main li.letters-thread").filter(
        has=page.locator(f'a[href="/letters/{thread_id}/"]')
    )
    expect(row).to_have_class(re.compile(r"letters-thread--answered"))
    expect(row.locator(".letters-badge")).to_be_visible()  # a new answer
    row.locator(f'a[href="/letters/{thread_id}/"]').click()

    expect(page).to_have_url(re.compile(rf"/letters/{thread_id}/$"))
    expect(page.locator("main .letters-state--answered")).to_be_visible()
    reply = page.locator("main article.letters-reply")
    expect(reply).to_have_count(1)
    expect(reply.locator(".letters-letter__body")).to_have_text(answer)
    card = reply.locator(
        f'section[aria-labelledby^="referrals-"] article.service-card'
        f'[aria-labelledby="service-{referral_id}-r{reply_id(reply)}"]'
    )
    expect(card).to_have_count(1)
    expect(card.locator(".service-card__name")).to_have_text(referral_name)
    expect(page.locator("main .letters-waiting")).to_have_count(0)


def reply_id(reply) -> str:
    heading_id = reply.locator("h2.letters-letter__heading").get_attribute("id")
    match = re.fullmatch(r"reply-(\d+)-heading", heading_id or "")
    assert match, heading_id
    return match.group(1)
