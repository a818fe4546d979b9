"""What the browser flows do the same way with the people in them: a second person's page,
signing up and signing in as a member."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def watched_page(browser, base_url: str, problems: list[str]) -> Page:
    """A page in a browser context of its own (another person), whose console errors and
    uncaught exceptions go to *problems*, as the ``page`` fixture's do: the test fails on
    them. Under prod-local the browser gives the context the certificate and the daphne pin
    (conftest.py, ``_ProdLocalBrowser``)."""
    context = browser.new_context(base_url=base_url, locale="nb-NO", timezone_id="Europe/Oslo")
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(30_000)
    page = context.new_page()

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"console error on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught error on {page.url}: {error}"))
    return page


def sign_up(page: Page, pseudonym: str, password: str) -> None:
    """Make a member account on the sign-up page; signed in afterwards."""
    page.goto("/accounts/signup/")
    form = page.locator("main form").filter(has=page.locator("#id_username"))
    form.locator("#id_username").fill(pseudonym)
    form.locator("input[name=password1]").fill(password)
    form.locator("input[name=password2]").fill(password)
    form.locator("button[type=submit]:not([form])").click()
    expect(page.locator('header a[href="/accounts/"]')).to_contain_text(pseudonym)


def log_in(page: Page, pseudonym: str, password: str, *, next_url: str = "") -> None:
    """Sign a member in on the login page (then to *next_url*, if given)."""
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    form = page.locator("main form").filter(has=page.locator("#id_password"))
    form.locator("#id_login").fill(pseudonym)
    form.locator("#id_password").fill(password)
    form.locator("button[type=submit]:not([form])").click()
    expect(page.locator('header a[href="/accounts/"]')).to_contain_text(pseudonym)
