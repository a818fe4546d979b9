# ruff: noqa: E501 (the tables are wider than a line)
"""The authorisation matrix: every URL of the site × every role → the expected outcome.

The patterns are walked from the resolver (through every include, with the staff pages our
apps add to Wagtail's admin by hooks); their parameters are filled with objects owned by
another member (the victim, ``owner``). Every pattern under our prefixes (OUR_PREFIXES in
authz_support.py) needs its own row in ``TABLE``: a new URL without one fails
``test_every_url_has_a_row``. Wagtail's own admin views, Wagtail's page serving and
allauth's views are groups: every Wagtail admin pattern refuses anonymous visitors, and a
sample of each group gets a full row in ``SAMPLES``.

A cell is "GET/POST" (POST with an empty body); outcomes (authz_support.outcome): ok (200),
redir (302 elsewhere), login (302 to a login page), 2fa (302 to set up two-factor
authentication), dash (Wagtail's "no permission" 302 to /admin/), or the status code.
Whoever is neither the owner nor a staff role on a staff page must never see the victim's
private text (SECRETS) in any answer.
"""

from __future__ import annotations

import pytest
from authz_support import (
    ROLES,
    SECRETS,
    build_world,
    fill,
    outcome,
    walk_urls,
)
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import resolve
from security_headers import assert_security_headers

ROUTES = {route.key: route for route in walk_urls()}

