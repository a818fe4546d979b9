"""The permissions backend with compiled SQL (ordrom/auth_backends.py) answers exactly what
Django's ModelBackend answers, follows a change on the next request, and signs nobody in."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from ordrom.auth_backends import PreparedPermissionsBackend
from ordrom.roles import Role

pytestmark = pytest.mark.django_db


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # a new request's user, nothing remembered


def both(user) -> tuple[set, set]:
    return (
        PreparedPermissionsBackend().get_all_permissions(fresh(user)),
        ModelBackend().get_all_permissions(fresh(user)),
    )


def test_the_same_permissions_as_django_gives_for_each_kind_of_user(
    member, supervisor, coordinator, moderator
):
    for user in (member, supervisor, coordinator, moderator):
        prepared, django = both(user)
        assert prepared == django
    assert "wagtailadmin.access_admin" in both(supervisor)[0]
    assert "wagtailadmin.access_admin" not in both(member)[0]


def test_a_permission_given_or_taken_away_counts_on_the_next_request(member, supervisor):
    own = Permission.objects.get(codename="access_admin")
    member.user_permissions.add(own)
    assert fresh(member).has_perm("wagtailadmin.access_admin")
    member.user_permissions.remove(own)
    assert not fresh(member).has_perm("wagtailadmin.access_admin")

    group = Group.objects.get(name=Role.SUPERVISOR)
    codenames = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    taken = group.permissions.filter(codename="access_admin").first()
    assert taken is not None and "wagtailadmin.access_admin" in codenames
    group.permissions.remove(taken)
    try:
        assert not fresh(supervisor).has_perm("wagtailadmin.access_admin")
        assert both(supervisor)[0] == both(supervisor)[1]
    finally:
        group.permissions.add(taken)


def test_it_signs_nobody_in_and_the_password_is_still_checked(member):
    member.set_password("et langt passord")
    member.save()
    assert PreparedPermissionsBackend().authenticate(
        None, username=member.username, password="et langt passord"
    ) is None
    assert authenticate(username=member.username, password="et langt passord") == member
    assert authenticate(username=member.username, password="feil") is None


def test_a_role_taken_away_counts_on_the_next_request(supervisor):
    assert fresh(supervisor).has_perm("wagtailadmin.access_admin")
    supervisor.groups.remove(Group.objects.get(name=Role.SUPERVISOR))
    assert not fresh(supervisor).has_perm("wagtailadmin.access_admin")
    assert both(supervisor)[0] == both(supervisor)[1]


def test_what_a_group_may_do_changed_by_another_process_counts_once_it_says_so(supervisor):
    """Another process changes the permissions past this one's signals and bumps the shared
    version (its own receiver does): this process reads them again."""
    from ordrom import cache_versions
    from ordrom.auth_backends import GROUP_PERMISSIONS_VERSION_KEY

    assert fresh(supervisor).has_perm("wagtailadmin.access_admin")  # kept in this process
    group = Group.objects.get(name=Role.SUPERVISOR)
    through = Group.permissions.through
    taken = list(through.objects.filter(group=group, permission__codename="access_admin"))
    through.objects.filter(pk__in=[row.pk for row in taken]).delete()  # no signal here
    cache_versions.bump(GROUP_PERMISSIONS_VERSION_KEY)
    try:
        assert not fresh(supervisor).has_perm("wagtailadmin.access_admin")
        assert both(supervisor)[0] == both(supervisor)[1]
    finally:
        through.objects.bulk_create(taken)
        cache_versions.bump(GROUP_PERMISSIONS_VERSION_KEY)


def test_a_member_of_two_groups_may_do_what_either_may(member, supervisor):
    extra = Group.objects.create(name="Prøvegruppe")
    extra.permissions.add(Permission.objects.get(codename="access_admin"))
    assert not fresh(member).has_perm("wagtailadmin.access_admin")
    member.groups.add(extra)
    assert fresh(member).has_perm("wagtailadmin.access_admin")
    supervisor.groups.add(extra)
    assert both(supervisor)[0] == both(supervisor)[1]
    extra.delete()
    assert not fresh(member).has_perm("wagtailadmin.access_admin")
