"""Staff sign in through the same door as members, with two-factor authentication,
and are created from the command line with a one-time password."""

import re
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from accounts import services
from ordrom import encryption
from ordrom.roles import Role

User = get_user_model()


def login(client, username, password):
    return client.post("/accounts/login/", {"login": username, "password": password})


@pytest.mark.django_db
def test_staff_login_asks_for_the_totp_code_and_then_opens_the_admin(
    supervisor, password, totp_code
):
    client = Client()

    response = login(client, supervisor.username, password)

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # not signed in on the password alone
    assert client.get("/admin/").status_code == 302

    response = client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code(supervisor.totp_secret)}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_staff_login_with_a_wrong_code_is_refused(supervisor, password, totp_code):
    client = Client()
    login(client, supervisor.username, password)
    right = totp_code(supervisor.totp_secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_can_log_in_with_a_recovery_code(moderator, password):
    code = RecoveryCodes(
        Authenticator.objects.get(user=moderator, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]
    client = Client()
    login(client, moderator.username, password)

    response = client.post("/accounts/2fa/authenticate/", {"code": code})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_totp_secret_is_stored_encrypted(supervisor):
    stored = Authenticator.objects.get(user=supervisor, type=Authenticator.Type.TOTP)

    assert stored.data["secret"].startswith("fernet:")
    assert supervisor.totp_secret not in stored.data["secret"]
    assert encryption.decrypt(stored.data["secret"]) == supervisor.totp_secret


def _create_staff(*args):
    out = StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_create_staff_then_first_login_then_two_factor_set_up(totp_code):
    output = _create_staff("Vakt Tone", "--role", "supervisor")

    user = User.objects.get(username="Vakt Tone")
    assert list(user.groups.values_list("name", flat=True)) == ["supervisor"]
    one_time_password = re.search(r"One-time password: (\S+)", output).group(1)
    assert user.check_password(one_time_password)

    # First login: the password alone signs in, but the staff area demands 2FA set-up.
    client = Client()
    response = login(client, "Vakt Tone", one_time_password)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    response = client.get("/admin/")
    assert response.headers["Location"] == "/accounts/2fa/totp/activate/?next=/admin/"

    # allauth asks for the password again before adding an authenticator.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.headers["Location"].startswith("/accounts/reauthenticate/")
    response = client.post(response.headers["Location"], {"password": one_time_password})
    assert response.status_code == 302

    # Setting up TOTP through allauth's page stores the secret encrypted.
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert stored.data["secret"].startswith("fernet:")
    assert encryption.decrypt(stored.data["secret"]) == secret

    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_create_staff_refuses_a_role_that_is_not_staff():
    with pytest.raises(CommandError):
        _create_staff("Vakt Tone", "--role", "member")

    assert not User.objects.filter(username="Vakt Tone").exists()


@pytest.mark.django_db
def test_create_staff_refuses_a_taken_name(member):
    with pytest.raises(CommandError):
        _create_staff(member.username, "--role", "editor")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MODERATOR, Role.COORDINATOR, Role.EDITOR])
def test_staff_create_puts_the_account_in_its_role_only(role):
    user, password = services.staff_create(username="Ny Kollega", role=role)

    assert list(user.groups.values_list("name", flat=True)) == [role.value]
    assert user.check_password(password)
    assert len(password) >= 20
    assert not user.is_superuser


@pytest.mark.django_db
def test_staff_create_refuses_the_member_role():
    with pytest.raises(ValueError, match="not a staff role"):
        services.staff_create(username="Ny Kollega", role=Role.MEMBER)


@pytest.mark.django_db
def test_two_staff_accounts_get_different_one_time_passwords():
    _, first = services.staff_create(username="Kollega En", role=Role.SUPERVISOR)
    _, second = services.staff_create(username="Kollega To", role=Role.SUPERVISOR)

    assert first != second


@pytest.mark.django_db
def test_member_login_goes_to_the_front_page_and_staff_login_to_the_admin(
    member, staff_without_2fa, password
):
    assert login(Client(), member.username, password).headers["Location"] == "/"
    assert login(Client(), staff_without_2fa.username, password).headers["Location"] == "/admin/"
