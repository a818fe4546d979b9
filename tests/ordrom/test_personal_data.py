"""One registry exports and erases everything the platform holds about a person."""

import pytest
from django.contrib.auth import get_user_model

from ordrom import personal_data


@pytest.fixture
def scratch_registry(monkeypatch):
    """Sections registered during the test are forgotten after it."""
    monkeypatch.setattr(personal_data, "_sections", dict(personal_data._sections))


@pytest.mark.django_db
def test_export_includes_the_account_section(member):
    data = personal_data.export_user(member)

    assert data["account"]["pseudonym"] == member.username
    assert data["account"]["roles"] == ["member"]


@pytest.mark.django_db
def test_erase_removes_the_user(member):
    pk = member.pk

    personal_data.erase_user(member)

    assert not get_user_model().objects.filter(pk=pk).exists()


def test_the_account_section_is_erased_last():
    assert personal_data.sections()[-1].name == "account"


@pytest.mark.django_db
def test_a_registered_section_is_included_in_export_and_erase(member, scratch_registry):
    erased = []
    personal_data.register(
        "notes", export=lambda user: [f"note by {user.username}"], erase=erased.append
    )

    assert personal_data.export_user(member)["notes"] == ["note by Stille Fjell"]
    personal_data.erase_user(member)
    assert erased == [member]


@pytest.mark.django_db
def test_sections_are_erased_before_the_account_while_the_user_row_still_exists(
    member, scratch_registry
):
    seen = []

    def erase(user):
        seen.append(get_user_model().objects.filter(pk=user.pk).exists())

    personal_data.register("letters", export=lambda user: [], erase=erase)
    personal_data.erase_user(member)

    assert seen == [True]


@pytest.mark.django_db
def test_erase_is_all_or_nothing(member, scratch_registry):
    def fail(user):
        raise RuntimeError("storage unavailable")

    # Runs after the account section, so the user row is already deleted when it fails.
    personal_data.register("late", export=lambda user: None, erase=fail, order=2000)
    pk = member.pk

    with pytest.raises(RuntimeError):
        personal_data.erase_user(member)

    assert get_user_model().objects.filter(pk=pk).exists()
