"""Every state change of an account goes through accounts.services."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.test import Client

from accounts import services
from ordrom.roles import Role

User = get_user_model()


@pytest.mark.django_db
def test_member_role_grant_adds_the_member_group_once(user_factory):
    user = user_factory(roles=())

    services.member_role_grant(user=user)
    services.member_role_grant(user=user)

    assert list(user.groups.values_list("name", flat=True)) == [Role.MEMBER.value]


@pytest.mark.django_db
def test_account_email_set_stores_a_trimmed_unverified_address(member):
    services.account_email_set(user=member, email="  kari@example.com ")

    member.refresh_from_db()
    assert member.email == "kari@example.com"
    address = EmailAddress.objects.get(user=member)
    assert (address.email, address.primary, address.verified) == (
        "kari@example.com",
        True,
        False,
    )


@pytest.mark.django_db
def test_account_email_set_replaces_the_previous_address(member):
    services.account_email_set(user=member, email="old@example.com")

    services.account_email_set(user=member, email="new@example.com")

    assert list(EmailAddress.objects.filter(user=member).values_list("email", flat=True)) == [
        "new@example.com"
    ]


@pytest.mark.django_db
def test_account_email_set_with_nothing_removes_the_address(member):
    services.account_email_set(user=member, email="kari@example.com")

    services.account_email_set(user=member, email="")

    member.refresh_from_db()
    assert member.email == ""
    assert not EmailAddress.objects.filter(user=member).exists()


@pytest.mark.django_db
def test_two_members_may_use_the_same_notification_address(member, other_member):
    services.account_email_set(user=member, email="shared@example.com")
    services.account_email_set(user=other_member, email="shared@example.com")

    assert EmailAddress.objects.filter(email="shared@example.com").count() == 2


@pytest.mark.django_db
def test_account_export_section_holds_what_the_account_is(user_factory):
    user = user_factory("Grå Dag", email="graa@example.com", two_factor=True)

    section = services.account_export(user=user)["account"]

    assert section["pseudonym"] == "Grå Dag"
    assert section["email"] == "graa@example.com"
    assert section["roles"] == ["member"]
    assert section["two_factor_methods"] == ["recovery_codes", "totp"]
    assert section["joined"] == user.date_joined.isoformat()
    assert section["last_login"] is None


@pytest.mark.django_db
def test_account_delete_removes_the_user_and_their_rows_but_no_one_elses(
    user_factory, other_member
):
    user = user_factory("Snart Borte", two_factor=True)
    services.account_email_set(user=user, email="borte@example.com")
    services.account_email_set(user=other_member, email="blir@example.com")
    pk = user.pk

    services.account_delete(user=user)

    assert not User.objects.filter(pk=pk).exists()
    assert not User.groups.through.objects.filter(user_id=pk).exists()
    assert not Authenticator.objects.filter(user_id=pk).exists()
    assert not EmailAddress.objects.filter(user_id=pk).exists()
    assert EmailAddress.objects.filter(user=other_member).exists()
    assert other_member.groups.filter(name=Role.MEMBER).exists()


def test_account_delete_ends_the_accounts_sessions_on_every_device(member, other_member, client):
    from django.contrib.sessions.models import Session

    client.force_login(member)  # a device left signed in
    second = Client()
    second.force_login(member)  # and another
    third = Client()
    third.force_login(other_member)

    services.account_delete(user=member)

    left = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert left == [str(other_member.pk)]