TABLE_TEXT = """
# url name                     anonymous   member      owner       supervisor  moderator   coordinator editor      staff-no-2fa
healthz                        ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
set_language                   redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir
switch_language                redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir
account                        login/login ok/redir    ok/redir    ok/redir    ok/redir    ok/redir    ok/redir    ok/redir
account_export                 login/login ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
account_delete                 login/login ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
account_email                  redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir
wagtailadmin_login_redirect    login/login 403/403     403/403     login/login login/login login/login login/login 2fa/2fa
wagtailcore_login_redirect     login/login login/login   login/login   login/login   login/login   login/login   login/login   login/login
callback_queue                 login/login 403/403     403/403     ok/ok       dash/dash   ok/ok       dash/dash   2fa/2fa
callback_record                login/login 403/403     403/403     405/redir   405/dash    405/redir   405/dash    2fa/2fa
letters_queue                  login/login 403/403     403/403     ok/ok       403/403     ok/ok       403/403     2fa/2fa
letters_claim_next             login/login 403/403     403/403     405/redir   403/403     405/redir   403/403     2fa/2fa
letters_letter                 login/login 403/403     403/403     ok/ok       403/403     ok/ok       403/403     2fa/2fa
letters_claim                  login/login 403/403     403/403     405/redir   403/403     405/redir   403/403     2fa/2fa
letters_autosave               login/login 403/403     403/403     405/409     403/403     405/409     403/403     2fa/2fa
letters_review_action          login/login 403/403     403/403     403/403     403/403     405/redir   403/403     2fa/2fa
letters_review                 login/login 403/403     403/403     403/403     403/403     ok/ok       403/403     2fa/2fa
letters_statistics             login/login 403/403     403/403     403/403     403/403     ok/ok       403/403     2fa/2fa
letters_statistics_csv         login/login 403/403     403/403     403/403     403/403     ok/ok       403/403     2fa/2fa
letters_audit                  login/login 403/403     403/403     403/403     403/403     ok/ok       403/403     2fa/2fa
forum_moderation_queue         login/login 403/403     403/403     403/403     ok/ok       ok/ok       403/403     2fa/2fa
forum_moderation_log           login/login 403/403     403/403     403/403     ok/ok       ok/ok       403/403     2fa/2fa
forum_moderation_post          login/login 403/403     403/403     403/403     ok/ok       ok/ok       403/403     2fa/2fa
forum_moderation_approve       login/login 403/403     403/403     403/403     405/redir   405/redir   403/403     2fa/2fa
forum_moderation_return        login/login 403/403     403/403     403/403     405/ok      405/ok      403/403     2fa/2fa
forum_moderation_hide          login/login 403/403     403/403     403/403     405/redir   405/redir   403/403     2fa/2fa
forum_moderation_delete        login/login 403/403     403/403     403/403     405/redir   405/redir   403/403     2fa/2fa
forum_moderation_edit          login/login 403/403     403/403     403/403     405/ok      405/ok      403/403     2fa/2fa
forum_moderation_suspend       login/login 403/403     403/403     403/403     405/ok      405/ok      403/403     2fa/2fa
forum_moderation_topic         login/login 403/403     403/403     403/403     ok/ok       ok/ok       403/403     2fa/2fa
forum_moderation_flags         login/login 403/403     403/403     403/403     405/redir   405/redir   403/403     2fa/2fa
forum_moderation_move          login/login 403/403     403/403     403/403     405/ok      405/ok      403/403     2fa/2fa
friends_profile_queue          login/login 403/403     403/403     403/403     ok/ok       ok/ok       403/403     2fa/2fa
friends_profile_review         login/login 403/403     403/403     403/403     ok/ok       ok/ok       403/403     2fa/2fa
friends_held_queue             login/login 403/403     403/403     403/403     ok/ok       ok/ok       403/403     2fa/2fa
friends_held_message           login/login 403/403     403/403     403/403     ok/ok       ok/ok       403/403     2fa/2fa
friends_held_request           login/login 403/403     403/403     403/403     404/404     404/404     403/403     2fa/2fa
friends_report_queue           login/login 403/403     403/403     403/403     ok/ok       ok/ok       403/403     2fa/2fa
friends_report                 login/login 403/403     403/403     403/403     ok/ok       ok/ok       403/403     2fa/2fa
friends_member_suspend         login/login 403/403     403/403     403/403     405/redir   405/redir   403/403     2fa/2fa
friends_log                    login/login 403/403     403/403     403/403     ok/ok       ok/ok       403/403     2fa/2fa
chat_console                   login/login 403/403     403/403     ok/ok       403/403     ok/ok       403/403     2fa/2fa
chat_overview                  login/login 403/403     403/403     403/403     403/403     ok/ok       403/403     2fa/2fa
chat_transcript                login/login 403/403     403/403     ok/ok       403/403     ok/ok       403/403     2fa/2fa
chatgroups_sessions            login/login 403/403     403/403     ok/ok       403/403     ok/ok       403/403     2fa/2fa
chatgroups_series              login/login 403/403     403/403     403/403     403/403     ok/ok       403/403     2fa/2fa
chatgroups_series_new          login/login 403/403     403/403     403/403     403/403     ok/ok       403/403     2fa/2fa
chatgroups_series_edit         login/login 403/403     403/403     403/403     403/403     ok/ok       403/403     2fa/2fa
chatgroups_session             login/login 403/403     403/403     ok/ok       403/403     ok/ok       403/403     2fa/2fa
chatgroups_console             login/login 403/403     403/403     ok/ok       403/403     ok/ok       403/403     2fa/2fa
chatgroups_topic               login/login 403/403     403/403     405/redir   403/403     405/redir   403/403     2fa/2fa
chatgroups_close               login/login 403/403     403/403     405/redir   403/403     405/redir   403/403     2fa/2fa
chatgroups_note                login/login 403/403     403/403     405/redir   403/403     405/redir   403/403     2fa/2fa
chatgroups_mute                login/login 403/403     403/403     405/redir   403/403     405/redir   403/403     2fa/2fa
chatgroups_remove              login/login 403/403     403/403     405/redir   403/403     405/redir   403/403     2fa/2fa
quick_exit                     redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir
media_image                    404/405     404/405     404/405     404/405     404/405     404/405     404/405     404/405
callback_request               ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
callback_request_sent          ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
letters:index                  login/login ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
letters:new                    ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
letters:thread                 login/login 404/405     ok/405      404/405     404/405     404/405     404/405     404/405
letters:key_phrase_saved       login/login 405/404     405/redir   405/404     405/404     405/404     405/404     405/404
letters:follow_up              login/login 405/404     405/ok      405/404     405/404     405/404     405/404     405/404
letters:feedback               login/login 405/404     405/redir   405/404     405/404     405/404     405/404     405/404
letters:follow_up_dismiss      login/login 405/404     405/redir   405/404     405/404     405/404     405/404     405/404
forum:index                    ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
forum:rules                    ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
forum:search                   ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
forum:notifications            login/login ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
forum:topic                    ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
forum:reply                    login/login ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
forum:post_edit                login/login 404/404     ok/ok       404/404     404/404     404/404     404/404     404/404
forum:post_delete              login/login 404/404     ok/redir    404/404     404/404     404/404     404/404     404/404
forum:post_recognise           login/login 405/redir   405/redir   405/redir   405/redir   405/redir   405/redir   405/redir
forum:post_report              login/login ok/ok       404/404     ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
forum:category                 ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
forum:topic_new                login/login ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
friends:index                  ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
friends:my_profile             login/login redir/405   ok/405      redir/405   redir/405   redir/405   redir/405   redir/405
friends:profile_edit           login/login ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
friends:profile_renew          login/login 405/404     405/redir   405/404     405/404     405/404     405/404     405/404
friends:profile_pause          login/login 405/404     405/redir   405/404     405/404     405/404     405/404     405/404
friends:profile_resume         login/login 405/404     405/redir   405/404     405/404     405/404     405/404     405/404
friends:profile_delete         login/login 404/404     ok/redir    404/404     404/404     404/404     404/404     404/404
friends:profile                login/login 404/404     404/404     404/404     404/404     404/404     404/404     404/404
friends:profile_block          login/login 405/404     405/404     405/404     405/404     405/404     405/404     405/404
friends:profile_report         login/login 404/404     404/404     404/404     404/404     404/404     404/404     404/404
friends:requests               login/login ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
friends:request_answer         login/login 405/404     405/404     405/404     405/404     405/404     405/404     405/404
friends:conversations          login/login ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
friends:conversation           login/login 404/404     ok/ok       404/404     404/404     404/404     404/404     404/404
friends:conversation_block     login/login 405/404     405/redir   405/404     405/404     405/404     405/404     405/404
friends:conversation_report    login/login 404/404     ok/ok       404/404     404/404     404/404     404/404     404/404
friends:blocked                login/login ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
friends:block_undo             login/login 405/404     405/404     405/404     405/404     405/404     405/404     405/404
chatgroups:index               ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
chatgroups:mine                login/login ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
chatgroups:notes               login/login ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
chatgroups:sign_up             login/login ok/ok       redir/redir ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
chatgroups:cancel              login/login 405/redir   405/redir   405/redir   405/redir   405/redir   405/redir   405/redir
chatgroups:room                login/login 404/404     ok/ok       redir/redir 404/404     redir/redir 404/404     404/404
chat:index                     ok/405      ok/405      redir/405   ok/405      ok/405      ok/405      ok/405      ok/405
chat:start                     405/ok      405/ok      405/ok      405/ok      405/ok      405/ok      405/ok      405/ok
chat:letter                    405/ok      405/ok      405/ok      405/ok      405/ok      405/ok      405/ok      405/ok
chat:conversation              login/login 404/405     ok/405      404/405     404/405     404/405     404/405     404/405
chat:end                       login/login 405/404     405/redir   405/404     405/404     405/404     405/404     405/404
chat:crisis_contact            login/login 405/404     405/ok      405/404     405/404     405/404     405/404     405/404
chat:feedback                  login/login 405/404     405/404     405/404     405/404     405/404     405/404     405/404
"""
TABLE = {
    line.split()[0]: dict(zip(ROLES, line.split()[1:], strict=True))
    for line in TABLE_TEXT.strip().splitlines()
    if not line.startswith("#")
}

