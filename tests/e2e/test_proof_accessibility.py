"""Accessibility (issue 9, suite 4): axe-core on every public, member and staff page, in
bokmål and English, with zero violations of impact "serious" or "critical"; and the main
flows done with the keyboard alone.

The pages come from the URL patterns: every named pattern under the site's own prefixes
has a row in MEMBER_ROUTES saying what a signed-in member gets from GET (a page, which is
checked; or a redirect, a 405 for a POST-only action, a 404, a download, which are
checked as outcomes only), so a new URL without a row fails the suite. Parameters are
filled with the objects of a world made through the services (a11y_world.py); the Wagtail
pages are the seeded demo content. Staff pages are every pattern our apps register in
the Wagtail admin, seen by one account that holds all three workspace roles.

axe-core is from the npm registry (package.json) and is run with `page.evaluate`, which
keeps the site's strict Content Security Policy in force (see a11y_support.py).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from urllib.parse import urlsplit

import pytest
from a11y_support import (
    Exemption,
    Route,
    axe_violations,
    build_world,
    describe,
    fill,
    walk_urls,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PASSWORD = "Lang-og-trygg-setning-42"
LANGUAGES = ("nb", "en")

PAGE, REDIRECT, POST_ONLY, NOT_FOUND, DOWNLOAD = "page", "redirect", "405", "404", "download"

MEMBER_PREFIXES = (
    "help/",
    "letters/",
    "forum/",
    "friends/",
    "chat/",
    "accounts/",
    "i18n/",
    "quick-exit/",
)

# What a signed-in member (the world's owner) gets from GET on each of our URL patterns.
MEMBER_ROUTES = {
    "set_language": REDIRECT,
    "switch_language": REDIRECT,
    "quick_exit": REDIRECT,
    "account": PAGE,
    "account_export": DOWNLOAD,
    "account_delete": PAGE,
    "account_email": REDIRECT,
    "account_login": REDIRECT,  # signed in already
    "account_logout": PAGE,  # allauth asks before it signs out
    "account_inactive": PAGE,
    "account_signup": REDIRECT,
    "account_reauthenticate": PAGE,
    "account_email_verification_sent": PAGE,
    "account_change_password": PAGE,
    "account_set_password": REDIRECT,  # the member has a password: to "change"
    "account_reset_password": PAGE,
    "account_confirm_login_code": REDIRECT,
    "account_confirm_email": PAGE,  # with a key from no email: allauth's "invalid link"
    "account_reset_password_from_key": PAGE,  # likewise
    "account_reset_password_from_key_done": PAGE,
    "account_reset_password_done": PAGE,
    "mfa_index": PAGE,
    "mfa_authenticate": REDIRECT,
    "mfa_reauthenticate": REDIRECT,
    "mfa_activate_totp": REDIRECT,  # asks for the password first; checked after that below
    "mfa_deactivate_totp": NOT_FOUND,  # no authenticator to turn off
    "mfa_view_recovery_codes": NOT_FOUND,
    "mfa_generate_recovery_codes": REDIRECT,
    "mfa_download_recovery_codes": NOT_FOUND,
    "callback_request": PAGE,
    "callback_request_sent": PAGE,
    "letters:index": PAGE,
    "letters:new": PAGE,
    "letters:thread": PAGE,
    "letters:key_phrase_saved": POST_ONLY,
    "letters:follow_up": POST_ONLY,
    "letters:feedback": POST_ONLY,
    "letters:follow_up_dismiss": POST_ONLY,
    "forum:index": PAGE,
    "forum:rules": PAGE,
    "forum:search": PAGE,
    "forum:notifications": PAGE,
    "forum:topic": PAGE,
    "forum:reply": PAGE,
    "forum:post_edit": PAGE,
    "forum:post_delete": PAGE,
    "forum:post_recognise": POST_ONLY,
    "forum:post_report": PAGE,
    "forum:category": PAGE,
    "forum:topic_new": PAGE,
    "friends:index": PAGE,
    "friends:my_profile": PAGE,
    "friends:profile_edit": PAGE,
    "friends:profile_renew": POST_ONLY,
    "friends:profile_pause": POST_ONLY,
    "friends:profile_resume": POST_ONLY,
    "friends:profile_delete": PAGE,
    "friends:profile": PAGE,
    "friends:profile_block": POST_ONLY,
    "friends:profile_report": PAGE,
    "friends:blocked": PAGE,
    "friends:block_undo": POST_ONLY,
    "friends:requests": PAGE,
    "friends:request_answer": POST_ONLY,
    "friends:conversations": PAGE,
    "friends:conversation": PAGE,
    "friends:conversation_block": POST_ONLY,
    "friends:conversation_report": PAGE,
    "chatgroups:index": PAGE,
    "chatgroups:mine": PAGE,
    "chatgroups:notes": PAGE,
    "chatgroups:sign_up": PAGE,
    "chatgroups:cancel": POST_ONLY,
    "chatgroups:room": PAGE,
    "chat:index": REDIRECT,  # the member is in a running chat: taken back to it
    "chat:start": POST_ONLY,
    "chat:letter": POST_ONLY,
    "chat:conversation": PAGE,
    "chat:end": POST_ONLY,
    "chat:crisis_contact": POST_ONLY,
    "chat:feedback": POST_ONLY,
}

# Of those, the pages a visitor who is not signed in gets (the rest send them to log in).
PUBLIC_PAGES = {
    "account_login",
    "account_signup",
    "account_inactive",
    "account_email_verification_sent",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_reset_password_from_key",
    "callback_request",
    "callback_request_sent",
    "letters:new",
    "forum:index",
    "forum:rules",
    "forum:search",
    "forum:topic",
    "forum:category",
    "friends:index",
    "chatgroups:index",
    "chat:index",
}

# Regex patterns (allauth's keyed links) get an example path; a key from no email.
EXAMPLES = {
    "account_confirm_email": "/accounts/confirm-email/ugyldig-nokkel/",
    "account_reset_password_from_key": "/accounts/password/reset/key/1-ugyldig/",
}


def overrides_for(name: str) -> dict[str, str]:
    """Which object of the world fills a parameter, where the name alone does not say."""
    if name.startswith("chat:"):
        return {"conversation_id": "chat_conversation_id"}
    if name == "chatgroups:sign_up":
        return {"session_id": "open_session_id"}
    if name.startswith("friends:block"):
        return {"user_id": "blocked_user_id"}
    if name == "forum:post_report":
        return {"post_id": "other_post_id"}
    return {}


def member_urls(ids: dict) -> dict[str, str]:
    """name -> path for every pattern under our prefixes; unknown names fail here."""
    routes = walk_urls(MEMBER_PREFIXES)
    unknown = sorted(route.name for route in routes if route.name not in MEMBER_ROUTES)
    assert not unknown, f"URL patterns with no row in MEMBER_ROUTES: {unknown}"
    gone = sorted(set(MEMBER_ROUTES) - {route.name for route in routes})
    assert not gone, f"rows in MEMBER_ROUTES for patterns that no longer exist: {gone}"
    urls = {}
    for route in routes:
        path = EXAMPLES.get(route.name) or fill(route, ids, overrides_for(route.name))
        assert path, f"the world has nothing to fill {route.route} with"
        urls[route.name] = path
    return urls


# --- Helpers -----------------------------------------------------------------------------------


def choose_language(page: Page, language: str) -> None:
    """The header's language switch is a GET form: this is the request it sends."""
    page.goto(f"/i18n/language/?language={language}&next=/")
    expect(page.locator("html")).to_have_attribute("lang", language)


