"""Faults, with real processes: Redis stops and comes back; PostgreSQL goes away during a
letter; daphne is killed in the middle of a chat.

Each test serves Ordrom with daphne on a database of its own (tests/proof/live_support.py).
Redis is a private redis-server this test stops and starts; PostgreSQL is the server
DATABASE_URL names, reached through a proxy this test cuts. The shared servers are never
stopped.
"""

from __future__ import annotations

import asyncio
import html
import re
import time

import pytest
from chat_hours_support import chat_open_all_day, shell_code
from live_support import (
    Browser,
    CuttableProxy,
    Ordrom,
    RedisServer,
    Socket,
    form_fields,
    fresh_database,
    is_postgres,
    seed_members,
)

# Written by a person, not a bot: the form timer is off so the test need not wait.
FAST_FORMS = {"ORDROM_LETTER_MIN_FORM_SECONDS": "0"}
UNAVAILABLE_NB = "midlertidig utilgjengelig"


def run(coro):
    return asyncio.run(coro)


def _eventually(check, *, seconds: float = 20.0, every: float = 0.25):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def _status(origin: str, path: str) -> int:
    async def go():
        return (await Browser(origin).get(path)).status

    return run(go())


async def _send_letter(browser: Browser, body: str):
    form = form_fields((await browser.get("/letters/new/")).body, "/letters/new/")
    form["body"] = body
    return form, await browser.post("/letters/new/", form)


OPEN_CONVERSATION = """
from django.utils import timezone
from accounts.models import User
from chat import services
member = User.objects.get(pk=member_id)
conversation = services.conversation_enter_queue(
    member=member, first_line=first_line, now=timezone.now()
)
result = conversation.pk
"""

CHAT_OPEN_ALL_DAY = shell_code(chat_open_all_day)


# --- Redis stops -----------------------------------------------------------------------------


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_redis_stops_pages_and_letters_work_chat_says_unavailable_and_all_recovers(tmp_path, redis):
    site = Ordrom(tmp_path, redis_url=redis.url, extra_env=FAST_FORMS)
    [(member_id, member_key), (waiting_id, waiting_key)] = seed_members(site, 2, "Stormvarsel")
    site.shell(CHAT_OPEN_ALL_DAY)
    waiting_conversation = site.shell(
        f"member_id = {waiting_id}\nfirst_line = 'Før stormen'\n" + OPEN_CONVERSATION
    )
    try:
        [server] = site.start()
        origin = server.origin

        async def while_down():
            visitor = Browser(origin)
            for path in ("/", "/forum/", "/letters/new/", "/accounts/login/", "/chat/"):
                assert (await visitor.get(path)).status == 200, path
            _form, sent = await _send_letter(visitor, "Skrevet mens Redis sov, besøkende.")
            assert sent.status == 200, sent.body[-2000:]
            assert "Stormvarsel" not in sent.body
            member = Browser(origin, {"sessionid": member_key})
            _form, sent = await _send_letter(member, "Skrevet mens Redis sov, medlem.")
            assert sent.status == 302, sent.body[-2000:]
            thread = await member.get(sent.header("location"))
            assert "Skrevet mens Redis sov, medlem." in thread.body

            chat = await member.get("/chat/")
            assert chat.status == 200
            assert UNAVAILABLE_NB in chat.body
            assert 'action="/chat/start/"' not in chat.body, "no queue to join without the chat"
            assert 'action="/chat/letter/"' in chat.body, "the letter is offered instead"
            refused = await member.post(
                "/chat/start/", {**form_fields(chat.body, "/chat/letter/"), "first_line": "Hei"}
            )
            assert refused.status == 200 and UNAVAILABLE_NB in refused.body

            # Someone already in the queue: the page says so.
            waiting = Browser(origin, {"sessionid": waiting_key})
            page = await waiting.get(f"/chat/{waiting_conversation}/")
            assert page.status == 200 and UNAVAILABLE_NB in page.body
            socket = Socket(origin, f"/ws/chat/{waiting_conversation}/", waiting_key)
            # The handshake is refused (no frame at all), which chat.js counts towards
            # showing the same "temporarily unavailable" while it keeps retrying.
            assert not await socket.connect(), "a socket without a channel layer is refused"
            socket.close()

        redis.stop()
        assert _eventually(lambda: _status(origin, "/healthz") == 503), "healthz says 503"
        run(while_down())

        redis.start()
        assert _eventually(lambda: _status(origin, "/healthz") == 200), "healthz recovers"

        def chat_offered():
            async def go():
                page = await Browser(origin, {"sessionid": member_key}).get("/chat/")
                return 'action="/chat/start/"' in page.body and UNAVAILABLE_NB not in page.body

            return run(go())

        assert _eventually(chat_offered), "the chat is offered again"

        async def after():
            # The queue takes people again, and the waiting member's socket is live.
            member = Browser(origin, {"sessionid": member_key})
            chat = await member.get("/chat/")
            started = await member.post(
                "/chat/start/", {**form_fields(chat.body, "/chat/start/"), "first_line": "Nå?"}
            )
            assert started.status == 302, started.body[-2000:]
            assert started.header("location").startswith("/chat/")
            socket = Socket(origin, f"/ws/chat/{waiting_conversation}/", waiting_key)
            assert await socket.connect()
            assert (await socket.until("state"))["state"] == "waiting"
            socket.close()

        run(after())
        stored = site.shell(
            "from letters.models import Letter\n"
            "result = sorted(Letter.objects.values_list('body', flat=True))"
        )
        assert stored == ["Skrevet mens Redis sov, besøkende.", "Skrevet mens Redis sov, medlem."]
    finally:
        site.stop()


