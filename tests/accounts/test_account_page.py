"""The member's own page: optional notification email, export of everything, deletion."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import translation
from django.utils.html import escape

from accounts import forms

User = get_user_model()
UserGroups = User.groups.through


def shown(response, message) -> bool:
    with translation.override(response.headers["Content-Language"]):
        return escape(str(message)) in response.content.decode()


@pytest.mark.django_db
def test_account_page_shows_the_pseudonym(member_client, member):
    response = member_client.get("/accounts/")

    assert response.status_code == 200
    assert escape(member.username) in response.content.decode()


@pytest.mark.django_db
def test_member_adds_and_removes_an_email_for_notifications(member_client, member):
    response = member_client.post("/accounts/", {"email": "kari@example.com"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "kari@example.com"
    assert EmailAddress.objects.get(user=member).email == "kari@example.com"

    member_client.post("/accounts/", {"email": ""})

    member.refresh_from_db()
    assert member.email == ""
    assert not EmailAddress.objects.filter(user=member).exists()


@pytest.mark.django_db
def test_an_invalid_email_is_refused_and_nothing_is_saved(member_client, member):
    response = member_client.post("/accounts/", {"email": "not an address"})

    assert response.status_code == 200
    assert "email" in response.context["email_form"].errors
    member.refresh_from_db()
    assert member.email == ""


@pytest.mark.django_db
def test_export_is_a_json_download_of_the_members_own_data(user_factory, client_for, other_member):
    kari = user_factory("Kari Uten Navn", email="kari@example.com")

    response = client_for(kari).get("/accounts/export/")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["pseudonym"] == "Kari Uten Navn"
    assert data["account"]["email"] == "kari@example.com"
    assert data["account"]["roles"] == ["member"]
    assert "exported_at" in data
    body = response.content.decode()
    assert other_member.username not in body
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_export_without_an_email_says_so(member_client):
    data = json.loads(member_client.get("/accounts/export/").content)

    assert data["account"]["email"] is None


@pytest.mark.django_db
def test_export_lists_two_factor_methods_but_not_their_secrets(supervisor_client, supervisor):
    response = supervisor_client.get("/accounts/export/")

    data = json.loads(response.content)
    assert data["account"]["two_factor_methods"] == ["recovery_codes", "totp"]
    assert supervisor.totp_secret not in response.content.decode()
    assert "fernet:" not in response.content.decode()


@pytest.mark.django_db
def test_delete_with_password_and_confirmation_removes_the_account_and_logs_out(
    user_factory, client_for, password, other_member
):
    user = user_factory("Snart Borte", email="borte@example.com", two_factor=True)
    client = client_for(user)
    client.post("/accounts/", {"email": "borte@example.com"})
    pk, session_key = user.pk, client.session.session_key

    response = client.post("/accounts/delete/", {"password": password, "confirm": "on"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert not User.objects.filter(pk=pk).exists()
    assert not UserGroups.objects.filter(user_id=pk).exists()
    assert not Authenticator.objects.filter(user_id=pk).exists()
    assert not EmailAddress.objects.filter(user_id=pk).exists()
    assert not Session.objects.filter(session_key=session_key).exists()
    assert "_auth_user_id" not in client.session
    assert User.objects.filter(pk=other_member.pk).exists()


@pytest.mark.django_db
def test_delete_with_the_wrong_password_keeps_the_account_and_shows_why(member_client, member):
    response = member_client.post(
        "/accounts/delete/", {"password": "not-my-password", "confirm": "on"}
    )

    assert response.status_code == 200
    assert shown(response, forms.ERROR_WRONG_PASSWORD)
    assert User.objects.filter(pk=member.pk).exists()
    assert member_client.get("/accounts/").status_code == 200


@pytest.mark.django_db
def test_delete_without_confirmation_keeps_the_account(member_client, member, password):
    response = member_client.post("/accounts/delete/", {"password": password})

    assert response.status_code == 200
    assert shown(response, forms.ERROR_NOT_CONFIRMED)
    assert User.objects.filter(pk=member.pk).exists()


@pytest.mark.django_db
def test_delete_page_asks_for_password_and_confirmation(member_client):
    response = member_client.get("/accounts/delete/")

    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"password", "confirm"}