def check_page(
    page: Page, path: str, language: str, failures: list[str], exemptions=(), status: int = 200
):
    try:
        response = page.goto(path)
    except PlaywrightError:  # an empty error response: Chromium shows its own error page
        got = page.request.get(path, max_redirects=0).status
        failures.append(f"{path}: HTTP {got}, expected {status}")
        return
    if status == 404:
        # Chromium reports a document that comes with 404 on the console; this one was asked
        # for on purpose, and only that one line is forgiven.
        expected = (
            f"console error on {page.url}: Failed to load resource: "
            "the server responded with a status of 404 (Not Found)"
        )
        page.ordrom_problems[:] = [line for line in page.ordrom_problems if line != expected]
    if response.status != status:
        failures.append(f"{path}: HTTP {response.status}, expected {status}")
        return
    if urlsplit(page.url).path != urlsplit(path).path:
        failures.append(f"{path}: sent on to {page.url}, expected the page itself")
        return
    lang = page.locator("html").get_attribute("lang")
    if lang != language:
        failures.append(f"{path}: <html lang={lang!r}>, expected {language!r}")
    violations = axe_violations(page, exemptions)
    if violations:
        failures.append(f"[{language}] " + describe(path, violations))


def check_outcome(page: Page, path: str, expected: str, failures: list[str]) -> None:
    """Not a page: only what GET gives, without following it (a POST-only action stays
    untouched)."""
    response = page.request.get(path, max_redirects=0)
    got = {200: PAGE, 301: REDIRECT, 302: REDIRECT, 303: REDIRECT, 405: POST_ONLY, 404: NOT_FOUND}
    outcome = got.get(response.status, str(response.status))
    if outcome == PAGE and "attachment" in response.headers.get("content-disposition", ""):
        outcome = DOWNLOAD
    if outcome != expected:
        failures.append(f"{path}: GET gave {outcome} (HTTP {response.status}), expected {expected}")


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    form = page.locator("main form").filter(has=page.locator("#id_password"))
    form.locator("#id_login").fill(username)
    form.locator("#id_password").fill(password)
    form.locator("button[type=submit]:not([form])").click()
    expect(page.locator('header a[href="/accounts/"]')).to_be_visible()


