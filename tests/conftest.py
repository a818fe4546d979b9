"""Fixtures shared by the whole suite: fast hashing, users by role, logged-in clients, TOTP.

Every staff fixture has two-factor authentication already set up through allauth's own
API (an activated TOTP authenticator and recovery codes), as a real staff account has
after its first login; ``staff_without_2fa`` is the account before that step.
"""

from __future__ import annotations

import itertools
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from ordrom.roles import Role

PASSWORD = "lang-og-stille-natt-42"
_numbers = itertools.count(1)


def pytest_configure(config):
    """The suite's SQLite database lives in memory with a shared cache, where a second
    connection that writes while another holds the write lock fails at once with "database
    table is locked" instead of waiting, as it does on a file database in WAL mode (the busy
    timeout). The chat's sixteen database threads (CHAT_DB_THREADS) made that a flaky failure
    of the chat consumer tests under load; on an in-memory test database they get one thread.
    The live servers of tests/proof and tests/e2e run on files with the deployed setting."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and not database.get("TEST", {}).get("NAME"):
        settings.CHAT_DB_THREADS = 1


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Argon2 is the production hasher; MD5 keeps the suite fast and tests nothing less.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate limits and used TOTP codes live in the cache; with Redis it outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _role_groups(request):
    """Transactional tests flush the role groups the data migration made; put them back.

    pytest-django runs transactional tests after all others, so only they need this."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("_django_db_helper")
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture(autouse=True)
def _chat_threads_closed():
    """The chat's database threads (chat.consumers, used by every socket test, the chat's,
    the group rooms' and the authorisation matrix's) keep their connections between calls;
    drop them after each test, so none holds the test database when it is flushed or dropped
    (under ``-n 2`` a worker's last test may be any of them)."""
    yield
    from chat.consumers import close_chat_pool

    close_chat_pool()


def make_user(
    username: str | None = None,
    *,
    password: str = PASSWORD,
    roles: tuple[Role, ...] = (Role.MEMBER,),
    two_factor: bool = False,
    email: str = "",
):
    """A saved user in the given role groups; with ``two_factor``, TOTP + recovery codes.

    The TOTP secret in clear is kept on the returned object as ``totp_secret`` so a test
    can compute a valid code (the stored one is encrypted).
    """
    user = get_user_model().objects.create_user(
        username=username or f"Skrivar {next(_numbers)}", password=password, email=email
    )
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    user.totp_secret = None
    if two_factor:
        user.totp_secret = generate_totp_secret()
        TOTP.activate(user, user.totp_secret)
        RecoveryCodes.activate(user)
    return user


def totp_code_for(secret: str) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def password():
    """The password every user made by ``make_user`` has unless told otherwise."""
    return PASSWORD


@pytest.fixture
def user_factory(db):
    return make_user


@pytest.fixture
def totp_code():
    """The current TOTP code for a secret: ``totp_code(user.totp_secret)``."""
    return totp_code_for


@pytest.fixture
def member(db):
    return make_user("Stille Fjell")


@pytest.fixture
def other_member(db):
    return make_user("Grå Morgen")


def _staff(username: str, role: Role):
    return make_user(username, roles=(role,), two_factor=True)


@pytest.fixture
def supervisor(db):
    return _staff("Vakt Kari", Role.SUPERVISOR)


@pytest.fixture
def moderator(db):
    return _staff("Vakt Per", Role.MODERATOR)


@pytest.fixture
def coordinator(db):
    return _staff("Vakt Liv", Role.COORDINATOR)


@pytest.fixture
def editor(db):
    return _staff("Skribent Ane", Role.EDITOR)


@pytest.fixture
def staff_without_2fa(db):
    return make_user("Vakt Ny", roles=(Role.SUPERVISOR,))


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_for():
    """A new test client already signed in as the given user (no 2FA step)."""
    return logged_in_client


@pytest.fixture
def member_client(member):
    return logged_in_client(member)


@pytest.fixture
def other_member_client(other_member):
    return logged_in_client(other_member)


@pytest.fixture
def supervisor_client(supervisor):
    return logged_in_client(supervisor)


@pytest.fixture
def moderator_client(moderator):
    return logged_in_client(moderator)


@pytest.fixture
def coordinator_client(coordinator):
    return logged_in_client(coordinator)


@pytest.fixture
def editor_client(editor):
    return logged_in_client(editor)


@pytest.fixture
def staff_without_2fa_client(staff_without_2fa):
    return logged_in_client(staff_without_2fa)
