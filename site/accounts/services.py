"""Every state change of an account: one function each, the only writers."""

from __future__ import annotations

import secrets
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts import generated
from ordrom import personal_data
from ordrom.roles import STAFF_ROLES, Role

User = get_user_model()


@transaction.atomic
def generated_member_create() -> tuple[User, str]:
    """An account for a visitor who writes without signing up: a generated pseudonym and
    key phrase. The phrase is returned once, for the visitor to write down, and stored only
    as its password hash."""
    phrase = generated.key_phrase()
    for _attempt in range(20):
        name = generated.pseudonym()
        if not User.objects.filter(username__iexact=name).exists():
            break
    else:  # pragma: no cover - 40 x 40 x 90 names; a crowded site gets a longer number
        name = f"{generated.pseudonym()}{secrets.randbelow(1000)}"
    user = User(username=name)
    user.set_password(phrase)
    user.save()
    member_role_grant(user=user)
    return user, phrase


def generated_member_key_phrase_renew(*, user) -> str:
    """A new key phrase for a generated account, returned once like the first.

    For the visitor whose first answer never arrived (the letter was stored, then the line or
    the database went away): the first phrase was shown to nobody and cannot be shown again,
    since only its hash is kept."""
    phrase = generated.key_phrase()
    user.set_password(phrase)
    user.save(update_fields=["password"])
    return phrase


def member_role_grant(*, user) -> None:
    group, _ = Group.objects.get_or_create(name=Role.MEMBER)
    user.groups.add(group)


@transaction.atomic
def staff_create(*, username: str, role: Role) -> tuple[User, str]:
    """Create a staff account with a one-time password, returned once to the caller.

    The password is meant to be changed at first login, where 2FA is also set up.
    """
    if role not in STAFF_ROLES:
        raise ValueError(f"{role!r} is not a staff role")
    password = secrets.token_urlsafe(18)
    user = User(username=username)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user, password


def account_email_set(*, user, email: str) -> None:
    """Set or clear the optional notification address.

    It lives on ``User.email`` only; allauth's EmailAddress table is kept in step so
    allauth never offers a stale address for password reset.
    """
    email = email.strip()
    with transaction.atomic():
        user.email = email
        user.save(update_fields=["email"])
        EmailAddress.objects.filter(user=user).delete()
        if email:
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)


def account_delete(*, user) -> None:
    """Delete the account and everything personal, through the personal-data registry."""
    personal_data.erase_user(user)


def account_export(*, user) -> dict:
    return personal_data.export_user(user)


# --- The "account" section of the personal-data registry --------------------------------------


def account_export_section(user) -> dict:
    return {
        "pseudonym": user.username,
        "email": user.email or None,
        "joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "two_factor_methods": sorted(
            Authenticator.objects.filter(user=user).values_list("type", flat=True)
        ),
    }


def account_erase_section(user) -> None:
    # Authenticators, email addresses and group links go with the row (CASCADE).
    account_sessions_end(user=user)
    user.delete()


def account_sessions_end(*, user) -> int:
    """Delete every stored session of the account, on every device, not only the one whose
    request deletes it: a session row holds the account's id in its data.

    The database backend keeps no index by user, so each session is decoded; they live at
    most SESSION_COOKIE_AGE (12 hours) and `clearsessions` removes expired ones, so the scan
    is bounded by one day's visits.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class()
    user_id = str(user.pk)
    ended = [
        session.pk
        for session in model.objects.only("session_key", "session_data").iterator()
        if str(store().decode(session.session_data).get(SESSION_KEY, "")) == user_id
    ]
    model.objects.filter(pk__in=ended).delete()
    return len(ended)

