"""Privacy, proved on the live server's own database and logs (issue 9, suite 3).

Named so that pytest collects it last: in a `make e2e` run every other browser flow has
already run on the same server, so what they left behind is scanned too. Run alone, its own
short scenario still writes in every app (a letter, a forum topic, friend profiles, a request
and letters between pen-pals, a chat), through the browser as members do.

Then, reading the database directly (the SQLite file or the PostgreSQL database the server
uses, every table, every column) and the server's logs (daphne's, and under the production
shape also nginx's, the worker's and the sweep's):

1. no IP address, no fragment of the browser's user agent and no email address a member
   gave appears anywhere, except that member's own notification address on their own
   account row (and allauth's copy of it, on a row that belongs to the same account);
2. each member downloads their export from the account page, and every text they wrote
   (found in the database beforehand) is in it;
3. each member deletes their account, and afterwards no column that refers to accounts holds
   their id, no session belongs to them, and no cell of any table, nor any log line, holds
   any text they wrote or their pseudonym.
"""

from __future__ import annotations

import base64
import contextlib
import html
import ipaddress
import json
import os
import re
import secrets
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from chat_hours_support import chat_open_today_and_tomorrow, shell_code
from people import log_in, sign_up, watched_page
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

PROD_LOCAL = os.environ.get("ORDROM_E2E_PROD_LOCAL", "") == "1"
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Stille-morgen-med-kaffe-71"
CATEGORY = "hverdagen"
MIN_TEXT = 12  # shorter strings (a first name, "Hei") are not searched for: they are not unique

# Addresses (or what only looks like one) allowed where they are, because none can be a
# member's. Each entry: (table, column, regex the found address must match, reason). Version
# numbers of four parts and times do not come here: the scan accepts only what ipaddress
# parses, in text that is not part of a longer dotted or colon-separated run.
LOOKS_LIKE_AN_ADDRESS = [
    # The site's own host name, which an operator may give as the server's address (Wagtail
    # matches requests to sites by it): the server's address, never a member's.
    ("wagtailcore_site", "hostname", r".*", "the server's own address, set by an operator"),
]

IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
# Candidates for IPv6: runs of hex groups with at least two colons, validated by ipaddress, so
# times (14:30:00) and Python paths (a::b is rare; Foo::Bar is not hex) do not count.
IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|\d{1,3}(?:\.\d{1,3}){3})(?![\w:])"
)


# --- Reading the live server's database ---


class LiveDatabase:
    """The live server's database, read directly (no Django ORM: its own connection)."""

    def __init__(self, url: str):
        self.url = url
        self.postgres = url.startswith("postgres")

    @contextlib.contextmanager
    def connect(self):
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as conn:
                yield conn
        else:
            path = urlsplit(self.url).path
            path = path[1:] if path.startswith("//") else path
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=20)
            try:
                yield conn
            finally:
                conn.close()

    def tables(self, conn) -> list[str]:
        if self.postgres:
            rows = conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            ).fetchall()
        else:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return sorted(row[0] for row in rows)

    def rows(self, conn, table: str) -> tuple[list[str], list[tuple]]:
        cursor = conn.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the catalogue
        columns = [d[0] for d in cursor.description]
        return columns, cursor.fetchall()

    def query(self, conn, sql: str, params: tuple = ()) -> list[tuple]:
        if not self.postgres:
            sql = sql.replace("%s", "?")
        return conn.execute(sql, params).fetchall()


def readable(value) -> str:
    """A cell as text, with what a reader of the raw value would also see decoded: JSON's
    \\u escapes, HTML entities, and the payload of a Django signed value (sessions)."""
    if value is None:
        return ""
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    parts = [text, html.unescape(text)]
    if text[:1] in "[{":
        with contextlib.suppress(ValueError):
            parts.append(json.dumps(json.loads(text), ensure_ascii=False))
    signed = signed_payload(text)
    if signed:
        parts.append(signed)
    return "\n".join(parts)


