"""Group sessions (Samtalerom, issue 8) in a real browser: a member signs up with a first
name and region, the leading supervisor (2FA set up in the browser) opens the room console,
both write and see each other's messages live, and the supervisor closes the room, which
the member sees at once.

Times are real: the session is scheduled through the services with `manage.py shell`, as a
coordinator's form would, and moved to "started a minute ago" once the member has a place
(sign-up closes at the start), the way the clock would move it.
"""

from __future__ import annotations

import re
import secrets

import pytest
from people import sign_up, watched_page
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PASSWORD = "Lang-og-trygg-setning-42"



def _shell(server, code: str) -> str:
    return server.manage("shell", "-c", code).stdout.strip()


def schedule_series(server, supervisor: str, title: str) -> int:
    code = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from chat.groups import services
User = get_user_model()
coordinator = User.objects.create_user(username="Koordinator{secrets.token_hex(3)}")
coordinator.groups.add(Group.objects.get(name="coordinator"))
now = timezone.now()
series = services.series_create(
    by=coordinator, title_nb={title!r}, weekday=(timezone.localdate().weekday() + 1) % 7,
    start_time=timezone.localtime(now).time().replace(second=0, microsecond=0),
    supervisor=User.objects.get(username={supervisor!r}),
    starts_on=timezone.localdate(), now=now,
)
print(series.sessions.order_by("starts_at").first().pk)
"""
    return int(_shell(server, code).splitlines()[-1])


def start_session(server, session_id: int) -> None:
    _shell(server, f"""
import datetime as dt
from django.utils import timezone
from chat.groups.models import GroupSession
start = timezone.now() - dt.timedelta(minutes=1)
GroupSession.objects.filter(pk={session_id}).update(
    starts_at=start, ends_at=start + dt.timedelta(minutes=60))
""")


def test_member_signs_up_supervisor_opens_room_both_write_supervisor_closes(
    page: Page, browser, base_url, live_server_e2e, staff_with_totp, new_pseudonym
):
    title = f"Kveldssamtale {secrets.token_hex(3)}"
    problems: list[str] = []

    # --- The supervisor signs in with 2FA; a coordinator has scheduled their series ----------
    staff = staff_with_totp(page, role="supervisor")
    session_id = schedule_series(live_server_e2e, staff.username, title)

    # --- A member signs up with a first name and a region ----------------------------------------
    member = watched_page(browser, base_url, problems)
    sign_up(member, new_pseudonym("Samtale"), PASSWORD)
    member.goto("/chat/samtalerom/")
    card = member.locator("main li.groups-session").filter(has_text=title).first
    card.locator(f'a[href="/chat/samtalerom/{session_id}/"]').click()
    form = member.locator("main form").filter(has=member.locator("input[name=display_name]"))
    form.locator("input[name=display_name]").fill("Kari")
    form.locator("select[name=region]").select_option("nordland")
    form.locator("button[type=submit]").click()
    expect(member).to_have_url(re.compile(r"/chat/samtalerom/mine/$"))
    expect(member.locator("main")).to_contain_text("Kari")

    # --- The session starts; the supervisor opens the room console ---------------------------
    start_session(live_server_e2e, session_id)
    page.goto(f"/admin/samtalerom/{session_id}/")
    page.locator(f'a[href="/admin/samtalerom/{session_id}/room/"]').click()
    console = page.locator("[data-group-room]")
    expect(console.locator("[data-room-people]")).to_contain_text("Kari")
    expect(console.locator("[data-room-text]")).to_be_enabled()

    # --- The member enters the room; both write ----------------------------------------------
    member.goto(f"/chat/samtalerom/{session_id}/room/")
    room = member.locator("[data-group-room]")
    expect(room.locator("[data-room-text]")).to_be_enabled()

    welcome = "Velkommen, <b>alle sammen</b>!"
    console.locator("[data-room-text]").fill(welcome)
    console.locator("[data-room-form] button[type=submit]").click()
    expect(room.locator(".groups-message--staff .groups-message__text")).to_have_text(welcome)
    expect(room.locator(".groups-message b")).to_have_count(0)  # text, never HTML

    reply = "Takk, godt å være her."
    room.locator("[data-room-text]").fill(reply)
    room.locator("[data-room-text]").press("Enter")
    expect(console.locator(".groups-message__text").last).to_have_text(reply)
    expect(room.locator(".groups-message--mine .groups-message__text")).to_have_text(reply)
    expect(room.locator("[data-room-text]")).to_have_value("")

    # The member reloads: the whole conversation comes back from the server, in order.
    member.reload()
    expect(room.locator(".groups-message__text")).to_have_count(2)
    expect(room.locator(".groups-message__text").nth(0)).to_have_text(welcome)

    # --- The supervisor closes the room ---------------------------------------------------------
    page.locator(f'form[action="/admin/samtalerom/{session_id}/close/"] button').click()
    expect(page).to_have_url(re.compile(rf"/admin/samtalerom/{session_id}/$"))
    expect(room.locator("[data-room-text]")).to_be_disabled()
    expect(room.locator("[data-room-status]")).not_to_be_empty()

    # Afterwards the room is closed for the member, and no message is left to read.
    member.goto(f"/chat/samtalerom/{session_id}/room/")
    expect(member.locator("main .groups-room__notice")).to_be_visible()
    expect(member.locator("main")).not_to_contain_text(reply)
    member.context.close()
    assert not problems, "\n".join(problems)