# --- PostgreSQL goes away during a letter ------------------------------------------------------


COUNT_LETTERS = """
from letters.models import Letter
from accounts.models import User
result = {
    "bodies": sorted(Letter.objects.values_list("body", flat=True)),
    "keys": Letter.objects.exclude(submission_key=None).values("submission_key").distinct().count(),
    "users": User.objects.count(),
}
"""


@pytest.mark.postgres
@pytest.mark.skipif(not is_postgres(), reason="needs DATABASE_URL pointing at PostgreSQL")
def test_postgres_going_away_during_a_letter_loses_nothing_and_stores_nothing_twice(tmp_path):
    from urllib.parse import urlsplit, urlunsplit

    database_url, direct = fresh_database(tmp_path)
    upstream = urlsplit(database_url)
    proxy = CuttableProxy(upstream.hostname or "127.0.0.1", upstream.port or 5432)
    through_proxy = urlunsplit(
        upstream._replace(
            netloc=upstream.netloc.replace(
                f"{upstream.hostname}:{upstream.port}", f"127.0.0.1:{proxy.port}"
            )
            if upstream.port
            else f"{upstream.netloc}:{proxy.port}",
            query="sslmode=disable",  # the proxy reads the statements going by
        )
    )
    site = Ordrom(
        tmp_path, database_url=through_proxy, direct_database_url=direct, extra_env=FAST_FORMS
    )
    [(_member_id, member_key)] = seed_members(site, 1, "Lysvaken")
    try:
        [server] = site.start()
        origin = server.origin

        async def refused_then_resent(browser: Browser, body: str, cut) -> tuple:
            """Send a letter while *cut* breaks the database; the writer gets a 503 page that
            keeps the text, sends that page's form again, and is told it was sent."""
            form = form_fields((await browser.get("/letters/new/")).body, "/letters/new/")
            form["body"] = body
            cut()
            failed = await browser.post("/letters/new/", form)
            proxy.restore()
            assert failed.status == 503, failed.body[-2000:]
            assert failed.header("retry-after")
            assert "Midlertidig utilgjengelig" in failed.body
            kept = form_fields(failed.body, "/letters/new/")
            assert kept["body"] == body, "the 503 page gives the text back"
            assert kept["token"] == form["token"], "with the same one-time token"
            for _attempt in range(20):
                again = await browser.post("/letters/new/", kept)
                if again.status != 503:  # the connection pool may need a moment
                    return failed, again
                await asyncio.sleep(0.5)
            raise AssertionError("the database did not come back")

        async def scenario():
            member = Browser(origin, {"sessionid": member_key})

            # 1. The database is down when the letter arrives (a restart in progress).
            _failed, again = await refused_then_resent(
                member, "Første brev, mens basen var nede.", proxy.cut
            )
            assert again.status == 302, again.body[-1000:]
            assert again.header("location").startswith("/letters/")

            # 2. The connection dies as the letter is written: nothing is stored, the resend is.
            _failed, again = await refused_then_resent(
                member,
                "Andre brev, brutt midt i lagringen.",
                lambda: proxy.cut_on(b'INSERT INTO "letters_letter"', after_forwarding=False),
            )
            assert again.status == 302, again.body[-1000:]
            assert proxy.triggered.is_set()

            # 3. The commit reaches the server but its answer never comes back: the letter
            # is stored, the writer is told it was not; sending again finds it.
            _failed, again = await refused_then_resent(
                member,
                "Tredje brev, lagret uten svar.",
                lambda: proxy.cut_on(
                    b"COMMIT", after_forwarding=True, armed_by=b'INSERT INTO "letters_letter"'
                ),
            )
            assert proxy.triggered.is_set()
            assert again.status == 302 and again.header("location") == "/letters/"

            # 4. The same for a visitor: one account and one letter, and a key phrase that
            # works (the first was shown to nobody).
            visitor = Browser(origin)
            _failed, again = await refused_then_resent(
                visitor,
                "Fjerde brev, fra en besøkende uten svar.",
                lambda: proxy.cut_on(
                    b"COMMIT", after_forwarding=True, armed_by=b'INSERT INTO "letters_letter"'
                ),
            )
            assert again.status == 200, again.body[-1000:]
            pseudonym, phrase = (
                html.unescape(value)
                for value in re.findall(r'class="key-phrase__value"[^>]*>([^<]+)<', again.body)
            )
            signing_in = Browser(origin)
            login = form_fields((await signing_in.get("/accounts/login/")).body, having="password")
            login.update(login=pseudonym, password=phrase)
            signed_in = await signing_in.post("/accounts/login/", login)
            assert signed_in.status == 302, "the new key phrase opens the account"

        run(scenario())
        result = site.shell(COUNT_LETTERS)
        assert result["bodies"] == sorted(
            [
                "Første brev, mens basen var nede.",
                "Andre brev, brutt midt i lagringen.",
                "Tredje brev, lagret uten svar.",
                "Fjerde brev, fra en besøkende uten svar.",
            ]
        ), "each letter once: none lost, none twice"
        assert result["keys"] == 4
        assert result["users"] == 2, "one member, one visitor account"
    finally:
        site.stop()
        proxy.close()


