"""Each role sees what it may and is refused what it may not, for every URL that exists.

Members and anonymous visitors never get the staff workspace. Every staff role reaches
the admin dashboard; only editors edit pages and site settings; nobody but a superuser
manages users. Staff without two-factor authentication are sent to set it up first.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, RequestFactory
from wagtail.models import Site

from ordrom import roles
from ordrom.roles import Role

OK = 200
NO = 403  # refused outright
LOGIN = "login"  # 302 to the allauth login, keeping ?next=
DASH = "dashboard"  # 302 to /admin/: Wagtail's refusal, with a "no permission" message
TOTP = "set up 2fa"  # 302 to allauth's TOTP activation

ROLES = (
    "anonymous",
    "member",
    "other_member",
    "supervisor",
    "moderator",
    "coordinator",
    "editor",
    "staff_without_2fa",
)
SETTINGS = "/admin/settings/pages/sitesettings/{site}/"
# {site} and {home} are filled in at run time (ids differ between databases).
ROWS = {
    # url                         anon   member other  superv modera coordi editor no 2FA
    "/":                          (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "/healthz":                   (OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "/accounts/":                 (LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "/accounts/export/":          (LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "/accounts/delete/":          (LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK),
    "/admin/":                    (LOGIN, NO,    NO,    OK,    OK,    OK,    OK,    TOTP),
    "/admin/pages/":              (LOGIN, NO,    NO,    DASH,  DASH,  DASH,  OK,    TOTP),
    "/admin/pages/{home}/edit/":  (LOGIN, NO,    NO,    DASH,  DASH,  DASH,  OK,    TOTP),
    SETTINGS:                     (LOGIN, NO,    NO,    DASH,  DASH,  DASH,  OK,    TOTP),
    "/admin/users/":              (LOGIN, NO,    NO,    DASH,  DASH,  DASH,  DASH,  TOTP),
}  # fmt: skip
EXPECTED = {
    (url, role): expected
    for url, row in ROWS.items()
    for role, expected in zip(ROLES, row, strict=True)
}


def _client_as(request, role):
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "role"), list(EXPECTED), ids=[f"{r} {u}" for u, r in EXPECTED])
def test_role_access(request, url, role):
    expected = EXPECTED[(url, role)]
    site = Site.objects.get(is_default_site=True)
    path = url.format(site=site.pk, home=site.root_page_id)

    response = _client_as(request, role).get(path)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response.headers["Location"] == f"/accounts/login/?next={path}"
    elif expected == DASH:
        assert response.status_code == 302
        assert response.headers["Location"] == "/admin/"
    elif expected == TOTP:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/accounts/2fa/totp/activate/")
    else:
        assert response.status_code == expected


@pytest.mark.django_db
def test_member_refused_from_the_admin_is_not_sent_round_in_a_loop(member_client):
    response = member_client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert response.redirect_chain == []


@pytest.mark.django_db
def test_wagtail_admin_login_redirects_to_the_allauth_login_keeping_next(client):
    response = client.get("/admin/login/?next=/admin/pages/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/admin/pages/"


@pytest.mark.django_db
def test_staff_with_two_factor_reaches_the_dashboard(supervisor_client):
    response = supervisor_client.get("/admin/")

    assert response.status_code == 200


@pytest.mark.django_db
def test_staff_without_two_factor_is_sent_to_set_it_up(staff_without_2fa_client):
    response = staff_without_2fa_client.get("/admin/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/2fa/totp/activate/?next=/admin/"


# --- the permission layer itself ----------------------------------------------------------


@pytest.mark.django_db
def test_role_names_are_the_users_groups(supervisor, member):
    assert roles.role_names(supervisor) == {"supervisor"}
    assert roles.role_names(member) == {"member"}
    assert roles.role_names(AnonymousUser()) == frozenset()


@pytest.mark.django_db
def test_is_staff_for_each_staff_role_and_not_for_members(
    member, supervisor, moderator, coordinator, editor
):
    assert not roles.is_staff(member)
    assert not roles.is_staff(AnonymousUser())
    assert all(roles.is_staff(user) for user in (supervisor, moderator, coordinator, editor))


@pytest.mark.django_db
def test_superuser_has_every_role(user_factory):
    boss = user_factory(roles=())
    boss.is_superuser = True

    assert roles.has_role(boss, Role.COORDINATOR)
    assert roles.is_staff(boss)


@pytest.mark.django_db
def test_has_two_factor_only_with_an_activated_totp(supervisor, staff_without_2fa):
    assert roles.has_two_factor(supervisor)
    assert not roles.has_two_factor(staff_without_2fa)


@pytest.mark.django_db
def test_every_role_group_exists_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


@pytest.fixture
def coordinator_view():
    @roles.role_required(Role.COORDINATOR)
    def view(request):
        return HttpResponse("statistics")

    return view


def _get(user):
    request = RequestFactory().get("/statistics/")
    request.user = user
    return request


@pytest.mark.django_db
def test_role_required_lets_the_role_in(coordinator_view, coordinator):
    assert coordinator_view(_get(coordinator)).status_code == 200


@pytest.mark.django_db
def test_role_required_refuses_another_role(coordinator_view, supervisor, member):
    for user in (supervisor, member):
        with pytest.raises(PermissionDenied):
            coordinator_view(_get(user))


def test_role_required_sends_anonymous_visitors_to_login(coordinator_view):
    response = coordinator_view(_get(AnonymousUser()))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/?next=")
