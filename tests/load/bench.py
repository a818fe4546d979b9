"""`make bench`: seed a large data set, serve it with daphne, drive it from another process.

What it does, in order (DESIGN.md, "Performance budgets"):

1. Makes its own database: a fresh SQLite file ``var/bench/bench.sqlite3`` (WAL, as the
   embedded default uses), or with ``BENCH_DATABASE_URL=postgres://…/<any db>`` a fresh
   PostgreSQL database ``ordrom_bench`` on that server (dropped at the end unless --keep).
2. Migrates, runs ``seed_demo``, and seeds 100 000 letters in threads of 1–3 letters by
   20 000 members with ``bulk_create`` (tests/load/seed.py), then checks their invariants.
3. Makes a supervisor (known password, a TOTP authenticator, so the 2FA guard of the staff
   workspace lets them in) and a member with several threads, and signs both in by
   creating a session row directly (django.contrib.auth's SESSION_KEY, BACKEND_SESSION_KEY
   and HASH_SESSION_KEY): the load client sends that session cookie, as a browser would
   after logging in. No login form, no TOTP code, and no test-only setting on the server.
4. Counts the SQL queries of each page in this process (``CaptureQueriesContext``, a warm
   second request through Django's test client, against the same database).
5. Serves the site with daphne (one process, ``--access-log /dev/null``) with
   ``ORDROM_BENCH=1``, which mounts the bare ``/bench/ok`` view (site/ordrom/urls.py), and
   runs tests/load/client.py in a separate process: for each page a warm-up, then a closed
   loop of GET requests over loopback from a few keep-alive connections.
6. Prints one table: median and p99 latency, requests per second, the ratio of the median
   to the bare view's median (budget: within 4x), and the query count; and writes the
   figures to ``var/bench/results.json``.

Options: ``--letters N`` and ``--members N`` (defaults 100 000 and 20 000), ``--seconds``
per page, ``--concurrency``, ``--keep`` (leave the database), ``--reuse`` (measure an
existing bench database from ``--keep`` without seeding again). REDIS_URL, if set, is used
by the server as in production (sessions, cache, channel layer) with a fresh key prefix.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VAR = ROOT / "var" / "bench"
BIN = Path(sys.executable).parent
PG_DATABASE = "ordrom_bench"
SUPERVISOR = "Benkleder"
SUPERVISOR_PASSWORD = "benk-veileder-passord-2026"  # only ever in the bench database
MEMBER = "Benkmedlem"
BUDGET_RATIO = 4.0
STARTUP_SECONDS = 90


def log(message: str = "") -> None:
    print(message, flush=True)


# --- The database --------------------------------------------------------------------------


def _pg_admin(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        dbname=parts.path.lstrip("/") or "postgres",
        user=parts.username or None,
        password=parts.password or None,
        host=parts.hostname or None,
        port=parts.port or None,
        autocommit=True,
    )


def database_url(*, fresh: bool) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if not url:
        VAR.mkdir(parents=True, exist_ok=True)
        path = VAR / "bench.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if fresh:
        from psycopg import sql

        with _pg_admin(url) as conn:
            name = sql.Identifier(PG_DATABASE)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    return urlunsplit(urlsplit(url)._replace(path="/" + PG_DATABASE))


def drop_database() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if url:
        from psycopg import sql

        with _pg_admin(url) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(PG_DATABASE)
                )
            )


def server_env(url: str) -> dict[str, str]:
    run_id = secrets.token_hex(4)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC", "BENCH_"))
    }
    env.pop("DJANGO_ENV", None)  # development settings, so no real SECRET_KEY is needed
    env.update(
        DJANGO_SETTINGS_MODULE="ordrom.settings",
        DATABASE_URL=url,
        ORDROM_BENCH="1",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        ORDROM_CACHE_PREFIX=f"ordrom-bench-{run_id}",
        ORDROM_CHANNEL_PREFIX=f"ordrom-bench-{run_id}",
        ORDROM_MEDIA_ROOT=str(VAR / "media"),
        ORDROM_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


# --- Seeding and signing in (in this process) ---------------------------------------------------


def seed(args) -> dict:
    import seed as bench_seed
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # persistent in the file, as the default config sets
            cursor.execute("PRAGMA journal_mode=WAL")
    log(f"migrate: {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    call_command("seed_demo", verbosity=0)
    log(f"seed_demo: {time.monotonic() - started:.1f} s")

    started = time.monotonic()
    log(f"seeding {args.letters} letters by {args.members} members (bulk_create):")
    data = bench_seed.seed_large(
        letters=args.letters,
        members=args.members,
        now=timezone.now(),
        log=log,
        supervisor_username=SUPERVISOR,
        supervisor_password=SUPERVISOR_PASSWORD,
        member_username=MEMBER,
    )
    seconds = time.monotonic() - started
    log(f"seeded in {seconds:.1f} s ({data.threads} threads, {data.open_letters} open letters)")
    with connection.cursor() as cursor:  # fresh statistics for the planner, as autovacuum would
        cursor.execute("ANALYZE")
    problems = bench_seed.check_consistency()
    if problems:
        raise SystemExit(f"the seeded data breaks the letters' invariants: {problems}")
    log("invariants checked: every letter has its record, replies and states agree")

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model

    supervisor = get_user_model().objects.get(pk=data.supervisor_id)
    secret = generate_totp_secret()
    TOTP.activate(supervisor, secret)
    info = {
        "seeded_at": timezone.now().isoformat(),
        "seed_seconds": round(seconds, 1),
        "letters": data.letters,
        "threads": data.threads,
        "members": data.members,
        "open_letters": data.open_letters,
        "supervisor_id": data.supervisor_id,
        "supervisor": SUPERVISOR,
        "supervisor_totp_secret": secret,
        "member_id": data.member_id,
        "member_thread_id": data.member_thread_id,
    }
    (VAR / "seed.json").write_text(json.dumps(info, indent=2))
    return info


def session_cookie(user) -> str:
    """A signed-in session for *user*, made the way django.contrib.auth.login stores one."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["_ordrom_last_seen"] = int(time.time())  # ordrom.middleware.IdleTimeoutMiddleware
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def pages(info: dict) -> list[dict]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    staff = session_cookie(users.get(pk=info["supervisor_id"]))
    member = session_cookie(users.get(pk=info["member_id"]))
    return [
        {"name": "bare ok view", "path": "/bench/ok", "cookie": ""},
        {"name": "home", "path": "/", "cookie": ""},
        {"name": "find help", "path": "/finn-hjelp/", "cookie": ""},
        {"name": "letter queue", "path": "/admin/letters/", "cookie": staff},
        {"name": "queue, page 50", "path": "/admin/letters/?p=50", "cookie": staff},
        {"name": "my letters", "path": "/letters/", "cookie": member},
        {"name": "letter thread", "path": f"/letters/{info['member_thread_id']}/",
         "cookie": member},
    ]


