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

from ordrom.prepared import PreparedBatch, PreparedCount


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

    return (Group.objects.filter(user=user).values_list("name"),), (notifications.unread(user),)


# A staff workspace page asks besides whether the user has an authenticator (the two-factor
# guard) and what they may do themselves (Wagtail's permission checks): the same round trip.
def _staff_area(user):
    from ordrom.auth_backends import own_permissions

    (groups,), (unread,) = _roles_and_unread(user)
    return (groups, own_permissions(user)), (unread, _totp_authenticators(user))


_ROLES_AND_UNREAD = PreparedBatch(_roles_and_unread, ints=["user"])
_STAFF_AREA = PreparedBatch(_staff_area, ints=["user"])


def role_names(user) -> frozenset[str]:
    """The user's role names, read once per request object and cached on it (with the count
    of their unread notifications: ``unread_notifications``)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_ordrom_roles", None)
    if cached is None:
        (rows,), (unread,) = _ROLES_AND_UNREAD(user=user.pk)
        cached = frozenset(name for (name,) in rows)
        user._ordrom_roles, user._ordrom_unread = cached, unread
    return cached


def read_for_staff_area(user) -> None:
    """Before a staff workspace page: the user's roles and unread notifications (as
    ``role_names``), whether they have an authenticator (``has_two_factor``) and their own
    permissions (ordrom.auth_backends), in one round trip, kept on the user object for this
    request."""
    from ordrom.auth_backends import keep_own_permissions

    if not user.is_authenticated or hasattr(user, "_ordrom_roles"):
        return
    (groups, permissions), (unread, authenticators) = _STAFF_AREA(user=user.pk)
    user._ordrom_roles = frozenset(name for (name,) in groups)
    user._ordrom_unread, user._ordrom_totp = unread, authenticators
    keep_own_permissions(user, permissions)


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
    count = getattr(user, "_ordrom_totp", None)
    if count is None:
        count = _TOTP_COUNT(user=user.pk)
    return count > 0


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
