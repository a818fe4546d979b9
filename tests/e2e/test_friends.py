"""The friend service (issue 7), as people do it in a real browser: two members sign up and
make profiles, a moderator (2FA set up in the browser) approves both, one asks the other to
write, the other accepts, they exchange letters, one blocks the other and then undoes it.

Each person has their own browser context (their own cookies), as three people on three
devices would. Fields and buttons are found by their names and forms by their addresses;
the texts compared are ones the test itself typed.
"""

from __future__ import annotations

import re
import secrets

import pytest
from people import sign_up, watched_page
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PASSWORD = "Lang-og-trygg-setning-42"


def make_profile(page: Page, *, age_band: str, region: str, about: str) -> None:
    page.goto("/friends/")
    page.locator('main a[href="/friends/profile/edit/"]').click()
    form = page.locator('main form[action="/friends/profile/edit/"]')
    form.locator("select[name=age_band]").select_option(age_band)
    form.locator("select[name=region]").select_option(region)
    form.locator("input[name=interests]").nth(0).check()
    form.locator("input[name=interests]").nth(4).check()
    form.locator("textarea[name=about]").fill(about)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/friends/profile/$"))
    expect(page.locator("main .friends-status--pending")).to_be_visible()


def approve(page: Page, pseudonym: str) -> None:
    page.goto("/admin/friends/profiles/")
    row = page.locator("table.friends-profile-queue tbody tr").filter(has_text=pseudonym)
    expect(row).to_have_count(1)
    row.locator("a").click()
    expect(page).to_have_url(re.compile(r"/admin/friends/profiles/\d+/$"))
    page.locator("form.friends-admin-approve button[name=action][value=approve]").click()
    expect(page).to_have_url(re.compile(r"/admin/friends/profiles/$"))
    expect(
        page.locator("table.friends-profile-queue tbody tr").filter(has_text=pseudonym)
    ).to_have_count(0)


def write_letter(page: Page, text: str) -> None:
    form = page.locator("main section.friends-write form")
    form.locator("textarea[name=body]").fill(text)
    form.locator("button[type=submit]").click()
    expect(page.locator("main .friends-letter--mine .friends-letter__body").last).to_contain_text(
        text
    )


def test_two_members_meet_through_moderated_profiles_write_letters_and_one_blocks(
    page: Page, browser, base_url, staff_with_totp
):
    tag = secrets.token_hex(3)
    anna, bo = f"Anna{tag}", f"Bo{tag}"
    first = f"Hei {bo}! Jeg ser at du også liker musikk. Vil du skrive med meg? ({tag})"
    reply = f"Hei {anna}, så hyggelig! Hva hører du på for tiden? ({tag})"
    again = f"Mest gamle plater fra syttitallet. Og du? ({tag})"

    # --- Two members sign up and make their profiles -------------------------------------------
    page_b = watched_page(browser, base_url, page.ordrom_problems)
    sign_up(page, anna, PASSWORD)
    make_profile(page, age_band="26-35", region="oslo", about="Jeg liker musikk og lange turer.")
    sign_up(page_b, bo, PASSWORD)
    make_profile(page_b, age_band="36-50", region="vestland", about="Glad i plater og fjell.")

    # Not approved yet: Anna finds nobody and cannot ask anyone.
    page.goto("/friends/")
    expect(page.locator("main .friends-card").filter(has_text=bo)).to_have_count(0)

    # --- A moderator with 2FA approves both ----------------------------------------------------
    moderator = watched_page(browser, base_url, page.ordrom_problems)
    staff_with_totp(moderator, role="moderator")
    approve(moderator, anna)
    approve(moderator, bo)
    moderator.context.close()

    # --- Anna finds Bo and sends a request ----------------------------------------------------
    page.goto("/friends/")
    card = page.locator("main .friends-card").filter(has_text=bo)
    expect(card).to_have_count(1)
    card.locator("h2 a").click()
    expect(page).to_have_url(re.compile(r"/friends/p/\d+/$"))
    bo_profile_path = re.search(r"/friends/p/\d+/$", page.url).group(0)
    anna_profile_form = page.locator(f'main form[action="{bo_profile_path}"]')
    anna_profile_form.locator("textarea[name=message]").fill(first)
    anna_profile_form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/friends/requests/$"))
    expect(page.locator("main .friends-sent__item--open").filter(has_text=bo)).to_have_count(1)

    # --- Bo accepts ----------------------------------------------------------------------------
    page_b.goto("/friends/")
    expect(
        page_b.locator('main nav.friends-nav a[href="/friends/requests/"] .unread-count')
    ).to_have_text("1")
    page_b.locator('main nav.friends-nav a[href="/friends/requests/"]').click()
    request = page_b.locator("main li.friends-request-item").filter(has_text=first)
    expect(request).to_have_count(1)
    request.locator("button[name=action][value=accept]").click()
    expect(page_b).to_have_url(re.compile(r"/friends/c/\d+/$"))
    conversation_path = re.search(r"/friends/c/\d+/$", page_b.url).group(0)
    expect(page_b.locator("main .friends-letter__body").first).to_contain_text(first)
    write_letter(page_b, reply)

    # --- Anna reads the reply (unread in the list) and answers ---------------------------------
    page.goto("/friends/c/")
    row = page.locator("main li.friends-conversation").filter(has_text=bo)
    expect(row).to_have_class(re.compile(r"friends-conversation--unread"))
    row.locator(f'a[href="{conversation_path}"]').click()
    expect(page.locator("main .friends-letter__body").filter(has_text=reply)).to_have_count(1)
    write_letter(page, again)

    page_b.goto(conversation_path)
    expect(page_b.locator("main .friends-letter__body").filter(has_text=again)).to_have_count(1)

    # --- Bo blocks Anna: at once, silently ------------------------------------------------------
    page_b.locator(f'main form[action="{conversation_path}block/"] button[type=submit]').click()
    expect(page_b).to_have_url(re.compile(r"/friends/c/$"))

    page.goto(conversation_path)
    expect(page.locator("main textarea[name=body]")).to_have_count(0)
    page.goto("/friends/")
    expect(page.locator("main .friends-card").filter(has_text=bo)).to_have_count(0)
    # Bo's profile page by its address is gone for Anna, as if it never existed.
    assert page.request.get(bo_profile_path).status == 404

    # --- Bo changes his mind and undoes the block ------------------------------------------------
    page_b.goto("/friends/")
    page_b.locator('main nav.friends-nav a[href="/friends/blocked/"]').click()
    blocked = page_b.locator("main .friends-blocked li").filter(has_text=anna)
    expect(blocked).to_have_count(1)
    blocked.locator("button[name=unblock]").click()
    expect(page_b).to_have_url(re.compile(r"/friends/blocked/$"))
    expect(page_b.locator("main .friends-blocked li").filter(has_text=anna)).to_have_count(0)
    page.goto("/friends/")
    expect(page.locator("main .friends-card").filter(has_text=bo)).to_have_count(1)
    page_b.context.close()