# Cells whose expected outcome is right but the site does otherwise today: the app's owner
# fixes them (strict: the test says so once they are fixed).
# (url, role) → the bug, while one is known (the cell becomes a strict expected failure).
KNOWN_BUGS: dict[tuple[str, str], str] = {}

# Concrete samples of the groups we do not list pattern by pattern.
SAMPLES_TEXT = """
# path                          anonymous   member      owner       supervisor  moderator   coordinator editor      staff-no-2fa
/                              ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
/accounts/login/               ok/ok       redir/redir redir/redir dash/dash   dash/dash   dash/dash   dash/dash   dash/dash
/accounts/signup/              ok/ok       redir/redir redir/redir dash/dash   dash/dash   dash/dash   dash/dash   dash/dash
/accounts/logout/              redir/redir ok/redir    ok/redir    ok/redir    ok/redir    ok/redir    ok/redir    ok/redir
/accounts/password/change/     login/login redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir redir/redir
/accounts/2fa/                 login/login ok/405      ok/405      ok/405      ok/405      ok/405      ok/405      ok/405
/accounts/2fa/totp/activate/   login/login ok/ok       ok/ok       2fa/2fa     2fa/2fa     2fa/2fa     2fa/2fa     ok/ok
/accounts/2fa/recovery-codes/  login/login 404/405     404/405     2fa/405     2fa/405     2fa/405     2fa/405     404/405
/accounts/password/reset/      ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok       ok/ok
/admin/                        login/login 403/403     403/403     ok/405      ok/405      ok/405      ok/405      2fa/2fa
/admin/pages/                  login/login 403/403     403/403     dash/dash   dash/dash   dash/dash   ok/405      2fa/2fa
/admin/users/                  login/login 403/403     403/403     dash/dash   dash/dash   dash/dash   dash/dash   2fa/2fa
/admin/snippets/               login/login 403/403     403/403     dash/dash   dash/dash   dash/dash   dash/dash   2fa/2fa
/admin/documents/              login/login 403/403     403/403     dash/dash   dash/dash   dash/dash   ok/405      2fa/2fa
/admin/reports/site-history/   login/login 403/403     403/403     ok/405      ok/405      ok/405      ok/405      2fa/2fa
/admin/test404/                login/login 403/403     403/403     ok/405      ok/405      ok/405      ok/405      2fa/2fa
/documents/1/x                 404/404     404/404     404/404     404/404     404/404     404/404     404/404     404/404
/_util/authenticate_with_password/1/1/ 404/404     404/404     404/404     404/404     404/404     404/404     404/404     404/404
"""
SAMPLES = {
    line.split()[0]: dict(zip(ROLES, line.split()[1:], strict=True))
    for line in SAMPLES_TEXT.strip().splitlines()
    if not line.startswith("#")
}