@pytest.fixture(scope="module")
def world(live_server_e2e) -> dict:
    return build_world(live_server_e2e, secrets.token_hex(3), PASSWORD)


# --- Public and member pages ------------------------------------------------------------------


def test_public_pages_have_no_serious_accessibility_violations_in_either_language(
    page: Page, world
):
    urls = member_urls(world)
    paths = [*world["wagtail_pages"], *(urls[name] for name in sorted(PUBLIC_PAGES))]
    failures: list[str] = []
    for language in LANGUAGES:
        choose_language(page, language)
        for path in paths:
            check_page(page, path, language, failures)
        check_page(page, "/no-such-page/", language, failures, status=404)
        # A form sent with mistakes: the errors must be announced with their fields.
        page.goto("/accounts/signup/")
        form = page.locator("main form").filter(has=page.locator("#id_username"))
        form.locator("#id_username").fill("veileder")
        form.locator("input[name=password1]").fill(PASSWORD)
        form.locator("input[name=password2]").fill(PASSWORD + "x")
        form.locator("button[type=submit]:not([form])").click()
        expect(form.locator("#id_username")).to_have_attribute("aria-invalid", "true")
        violations = axe_violations(page)
        if violations:
            failures.append(f"[{language}] " + describe("signup with errors", violations))
        # The guided check: sent unanswered (its errors), then answered (its suggestions).
        guided = world["guided_check"]
        page.goto(guided)
        page.locator("main form.guided-check button[type=submit]").click()
        expect(page.locator("main .form-errors")).to_be_visible()
        violations = axe_violations(page)
        for question in page.locator("main form.guided-check fieldset").all():
            question.locator("input[type=radio]").first.check()
        page.locator("main form.guided-check button[type=submit]").click()
        expect(page.locator("#suggestions-heading")).to_be_visible()
        violations += axe_violations(page)
        if violations:
            failures.append(f"[{language}] " + describe(f"{guided} answered", violations))
    assert not failures, "\n".join(failures)


