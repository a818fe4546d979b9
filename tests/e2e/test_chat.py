"""The one-to-one chat (issue 8) in a real browser: a visitor takes a place in the queue
without signing up, a supervisor (2FA set up in the browser) takes them from the console,
they write both ways live (with "the supervisor is writing…"), the visitor reloads mid-chat
and sees the whole conversation, and the supervisor ends the chat, which the visitor sees
with where to turn next.

The chat must be open during the test: the opening hours are data (a Wagtail setting), so
the test gives today and tomorrow an all-day exception in the server's database through
`manage.py shell`, as an editor would in the admin, and removes them afterwards. Nothing in
the code can make the chat "always open".
"""

from __future__ import annotations

import re
import secrets

import pytest
from chat_hours_support import chat_open_today_and_tomorrow, shell_code
from people import watched_page
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

CONVERSATION_URL = re.compile(r"/chat/(\d+)/$")


def _shell(server, code: str) -> str:
    return server.manage("shell", "-c", code).stdout.strip()


def open_chat_all_day(server, note: str) -> None:
    _shell(server, shell_code(chat_open_today_and_tomorrow, note=note))


def remove_exceptions(server, note: str) -> None:
    _shell(
        server,
        f"from pages.models import ChatHoursException\n"
        f"ChatHoursException.objects.filter(note={note!r}).delete()",
    )


def test_visitor_queues_supervisor_takes_both_write_visitor_reloads_supervisor_ends(
    page: Page, browser, base_url, live_server_e2e, staff_with_totp
):
    note = f"e2e {secrets.token_hex(3)}"
    first_line = f"Jeg får ikke sove ({note})"
    problems: list[str] = []
    open_chat_all_day(live_server_e2e, note)
    try:
        # --- The supervisor signs in with 2FA and opens the chat console ---------------------
        staff = watched_page(browser, base_url, problems)
        staff_with_totp(staff, role="supervisor")
        staff.goto("/admin/chat/")
        console = staff.locator("[data-chat-console]")
        expect(console.locator("[data-console-take]")).to_be_visible()

        # --- A visitor takes a place in the queue without signing up -------------------------
        page.goto("/chat/")
        form = page.locator('main form[action="/chat/start/"]')
        form.locator("textarea[name=first_line]").fill(first_line)
        form.locator("button[type=submit]").click()
        expect(page.locator("[data-key-phrase]")).not_to_be_empty()
        page.locator("[data-go-to-chat]").click()
        expect(page).to_have_url(CONVERSATION_URL)
        chat = page.locator("[data-chat]")
        expect(chat).to_have_attribute("data-state", "waiting")

        # --- The supervisor sees the person waiting and takes them ---------------------------
        expect(console.locator("[data-console-waiting]")).to_contain_text(first_line)
        console.locator("[data-console-take]").click()
        panel = console.locator("[data-panel]")
        expect(panel).to_contain_text(first_line)
        expect(chat).to_have_attribute("data-state", "active")
        expect(chat.locator("[data-chat-composer]")).to_be_visible()

        # --- Both write, live; the visitor sees that the supervisor is writing ----------------
        staff_text = "Hei, så fint at du tok kontakt. Hva holder deg våken?"
        panel.locator("[data-panel-input]").press_sequentially("Hei")
        expect(chat.locator("[data-chat-typing]")).to_be_visible()
        panel.locator("[data-panel-input]").fill(staff_text)
        panel.locator("button[type=submit]").click()
        expect(chat.locator(".chat-msg--supervisor .chat-msg__text")).to_have_text(staff_text)

        visitor_text = "Tankene <b>kverner</b> & jeg blir liggende"
        chat.locator("[data-chat-input]").fill(visitor_text)
        chat.locator("[data-chat-composer] button[type=submit]").click()
        expect(panel.locator(".chat-console__msg--member .chat-console__text")).to_have_text(
            visitor_text
        )
        # The supervisor's page showed it, so the visitor's copy turns "delivered".
        delivered = chat.get_attribute("data-text-delivered")
        expect(chat.locator(".chat-msg--member .chat-msg__state")).to_have_text(delivered)

        # --- The visitor reloads mid-conversation and sees the whole history -----------------
        page.reload()
        expect(chat).to_have_attribute("data-state", "active")
        texts = chat.locator("[data-chat-log] .chat-msg__text")
        expect(texts).to_have_text([staff_text, visitor_text])
        # And the chat still runs after the reload.
        panel.locator("[data-panel-input]").fill("Jeg er her fortsatt.")
        panel.locator("button[type=submit]").click()
        expect(texts).to_have_text([staff_text, visitor_text, "Jeg er her fortsatt."])

        # --- The supervisor ends the chat; the visitor sees it and where to turn -------------
        panel.locator("[data-panel-end]").click()
        expect(chat).to_have_attribute("data-state", "ended")
        expect(chat.locator("[data-chat-ended]")).to_be_visible()
        expect(chat.locator("[data-chat-ended] a[href='/letters/new/']")).to_be_visible()
        expect(chat.locator(".chat-msg--system")).to_have_count(1)
        expect(chat.locator("[data-chat-composer]")).to_be_hidden()
        assert not problems, "\n".join(problems)
    finally:
        remove_exceptions(live_server_e2e, note)
