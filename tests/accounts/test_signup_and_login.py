"""Sign up with a pseudonym and a password only; log in, log out, change the password;
sessions are renewed at login, ended at logout and after an idle spell; failed logins
say nothing about whether the pseudonym exists and are rate-limited."""

import re
import time

import pytest
import time_machine
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from accounts import pseudonyms

User = get_user_model()
NEW_PASSWORD = "en-helt-ny-nøkkelfrase-7"
SIGNUP_PASSWORD = "stille-natt-over-byen-3"


def signup(client, username):
    return client.post(
        "/accounts/signup/",
        {"username": username, "password1": SIGNUP_PASSWORD, "password2": SIGNUP_PASSWORD},
    )


def shown(response, message) -> bool:
    """The message appears on the page, in the language the page was rendered in."""
    with translation.override(response.headers["Content-Language"]):
        return escape(str(message)) in response.content.decode()


@pytest.mark.django_db
def test_signup_form_asks_for_a_pseudonym_and_a_password_only(client):
    response = client.get("/accounts/signup/")

    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"username", "password1", "password2"}
    assert 'name="email"' not in response.content.decode()


@pytest.mark.django_db
def test_signup_creates_a_member_and_logs_them_in(client):
    response = signup(client, "Stille Fjell")

    assert response.status_code == 302
    user = User.objects.get(username="Stille Fjell")
    assert user.email == ""
    assert list(user.groups.values_list("name", flat=True)) == ["member"]
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("pseudonym", ["Stille Fjell", "Ola_99", "Trøtt-i-dag"])
def test_signup_accepts_ordinary_pseudonyms(client, pseudonym):
    response = signup(client, pseudonym)

    assert response.status_code == 302
    assert User.objects.filter(username=pseudonym).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pseudonym", "message"),
    [
        ("admin", pseudonyms.ERROR_STAFF),
        ("Veileder", pseudonyms.ERROR_STAFF),
        ("Moderator123", pseudonyms.ERROR_STAFF),
        ("ola 912 34 567", pseudonyms.ERROR_CONTACT),
        ("kari@example.com", pseudonyms.ERROR_CONTACT),
        ("www.ola.no", pseudonyms.ERROR_CONTACT),
    ],
)
def test_signup_refuses_pseudonym_with_a_clear_message_on_the_form(client, pseudonym, message):
    response = signup(client, pseudonym)

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert shown(response, message)
    assert not User.objects.filter(username=pseudonym).exists()


@pytest.mark.django_db
def test_signup_with_a_taken_pseudonym_is_refused(client, member):
    response = signup(client, member.username)

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username=member.username).count() == 1


@pytest.mark.django_db
def test_login_and_logout(client, member, password):
    response = client.post("/accounts/login/", {"login": member.username, "password": password})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/accounts/").status_code == 200

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/").status_code == 302


@pytest.mark.django_db
def test_logout_by_get_does_not_log_out(member_client):
    member_client.get("/accounts/logout/")

    assert member_client.get("/accounts/").status_code == 200


@pytest.mark.django_db
def test_password_change(member_client, member, password):
    response = member_client.post(
        "/accounts/password/change/",
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert member_client.get("/accounts/").status_code == 200  # still signed in


@pytest.mark.django_db
def test_password_change_with_the_wrong_old_password_is_refused(member_client, member, password):
    response = member_client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "oldpassword" in response.context["form"].errors
    member.refresh_from_db()
    assert member.check_password(password)


@pytest.mark.django_db
def test_session_key_changes_at_login(client, member, password):
    before = client.session.session_key  # an anonymous session, with its cookie set

    client.post("/accounts/login/", {"login": member.username, "password": password})

    after = client.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert Session.objects.filter(session_key=after).exists()


@pytest.mark.django_db
def test_session_row_is_gone_after_logout(client, member, password):
    client.post("/accounts/login/", {"login": member.username, "password": password})
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()

    client.post("/accounts/logout/")

    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_idle_session_is_logged_out(member):
    with time_machine.travel(time.time(), tick=False) as clock:
        client = Client()
        client.force_login(member)
        assert client.get("/accounts/").status_code == 200

        clock.shift(settings.ORDROM_IDLE_TIMEOUT + 60)
        response = client.get("/accounts/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_active_session_stays_logged_in(member):
    with time_machine.travel(time.time(), tick=False) as clock:
        client = Client()
        client.force_login(member)
        for _ in range(3):
            assert client.get("/accounts/").status_code == 200
            clock.shift(settings.ORDROM_IDLE_TIMEOUT - 60)
        assert client.get("/accounts/").status_code == 200


def _without_volatile_parts(response, username):
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html.replace(escape(username), "PSEUDONYM")


@pytest.mark.django_db
def test_login_failure_is_the_same_for_unknown_pseudonym_and_wrong_password(member):
    wrong_password = Client().post(
        "/accounts/login/", {"login": member.username, "password": "not-the-password"}
    )
    unknown = Client().post(
        "/accounts/login/", {"login": "Ingen Her", "password": "not-the-password"}
    )

    assert wrong_password.status_code == unknown.status_code == 200
    assert wrong_password.context["form"].errors == unknown.context["form"].errors
    assert _without_volatile_parts(wrong_password, member.username) == _without_volatile_parts(
        unknown, "Ingen Her"
    )


def _cache_keys() -> list[str]:
    backend = cache._cache
    if isinstance(backend, dict):  # local memory
        return list(backend)
    client = backend.get_client(write=False)  # Redis
    return [key.decode() for key in client.keys("*")]


@pytest.mark.django_db
def test_failed_logins_are_rate_limited_without_the_address_in_the_cache(member, password):
    client = Client(REMOTE_ADDR="203.0.113.77")
    for _ in range(5):
        response = client.post(
            "/accounts/login/", {"login": member.username, "password": "not-the-password"}
        )
        assert response.status_code == 200

    response = client.post("/accounts/login/", {"login": member.username, "password": password})

    assert "_auth_user_id" not in client.session
    too_many = get_adapter().error_messages["too_many_login_attempts"]
    with translation.override(response.headers["Content-Language"]):
        assert str(too_many) in response.context["form"].non_field_errors()
    keys = _cache_keys()
    assert any("login_failed" in key for key in keys)
    assert not [key for key in keys if "203.0.113.77" in key or "127.0.0.1" in key]


@pytest.mark.django_db
def test_a_decomposed_or_full_width_pseudonym_is_stored_composed_and_logs_in_either_way(client):
    # "Å" typed as "A" + combining ring (some keyboards), digits typed full width.
    response = signup(client, "A\u030ase\uff19\uff19")

    assert response.status_code == 302
    user = User.objects.get(username="Åse99")
    client.post("/accounts/logout/")
    response = client.post(
        "/accounts/login/", {"login": "A\u030ase99", "password": SIGNUP_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_a_full_width_copy_of_a_taken_pseudonym_is_refused(client, member):
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in member.username)

    response = signup(client, full_width)

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
