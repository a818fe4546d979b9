"""The staff workspace's sidebar, built once per staff member and language, not per page.

Wagtail builds the sidebar (its menus, each item's permission check, the JSON the React
sidebar reads) on every admin page: about 4 ms a page here, more than the reply queue's own
rows cost. What it shows depends only on who is asking and in which language: the menu
items a user may see follow from their groups and permissions, the help items from the
badges they dismissed; the active item is chosen in the browser from the URL.

So the rendered ``<script>`` is kept in the cache per user, language and role set, with a
version that any change to groups, permissions or a Wagtail user profile moves on (the next
page builds it again), and it lives ``SIDEBAR_SECONDS`` at most in any case. A stale
sidebar could at worst show a link for a few minutes: every admin view checks its own
permission, so it never opens anything.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.cache import cache
from django.utils import translation

from ordrom import roles

SIDEBAR_SECONDS = 300
VERSION_KEY = "admin-sidebar:version"


def _key(user) -> str:
    who = "|".join(
        [
            str(user.pk),
            translation.get_language() or "",
            "superuser" if user.is_superuser else "",
            *sorted(roles.role_names(user)),
        ]
    )
    return "admin-sidebar:" + hashlib.sha256(who.encode()).hexdigest()[:32]


def cached_sidebar_props(context, build):
    """The sidebar's ``<script>``, from the cache when it is still true for this user."""
    user = context["request"].user
    if not user.is_authenticated:
        return build(context)
    key = _key(user)
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    html = build(context)
    cache.set(key, (version, html), SIDEBAR_SECONDS)
    return html


def forget(**_kwargs) -> None:
    """Every cached sidebar is rebuilt on its next page (a group, a permission or a
    profile changed)."""
    cache.set(VERSION_KEY, secrets.token_hex(8), None)


def install() -> None:
    """Put the cached sidebar in place of Wagtail's ``{% sidebar_props %}`` and connect the
    changes that make a sidebar untrue. Called once from OrdromConfig.ready()."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.admin.templatetags import wagtailadmin_tags
    from wagtail.models import GroupCollectionPermission, GroupPagePermission
    from wagtail.users.models import UserProfile

    build = wagtailadmin_tags.sidebar_props

    def sidebar_props(context):
        return cached_sidebar_props(context, build)

    wagtailadmin_tags.register.simple_tag(takes_context=True, name="sidebar_props")(
        sidebar_props
    )

    user_model = get_user_model()
    # Not the user model itself: every sign-in saves it (last_login), and what of it the
    # sidebar depends on (is_superuser, the groups) is in the key.
    for model in (Group, GroupPagePermission, GroupCollectionPermission, UserProfile):
        for signal in (post_save, post_delete):
            signal.connect(forget, sender=model,
                           dispatch_uid=f"ordrom.admin_sidebar.{id(signal)}.{model.__name__}")
    # A user's own groups are in the key (roles.role_names), so joining or leaving one needs
    # no signal, and members signing up (who join the member group) forget nothing.
    for through in (Group.permissions.through, user_model.user_permissions.through):
        m2m_changed.connect(forget, sender=through,
                            dispatch_uid=f"ordrom.admin_sidebar.m2m.{through.__name__}")
