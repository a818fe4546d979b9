"""A real Ordrom for the browser tests: its own database, daphne, and Debian's Chromium.

The server is the same program `make run` starts, in a subprocess, against a database
made for this session only: a SQLite file in a temporary directory, or, when DATABASE_URL
is set, a fresh PostgreSQL database on the same server that is dropped afterwards.
Nothing here uses pytest-django's test database (no test requests `db`): the browser and
the `manage.py` helpers both talk to the live server's database, like a person and an
operator would.

Chromium comes from Debian (`apt-get install chromium`); Playwright never downloads a
browser here, so it is launched with `executable_path`. Without the background-networking
flags Chromium's own calls home are refused on this closed network.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import re
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from pg_admin import maintenance_connect

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("ORDROM_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_SECONDS = 60
PROD_LOCAL = os.environ.get("ORDROM_E2E_PROD_LOCAL", "") == "1"
PROD_LOCAL_SCRIPT = ROOT / "scripts" / "prod-local"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Everything under tests/e2e is a browser test, whether or not a module says so.

    tryfirst: the marks must be on before `-m` deselects.
    """
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _fast_password_hasher():
    """The suite-wide fixture changes this process's settings; the server is another process."""


@pytest.fixture(autouse=True)
def _empty_cache():
    """The suite-wide fixture clears this process's cache, which with Redis is the server's."""


# --- The live server ---------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None
    _log_offset: int = field(default=0, repr=False)

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run `manage.py ARGS` against the live server's database, as an operator would."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def create_staff(self, username: str, role: str = "supervisor") -> str:
        """Create a staff account with `manage.py create_staff`; return its one-time password."""
        out = self.manage("create_staff", username, "--role", role).stdout
        match = re.search(r"^One-time password:\s*(\S+)\s*$", out, re.MULTILINE)
        assert match, f"create_staff printed no one-time password:\n{out}"
        return match.group(1)

    def new_log(self) -> str:
        """What the server wrote since the last call (attached to failures)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        new, self._log_offset = text[self._log_offset :], len(text)
        return new


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _e2e_database(tmp_dir: Path):
    """Yield the DATABASE_URL of a database made for this session, and remove it after.

    For PostgreSQL it is created on the server DATABASE_URL names, through the database in
    that URL (which must exist: `test` on the CI machine).
    """
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url or url.startswith("sqlite"):
        # The timeout lets manage.py helpers and daphne share the file without
        # "database is locked".
        yield f"sqlite:///{tmp_dir / 'e2e.sqlite3'}?timeout=20"
        return

    from psycopg import sql

    # Its own name per run: two runs on one server (two checkouts, CI beside a developer)
    # must not drop each other's database.
    database = f"ordrom_e2e_{os.getpid()}_{secrets.token_hex(3)}"
    name = sql.Identifier(database)
    with maintenance_connect(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
    parts = urlsplit(url)
    try:
        yield urlunsplit(parts._replace(path="/" + database))
    finally:
        with maintenance_connect(url) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def _wait_until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"daphne exited with {server.process.returncode}:\n{server.new_log()}"
            )
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code}"
        except OSError as error:
            last = str(error)
        time.sleep(0.25)
    raise RuntimeError(f"/healthz did not answer 200 within {STARTUP_SECONDS}s ({last})")


def _prod_local_env(env: dict[str, str]) -> dict[str, str]:
    """The production environment `scripts/prod-local` gives its processes."""
    out = subprocess.run(  # noqa: S603
        [str(PROD_LOCAL_SCRIPT), "env"], env=env, capture_output=True, text=True, check=True
    ).stdout
    return {**env, **dict(line.split("=", 1) for line in out.splitlines() if "=" in line)}


@contextlib.contextmanager
def _prod_local_server(tmp_dir: Path, run_id: str):
    """Yield a LiveServer for the production shape on a database of its own."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.fail("ORDROM_E2E_PROD_LOCAL=1 needs DATABASE_URL pointing at PostgreSQL")
    with _e2e_database(tmp_dir) as database_url:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))
        }
        port = os.environ.get("PROD_LOCAL_HTTPS_PORT", "8443")
        url = f"https://localhost:{port}"
        env.update(
            PROD_LOCAL_DATABASE_URL=database_url,
            ORDROM_QUICK_EXIT_URL=f"{url}/healthz",
            ORDROM_CACHE_PREFIX=f"ordrom-e2e-{run_id}",
            ORDROM_CHANNEL_PREFIX=f"ordrom-e2e-{run_id}",
            ORDROM_SIGNUP_RATE_LIMIT="100/m/ip",
            ORDROM_LOGIN_RATE_LIMIT="1000/m/ip",
        )
        subprocess.run([str(PROD_LOCAL_SCRIPT), "stop"], env=env, check=False)  # noqa: S603
        started = subprocess.run(  # noqa: S603
            [str(PROD_LOCAL_SCRIPT), "start"], env=env, capture_output=True, text=True
        )
        if started.returncode != 0:
            raise RuntimeError(f"scripts/prod-local start failed:\n{started.stderr}")
        server = LiveServer(
            url=url,
            env=_prod_local_env(env),
            log_path=ROOT / "var" / "prod-local" / "daphne-a.log",
        )
        try:
            yield server
        finally:
            subprocess.run([str(PROD_LOCAL_SCRIPT), "stop"], env=env, check=False)  # noqa: S603