def signed_payload(text: str) -> str | None:
    """The JSON inside a django.core.signing value (``payload:timestamp:signature``, the
    payload base64, zlib-compressed when it starts with a dot). Readable without the key."""
    if ":" not in text or " " in text:
        return None
    payload = text.split(":", 1)[0]
    compressed = payload.startswith(".")
    payload = payload.removeprefix(".")
    try:
        data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        if compressed:
            data = zlib.decompress(data)
        return data.decode("utf-8")
    except (ValueError, zlib.error, UnicodeDecodeError):
        return None


@dataclass(frozen=True)
class Cell:
    table: str
    column: str
    row: dict
    text: str

    def where(self) -> str:
        first = dict(list(self.row.items())[:3])
        return f"{self.table}.{self.column} (row {first!r}…)"


def cells(db: LiveDatabase) -> Iterator[Cell]:
    with db.connect() as conn:
        for table in db.tables(conn):
            columns, rows = db.rows(conn, table)
            for values in rows:
                row = dict(zip(columns, values, strict=True))
                for column, value in row.items():
                    text = readable(value)
                    if text:
                        yield Cell(table, column, row, text)


def addresses_in(text: str) -> list[str]:
    found = []
    for match in IPV4.findall(text):
        with contextlib.suppress(ValueError):
            ipaddress.IPv4Address(match)
            found.append(match)
    for match in IPV6.findall(text):
        with contextlib.suppress(ValueError):
            ipaddress.IPv6Address(match)
            found.append(match)
    return found


def user_agent_fragments(user_agent: str) -> list[str]:
    """The whole string and its distinctive pieces: product tokens and the platform."""
    fragments = {user_agent}
    fragments.update(re.findall(r"[A-Za-z]+/[\d.]+", user_agent))  # Chrome/131.0.0.0
    fragments.update(p.strip() for p in re.findall(r"\(([^)]*)\)", user_agent))  # (X11; Linux…)
    fragments.update(re.findall(r"HeadlessChrome|AppleWebKit|KHTML", user_agent))
    return sorted(f for f in fragments if len(f) >= 5)


# --- Logs ---


def redis_entries(server) -> Iterator[tuple[str, str]]:
    """With Redis (cache, rate limits, channel layer), every key of this run and the text of
    its value: allauth's rate limits are keyed per client, on what our adapter gives as the
    client's address (a keyed hash)."""
    url = server.env.get("REDIS_URL", "")
    if not url:
        return
    import redis

    client = redis.Redis.from_url(url)
    try:
        for prefix in {
            server.env.get("ORDROM_CACHE_PREFIX"),
            server.env.get("ORDROM_CHANNEL_PREFIX"),
        }:
            if not prefix:
                continue
            for key in client.scan_iter(match=f"{prefix}*", count=1000):
                value = client.get(key) if client.type(key) == b"string" else b""
                name = key.decode("utf-8", errors="replace")
                yield name, name + "\n" + (value or b"").decode("utf-8", errors="replace")
    finally:
        client.close()


def own_endpoints(server) -> list[str]:
    """How the platform's own services appear in its log lines: its base URL (in the links
    it writes, as in the answer-waiting email), the database and Redis servers (in an error
    when one is restarted), and the daphne processes behind nginx. The browser here connects
    from 127.0.0.1 too, so the address alone would prove nothing either way: only these
    exact forms, each with the service's port, are the platform's; a member's connection
    comes from another port."""
    found = {server.url, server.env.get("ORDROM_BASE_URL", server.url)}
    ports = os.environ.get("PROD_LOCAL_PORTS", "8101 8102").split() if PROD_LOCAL else []
    found.update(f"127.0.0.1:{port}" for port in ports)
    for variable, default_port in (("DATABASE_URL", 5432), ("REDIS_URL", 6379)):
        parts = urlsplit(server.env.get(variable, ""))
        if parts.hostname:
            port = parts.port or default_port
            found.update({f"{parts.hostname}:{port}", f'"{parts.hostname}", port {port}'})
    return sorted(found, key=len, reverse=True)