def test_member_pages_have_no_serious_accessibility_violations_in_either_language(
    page: Page, world
):
    urls = member_urls(world)
    log_in(page, world["owner"], PASSWORD)
    failures: list[str] = []
    for language in LANGUAGES:
        choose_language(page, language)
        for name, expected in MEMBER_ROUTES.items():
            if expected == PAGE:
                check_page(page, urls[name], language, failures)
            elif language == LANGUAGES[0]:
                check_outcome(page, urls[name], expected, failures)
        # Forms sent blank (spaces pass the browser's `required`) show their errors.
        for path in ("/letters/new/", f"/forum/{world['slug']}/new/"):
            page.goto(path)
            form = page.locator(f'main form[action="{path}"]')
            for field in form.locator("textarea, input[type=text]").all():
                field.fill(" ")
            form.locator("button[type=submit]").last.click()
            expect(form.locator("[aria-invalid=true]").first).to_be_attached()
            violations = axe_violations(page)
            if violations:
                failures.append(f"[{language}] " + describe(f"{path} with errors", violations))
        # Setting up two-factor authentication, after allauth asks for the password again.
        page.goto("/accounts/2fa/totp/activate/")
        if "/reauthenticate/" in page.url:
            form = page.locator("main form").filter(has=page.locator("#id_password"))
            form.locator("#id_password").fill(PASSWORD)
            form.locator("button[type=submit]:not([form])").click()
        expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
        check_page(page, "/accounts/2fa/totp/activate/", language, failures)
    assert not failures, "\n".join(failures)


# --- The staff workspace ----------------------------------------------------------------------

STAFF_PREFIXES = (
    "admin/letters/",
    "admin/forum/",
    "admin/friends/",
    "admin/chat/",
    "admin/samtalerom/",
    "admin/callbacks/",
)

# What one account with the supervisor, moderator and coordinator roles gets from GET.
STAFF_ROUTES = {
    "wagtailadmin_home": PAGE,  # the dashboard, with our panels
    "callback_queue": PAGE,
    "callback_record": POST_ONLY,  # the record is shown in the queue; this marks it done
    "letters_queue": PAGE,
    "letters_claim_next": POST_ONLY,
    "letters_letter": PAGE,
    "letters_claim": POST_ONLY,
    "letters_autosave": POST_ONLY,
    "letters_review_action": POST_ONLY,
    "letters_review": PAGE,
    "letters_statistics": PAGE,
    "letters_statistics_csv": DOWNLOAD,
    "letters_audit": PAGE,
    "forum_moderation_queue": PAGE,
    "forum_moderation_log": PAGE,
    "forum_moderation_post": PAGE,
    "forum_moderation_approve": POST_ONLY,
    "forum_moderation_return": POST_ONLY,
    "forum_moderation_hide": POST_ONLY,
    "forum_moderation_delete": POST_ONLY,
    "forum_moderation_edit": POST_ONLY,
    "forum_moderation_suspend": POST_ONLY,
    "forum_moderation_topic": PAGE,
    "forum_moderation_flags": POST_ONLY,
    "forum_moderation_move": POST_ONLY,
    "friends_profile_queue": PAGE,
    "friends_profile_review": PAGE,
    "friends_held_queue": PAGE,
    "friends_held_message": PAGE,
    "friends_held_request": PAGE,
    "friends_report_queue": PAGE,
    "friends_report": PAGE,
    "friends_member_suspend": POST_ONLY,
    "friends_log": PAGE,
    "chat_console": PAGE,
    "chat_overview": PAGE,
    "chat_transcript": PAGE,
    "chatgroups_sessions": PAGE,
    "chatgroups_series": PAGE,
    "chatgroups_series_new": PAGE,
    "chatgroups_series_edit": PAGE,
    "chatgroups_session": PAGE,
    "chatgroups_console": PAGE,
    "chatgroups_topic": POST_ONLY,
    "chatgroups_close": POST_ONLY,
    "chatgroups_note": POST_ONLY,
    "chatgroups_mute": POST_ONLY,
    "chatgroups_remove": POST_ONLY,
}