STAFF = ("supervisor", "moderator", "coordinator", "editor")

# Member pages that show an object another member may see by design (a published forum
# post, a group session anybody may sign up for). Every other member page with an id of
# the victim's must answer a member with 404 (or 405 for the wrong method).
PUBLIC_OBJECTS = {
    "forum:topic", "forum:reply", "forum:post_report", "forum:post_recognise", "forum:category",
    "forum:topic_new", "chatgroups:sign_up", "chatgroups:cancel",
}  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world and one signed-in client per role, made once for the module inside a
    transaction rolled back at its end (each test runs in a savepoint within it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        world.cookies = {}
        for role in ROLES[1:]:
            client = Client()
            client.force_login(world.users[role])
            world.cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield world
        transaction.set_rollback(True)


def _client(world, role: str) -> Client:
    """A new client with the role's session (a response may change a client's cookies)."""
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.cookies[role]
    return client


def _leaks(response) -> list[str]:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content).decode(errors="replace")
    else:
        body = response.content.decode(errors="replace")
    return [name for name, secret in SECRETS.items() if secret in body]


def _check(world, path: str, role: str, expected: str):
    client = _client(world, role)
    got_get = client.get(path)
    leaks_get = _leaks(got_get)
    got_post = client.post(path)
    leaks_post = _leaks(got_post)
    got = f"{outcome(got_get)}/{outcome(got_post)}"
    assert got == expected, f"{role} {path}: {got}, expected {expected}"
    # Suite 5 of the proof issue rides on the same requests: every answer has the headers.
    for response in (got_get, got_post):
        assert_security_headers(response, path, signed_in=_still_signed_in(response, role))
    may_read = role == "owner" or (path.startswith("/admin/") and role in STAFF)
    if not may_read:
        assert not leaks_get, f"{role} GET {path} shows the victim's {leaks_get}"
        assert not leaks_post, f"{role} POST {path} shows the victim's {leaks_post}"
    elif role == "owner" and path.startswith("/admin/"):
        assert not (leaks_get or leaks_post)


