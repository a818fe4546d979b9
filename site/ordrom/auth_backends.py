"""Permission checks with their two queries compiled once (ordrom.prepared).

Wagtail asks for the user's permissions on every staff workspace page (``access_admin``
first of all), and Django's ModelBackend builds and compiles its two permission queries (the
user's own, their groups') through the ORM for each request: about 0.5 ms of a reply queue
page. This backend answers the same questions from the same tables with the SQL compiled
once: the user's own permissions on every request, their groups' kept per combination of
groups under a shared version (below). It signs nobody in (``authenticate`` returns None, so a
password is checked once, by ModelBackend after it) and stores its answers in the same
per-request attributes as ModelBackend, which then reads them instead of asking again.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import transaction

from ordrom import cache_versions, roles
from ordrom.kept import Recent
from ordrom.prepared import PreparedValues


def _user_permissions(user):
    return Permission.objects.filter(user=user)


def _codes(permissions):
    return permissions.values_list("content_type__app_label", "codename").order_by()


def own_permissions(user):
    """What *user* may do themselves (not through a group), as ``(app_label, codename)``."""
    return _codes(_user_permissions(user))


def keep_own_permissions(user, rows) -> None:
    """Keep *rows* of ``own_permissions``, read with other questions in one round trip
    (ordrom.roles.read_for_staff_area), as this request's answer: the backend then does not
    ask again. Not for a superuser or an inactive user, whose answer is another."""
    if user.is_active and not user.is_superuser:
        user._user_perm_cache = {f"{app}.{codename}" for app, codename in rows}


def _group_permissions(user):
    related = get_user_model()._meta.get_field("groups").related_query_name()
    return Permission.objects.filter(**{f"group__{related}": user})


_QUERIES = {
    "user": PreparedValues(own_permissions, ints=["user"]),
    "group": PreparedValues(lambda user: _codes(_group_permissions(user)), ints=["user"]),
}


# What each combination of groups may do is the same for every user in them and changes
# only when a group's permissions do: kept in each process under a shared version, which
# every such change bumps (``forget_group_permissions``). Which groups a user is in is still
# read from the database on every request (ordrom.roles), so a role taken away takes effect
# on the next one. The five-table join had been the reply queue's slowest query.
GROUP_PERMISSIONS_VERSION_KEY = "ordrom:group-permissions:version"
_group_permissions_kept = Recent(limit=64, seconds=300)


def forget_group_permissions(**kwargs) -> None:
    """Signal receiver: a group, a permission, or what a group may do changed. Forgotten at
    once and again on commit (a request in between cannot keep what it read before)."""

    def retire():
        _group_permissions_kept.clear()
        cache_versions.bump(GROUP_PERMISSIONS_VERSION_KEY)

    retire()
    transaction.on_commit(retire)


def _group_permissions_of(user) -> set[str]:
    groups = roles.role_names(user)
    if not groups:
        return set()
    key = (cache_versions.current(GROUP_PERMISSIONS_VERSION_KEY), groups)
    permissions = _group_permissions_kept.get_or_set(
        key,
        lambda: frozenset(f"{app}.{codename}" for app, codename in _QUERIES["group"](user=user.pk)),
    )
    return set(permissions)


class PreparedPermissionsBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return None

    def _get_permissions(self, user_obj, obj, from_name):
        if user_obj.is_superuser or not user_obj.is_active or user_obj.is_anonymous:
            return super()._get_permissions(user_obj, obj, from_name)
        if obj is not None:
            return set()
        cache_name = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, cache_name):
            if from_name == "group":
                permissions = _group_permissions_of(user_obj)
            else:
                rows = _QUERIES[from_name](user=user_obj.pk)
                permissions = {f"{app}.{codename}" for app, codename in rows}
            setattr(user_obj, cache_name, permissions)
        return getattr(user_obj, cache_name)
