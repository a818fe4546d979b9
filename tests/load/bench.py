"""`make bench`: seed a large data set, serve it with daphne, drive it from another process.

What it does, in order (DESIGN.md, "Performance budgets"):

1. Makes its own database: a fresh SQLite file ``var/bench/bench.sqlite3`` (WAL, as the
   embedded default uses), or with ``BENCH_DATABASE_URL=postgres://…/<any db>`` a fresh
   PostgreSQL database ``ordrom_bench`` (or ``BENCH_DATABASE_NAME``) on that server (dropped
   at the end unless --keep).
2. Migrates, runs ``seed_demo``, and seeds 100 000 letters in threads of 1–3 letters by
   20 000 members, 10 000 forum topics with 200 000 posts, and a friend profile for every
   member, all with ``bulk_create`` (tests/load/seed.py), then checks their invariants.
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
   figures to ``var/bench/results.json``. A visitor's page is compared with the bare view
   asked by a visitor, a signed-in page with the same bare view asked with a signed-in
   session: that is "the same middleware" of DESIGN.md for it (the session and user rows
   every signed-in request loads, about 2x the visitor's bare view here). The ratio to the
   visitor's bare view is printed beside it. Each page's bare view is measured in slices
   alternating with the page's own (``--rounds`` 4 of each; 8 s of page, 4 s of bare view),
   and its median is the page's reference: on this shared machine the speed drifts by a
   third within one run, within seconds, so a reference measured minutes away flattered or
   punished a page's ratio. Both bare views are also measured first and again last, as rows
   of their own.

Options: ``--letters N`` and ``--members N`` (defaults 100 000 and 20 000), ``--seconds``
per page, ``--concurrency``, ``--keep`` (leave the database), ``--reuse`` (measure an
existing bench database from ``--keep`` without seeding again), ``--topics``/``--posts``,
``--show-queries PATH`` and ``--profile PATH`` (cProfile that page in process). REDIS_URL,
if set, is used by the server as in production (sessions, cache, channel layer) with a fresh
key prefix.

The chat (its rows of the same table) is measured after the pages on a database, a daphne
process and a channel layer of its own: a fresh ``var/bench/chat.sqlite3`` or PostgreSQL
database ``ordrom_bench_chat``, REDIS_URL or else a private redis-server on a free port
(tests/load/chat_seed.py, chat_client.py; ``chat_bench`` below). ``--no-chat`` leaves it out,
``--chat-only`` measures only it; ``--chat-conversations``, ``--chat-seconds``,
``--chat-idle``.
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
# The PostgreSQL database the bench makes (and drops): BENCH_DATABASE_NAME, so two benches on
# one server do not take each other's.
PG_DATABASE = os.environ.get("BENCH_DATABASE_NAME", "").strip() or "ordrom_bench"
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

    started = total_started = time.monotonic()
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
    started = time.monotonic()
    log(f"seeding the forum: {args.topics} topics with {args.posts} posts (bulk_create):")
    forum = bench_seed.seed_forum(
        topics=args.topics, posts=args.posts, now=timezone.now(), member_id=data.member_id,
        log=log,
    )
    log(f"  forum seeded in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    log("seeding the friend service: a profile for every member (bulk_create):")
    friends = bench_seed.seed_friends(now=timezone.now(), member_id=data.member_id, log=log)
    log(f"  friend service seeded in {time.monotonic() - started:.1f} s "
        f"({friends.listed} profiles listed)")
    seconds = time.monotonic() - total_started
    # Fresh statistics for the planner and, on PostgreSQL, the visibility map, as autovacuum
    # leaves a database that has been running a while (index-only scans need it).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    problems = bench_seed.check_consistency()
    if problems:
        raise SystemExit(f"the seeded data breaks the letters' invariants: {problems}")
    problems = bench_seed.check_forum_consistency()
    if problems:
        raise SystemExit(f"the seeded forum breaks its counters: {problems}")
    log("invariants checked: every letter has its record, replies and states agree; the "
        "forum's counters match its rows")

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
        "forum_topics": forum.topics,
        "forum_posts": forum.posts,
        "forum_category": forum.category_slug,
        "forum_topic_id": forum.topic_id,
        "friend_profiles": friends.profiles,
        "friend_profiles_listed": friends.listed,
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
        # The same bare view for a signed-in member: what the session and user lookups cost
        # every signed-in request. The signed-in pages' ratios are to this row.
        {"name": "bare, signed in", "path": "/bench/ok", "cookie": member},
        {"name": "home", "path": "/", "cookie": ""},
        {"name": "find help", "path": "/finn-hjelp/", "cookie": ""},
        {"name": "letter queue", "path": "/admin/letters/", "cookie": staff},
        {"name": "queue, page 50", "path": "/admin/letters/?p=50", "cookie": staff},
        {"name": "my letters", "path": "/letters/", "cookie": member},
        {"name": "letter thread", "path": f"/letters/{info['member_thread_id']}/",
         "cookie": member},
        {"name": "forum category", "path": f"/forum/{info['forum_category']}/",
         "cookie": member},
        {"name": "category, p. 40", "path": f"/forum/{info['forum_category']}/?page=40",
         "cookie": member},
        {"name": "forum topic", "path": f"/forum/t/{info['forum_topic_id']}/", "cookie": member},
        {"name": "topic, last page", "path": f"/forum/t/{info['forum_topic_id']}/?page=last",
         "cookie": member},
        {"name": "friend browse", "path": "/friends/", "cookie": member},
        {"name": "browse, page 50", "path": "/friends/?page=50", "cookie": member},
        # The bare views once more at the end, for the table (each page's own reference is
        # its bare view measured in slices between the page's, drive()).
        {"name": "bare ok, again", "path": "/bench/ok", "cookie": ""},
        {"name": "signed in, again", "path": "/bench/ok", "cookie": member},
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
                shown = int(os.environ.get("BENCH_SQL_CHARS", "400"))
                log(f"{float(query['time']) * 1000:8.2f} ms  {query['sql'][:shown]}")


def _time_queries(client, page: dict, headers: dict, requests: int) -> None:
    """The median wall time of each of the page's queries, in the order it makes them (round
    trip, the database's work and the driver's, as Django's cursor sees it)."""
    import statistics

    from django.db import connection

    times: dict[int, list[float]] = {}
    texts: dict[int, str] = {}
    seen = [0]

    def timed(execute, sql, params, many, context):
        index = seen[0]
        seen[0] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            times.setdefault(index, []).append((time.perf_counter() - started) * 1000)
            texts[index] = sql

    with connection.execute_wrapper(timed):
        for _ in range(requests):
            seen[0] = 0
            client.get(page["path"], headers=headers)
    shown = int(os.environ.get("BENCH_SQL_CHARS", "160"))
    for index in sorted(times):
        log(f"{statistics.median(times[index]):8.3f} ms  {texts[index][:shown]}")
    log(f"{sum(statistics.median(t) for t in times.values()):8.3f} ms  in all")