def staff_overrides(name: str) -> dict[str, str]:
    if name.startswith("letters_"):
        return {"letter_id": "waiting_letter_id"}
    if name.startswith("forum_moderation_"):
        return {"post_id": "held_post_id", "topic_id": "held_topic_id"}
    if name == "friends_profile_review":
        return {"profile_id": "pending_profile_id"}
    if name == "friends_held_message":
        return {"message_id": "held_message_id"}
    if name == "friends_held_request":
        return {"request_id": "held_request_id"}
    if name == "friends_member_suspend":
        return {"user_id": "blocked_user_id"}
    if name.startswith("chat_"):
        return {"conversation_id": "chat_conversation_id"}
    if name == "callback_record":
        return {"pk": "callback_id"}
    return {}


def staff_urls(ids: dict) -> dict[str, str]:
    routes = walk_urls(STAFF_PREFIXES)
    routes.append(Route("admin/", "wagtailadmin_home"))
    unknown = sorted(route.name for route in routes if route.name not in STAFF_ROUTES)
    assert not unknown, f"staff URL patterns with no row in STAFF_ROUTES: {unknown}"
    urls = {}
    for route in routes:
        path = fill(route, ids, staff_overrides(route.name))
        assert path, f"the world has nothing to fill {route.route} with"
        urls[route.name] = path
    return urls


# Wagtail's own admin chrome, not our templates: exempted by exact rule and selector only.
WAGTAIL_EXEMPTIONS: tuple[Exemption, ...] = ()


def test_staff_workspace_pages_have_no_serious_accessibility_violations_in_either_language(
    page: Page, world, staff_with_totp, live_server_e2e
):
    staff = staff_with_totp(page, role="supervisor")
    failures: list[str] = []
    # The page allauth shows once after two-factor set-up, and the set-up page before it.
    check_page(page, "/accounts/2fa/recovery-codes/", "nb", failures)

    live_server_e2e.manage(
        "shell",
        "-c",
        "import sys; sys.path.insert(0, 'tests/e2e'); import a11y_world; "
        f"a11y_world.adopt({staff.username!r}, {json.dumps(world)!r})",
    )
    urls = staff_urls(world)
    for language in LANGUAGES:
        choose_language(page, language)
        for name, expected in STAFF_ROUTES.items():
            if expected == PAGE:
                check_page(page, urls[name], language, failures, WAGTAIL_EXEMPTIONS)
            elif language == LANGUAGES[0]:
                check_outcome(page, urls[name], expected, failures)
    assert not failures, "\n".join(failures)


# --- Keyboard only ----------------------------------------------------------------------------

MIN_LETTER_FORM_SECONDS = 3.0  # LETTERS_MIN_FORM_SECONDS: a letter sent sooner is refused