def server_logs(server) -> dict[str, str]:
    """Every log the server's processes write: under the production shape the files in
    var/prod-local (both daphne processes, the worker, the sweep, nginx's error log)."""
    if PROD_LOCAL:
        paths = sorted((ROOT / "var" / "prod-local").glob("*.log"))
        assert any(p.name.startswith("nginx") for p in paths), paths
    else:
        paths = [server.log_path]
    return {str(p): p.read_text(errors="replace") for p in paths if p.exists()}


# --- What a member wrote ---

# Every place a member's own words are stored, found through the account that wrote them.
WRITTEN = {
    "letter subjects": "SELECT subject FROM letters_thread WHERE writer_id = %s",
    "letters": (
        "SELECT l.body FROM letters_letter l JOIN letters_thread t ON l.thread_id = t.id "
        "WHERE t.writer_id = %s"
    ),
    "forum topic titles": "SELECT title FROM forum_topic WHERE author_id = %s",
    "forum posts": "SELECT body FROM forum_post WHERE author_id = %s",
    "forum reports": "SELECT text FROM forum_report WHERE reporter_id = %s",
    "friend profiles": "SELECT about FROM friends_profile WHERE member_id = %s",
    "friend requests": "SELECT message FROM friends_contactrequest WHERE sender_id = %s",
    "friend letters": "SELECT body FROM friends_message WHERE author_id = %s",
    "friend reports": "SELECT text FROM friends_report WHERE reporter_id = %s",
    "chat first lines": "SELECT first_line FROM chat_conversation WHERE member_id = %s",
    "chat crisis contacts": "SELECT crisis_contact FROM chat_conversation WHERE member_id = %s",
    "chat messages": (
        "SELECT m.text FROM chat_message m JOIN chat_conversation c ON m.conversation_id = c.id "
        "WHERE c.member_id = %s AND m.sender = 'member'"
    ),
    "group messages": (
        "SELECT m.text FROM chatgroups_groupmessage m JOIN chatgroups_participant p "
        "ON m.participant_id = p.id WHERE p.user_id = %s"
    ),
    "group notes": "SELECT text FROM chatgroups_privatenote WHERE author_id = %s",
}


def member_texts(db: LiveDatabase, conn, user_id: int) -> dict[str, list[str]]:
    found = {}
    for kind, sql in WRITTEN.items():
        texts = [row[0] for row in db.query(conn, sql, (user_id,)) if row[0] and row[0].strip()]
        if texts:
            found[kind] = texts
    return found


def searchable_pieces(text: str) -> list[str]:
    """The lines of a text long enough to be its own (rendered HTML breaks lines apart)."""
    return [line.strip() for line in text.splitlines() if len(line.strip()) >= MIN_TEXT]