def _still_signed_in(response, role: str) -> bool:
    """Whether the answer went to a signed-in person: the role's session, unless the request
    itself signed them out (the matrix POSTs to the logout page too)."""
    user = getattr(response.wsgi_request, "user", None)
    return role != "anonymous" and (user is None or user.is_authenticated)


def _cases():
    for key in TABLE:
        for role in ROLES:
            marks = ()
            if (key, role) in KNOWN_BUGS:
                marks = pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[(key, role)])
            yield pytest.param(key, role, marks=marks, id=f"{key}-{role}")


# --- The table is complete --------------------------------------------------------------


def test_every_url_has_a_row():
    ours = {key for key, route in ROUTES.items() if route.group == "ours"}
    unclassified = [route.route for route in ROUTES.values() if route.group == "unclassified"]
    assert not unclassified, f"URLs in no group; add them to OUR_PREFIXES and TABLE: {unclassified}"
    missing = sorted(ours - set(TABLE))
    assert not missing, f"URLs without a row in TABLE (classify them): {missing}"
    stale = sorted(set(TABLE) - ours)
    assert not stale, f"rows of URLs that no longer exist: {stale}"


def test_every_group_is_sampled():
    groups = {route.group for route in ROUTES.values()} - {"ours"}
    by_route = {route.route: route.group for route in ROUTES.values()}
    sampled = {by_route.get(resolve(path).route) for path in SAMPLES}
    assert groups <= sampled, f"groups without a sample: {groups - sampled}"


# --- Our URLs ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "role"), list(_cases()))
def test_our_url(world, key, role):
    _check(world, fill(ROUTES[key], world), role, TABLE[key][role])


def _private_member_urls():
    for key in sorted(TABLE):
        route = ROUTES.get(key)
        if route is None or route.route.startswith("admin/") or "<" not in route.route:
            continue
        if key not in PUBLIC_OBJECTS:
            yield key


@pytest.mark.parametrize("key", list(_private_member_urls()))
def test_guessing_a_victims_id_gives_404(key):
    """A member who puts the victim's id in a member URL gets 404 (405 for the wrong
    method), never the page: the table may not say otherwise."""
    get, post = TABLE[key]["member"].split("/")
    assert {get, post} <= {"404", "405"}, f"{key}: a member gets {get}/{post}"


# --- Built-in groups --------------------------------------------------------------------


# Wagtail admin views open to anonymous visitors by design (static-like files) or switched
# off (password reset through Wagtail: allauth's is the one door).
WAGTAIL_ADMIN_ANONYMOUS = {
    "wagtailadmin_javascript_catalog": "ok",
    "wagtailadmin_sprite": "ok",
    "wagtailadmin_password_reset": "404",
    "wagtailadmin_password_reset_done": "404",
    "wagtailadmin_password_reset_confirm": "404",
    "wagtailadmin_password_reset_complete": "404",
}


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(k for k, r in ROUTES.items() if r.group == "wagtail-admin"))
def test_wagtail_admin_url_sends_visitors_to_the_login(world, key):
    """Every one of Wagtail's own admin URLs refuses anonymous visitors (Wagtail checks in
    each view). Members, and staff without two-factor authentication, are refused by path
    in StaffAreaMiddleware before any view: SAMPLES shows that for every role."""
    path = fill(ROUTES[key], world)
    expected = WAGTAIL_ADMIN_ANONYMOUS.get(key, "login")
    response = _client(world, "anonymous").get(path)
    assert outcome(response) == expected, path
    assert not _leaks(response)
    assert_security_headers(response, path)


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "role"), [(p, r) for p in SAMPLES for r in ROLES])
def test_sampled_builtin_url(world, path, role):
    _check(world, path, role, SAMPLES[path][role])


# --- Regressions found by this suite ----------------------------------------------------


@pytest.mark.django_db
def test_wagtails_front_end_login_cannot_sign_staff_in_without_their_second_factor(
    client, supervisor, password
):
    """/_util/login/ was Django's plain LoginView: a staff password alone opened /admin/."""
    response = client.post("/_util/login/", {"username": supervisor.username, "password": password})

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session
