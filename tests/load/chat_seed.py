"""The chat benchmark's data (run by bench.py's chat_bench in its own process).

The chat is measured on a database of its own (a fresh SQLite file or PostgreSQL database
``ordrom_bench_chat``), served by a daphne process of its own with a Redis channel layer, so it
runs in every ``make bench`` whatever the pages part uses. The environment names the
database (DATABASE_URL) and Redis (REDIS_URL) exactly as the chat's daphne will see them.

Reads ``{"conversations": N}`` on stdin; migrates; makes N members and N supervisors (each
supervisor with a TOTP authenticator row, as the console requires), N running conversations
and a signed-in session for each person (created the way django.contrib.auth.login stores
one, as bench.py's session_cookie does). Prints ``{"conversations": [{id, member_cookie,
staff_cookie}, ...]}``.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from importlib import import_module


def main() -> None:
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from chat.models import Conversation

    count = int(json.loads(sys.stdin.read())["conversations"])
    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")

    users = get_user_model()
    now = timezone.now()
    run = secrets.token_hex(3)
    members = users.objects.bulk_create(
        [users(username=f"Chatbenk{run}m{n}", password="!") for n in range(count)]
    )
    staff = users.objects.bulk_create(
        [users(username=f"Chatbenk{run}s{n}", password="!") for n in range(count)]
    )
    Group.objects.get(name="supervisor").user_set.add(*staff)
    # The console socket, like the staff workspace, is only for staff with two-factor
    # authentication: give each a TOTP authenticator row (never used to log in here).
    Authenticator.objects.bulk_create(
        [
            Authenticator(user=s, type=Authenticator.Type.TOTP, data={"secret": "unused"})
            for s in staff
        ]
    )
    chats = Conversation.objects.bulk_create(
        [
            Conversation(member=m, supervisor=s, state="active", queued_at=now, taken_at=now)
            for m, s in zip(members, staff, strict=True)
        ]
    )
    store_class = import_module(settings.SESSION_ENGINE).SessionStore

    def cookie(user) -> str:
        store = store_class()
        store[SESSION_KEY] = user._meta.pk.value_to_string(user)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store["_ordrom_last_seen"] = int(time.time())  # ordrom.middleware.IdleTimeoutMiddleware
        store.create()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    plan = [
        {"id": c.pk, "member_cookie": cookie(m), "staff_cookie": cookie(s)}
        for c, m, s in zip(chats, members, staff, strict=True)
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(json.dumps({"conversations": plan}))


if __name__ == "__main__":
    main()