@pytest.fixture(scope="session")
def live_server_e2e(tmp_path_factory) -> LiveServer:
    """Migrate, seed, collect static files and serve Ordrom with daphne for this session."""
    tmp_dir = tmp_path_factory.mktemp("ordrom-e2e")
    if PROD_LOCAL:
        with _prod_local_server(tmp_dir, secrets.token_hex(4)) as server:
            yield server
        return
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    run_id = secrets.token_hex(4)

    with _e2e_database(tmp_dir) as database_url:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="ordrom.settings",
            DATABASE_URL=database_url,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            ORDROM_BASE_URL=url,
            ORDROM_MEDIA_ROOT=str(tmp_dir / "media"),
            # The quick exit must leave for somewhere that answers without the internet.
            ORDROM_QUICK_EXIT_URL=f"{url}/healthz",
            # A shared Redis keeps rate-limit counters between runs: a fresh prefix per run.
            ORDROM_CACHE_PREFIX=f"ordrom-e2e-{run_id}",
            ORDROM_CHANNEL_PREFIX=f"ordrom-e2e-{run_id}",
            ORDROM_STAFF_REQUIRE_2FA="true",
            # Every browser here comes from 127.0.0.1: many sign-ups a minute are the tests.
            ORDROM_SIGNUP_RATE_LIMIT="100/m/ip",
            # The privacy suite signs every member in, one after another, to leave.
            ORDROM_LOGIN_RATE_LIMIT="1000/m/ip",
            PYTHONUNBUFFERED="1",
        )
        env.pop("DJANGO_ENV", None)
        server = LiveServer(url=url, env=env, log_path=tmp_dir / "daphne.log")
        server.manage("migrate", "--noinput")
        server.manage("seed_demo")
        server.manage("collectstatic", "--noinput", "--verbosity", "0")

        daphne = shutil.which("daphne", path=str(BIN)) or "daphne"
        with server.log_path.open("w") as log:
            server.process = subprocess.Popen(  # noqa: S603
                [
                    daphne,
                    "--access-log",
                    "/dev/null",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "ordrom.asgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_healthy(server)
            yield server
        finally:
            server.process.terminate()
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server_e2e) -> str:
    return live_server_e2e.url


# --- The browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield _ProdLocalBrowser(browser)
    browser.close()


# --- Content-Security-Policy violations, in every page of every context ------------------------

# Each page of every context the browser fixture makes reports its violations here, through
# an init script (it runs in every frame before the page's own scripts, so a violation while
# the HTML is parsed counts too) that calls a binding of the context. A test fails when any
# page it opened, in any context, reported one (pytest_runtest_call / _teardown below).
CSP_WATCH_BINDING = "__ordromCspViolation"
CSP_WATCH_SCRIPT = f"""
document.addEventListener("securitypolicyviolation", (event) => {{
  window.{CSP_WATCH_BINDING}({{
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
    page: document.location.href,
  }});
}}, true);
"""
_csp_violations: list[dict] = []
_csp_seen = 0
_watched_contexts: list = []


def watch_csp(context) -> None:
    context.expose_function(CSP_WATCH_BINDING, lambda violation: _csp_violations.append(violation))
    context.add_init_script(CSP_WATCH_SCRIPT)
    _watched_contexts.append(context)
    context.on("close", lambda ctx: _watched_contexts.remove(ctx))


def _new_csp_violations() -> list[str]:
    """The violations reported since the last call. A round trip into each open page first:
    a binding call the page made before it is delivered before the answer."""
    global _csp_seen
    for context in list(_watched_contexts):
        for open_page in context.pages:
            with contextlib.suppress(Exception):  # closed or navigating: nothing pending
                open_page.evaluate("0")
    new, _csp_seen = _csp_violations[_csp_seen:], len(_csp_violations)
    return [
        f"CSP violation on {v['page']}: {v['directive']} blocked {v['blocked'] or 'inline'}"
        f" ({v['source']}:{v['line']} {v['sample']!r})"
        for v in new
    ]


@pytest.fixture
def csp_violations():
    """take(): the CSP violations reported since the last look, which then no longer fail
    the test (for a test that provokes one on purpose)."""
    return _new_csp_violations


class _ProdLocalBrowser:
    """The browser, whose new contexts (a test's second person, say) get what the context
    fixture gives under prod-local: the throw-away certificate accepted, and the members'
    daphne pin (staff_with_totp moves staff to the other process). Every page of every
    context is watched for Content-Security-Policy violations."""

    def __init__(self, browser):
        self._browser = browser

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **kwargs):
        if PROD_LOCAL:
            kwargs.setdefault("ignore_https_errors", True)
        context = self._browser.new_context(**kwargs)
        watch_csp(context)
        if kwargs.get("base_url"):
            pin_to_node(context, "a", kwargs["base_url"])
        return context