FOCUS_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        label: (el.getAttribute("href") || el.name || el.id || el.textContent || "").trim(),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== "none",
        onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.left < innerWidth,
    };
}"""


def tab_to(page: Page, selector: str, *, key: str = "Tab", limit: int = 80) -> None:
    """Press *key* until the element matching *selector* has the focus. Every element the
    focus passes must show where the focus is (an outline or ring) and be on the screen."""
    for _ in range(limit):
        page.keyboard.press(key)
        focus = page.evaluate(FOCUS_JS)
        if focus is None:
            continue
        where = f"{focus['tag']} {focus['label'][:60]!r} on {page.url}"
        assert focus["outline"] or focus["shadow"], f"no visible focus on {where}"
        assert focus["onScreen"], f"the focus is off the screen: {where}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{limit}× {key} on {page.url} never reached {selector}")


def test_visitor_does_the_main_flows_with_the_keyboard_alone(page: Page, new_pseudonym, world):
    keyboard = page.keyboard

    # The first Tab reaches the skip link, which shows itself; Enter moves on to the content.
    page.goto("/")
    keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.matches('a.skip-link')")
    assert page.evaluate(FOCUS_JS)["onScreen"], "the skip link stays hidden when focused"
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    assert page.evaluate("() => document.activeElement.id") == "main"
    keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')"), (
        "after the skip link the next Tab is not in the content"
    )

    # Quick exit from the keyboard: to the button and Enter; and Escape three times.
    tab_to(page, "a[data-quick-exit]", key="Shift+Tab")
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/healthz$"))
    page.goto("/forum/")
    for _ in range(3):
        keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"/healthz$"))

    # The guided check: each question's answer chosen with the arrow keys.
    page.goto(world["guided_check"])
    questions = page.locator("main form.guided-check fieldset")
    for index in range(questions.count()):
        tab_to(page, f"main form.guided-check fieldset:nth-of-type({index + 1}) input[type=radio]")
        keyboard.press("ArrowDown")
        expect(questions.nth(index).locator("input[type=radio]:checked")).to_have_count(1)
    tab_to(page, "main form.guided-check button[type=submit]")
    keyboard.press("Enter")
    expect(page.locator("#suggestions-heading")).to_be_visible()

    # Sign up.
    pseudonym = new_pseudonym("Tastatur")
    page.goto("/")
    tab_to(page, 'header a[href="/accounts/signup/"]')
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    tab_to(page, "#id_username")
    keyboard.type(pseudonym)
    tab_to(page, "input[name=password1]")
    keyboard.type(PASSWORD)
    tab_to(page, "input[name=password2]")
    keyboard.type(PASSWORD)
    keyboard.press("Enter")
    expect(page.locator('header a[href="/accounts/"]')).to_contain_text(pseudonym)

    # Write a letter: from the menu, a topic chosen with the arrow keys, sent with Space.
    subject = f"Tastaturbrev {secrets.token_hex(3)}"
    tab_to(page, 'header a[href="/letters/"]')
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/letters/$"))
    tab_to(page, 'main a[href="/letters/new/"]')
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/letters/new/$"))
    shown_at = time.monotonic()
    form = page.locator('main form[action="/letters/new/"]')
    tab_to(page, "main input[name=subject]")
    keyboard.type(subject)
    tab_to(page, "main textarea[name=body]")
    keyboard.type("Jeg skriver med tastaturet.")
    keyboard.press("Enter")
    keyboard.type("Det går fint.")
    tab_to(page, "main select[name=topic]")
    keyboard.press("ArrowDown")
    expect(form.locator("select[name=topic]")).not_to_have_value("")
    tab_to(page, 'main form[action="/letters/new/"] button[type=submit]')
    time.sleep(max(0.0, MIN_LETTER_FORM_SECONDS + 0.3 - (time.monotonic() - shown_at)))
    keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"/letters/\d+/$"))
    expect(page.locator("main h1")).to_have_text(subject)
    expect(page.locator("main .letters-letter__body")).to_contain_text("Det går fint.")

    # Start a forum topic.
    title = f"Tastaturtråd {secrets.token_hex(3)}"
    tab_to(page, 'header a[href="/forum/"]')
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/forum/$"))
    tab_to(page, f'main a[href="/forum/{world["slug"]}/"]')
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/forum/{world['slug']}/$"))
    tab_to(page, f'main a[href="/forum/{world["slug"]}/new/"]')
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/forum/{world['slug']}/new/$"))
    tab_to(page, "main input[name=title]")
    keyboard.type(title)
    tab_to(page, "main textarea[name=body]")
    keyboard.type("Hvordan har dere det i dag?")
    tab_to(page, f'main form[action="/forum/{world["slug"]}/new/"] button[type=submit]')
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/forum/t/\d+/$"))
    expect(page.locator("main h1")).to_contain_text(title)
