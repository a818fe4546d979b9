"""Roles and the one permission layer every view asks.

Roles are Django groups. The group names are fixed here; their permissions are granted by
data migrations (``accounts`` creates the groups, each app adds what its staff may do).
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps

from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from ordrom.prepared import PreparedCount, PreparedValuesAndCount


class Role(StrEnum):
    MEMBER = "member"
    SUPERVISOR = "supervisor"
    MODERATOR = "moderator"
    COORDINATOR = "coordinator"
    EDITOR = "editor"


STAFF_ROLES = (Role.SUPERVISOR, Role.MODERATOR, Role.COORDINATOR, Role.EDITOR)

# Read on every signed-in request, always from the database (a role taken away takes effect
# on the next request), with its SQL compiled once (ordrom.prepared). The unread
# notifications, which every signed-in page's header shows, come with them in the same round
# trip (ordrom.notifications.unread_count).
def _roles_and_unread(user):
    from ordrom import notifications

    return Group.objects.filter(user=user).values_list("name"), notifications.unread(user)


_ROLES_AND_UNREAD = PreparedValuesAndCount(_roles_and_unread, ints=["user"])


def role_names(user) -> frozenset[str]:
    """The user's role names, read once per request object and cached on it (with the count
    of their unread notifications: ``unread_notifications``)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_ordrom_roles", None)
    if cached is None:
        rows, unread = _ROLES_AND_UNREAD(user=user.pk)
        cached = frozenset(name for (name,) in rows)
        user._ordrom_roles, user._ordrom_unread = cached, unread
    return cached


def unread_notifications(user) -> int | None:
    """How many notifications *user* had not read when their roles were read in this
    request, or None when they were not (or the count was forgotten since)."""
    return getattr(user, "_ordrom_unread", None)


def forget_unread_notifications(user) -> None:
    if hasattr(user, "_ordrom_unread"):
        del user._ordrom_unread


def has_role(user, *roles: Role) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    names = role_names(user)
    return any(role in names for role in roles)


def is_staff(user) -> bool:
    """Anyone who works in the staff workspace (the Wagtail admin)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(role_names(user) & set(STAFF_ROLES))


def _totp_authenticators(user):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user, type=Authenticator.Type.TOTP)


# Asked on every staff workspace request (the two-factor guard), SQL compiled once.
_TOTP_COUNT = PreparedCount(_totp_authenticators, ints=["user"])


def has_two_factor(user) -> bool:
    return _TOTP_COUNT(user=user.pk) > 0


def member_required(view):
    """Signed-in members only. Staff accounts are for work, not for writing as a member."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: Role):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