@pytest.fixture
def context(browser, base_url):
    context = browser.new_context(
        base_url=base_url,
        locale="nb-NO",
        timezone_id="Europe/Oslo",
    )
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def page(context, live_server_e2e):
    """A fresh tab that records console errors, CSP violations and uncaught exceptions.

    The test fails if any occurred (see pytest_runtest_call below): a page that works only
    because the browser forgave it is not working.
    """
    page = context.new_page()
    problems: list[str] = []

    def on_console(message):
        # The browser asks for /favicon.ico on its own; that is not the page's doing.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            kind = "CSP violation" if "Content Security Policy" in message.text else "console"
            problems.append(f"{kind} error on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught error on {page.url}: {error}"))
    page.ordrom_problems = problems
    live_server_e2e.new_log()
    yield page
    page.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    page = getattr(item, "funcargs", {}).get("page")
    problems = [*getattr(page, "ordrom_problems", ()), *_new_csp_violations()]
    if problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(problems), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Violations delivered while the test's contexts closed still belong to the test."""
    result = yield
    late = _new_csp_violations()
    if late:
        pytest.fail("The browser reported problems:\n" + "\n".join(late), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Put what the server logged during a failed test into its report."""
    report = yield
    server = getattr(item, "funcargs", {}).get("live_server_e2e")
    if server is not None and report.when == "call" and report.failed:
        log = server.new_log()
        if log.strip():
            report.sections.append(("daphne log", log[-20_000:]))
    return report


# --- Small helpers the tests share -------------------------------------------------------------


def _totp_code(secret: str, *, at: float | None = None, digits: int = 6, period: int = 30) -> str:
    """The RFC 6238 code an authenticator app would show for this base32 secret."""
    key = base64.b32decode(secret.replace(" ", "").upper(), casefold=True)
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


@pytest.fixture
def totp_code():
    """The authenticator app: totp_code(secret) gives the code for now."""
    return _totp_code


@pytest.fixture
def new_pseudonym():
    """A pseudonym nobody has used in this session's database. Its number never starts
    with 0: "00…" reads as an international phone number, which a pseudonym may not hold."""
    return lambda stem="Skrivelyst": f"{stem}{secrets.randbelow(900_000) + 100_000}"


def wait_for_fresh_totp_window(margin: float = 3.0) -> None:
    """Do not type a code that expires while the form is being sent."""
    if 30 - time.time() % 30 < margin:
        time.sleep(30 - time.time() % 30 + 0.5)


def pin_to_node(context, node: str, base_url: str) -> None:
    """Under prod-local, send every request of this browser context to daphne *node*
    ("a" for members, "b" for staff); elsewhere there is one process and this does nothing."""
    if PROD_LOCAL:
        context.add_cookies([{"name": "ordrom_node", "value": node, "url": base_url}])


@dataclass
class StaffLogin:
    username: str
    password: str
    secret: str


@pytest.fixture
def staff_with_totp(live_server_e2e):
    """staff_with_totp(page, role="supervisor"): a new staff account (`create_staff`), signed
    in on *page* through the one login, with TOTP set up in the browser as a person does it
    (password, password again, scan the secret, type the code). Returns a StaffLogin; the
    page is left on the recovery-codes page allauth shows once after activation."""
    from playwright.sync_api import expect

    def sign_in(page, role: str = "supervisor", username: str | None = None) -> StaffLogin:
        username = username or f"Veileder{secrets.randbelow(900_000) + 100_000}"
        password = live_server_e2e.create_staff(username, role=role)
        pin_to_node(page.context, "b", live_server_e2e.url)  # staff on the other process
        page.goto("/admin/")
        expect(page).to_have_url(re.compile(r"/accounts/login/\?next=.*admin"))
        form = page.locator("main form").filter(has=page.locator("#id_password"))
        form.locator("#id_login").fill(username)
        form.locator("#id_password").fill(password)
        form.locator("button[type=submit]:not([form])").click()
        # allauth asks for the password once more before an authenticator can be added.
        page.wait_for_url(re.compile(r"/accounts/(reauthenticate|2fa/totp/activate)/"))
        if "/reauthenticate/" in page.url:
            form = page.locator("main form").filter(has=page.locator("#id_password"))
            form.locator("#id_password").fill(password)
            form.locator("button[type=submit]:not([form])").click()
        expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
        secret = page.locator("#authenticator_secret").input_value()
        wait_for_fresh_totp_window()
        form = page.locator("main form").filter(has=page.locator("#id_code"))
        form.locator("#id_code").fill(_totp_code(secret))
        form.locator("button[type=submit]:not([form])").click()
        expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
        return StaffLogin(username=username, password=password, secret=secret)

    return sign_in