def user_reference_columns() -> list[tuple[str, str]]:
    """(table, column) of every foreign key to the account table, many-to-many links included."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    columns = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            if field.is_relation and field.related_model is user_model:
                columns.add((model._meta.db_table, field.column))
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            for through_field in through._meta.local_fields:
                if through_field.is_relation and through_field.related_model is user_model:
                    columns.add((through._meta.db_table, through_field.column))
    return sorted(columns)


# --- The browser scenario ---


def set_email(page: Page, email: str) -> None:
    page.goto("/accounts/")
    form = page.locator("main form").filter(has=page.locator("input[name=email]"))
    form.locator("input[name=email]").fill(email)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/$"))
    expect(page.locator("main input[name=email]")).to_have_value(email)


def write_letter(page: Page, subject: str, body: str) -> None:
    page.goto("/letters/new/")
    form = page.locator('main form[action="/letters/new/"]')
    form.locator("input[name=subject]").fill(subject)
    form.locator("textarea[name=body]").fill(body)
    form.locator("select[name=topic]").select_option(index=1)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/letters/\d+/$"))


def answer_letter(staff: Page, subject: str, answer: str) -> None:
    # The queue is oldest first and paged, and suites before this one may have filled it:
    # the supervisor turns the pages until the letter is there, as a person would.
    row = staff.locator("table.letters-queue tbody tr").filter(has_text=subject)
    staff.goto("/admin/letters/")
    following = staff.locator("nav.pagination li.next a[href]")
    while not row.count() and following.count():
        following.first.click()
        staff.wait_for_load_state()
    row.locator('form[action$="/claim/"] button[type=submit]').click()
    expect(staff).to_have_url(re.compile(r"/admin/letters/\d+/$"))
    letter_path = re.search(r"/admin/letters/\d+/$", staff.url).group(0)
    editor = staff.locator(f'form[action="{letter_path}"][data-reply-editor]')
    editor.locator("textarea[name=body]").fill(answer)
    editor.locator("button[name=action][value=send]").click()
    expect(staff).to_have_url(re.compile(r"/admin/letters/$"))


def start_topic(page: Page, title: str, body: str) -> None:
    page.goto(f"/forum/{CATEGORY}/new/")
    form = page.locator(f'main form[action="/forum/{CATEGORY}/new/"]')
    form.locator("input[name=title]").fill(title)
    form.locator("textarea[name=body]").fill(body)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/forum/t/\d+/"))
    expect(page.locator("article.forum-post").filter(has_text=body)).to_have_count(1)


def make_profile(page: Page, about: str) -> None:
    page.goto("/friends/profile/edit/")
    form = page.locator('main form[action="/friends/profile/edit/"]')
    form.locator("select[name=age_band]").select_option("26-35")
    form.locator("select[name=region]").select_option("oslo")
    form.locator("input[name=interests]").nth(1).check()
    form.locator("textarea[name=about]").fill(about)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/friends/profile/$"))


def approve_profiles(server, *pseudonyms: str) -> None:
    """A moderator's approval, given through the service by an operator (the browser flow of
    the moderation queue is proved in test_friends.py)."""
    server.manage(
        "shell",
        "-c",
        f"""
from django.utils import timezone
from accounts.models import User
from friends.models import Profile
from friends.services import profile_approve
from ordrom.roles import Role
moderator = User.objects.filter(groups__name=Role.MODERATOR).first()
if moderator is None:
    from accounts.services import staff_create
    moderator, _ = staff_create(username="PrivacyModerator", role=Role.MODERATOR)
for profile in Profile.objects.filter(member__username__in={list(pseudonyms)!r}):
    profile_approve(profile=profile, by=moderator, now=timezone.now())
