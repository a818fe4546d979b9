"""The forum (issue 6), as people do it in a real browser: a new member starts a topic and
sees it wait for a moderator; a moderator (2FA set up in the browser) approves it in the
moderation queue; another member replies and reports the first post; the moderator returns
the reply with a reason; its author sees the reason and where to change the post.

Fields, buttons and posts are found by their names, addresses and ids; the only texts
compared are ones typed here, so the test holds in any language.
"""

from __future__ import annotations

import re
import secrets

import pytest
from people import log_in, sign_up
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PASSWORD = "lang-og-stille-natt-42"
CATEGORY = "hverdagen"  # a default, post-moderated category
TOPIC_ID = re.compile(r"/forum/t/(\d+)/")


def log_out(page: Page) -> None:
    page.goto("/")
    page.locator('header form[action="/accounts/logout/"] button[type=submit]').click()
    expect(page.locator('header a[href="/accounts/login/"]')).to_be_visible()


def queue_item(page: Page, text: str):
    return page.locator("article.forum-admin-item").filter(has_text=text)


def test_member_posts_moderator_approves_another_replies_and_reports_moderator_returns_reply(
    page: Page, staff_with_totp, new_pseudonym
):
    tag = secrets.token_hex(3)
    title = f"Lange kvelder {tag}"
    first_text = f"Kveldene er lange, og jeg vet ikke hva jeg skal gjøre med dem. ({tag})"
    reply_text = f"Jeg kjenner meg igjen, det hjelper å gå en tur. ({tag})"
    reason = f"Fint svar, men skriv det uten navnet på skolen din. ({tag})"
    writer, replier = new_pseudonym("Kveldsstille"), new_pseudonym("Morgengry")

    # --- A new member starts a topic, and sees it wait for a moderator -------------------------
    sign_up(page, writer, PASSWORD)
    page.goto(f"/forum/{CATEGORY}/")
    page.locator(f'main a[href="/forum/{CATEGORY}/new/"]').first.click()
    form = page.locator(f'main form[action="/forum/{CATEGORY}/new/"]')
    expect(page.locator('main a[href="/forum/regler/"]')).to_be_visible()
    form.locator("input[name=title]").fill(title)
    form.locator("textarea[name=body]").fill(first_text)
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(TOPIC_ID)
    topic_id = int(TOPIC_ID.search(page.url).group(1))
    first = page.locator("article.forum-post").filter(has_text=first_text)
    expect(first).to_have_class(re.compile(r"forum-post--held"))
    expect(first.locator(".forum-post__notice")).to_be_visible()
    post_id = first.get_attribute("id").removeprefix("post-")
    log_out(page)

    # Nobody else sees it yet (asked without the tab: a 404 page logs a console error).
    assert page.request.get(f"/forum/t/{topic_id}/").status == 404

    # --- A moderator approves it in the queue ---------------------------------------------------
    staff_with_totp(page, role="moderator")
    page.goto("/admin/forum/")
    item = queue_item(page, first_text)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(title)
    item.locator(f'form[action="/admin/forum/posts/{post_id}/approve/"] button').click()
    expect(page).to_have_url(re.compile(r"/admin/forum/$"))
    expect(queue_item(page, first_text)).to_have_count(0)
    log_out(page)

    # --- Another member reads it, replies and reports it ----------------------------------------
    sign_up(page, replier, PASSWORD)
    page.goto(f"/forum/t/{topic_id}/")
    first = page.locator(f"article#post-{post_id}")
    expect(first).to_contain_text(first_text)
    expect(first).to_have_class(re.compile(r"forum-post--published"))

    reply_form = page.locator(f'main form[action="/forum/t/{topic_id}/reply/"]')
    reply_form.locator("textarea[name=body]").fill(reply_text)
    reply_form.locator("button[type=submit]").click()
    reply = page.locator("article.forum-post").filter(has_text=reply_text)
    expect(reply).to_have_class(re.compile(r"forum-post--held"))
    reply_id = reply.get_attribute("id").removeprefix("post-")

    first = page.locator(f"article#post-{post_id}")
    first.locator("details.forum-report summary").click()
    report = first.locator(f'form[action="/forum/p/{post_id}/report/"]')
    report.locator("input[name=reason][value=contact]").check()
    report.locator("textarea[name=text]").fill(f"Står det et navn her? ({tag})")
    report.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/forum/t/{topic_id}/"))
    log_out(page)

    # --- The moderator sees the report and returns the reply with a reason ---------------------
    staff_with_totp(page, role="moderator")
    page.goto("/admin/forum/")
    reported = queue_item(page, first_text)
    expect(reported).to_contain_text(f"Står det et navn her? ({tag})")
    held_reply = queue_item(page, reply_text)
    expect(held_reply).to_have_count(1)
    held_reply.locator(f'a[href="/admin/forum/posts/{reply_id}/"]').first.click()

    expect(page).to_have_url(re.compile(rf"/admin/forum/posts/{reply_id}/$"))
    return_form = page.locator(f'form[action="/admin/forum/posts/{reply_id}/return/"]')
    return_form.locator("textarea[name=reason]").fill(reason)
    return_form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/forum/$"))
    expect(queue_item(page, reply_text)).to_have_count(0)
    expect(queue_item(page, first_text)).to_have_count(1)  # the report still waits
    log_out(page)

    # --- The reply's author sees the reason and can change the post ----------------------------
    log_in(page, replier, PASSWORD)
    page.goto(f"/forum/t/{topic_id}/")
    reply = page.locator(f"article#post-{reply_id}")
    expect(reply).to_have_class(re.compile(r"forum-post--returned"))
    expect(reply.locator(".forum-post__notice--returned")).to_contain_text(reason)
    expect(reply.locator(f'a[href="/forum/p/{reply_id}/edit/"]').first).to_be_visible()
    page.goto("/forum/notifications/")
    expect(page.locator("main")).to_contain_text(reason)
