"""Finding the right help (issue 4), as a visitor does it in a real browser.

Answers are picked by clicking their labels, and results are read from the cards'
classes and links, so the tests hold in both languages and at any hour: 116 123 (the
Mental Helse helpline) is open day and night, so it is always an open suggestion.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

CHECK_URL = "/hva-trenger-du/"
DIRECTORY_URL = "/finn-hjelp/"
HELPLINE = "Mental Helse Hjelpetelefonen"


def choose(page: Page, question: int, answer: int) -> None:
    page.locator(f'label[for="id_q{question}_{answer}"]').click()
    expect(page.locator(f"#id_q{question}_{answer}")).to_be_checked()


def test_visitor_takes_the_guided_check_and_gets_an_open_service(page: Page):
    page.goto("/")
    page.goto(CHECK_URL)
    expect(page.locator("main form.guided-check")).to_be_visible()

    # Heavy but safe · loneliness · chatting · 18 or older
    choose(page, 0, 1)
    choose(page, 1, 0)
    choose(page, 2, 1)
    choose(page, 3, 1)
    page.locator("main form.guided-check button[type=submit]").click()

    suggestions = page.locator("section.suggestions")
    expect(suggestions).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(CHECK_URL) + "$"))
    expect(suggestions.locator('.offer--letter a[href="/letters/new/"]')).to_be_visible()
    expect(suggestions.locator('.offer--forum a[href="/forum/ensomhet/"]')).to_be_visible()
    open_cards = suggestions.locator(".service-card.service-card--open")
    expect(open_cards.first).to_be_visible()
    helpline = open_cards.filter(has=page.get_by_role("heading", name=HELPLINE))
    expect(helpline).to_have_count(1)
    expect(helpline.locator('a[href="tel:116123"]')).to_be_visible()
    expect(helpline.locator(".status.status--open")).to_have_count(1)

    # Starting again shows the questions with nothing chosen: the answers were not kept.
    suggestions.locator(f'a[href="{CHECK_URL}"]').click()
    expect(page.locator("main form.guided-check")).to_be_visible()
    expect(page.locator("main form.guided-check input[type=radio]:checked")).to_have_count(0)


def test_a_danger_answer_leads_straight_to_the_crisis_page(page: Page):
    page.goto(CHECK_URL)

    choose(page, 0, 2)  # afraid of hurting myself or someone else
    page.locator("main form.guided-check button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/akutt-hjelp/$"))
    expect(page.locator('main .crisis-numbers a[href="tel:113"]')).to_be_visible()
    expect(page.locator("main .service-card--crisis").first).to_be_visible()


def test_directory_open_now_filter_shows_only_open_services(page: Page):
    page.goto(DIRECTORY_URL)
    cards = page.locator("main .service-list .service-card")
    expect(cards.first).to_be_visible()
    everything = cards.count()
    # Spør Ung.no has no opening hours, so it is never "open now": the filter always drops it.
    expect(cards.filter(has=page.get_by_role("heading", name="Spør Ung.no"))).to_have_count(1)

    page.locator('label[for="id_open_now"]').click()
    expect(page.locator("#id_open_now")).to_be_checked()
    page.locator("main form.filters button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"[?&]open_now=on"))
    expect(page.locator("#id_open_now")).to_be_checked()
    expect(cards.filter(has=page.get_by_role("heading", name=HELPLINE))).to_have_count(1)
    shown = cards.count()
    assert 0 < shown < everything
    expect(page.locator("main .service-list .service-card:not(.service-card--open)")).to_have_count(
        0
    )
    for index in range(shown):
        card = cards.nth(index)
        expect(card.locator(".status.status--open").first).to_be_visible()
    # The crisis services are still on top.
    expect(cards.first).to_have_class(re.compile(r"\bservice-card--crisis\b"))