def profile_page(page_list: list[dict], path: str, *, requests: int = 50) -> None:
    """cProfile of *requests* warm requests to the page whose path contains *path*, through
    Django's test client in this process (the CPU a request costs, without the machine's load
    or the server's queueing in it): the per-request wall time and the top functions."""
    import cProfile
    import pstats

    from django.test import Client

    for page in page_list:
        if path not in page["path"] or (os.environ.get("BENCH_PROFILE_EXACT")
                                        and path != page["path"]):
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        headers = {"cookie": page["cookie"]} if page["cookie"] else {}
        for _ in range(3):
            client.get(page["path"], headers=headers)
        lines = int(os.environ.get("BENCH_PROFILE_LINES", "45"))  # 0: time only, no profiler
        profiler = cProfile.Profile()
        started, cpu = time.perf_counter(), time.process_time()
        if lines:
            profiler.enable()
        for _ in range(requests):
            client.get(page["path"], headers=headers)
        profiler.disable()
        each = (time.perf_counter() - started) / requests * 1000
        cpu = (time.process_time() - cpu) / requests * 1000
        if os.environ.get("BENCH_PROFILE_SQL"):
            _time_queries(client, page, headers, requests)
        log(f"--- {page['name']} {page['path']}: {each:.2f} ms a request in process, "
            f"{cpu:.2f} ms of it this process's CPU ({'profiled; ' if lines else ''}"
            f"load average {os.getloadavg()[0]:.2f})")
        if lines and os.environ.get("BENCH_PROFILE_DUMP"):  # for pstats or snakeviz
            profiler.dump_stats(os.environ["BENCH_PROFILE_DUMP"])
        if lines:
            stats = pstats.Stats(profiler, stream=sys.stdout)
            log(f"    {stats.total_calls // requests} Python function calls a request "
                f"(the same however busy the machine is)")
            stats.sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative"))
            stats.print_stats(lines)


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
        "reference_seconds": args.reference_seconds,
        "rounds": args.rounds,
        "pages": [
            {
                **{k: page[k] for k in ("name", "path", "cookie")},
                # Each page's own bare view (a visitor's or signed-in, as the page is asked),
                # measured in slices between the page's own (client.py, _paired).
                **({} if page["path"].startswith("/bench/ok") else {"reference": {
                    "name": "bare", "path": "/bench/ok", "cookie": page["cookie"]}}),
            }
            for page in page_list
        ],
    }
    per_page = args.warmup + args.seconds + args.reference_seconds + 2 * 0.25 * args.rounds
    budget = len(page_list) * per_page + 120
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