# --- daphne is killed in the middle of a chat -------------------------------------------------


SUPERVISOR_ON_DUTY = """
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from ordrom.roles import Role

user = get_user_model().objects.create_user(username="Vakt Nattevakt", password=None)
user.groups.add(Group.objects.get(name=Role.SUPERVISOR))
TOTP.activate(user, generate_totp_secret())
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
result = session.session_key
"""

TRANSCRIPT = """
from chat.models import Message
result = [
    [m.seq, m.sender, m.text]
    for m in Message.objects.filter(conversation_id=conversation_id).order_by("seq")
]
"""


def test_daphne_killed_mid_chat_the_member_reconnects_and_nothing_is_lost_or_doubled(
    tmp_path, redis
):
    """The member on process A, the supervisor on B (one Redis, one database). A is killed
    while the member's message is on its way, before its acknowledgement; the supervisor
    writes while A is down. The member's page does what chat.js does on reconnect: send the
    unacknowledged message again (same client_id), then ask for what came after the last
    number it showed."""
    site = Ordrom(tmp_path, redis_url=redis.url)
    [(member_id, member_key)] = seed_members(site, 1, "Kveldsvind")
    staff_key = site.shell(SUPERVISOR_ON_DUTY)
    conversation = site.shell(
        f"member_id = {member_id}\nfirst_line = 'Jeg får ikke sove'\n" + OPEN_CONVERSATION
    )
    path = f"/ws/chat/{conversation}/"
    try:
        a, b = site.start(2)

        async def scenario():
            member = Socket(a.origin, path, member_key)
            console = Socket(b.origin, "/ws/chat/console/", staff_key)
            assert await member.connect() and await console.connect()
            assert (await member.until("state"))["state"] == "waiting"
            console.send({"type": "take_next"})
            assert (await console.until("conversation"))["id"] == conversation
            await member.until("state", state="active")

            member.send({"type": "message", "text": "Hei, er du der?", "client_id": "m1"})
            seen = (await member.until("ack", client_id="m1"))["seq"]
            console.send(
                {"type": "message", "conversation": conversation, "text": "Ja, jeg er her."}
            )
            seen = (await member.until("message", text="Ja, jeg er her."))["seq"]

            # The member's next message leaves; A dies before anything comes back.
            member.send({"type": "message", "text": "Det er tungt i kveld.", "client_id": "m3"})
            await asyncio.sleep(0.05)
            site.kill(a)
            member.close()
            console.send({"type": "message", "conversation": conversation, "text": "Fortell."})
            await console.until("ack")

            site.restart(a)
            member = Socket(a.origin, path, member_key)
            assert await member.connect()
            member.send({"type": "message", "text": "Det er tungt i kveld.", "client_id": "m3"})
            resent = await member.until("ack", client_id="m3")
            missed = await member.resume(seen)
            assert "Fortell." in [frame["text"] for frame in missed]
            assert resent["seq"] > seen

            everything = await member.resume(0)
            on_console = await console.resume(0, conversation=conversation)
            member.close()
            console.close()
            return everything, on_console

        everything, on_console = run(scenario())
        texts = [frame["text"] for frame in everything if frame["sender"] != "system"]
        assert sorted(texts) == sorted(
            ["Hei, er du der?", "Ja, jeg er her.", "Det er tungt i kveld.", "Fortell."]
        ), "every message once"
        assert texts.index("Hei, er du der?") < texts.index("Ja, jeg er her.")
        seqs = [frame["seq"] for frame in everything]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "numbers without gaps"
        assert [f["seq"] for f in on_console] == seqs, "both sides see the same conversation"
        stored = site.shell(f"conversation_id = {conversation}\n" + TRANSCRIPT)
        assert [row[0] for row in stored] == seqs
    finally:
        site.stop()
