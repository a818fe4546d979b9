"""The foundation, as a person uses it in a real browser (issue 3).

Visible strings are checked either against the same gettext constant the code shows
(translated here for the active language) or with patterns that hold in both languages;
fields and buttons are found by their names and links by their addresses, so the tests
survive the bokmål catalogue being filled in.
"""

from __future__ import annotations

import re
import secrets
import time

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PASSWORD = "Lang-og-trygg-setning-42"


def sign_up(page: Page, pseudonym: str, password: str = PASSWORD) -> None:
    page.locator('header a[href="/accounts/signup/"]').click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    form = page.locator("main form").filter(has=page.locator("#id_username"))
    form.locator("#id_username").fill(pseudonym)
    form.locator("input[name=password1]").fill(password)
    form.locator("input[name=password2]").fill(password)
    form.locator("button[type=submit]:not([form])").click()


def log_in(page: Page, pseudonym: str, password: str) -> None:
    form = page.locator("main form").filter(has=page.locator("#id_password"))
    form.locator("#id_login").fill(pseudonym)
    form.locator("#id_password").fill(password)
    form.locator("button[type=submit]:not([form])").click()


def log_out(page: Page) -> None:
    page.locator('header form[action="/accounts/logout/"] button[type=submit]').click()
    expect(page.locator('header a[href="/accounts/login/"]')).to_be_visible()


def account_link(page: Page):
    return page.locator('header a[href="/accounts/"]')


def test_visitor_signs_up_logs_out_and_in_reads_an_article_and_switches_language(
    page: Page, new_pseudonym
):
    pseudonym = new_pseudonym()

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    crisis = page.locator(".crisis-strip")
    expect(crisis.locator('a[href="tel:113"]')).to_have_text("113")
    expect(crisis.locator('a[href="tel:116123"]')).to_have_text("116 123")
    expect(page.locator('a[data-quick-exit][href="/quick-exit/"]')).to_be_visible()
    home_title_nb = page.locator("main h1").inner_text()

    # Sign up: a pseudonym and a password, nothing that identifies anyone.
    sign_up(page, pseudonym)
    expect(account_link(page)).to_contain_text(pseudonym)
    expect(page.locator("header form[action='/accounts/logout/']")).to_be_visible()

    log_out(page)
    expect(account_link(page)).to_have_count(0)

    page.locator('header a[href="/accounts/login/"]').click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    log_in(page, pseudonym, PASSWORD)
    expect(account_link(page)).to_contain_text(pseudonym)

    # Read an article from the home page.
    page.locator("header a.brand").click()
    expect(page).to_have_url(re.compile(r"/$"))
    featured = page.locator("section[aria-labelledby=featured-heading]").get_by_role("link")
    expect(featured.first).to_be_visible()
    article_title_nb = featured.first.inner_text().strip()
    featured.first.click()
    expect(page.locator("main h1")).to_have_text(article_title_nb)
    article_text = page.locator("main article").inner_text()
    assert len(article_text) > 300, f"the article has hardly any text: {article_text!r}"

    # Switch to English on the article: the same article, in English.
    page.locator("header button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("header button[name=language][value=nb]")).to_be_visible()
    expect(page.locator("main h1")).not_to_have_text(article_title_nb)
    expect(page.locator("main article")).to_contain_text(re.compile(r"\bthe\b", re.I))

    page.locator("header a.brand").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).not_to_have_text(home_title_nb)

    # And back to bokmål.
    page.locator("header button[name=language][value=nb]").click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.locator("main h1")).to_have_text(home_title_nb)
    expect(account_link(page)).to_contain_text(pseudonym)


def test_sign_up_has_no_email_field_and_refuses_a_staff_pseudonym_keeping_the_text(
    page: Page,
):
    from accounts.pseudonyms import ERROR_STAFF

    page.goto("/accounts/signup/")
    form = page.locator("main form").filter(has=page.locator("#id_username"))
    expect(form.locator("#id_username")).to_be_visible()
    expect(page.locator("input[type=email], input[name=email]")).to_have_count(0)
    expect(page.locator("input[type=tel], input[name=phone]")).to_have_count(0)

    form.locator("#id_username").fill("veileder")
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    form.locator("button[type=submit]:not([form])").click()

    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    with translation.override("nb"):
        message = str(ERROR_STAFF)
    expect(page.locator("main")).to_contain_text(message)
    expect(form.locator("#id_username")).to_have_value("veileder")
    expect(form.locator("#id_username")).to_have_attribute("aria-invalid", "true")
    expect(account_link(page)).to_have_count(0)


def _wait_for_fresh_totp_window(margin: float = 3.0) -> None:
    """Do not type a code that expires while the form is being sent."""
    if 30 - time.time() % 30 < margin:
        time.sleep(30 - time.time() % 30 + 0.5)


def test_staff_sets_up_two_factor_then_needs_the_code_to_reach_the_admin(
    page: Page, live_server_e2e, totp_code
):
    username = f"Kari{secrets.randbelow(900_000) + 100_000}"
    password = live_server_e2e.create_staff(username, role="supervisor")

    # The staff workspace sends a signed-out person to the one login.
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=.*admin"))
    log_in(page, username, password)

    # Signed in with the password only: the workspace is closed until TOTP is set up.
    # allauth asks for the password once more before an authenticator can be added.
    page.wait_for_url(re.compile(r"/accounts/(reauthenticate|2fa/totp/activate)/"))
    if "/reauthenticate/" in page.url:
        form = page.locator("main form").filter(has=page.locator("#id_password"))
        form.locator("#id_password").fill(password)
        form.locator("button[type=submit]:not([form])").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    _wait_for_fresh_totp_window()
    form = page.locator("main form").filter(has=page.locator("#id_code"))
    form.locator("#id_code").fill(totp_code(secret))
    form.locator("button[type=submit]:not([form])").click()

    # allauth shows the recovery codes once, right after activation.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    expect(page.locator("main")).to_contain_text(re.compile(r"\b[a-z0-9]{8}\b"))

    page.locator('header a[href="/admin/"]').click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("body#wagtail")).to_be_visible()  # the Wagtail dashboard
    expect(page.locator("main h1")).to_be_visible()

    # Next time: password, then the code, then the workspace.
    page.goto("/")
    log_out(page)
    page.goto("/admin/")
    log_in(page, username, password)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    _wait_for_fresh_totp_window()
    form = page.locator("main form").filter(has=page.locator("#id_code"))
    form.locator("#id_code").fill(totp_code(secret))
    form.locator("button[type=submit]:not([form])").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("body#wagtail")).to_be_visible()


def test_quick_exit_leaves_and_takes_the_page_out_of_the_history(page: Page, base_url):
    neutral = "data:text/html,<title>Before</title><h1>Before</h1>"
    page.goto(neutral)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")

    page.locator("a[data-quick-exit]").click()
    expect(page).to_have_url(f"{base_url}/healthz")

    # location.replace: going back skips the Ordrom page entirely.
    page.go_back()
    expect(page).to_have_url(re.compile(r"^data:"))
    expect(page.locator("h1")).to_have_text("Before")