CHAT_PG_DATABASE = "ordrom_bench_chat"
CHAT_P99_BUDGET_MS = 50.0
CHAT_IDLE_BUDGET = 2_000


def chat_database_url() -> str:
    """A fresh database of the chat's own: ``var/bench/chat.sqlite3``, or with
    BENCH_DATABASE_URL the PostgreSQL database ``ordrom_bench_chat`` on that server."""
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if not url:
        VAR.mkdir(parents=True, exist_ok=True)
        path = VAR / "chat.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from psycopg import sql

    with _pg_admin(url) as conn:
        name = sql.Identifier(CHAT_PG_DATABASE)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    return urlunsplit(urlsplit(url)._replace(path="/" + CHAT_PG_DATABASE))


def chat_drop_database() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if url:
        from psycopg import sql

        with _pg_admin(url) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(CHAT_PG_DATABASE)
                )
            )


def chat_redis() -> tuple[str, subprocess.Popen | None]:
    """REDIS_URL when set (the production layer), else a private redis-server on a free
    port for the length of the chat measurement (nothing saved, loopback only)."""
    url = os.environ.get("REDIS_URL", "").strip()
    if url:
        return url, None
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("the chat is measured through Redis: set REDIS_URL or install "
                         "redis-server")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - a private redis-server on loopback
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--logfile", str(VAR / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return f"redis://127.0.0.1:{port}/0", process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the private redis-server did not start")