""",
    )


def open_chat(server, note: str, *, open_: bool) -> None:
    if open_:
        code = shell_code(chat_open_today_and_tomorrow, note=note)
    else:
        code = (
            "from pages.models import ChatHoursException\n"
            f"ChatHoursException.objects.filter(note={note!r}).delete()"
        )
    server.manage("shell", "-c", code)


def start_chat(page: Page, first_line: str) -> None:
    page.goto("/chat/")
    form = page.locator('main form[action="/chat/start/"]')
    form.locator("textarea[name=first_line]").fill(first_line)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/chat/\d+/$"))
    expect(page.locator("[data-chat]")).to_have_attribute("data-state", "waiting")


def download_export(page: Page) -> dict:
    if not page.url.endswith("/accounts/"):
        page.goto("/accounts/")
    with page.expect_download() as download_info:
        page.locator('main a[href="/accounts/export/"]').click()
    path = download_info.value.path()
    return json.loads(Path(path).read_text(encoding="utf-8"))


def strings_in(data) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings_in(value)


def delete_account(page: Page, password: str) -> None:
    if not page.url.endswith("/accounts/"):
        page.goto("/accounts/")
    page.locator('main a[href="/accounts/delete/"]').click()
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=password]").fill(password)
    form.locator("input[name=confirm]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator('header a[href="/accounts/login/"]')).to_be_visible()


# --- The test ---

# Besides Ada and Bo, this many members for each kind of writing (WRITTEN), and this many
# who wrote nothing, leave through the browser: the first by id, from the other flows.
BROWSER_PER_KIND = 2


def browser_members(ordered: list, *always: str) -> set[str]:
    """The pseudonyms that export and delete through the browser, one round each."""
    chosen = set(always)
    for kind in [*WRITTEN, None]:
        writers = [
            name
            for _uid, (name, texts) in ordered
            if name not in always and (kind in texts if kind else not texts)
        ]
        chosen.update(writers[:BROWSER_PER_KIND])
    return chosen


def test_no_address_agent_or_email_is_kept_export_is_whole_and_deletion_leaves_nothing(
    page: Page, browser, base_url, live_server_e2e, staff_with_totp
):
    server = live_server_e2e
    db = LiveDatabase(server.env["DATABASE_URL"])
    tag = secrets.token_hex(3)
    problems = page.ordrom_problems
    ada, bo = f"Personvern{tag}A", f"Personvern{tag}B"
    ada_email, bo_email = f"ada.{tag}@example.org", f"bo.{tag}@example.net"

    # --- Two members write in every app ------------------------------------------------------
    page_b = watched_page(browser, base_url, problems)
    sign_up(page, ada, PASSWORD)
    set_email(page, ada_email)
    sign_up(page_b, bo, PASSWORD)
    set_email(page_b, bo_email)
    set_email(page_b, "")  # Bo changes his mind: a removed address must leave nothing behind
    user_agent = page.evaluate("navigator.userAgent")

    letter_subject = f"Søvnløse netter {tag}"
    write_letter(page, letter_subject, f"Jeg sover dårlig for tiden.\nHva kan jeg gjøre? ({tag})")
    # A supervisor answers: the server tells Ada by email that an answer waits.
    staff = watched_page(browser, base_url, problems)
    staff_with_totp(staff, role="supervisor")
    answer_letter(
        staff, letter_subject, f"Takk for at du skrev. Søvn henger sammen med mye. ({tag})"
    )
    staff.context.close()
    start_topic(
        page, f"Tunge dager {tag}", f"Noen dager er tyngre enn andre, og det er greit. ({tag})"
    )
    start_topic(
        page_b,
        f"Små gleder {tag}",
        f"I dag så jeg den første snøen, og det gjorde meg glad. ({tag})",
    )
    make_profile(page, f"Jeg liker å gå tur i skogen og lese krim. ({tag})")
    make_profile(page_b, f"Glad i brettspill, fjell og kaffe. ({tag})")
    approve_profiles(server, ada, bo)

    page.goto("/friends/")
    page.locator("main .friends-card").filter(has_text=bo).locator("h2 a").click()
    profile_path = re.search(r"/friends/p/\d+/$", page.url).group(0)
    request_form = page.locator(f'main form[action="{profile_path}"]')
    request_form.locator("textarea[name=message]").fill(
        f"Hei! Vil du skrive med meg om fjellturer? ({tag})"
    )
    request_form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/friends/requests/$"))
    page_b.goto("/friends/requests/")
    page_b.locator("main li.friends-request-item").filter(has_text=tag).locator(
        "button[name=action][value=accept]"
    ).click()
    expect(page_b).to_have_url(re.compile(r"/friends/c/\d+/$"))
    letter = page_b.locator("main section.friends-write form")
    letter.locator("textarea[name=body]").fill(
        f"Ja, gjerne! Jeg gikk på Gaustatoppen i fjor. ({tag})"
    )
    letter.locator("button[type=submit]").click()
    expect(page_b.locator("main .friends-letter--mine")).to_have_count(1)

    note = f"privacy {tag}"
    open_chat(server, note, open_=True)
    try:
        start_chat(page, f"Jeg trenger noen å snakke med i kveld ({tag})")
    finally:
        open_chat(server, note, open_=False)
    page_b.context.close()

    # --- 1. No address, agent or member's email anywhere, but in the member's own row -------
    with db.connect() as conn:
        given = dict(db.query(conn, "SELECT email, id FROM accounts_user WHERE email <> ''"))
        member_ids = staffless_members(db, conn)
    emails = {email.lower(): uid for email, uid in given.items() if uid in member_ids}
    emails[bo_email] = None  # removed: may be nowhere at all
    assert ada_email in emails
    agent = user_agent_fragments(user_agent)
    findings, seen_own = [], set()
    for cell in cells(db):
        lowered = cell.text.lower()
        if ada_email in lowered and own_email_column(cell, emails[ada_email]):
            seen_own.add(cell.table)
        for address in addresses_in(cell.text):
            if not allowed_address(cell, address):
                findings.append(f"IP address {address!r} in {cell.where()}")
        findings += [
            f"user agent {fragment!r} in {cell.where()}"
            for fragment in agent
            if fragment in cell.text
        ]
        for email, owner in emails.items():
            if email in lowered and not own_email_column(cell, owner):
                findings.append(f"email {email!r} in {cell.where()}")
    endpoints = own_endpoints(server)
    for name, text in server_logs(server).items():
        for line in text.splitlines():
            for endpoint in endpoints:
                line = line.replace(endpoint, "<the platform's own service>")
            findings += [f"IP address {a!r} in {name}: {line}" for a in addresses_in(line)]
            findings += [f"user agent in {name}: {line}" for f in agent if f in line]
            findings += [f"email in {name}: {line}" for e in emails if e in line.lower()]
    for key, text in redis_entries(server):
        for endpoint in endpoints:  # the page cache keys pages by the site's own host
            text = text.replace(endpoint.split("://")[-1], "<the platform's own host>")
        findings += [f"IP address {a!r} in Redis key {key}" for a in addresses_in(text)]
        findings += [f"user agent in Redis key {key}" for f in agent if f in text]
        findings += [f"email in Redis key {key}" for e in emails if e in text.lower()]
    assert not findings, "\n".join(sorted(set(findings)))
    # The scan reads what the server stored: it found Ada's address where it belongs.
    assert seen_own == {"accounts_user", "account_emailaddress"}, seen_own

    # --- 2. and 3. Each member downloads their export, then deletes their account ---------------
    with db.connect() as conn:
        members = {
            uid: (name, member_texts(db, conn, uid))
            for uid, name in db.query(conn, "SELECT id, username FROM accounts_user")
            if uid in member_ids
        }
    assert {ada, bo} <= {name for name, _ in members.values()}
    # Ada, Bo and, for every kind of writing, the first BROWSER_PER_KIND others who wrote it
    # (and as many who wrote nothing) sign in, download their export and delete their
    # account on the account page in Chromium, each checked for traces right after leaving.
    # Everyone else (the other flows' members; in a full `make e2e` run, hundreds more from
    # the hostile-input suite's world, made in bulk) downloads the export from the same
    # endpoint over HTTP with a session an operator made, then all leave through the service
    # the deletion view calls (after the password check the browser rounds prove), and are
    # checked together.
    ordered = sorted(members.items())
    in_browser = browser_members(ordered, ada, bo)
    bulk = {uid: member for uid, member in ordered if member[0] not in in_browser}
    sessions = Path(server.log_path).with_name(f"privacy-sessions-{tag}.json")
    # Their passwords are the other flows' (or generated key phrases): an operator sets one
    # (hashed once: Argon2 takes a sixth of a second), so that each can sign in.
    server.manage(
        "shell",
        "-c",
        "import json\n"
        "from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY\n"
        "from django.contrib.auth.hashers import make_password\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from accounts.models import User\n"
        f"User.objects.filter(username__in={sorted(in_browser - {ada})!r})"
        f".update(password=make_password({PASSWORD!r}))\n"
        "keys = {}\n"
        f"for user in User.objects.filter(pk__in={sorted(bulk)!r}):\n"
        "    session = SessionStore()\n"
        "    session[SESSION_KEY] = str(user.pk)\n"
        "    session[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "    session[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "    session.create()\n"
        "    keys[user.pk] = session.session_key\n"
        f"open({str(sessions)!r}, 'w').write(json.dumps(keys))\n",
    )
    keys = {int(uid): key for uid, key in json.loads(sessions.read_text()).items()}
    sessions.unlink()
    missing, leftovers = [], []
    remaining = dict(members)

    def check_export(uid: int, name: str, exported: dict) -> None:
        # What the member has written as it stands now: a request to a member who has left
        # in an earlier round went with that member's account.
        with db.connect() as conn:
            texts = member_texts(db, conn, uid)
        words = "\n".join(strings_in(exported))
        missing.extend(
            f"{name}'s {kind}: {text!r}"
            for kind, items in texts.items()
            for text in items
            if text not in words
        )

    for uid, (name, _texts) in ordered:
        if uid in bulk:
            continue
        remaining.pop(uid)
        member_page = page if name == ada else watched_page(browser, base_url, problems)
        if name != ada:
            log_in(member_page, name, PASSWORD, next_url="/accounts/")
        check_export(uid, name, download_export(member_page))
        delete_account(member_page, PASSWORD)
        if member_page is not page:
            member_page.context.close()
        leftovers += traces_of(
            db, server, {uid: members[uid]}, others_words=True, still_here=remaining
        )
    if bulk:
        context = browser.new_context(base_url=base_url)
        for uid, (name, _texts) in bulk.items():
            context.clear_cookies()
            context.add_cookies([{"name": "sessionid", "value": keys[uid], "url": base_url}])
            exported = context.request.get("/accounts/export/", max_redirects=0)
            assert exported.status == 200, f"{name}'s export: {exported.status}"
            check_export(uid, name, exported.json())
        server.manage(
            "shell",
            "-c",
            "from accounts import services\n"
            "from accounts.models import User\n"
            f"for user in User.objects.filter(pk__in={sorted(bulk)!r}):\n"
            "    services.account_delete(user=user)\n",
        )
        for uid, (name, _texts) in bulk.items():
            context.clear_cookies()
            context.add_cookies([{"name": "sessionid", "value": keys[uid], "url": base_url}])
            after = context.request.get("/accounts/", max_redirects=0)
            assert after.status == 302, f"{name}'s session outlived the account"
        context.close()
        leftovers += traces_of(db, server, bulk, others_words=True)
    assert not missing, "Missing from the exports:\n" + "\n".join(missing)
    # Once everyone is gone, not even another member's words may name them.
    leftovers += traces_of(db, server, members, others_words=False)
    assert not leftovers, "\n".join(sorted(set(leftovers)))


# Where members' own words are stored (and their rendered HTML): another member's letter may
# greet a deleted member by pseudonym; those words are the writer's, and stay while they do.
WORDS_COLUMNS = {
    ("letters_thread", "subject"),
    ("letters_letter", "body"),
    ("forum_topic", "title"),
    ("forum_post", "body"),
    ("forum_post", "body_html"),
    ("forum_report", "text"),
    ("friends_profile", "about"),
    ("friends_profile", "about_html"),
    ("friends_contactrequest", "message"),
    ("friends_contactrequest", "message_html"),
    ("friends_message", "body"),
    ("friends_message", "body_html"),
    ("friends_report", "text"),
    ("chat_conversation", "first_line"),
    ("chat_message", "text"),
    ("chatgroups_groupmessage", "text"),
    ("chatgroups_privatenote", "text"),
}


def traces_of(
    db: LiveDatabase, server, deleted: dict, *, others_words: bool, still_here: dict | None = None
) -> list[str]:
    """Everything left of the deleted accounts: an account row, a column that refers to
    accounts holding their id, a session of theirs, their texts or pseudonym in any cell of
    any table, in a log or in Redis. A text that a member who is still here also wrote (the hostile
    suite sends the same strings through several fields) is theirs to keep, and not searched."""
    kept = [
        text
        for _name, texts in (still_here or {}).values()
        for items in texts.values()
        for text in items
    ]
    found = []
    deleted_ids = set(deleted)
    with db.connect() as conn:
        left_rows = db.query(conn, "SELECT id, username FROM accounts_user")
        left = {row[0] for row in left_rows}
        left_names = {row[1] for row in left_rows if row[0] not in deleted_ids}
        found += [f"the account row of {deleted[uid][0]} survived" for uid in deleted_ids & left]
        for table, column in user_reference_columns():
            rows = db.query(conn, f'SELECT "{column}" FROM "{table}"')  # noqa: S608
            found += [
                f"{table}.{column} still points to {deleted[row[0]][0]}'s account"
                for row in rows
                if row[0] in deleted_ids
            ]
        for (data,) in db.query(conn, "SELECT session_data FROM django_session"):
            user_id = json.loads(signed_payload(data) or "{}").get("_auth_user_id")
            if user_id is not None and int(user_id) in deleted_ids:
                found.append(f"a session of {deleted[int(user_id)][0]} survived")
    # A name still in use that contains a deleted pseudonym ("Vakt Kari" and a member "Kari")
    # is that account's, wherever it appears: it is taken out of a cell before the search.
    names = {name for name, _ in deleted.values()}
    shadowing = [
        other
        for other in left_names
        if other not in names and any(name in other for name in names)
    ]
    needles = {}
    for name, texts in deleted.values():
        needles[name] = (f"{name}'s pseudonym", True)
        for kind, items in texts.items():
            for text in items:
                for piece in searchable_pieces(text):
                    if not any(piece in other for other in kept):
                        needles[piece] = (f"{name}'s {kind}", False)
    for cell in cells(db):
        in_words = (cell.table, cell.column) in WORDS_COLUMNS
        unshadowed = cell.text
        for other in shadowing:
            unshadowed = unshadowed.replace(other, "")
        found += [
            f"{what} {needle!r} in {cell.where()}"
            for needle, (what, is_name) in needles.items()
            if needle in (unshadowed if is_name else cell.text)
            and not (others_words and is_name and in_words)
        ]
    for log_name, text in server_logs(server).items():
        found += [
            f"{what} in {log_name}" for needle, (what, _) in needles.items() if needle in text
        ]
    # Nothing kept in Redis holds them either (it may write what it holds to disk): the
    # forum's rendered posts, the reply queue's rows, rate limits and counts are kept in
    # each process, under hashes or by id.
    for key, text in redis_entries(server):
        unshadowed = text
        for other in shadowing:
            unshadowed = unshadowed.replace(other, "")
        found += [
            f"{what} {needle!r} in Redis key {key}"
            for needle, (what, is_name) in needles.items()
            if needle in (unshadowed if is_name else text)
        ]
    return found


def staffless_members(db: LiveDatabase, conn) -> set[int]:
    """Every account that is not staff: members, and visitors' generated accounts."""
    from ordrom.roles import STAFF_ROLES

    staff_groups = tuple(str(role) for role in STAFF_ROLES)
    placeholders = ", ".join(["%s"] * len(staff_groups))
    staff = db.query(
        conn,
        "SELECT ug.user_id FROM accounts_user_groups ug JOIN auth_group g ON ug.group_id = g.id "
        f"WHERE g.name IN ({placeholders})",  # noqa: S608
        staff_groups,
    )
    everyone = db.query(conn, "SELECT id, is_superuser FROM accounts_user")
    staff_ids = {row[0] for row in staff}
    return {uid for uid, superuser in everyone if not superuser and uid not in staff_ids}


def allowed_address(cell: Cell, address: str) -> bool:
    return any(
        cell.table == table and cell.column == column and re.fullmatch(pattern, address)
        for table, column, pattern, _reason in LOOKS_LIKE_AN_ADDRESS
    )


def own_email_column(cell: Cell, owner: int | None) -> bool:
    """The member's own optional address: accounts_user.email on their row, and allauth's
    EmailAddress row for the same account (kept in step by accounts.services)."""
    if owner is None:
        return False
    if cell.table == "accounts_user" and cell.column == "email":
        return cell.row["id"] == owner
    if cell.table == "account_emailaddress" and cell.column == "email":
        return cell.row["user_id"] == owner
    return False