def count_queries(page_list: list[dict], *, show: str | None) -> None:
    """The SQL queries of a warm request to each page, in this process, same database."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for page in page_list:
        client = Client(HTTP_HOST="127.0.0.1")
        headers = {"cookie": page["cookie"]} if page["cookie"] else {}
        client.get(page["path"], headers=headers)  # first visit: caches, marking read
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page["path"], headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{page['path']} answered {response.status_code} in process")
        page["queries"] = len(captured)
        page["sql_ms"] = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        if show and show in page["path"]:
            log(f"--- queries of {page['path']}")
            for query in captured.captured_queries:
                log(f"{float(query['time']) * 1000:8.2f} ms  {query['sql'][:400]}")


# --- The server and the client --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    daphne = shutil.which("daphne", path=str(BIN)) or "daphne"
    log_file = (VAR / "daphne.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own daphne, on loopback
        [daphne, "--access-log", "/dev/null", "-b", "127.0.0.1", "-p", str(port),
         "ordrom.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"daphne exited with {process.returncode}; see {VAR / 'daphne.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:  # noqa: S310
                if r.status == 200:
                    return process
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    process.terminate()
    raise SystemExit(f"daphne did not answer /healthz within {STARTUP_SECONDS} s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def drive(port: int, page_list: list[dict], args) -> list[dict]:
    plan = {
        "host": "127.0.0.1",
        "port": port,
        "concurrency": args.concurrency,
        "warmup_seconds": args.warmup,
        "seconds": args.seconds,
        "max_requests": args.max_requests,
        "pages": [{k: page[k] for k in ("name", "path", "cookie")} for page in page_list],
    }
    budget = len(page_list) * (args.warmup + args.seconds) + 120
    result = subprocess.run(  # noqa: S603 - our own client script
        [sys.executable, str(HERE / "client.py")],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        timeout=budget,
        check=False,
    )
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"the load client failed ({result.returncode})")
    return json.loads(result.stdout)


# --- Chat: round trip with 500 conversations, idle connections (issue 8) ---------------------


def chat_bench(server: subprocess.Popen, port: int, conversations: int = 500) -> str:
    """Chat round trip through Redis with *conversations* running chats (two sockets each, one
    message per side every 10 s on average) on the one daphne process, then 2 000 idle chat
    sockets and the server's memory per connection. Needs REDIS_URL (the production layer)."""
    if not os.environ.get("REDIS_URL"):
        return "chat: skipped (set REDIS_URL: the chat is measured through Redis)"
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from chat.models import Conversation

    users = get_user_model()
    now = timezone.now()
    run = secrets.token_hex(3)
    members = users.objects.bulk_create(
        [users(username=f"Chatbenk{run}m{n}", password="!") for n in range(conversations)]
    )
    staff = users.objects.bulk_create(
        [users(username=f"Chatbenk{run}s{n}", password="!") for n in range(conversations)]
    )
    Group.objects.get(name="supervisor").user_set.add(*staff)
    # The console socket, like the staff workspace, is only for staff with two-factor
    # authentication: give each a TOTP authenticator row (never used to log in here).
    from allauth.mfa.models import Authenticator

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
    plan_chats = [
        {"id": c.pk, "member_cookie": session_cookie(m), "staff_cookie": session_cookie(s)}
        for c, m, s in zip(chats, members, staff, strict=True)
    ]
    plan = {
        "host": "127.0.0.1",
        "port": port,
        "origin": f"http://127.0.0.1:{port}",
        "conversations": plan_chats,
        "seconds": 60,
        "mean_interval": 10,
        # Four idle sockets per member session (five are allowed): 2 000 in all.
        "idle": [(f"/ws/chat/{c['id']}/", c["member_cookie"]) for c in plan_chats] * 4,
        "idle_hold_seconds": 8,
    }

    def rss_kib() -> int:
        for line in Path(f"/proc/{server.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    log(f"chat: {conversations} conversations ({2 * conversations} sockets), 60 s of talk")
    client = subprocess.Popen(  # noqa: S603 - our own client script
        [sys.executable, str(HERE / "chat_client.py")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    client.stdin.write(json.dumps(plan))
    client.stdin.close()
    start_rss = rss_kib()
    client.stderr.readline()  # talk_done: the talk phase's sockets are closed
    before = rss_kib()  # so the idle sockets' memory is what they add, not the talk's
    idle_line = client.stderr.readline()
    held = rss_kib()
    result = json.loads(client.stdout.read())
    client.wait(timeout=60)
    idle = json.loads(idle_line or "{}").get("idle_ready", 0)
    per_connection = (held - before) / idle if idle else float("nan")
    return "\n".join([
        f"chat round trip, {conversations} conversations through Redis, 1 daphne process:",
        f"  p50 {result['p50_ms']:.1f} ms · p99 {result['p99_ms']:.1f} ms · sent "
        f"{result['sent']} · acknowledged {result['acknowledged']} · received "
        f"{result['received']} · never received by the end of the run {result['lost']} "
        f"(stored; a client fills such gaps by resume) · connect errors "
        f"{result['connect_errors']}",
        f"  idle chat connections held: {idle} of {len(plan['idle'])} · about "
        f"{per_connection:.0f} KiB each (daphne RSS {start_rss // 1024} MiB at the start, "
        f"{before // 1024} MiB after the talk, {held // 1024} MiB with the idle sockets)",
    ])


# --- The report ------------------------------------------------------------------------------


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("show server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    mem_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    import django

    return {
        "cpus": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
        "redis": bool(os.environ.get("REDIS_URL")),
    }


def report(page_list: list[dict], results: list[dict], info: dict, host: dict, args) -> str:
    by_path = {r["path"]: r for r in results}
    bare = by_path["/bench/ok"]["median_ms"]
    lines = [
        f"Ordrom make bench · {dt.date.today().isoformat()} · {host['cpus']} CPUs, "
        f"{host['ram_gib']} GiB · Python {host['python']} · Django {host['django']} · "
        f"{host['database']}{' · Redis' if host['redis'] else ''}",
        f"{info['letters']} letters in {info['threads']} threads by {info['members']} members "
        f"({info['open_letters']} open) · daphne, 1 process · {args.concurrency} connections, "
        f"{args.seconds:g} s per page after {args.warmup:g} s warm-up",
        "",
        f"{'page':<16} {'path':<24} {'queries':>7} {'median ms':>9} {'p99 ms':>8} "
        f"{'req/s':>7} {'x bare':>7}  budget",
    ]
    for page in page_list:
        result = by_path[page["path"]]
        ratio = result["median_ms"] / bare if bare else float("nan")
        bad = {k: v for k, v in result["statuses"].items() if k != "200"}
        verdict = "-" if page["path"] == "/bench/ok" else (
            "ok" if ratio <= BUDGET_RATIO else "MISSED"
        )
        if bad or result["errors"]:
            verdict += f" (non-200: {bad}, errors: {result['errors']})"
        page["ratio"] = ratio
        lines.append(
            f"{page['name']:<16} {page['path'][:24]:<24} {page['queries']:>7} "
            f"{result['median_ms']:>9.2f} {result['p99_ms']:>8.2f} {result['rps']:>7.0f} "
            f"{ratio:>7.2f}  {verdict}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=8.0, help="measured per page")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per page")
    parser.add_argument("--max-requests", type=int, default=5_000, help="per page and phase")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    parser.add_argument("--show-queries", metavar="PATH", help="print the SQL of that page")
    parser.add_argument("--chat", action="store_true", help="also measure the chat (REDIS_URL)")
    parser.add_argument("--chat-conversations", type=int, default=500)
    args = parser.parse_args()

    total = time.monotonic()
    VAR.mkdir(parents=True, exist_ok=True)
    url = database_url(fresh=not args.reuse)
    env = server_env(url)
    os.environ.update(env)
    for key in [k for k in os.environ if k.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))]:
        os.environ.pop(key)
    os.environ.pop("DJANGO_ENV", None)

    import django

    django.setup()
    from django.db import connections

    if args.reuse:
        info = json.loads((VAR / "seed.json").read_text())
        log(f"reusing the bench database seeded at {info['seeded_at']}")
    else:
        info = seed(args)
    page_list = pages(info)
    count_queries(page_list, show=args.show_queries)
    host = machine()
    connections.close_all()

    port = _free_port()
    log(f"serving with daphne on 127.0.0.1:{port}; driving it from a separate process:")
    server = start_server(env, port)
    try:
        results = drive(port, page_list, args)
        chat = (
            chat_bench(server, port, args.chat_conversations)
            if args.chat
            else "chat: not measured (--chat)"
        )
    finally:
        stop_server(server)

    table = report(page_list, results, info, host, args) + "\n\n" + chat
    log("")
    log(table)
    log("")
    (VAR / "results.json").write_text(
        json.dumps({"machine": host, "seed": {k: v for k, v in info.items()
                                              if k != "supervisor_totp_secret"},
                    "pages": [{k: v for k, v in page.items() if k != "cookie"}
                              for page in page_list],
                    "results": results, "table": table},
                   indent=2, default=str)
    )
    if not args.keep and not args.reuse:
        connections.close_all()
        drop_database()
    log(f"bench took {time.monotonic() - total:.0f} s; figures in {VAR / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