def _proc_status(pid: int) -> dict:
    """RSS (KiB) and CPU seconds (user + system) of a process, from /proc."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return {"rss_kib": rss, "cpu_s": (int(fields[11]) + int(fields[12])) / ticks}


def chat_bench(args) -> dict:
    """Chat round trip through Redis with *args.chat_conversations* running chats (two sockets
    each, one message per side every 10 s on average) on one daphne process of its own, then
    2 000 idle chat sockets and the server's memory per connection."""
    conversations = args.chat_conversations
    redis_url, redis_process = chat_redis()
    url = chat_database_url()
    env = server_env(url)
    env["REDIS_URL"] = redis_url
    server = None
    try:
        started = time.monotonic()
        seeded = subprocess.run(  # noqa: S603 - our own seeding script
            [sys.executable, str(HERE / "chat_seed.py")],
            input=json.dumps({"conversations": conversations}), capture_output=True, text=True,
            env=env, cwd=ROOT, timeout=600, check=False,
        )
        if seeded.returncode != 0:
            sys.stderr.write(seeded.stderr)
            raise SystemExit("the chat's seeding failed")
        plan_chats = json.loads(seeded.stdout)["conversations"]
        log(f"chat: database migrated and {conversations} conversations seeded in "
            f"{time.monotonic() - started:.1f} s")
        port = _free_port()
        server = start_server(env, port)
        # Idle sockets: a few per member session (five are allowed) up to --chat-idle.
        per_session = max(1, min(4, -(-args.chat_idle // max(1, len(plan_chats)))))
        idle = [(f"/ws/chat/{c['id']}/", c["member_cookie"]) for c in plan_chats] * per_session
        plan = {
            "host": "127.0.0.1",
            "port": port,
            "origin": f"http://127.0.0.1:{port}",
            "conversations": plan_chats,
            "seconds": args.chat_seconds,
            "mean_interval": 10,
            "idle": idle[: args.chat_idle],
            "idle_hold_seconds": 5,
        }
        log(f"chat: {conversations} conversations ({2 * conversations} sockets) on daphne "
            f"127.0.0.1:{port}, {args.chat_seconds:g} s of talk, then {len(plan['idle'])} idle "
            f"sockets; load average {_load()}")
        client = subprocess.Popen(  # noqa: S603 - our own client script
            [sys.executable, str(HERE / "chat_client.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        client.stdin.write(json.dumps(plan))
        client.stdin.close()
        marks = {"start": _proc_status(server.pid)}
        # The client reports its phases on stderr; the server is read at each.
        for line in client.stderr:
            try:
                phase = json.loads(line)
            except ValueError:
                sys.stderr.write(line)
                continue
            marks[phase["phase"]] = {**_proc_status(server.pid), **phase, "load": _load()}
            log(f"chat: {phase['phase'].replace('_', ' ')} · load average {_load()}")
            if phase["phase"] == "idle_ready":
                break
        result = json.loads(client.stdout.read())
        client.wait(timeout=60)
    finally:
        if server is not None:
            stop_server(server)
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=10)
        if not args.keep:
            chat_drop_database()
    talk = marks.get("talk_started", marks["start"])
    talked = marks.get("talk_ended", talk)
    seconds = max(1e-6, talked.get("at", 0) - talk.get("at", 0))
    result["server_cpu_percent"] = 100 * (talked["cpu_s"] - talk["cpu_s"]) / seconds
    # The server's own cost of a message (receive, store, ack, broadcast to both sockets),
    # which a loaded machine stretches in time but hardly changes.
    result["server_cpu_ms_per_message"] = (
        1000 * (talked["cpu_s"] - talk["cpu_s"]) / result["sent"] if result["sent"] else None
    )
    result["load_talk"] = talked.get("load", "")
    before = marks.get("talk_done", {}).get("rss_kib", 0)
    held = marks.get("idle_ready", {}).get("rss_kib", 0)
    idle_open = result["idle_open"]
    result.update(
        conversations=conversations,
        idle_planned=len(plan["idle"]),
        rss_start_kib=marks["start"]["rss_kib"],
        rss_before_idle_kib=before,
        rss_idle_kib=held,
        kib_per_idle=(held - before) / idle_open if idle_open else None,
        database=url.split(":", 1)[0],
    )
    return result


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _ms(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def chat_report(chat: dict | None) -> str:
    """The chat's rows of the table."""
    if chat is None:
        return "chat: not measured (--no-chat)"
    p99 = chat["p99_ms"]
    verdict = "ok" if (p99 is not None and p99 < CHAT_P99_BUDGET_MS and chat["lost"] == 0
                       and chat["connect_errors"] == 0) else "MISSED"
    if p99 is None:
        verdict = "no p99 (fewer than 100 messages)"
    idle_verdict = "ok" if chat["idle_open"] >= min(CHAT_IDLE_BUDGET, chat["idle_planned"]) \
        else "MISSED"
    if chat["connect_error_reasons"]:
        idle_verdict += f" (refused: {chat['connect_error_reasons']})"
    per = chat["kib_per_idle"]
    name = f"round trip, {chat['conversations']} conversations"
    return "\n".join([
        f"{'chat':<41} {'p50 ms':>9} {'p99 ms':>8} {'msg/s':>7} {'lost':>7}  budget",
        f"{name:<41} "
        f"{_ms(chat['p50_ms']):>9} {_ms(p99):>8} {chat['sent_per_second']:>7.0f} "
        f"{chat['lost']:>7}  {verdict} (p99 < {CHAT_P99_BUDGET_MS:g} ms, none lost)",
        f"{'  of it: sender to server handler':<41} {_ms(chat['in_p50_ms']):>9} "
        f"{_ms(chat['in_p99_ms']):>8}",
        f"{'  of it: stored and broadcast to receipt':<41} {_ms(chat['out_p50_ms']):>9} "
        f"{_ms(chat['out_p99_ms']):>8}",
        f"{'  sender to its ack':<41} {_ms(chat['ack_p50_ms']):>9} {_ms(chat['ack_p99_ms']):>8}",
        f"{'  client event-loop lag':<41} {_ms(chat['lag_p50_ms']):>9} "
        f"{_ms(chat['lag_p99_ms']):>8}",
        f"{'idle chat connections, 1 process':<41} {chat['idle_open']:>9} of "
        f"{chat['idle_planned']:<5} {'-' if per is None else f'{per:.0f}':>5} KiB each  "
        f"{idle_verdict}",
        f"  daphne CPU per message {_ms(chat['server_cpu_ms_per_message'])} ms (receive, "
        f"store, ack, broadcast to both sides; {chat['server_cpu_percent']:.0f} % of a core "
        f"during the talk)",
        f"  sent {chat['sent']} · acknowledged {chat['acknowledged']} · received "
        f"{chat['received']} · {chat['talking']} conversations talking (connected in "
        f"{chat['connect_seconds']:.0f} s) · connect errors {chat['connect_errors']} (idle: "
        f"{chat['idle_connect_errors']}; handshakes retried after a reset "
        f"{chat['connect_retries']}) · RSS "
        f"{chat['rss_start_kib'] // 1024} MiB at the start, {chat['rss_before_idle_kib'] // 1024} "
        f"MiB after the talk, {chat['rss_idle_kib'] // 1024} MiB with the idle sockets · "
        f"{chat['database']} + Redis · load average {chat['load_talk']}",
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
    # The bare views come first and again last (pages()); the faster median of each is the
    # reference, the stricter choice.
    bare = min(results[0]["median_ms"], results[-2]["median_ms"])
    lines = [
        f"Ordrom make bench · {dt.date.today().isoformat()} · {host['cpus']} CPUs, "
        f"{host['ram_gib']} GiB · Python {host['python']} · Django {host['django']} · "
        f"{host['database']}{' · Redis' if host['redis'] else ''}",
        f"{info['letters']} letters in {info['threads']} threads by {info['members']} members "
        f"({info['open_letters']} open) · daphne, 1 process · {args.concurrency} connections, "
        f"{args.seconds:g} s per page after {args.warmup:g} s warm-up",
        f"forum: {info.get('forum_topics', 0)} topics with {info.get('forum_posts', 0)} posts · "
        f"friend service: {info.get('friend_profiles', 0)} profiles "
        f"({info.get('friend_profiles_listed', 0)} listed) · load average (1 min) "
        f"{args.load_before:.2f} before the pages, {args.load_after:.2f} after",
        "",
        f"{'page':<16} {'path':<24} {'queries':>7} {'median ms':>9} {'p99 ms':>8} "
        f"{'req/s':>7} {'bare ms':>7} {'x bare':>7} {'x anon':>7}  budget",
    ]
    signed_in = min(results[1]["median_ms"], results[-1]["median_ms"])
    for page, result in zip(page_list, results, strict=True):
        # The page's own bare view, measured between its slices (client.py, _paired).
        reference = result.get("reference_median_ms") or (signed_in if page["cookie"] else bare)
        page["reference_ms"] = reference
        ratio = result["median_ms"] / reference if reference else float("nan")
        bad = {k: v for k, v in result["statuses"].items() if k != "200"}
        verdict = "-" if page["path"].startswith("/bench/ok") else (
            "ok" if ratio <= BUDGET_RATIO else "MISSED"
        )
        if bad or result["errors"]:
            verdict += f" (non-200: {bad}, errors: {result['errors']})"
        page["ratio"] = ratio
        page["ratio_to_visitor_bare"] = result["median_ms"] / bare if bare else float("nan")
        lines.append(
            f"{page['name']:<16} {page['path'][:24]:<24} {page['queries']:>7} "
            f"{result['median_ms']:>9.2f} {result['p99_ms']:>8.2f} {result['rps']:>7.0f} "
            f"{reference:>7.2f} {ratio:>7.2f} {page['ratio_to_visitor_bare']:>7.2f}  {verdict}"
        )
    lines.append("")
    lines.append(
        "x bare: the median over the median of the bare view asked the same way (a visitor's "
        "page to the visitor's bare view, a signed-in page to the signed-in one), measured in "
        "slices alternating with the page's (bare ms); the bare rows themselves are the first "
        "and last runs, each over the faster of the two; x anon: over the visitor's bare view "
        "of the first and last runs, the faster"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--topics", type=int, default=10_000, help="forum topics")
    parser.add_argument("--posts", type=int, default=200_000, help="forum posts in all")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured per page")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up per page")
    parser.add_argument("--max-requests", type=int, default=5_000, help="per page and phase")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--reference-seconds", type=float, default=4.0,
                        help="each page's bare view, measured between the page's slices")
    parser.add_argument("--rounds", type=int, default=4,
                        help="slices of page and bare view, alternating")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    parser.add_argument("--show-queries", metavar="PATH", help="print the SQL of that page")
    parser.add_argument("--profile", metavar="PATH",
                        help="cProfile that page in process (with --reuse), then stop")
    parser.add_argument("--chat", action="store_true", help=argparse.SUPPRESS)  # now the default
    parser.add_argument("--no-chat", action="store_true", help="leave the chat out")
    parser.add_argument("--chat-only", action="store_true", help="measure only the chat")
    parser.add_argument("--chat-conversations", type=int, default=500)
    parser.add_argument("--chat-seconds", type=float, default=60.0, help="of talk")
    parser.add_argument("--chat-idle", type=int, default=CHAT_IDLE_BUDGET, help="idle sockets")
    args = parser.parse_args()
    if args.chat_only:
        return chat_only(args)

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
    if args.profile:
        for page in page_list:
            log(f"{page['name']:<16} {page['path'][:24]:<24} {page['queries']:>3} queries")
        profile_page(page_list, args.profile,
                     requests=int(os.environ.get("BENCH_PROFILE_REQUESTS", "50")))
        return 0
    host = machine()
    connections.close_all()

    port = _free_port()
    log(f"serving with daphne on 127.0.0.1:{port}; driving it from a separate process:")
    server = start_server(env, port)
    try:
        args.load_before = os.getloadavg()[0]
        results = drive(port, page_list, args)
        args.load_after = os.getloadavg()[0]
    finally:
        stop_server(server)
    chat = None if args.no_chat else chat_bench(args)

    table = report(page_list, results, info, host, args) + "\n\n" + chat_report(chat)
    log("")
    log(table)
    log("")
    (VAR / "results.json").write_text(
        json.dumps({"machine": host, "seed": {k: v for k, v in info.items()
                                              if k != "supervisor_totp_secret"},
                    "pages": [{k: v for k, v in page.items() if k != "cookie"}
                              for page in page_list],
                    "results": results, "chat": chat, "table": table},
                   indent=2, default=str)
    )
    if not args.keep and not args.reuse:
        connections.close_all()
        drop_database()
    log(f"bench took {time.monotonic() - total:.0f} s; figures in {VAR / 'results.json'}")
    return 0


def chat_only(args) -> int:
    """``--chat-only``: the chat's part of the table, without seeding the pages' data."""
    total = time.monotonic()
    VAR.mkdir(parents=True, exist_ok=True)
    chat = chat_bench(args)
    table = (
        f"Ordrom make bench (chat only) · {dt.date.today().isoformat()} · {os.cpu_count()} "
        f"CPUs · Python {platform.python_version()}\n\n" + chat_report(chat)
    )
    log("")
    log(table)
    log("")
    (VAR / "chat-results.json").write_text(json.dumps({"chat": chat, "table": table}, indent=2))
    log(f"bench took {time.monotonic() - total:.0f} s; figures in {VAR / 'chat-results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
