"""A pseudonym must not pass for staff and must not carry contact details."""

import pytest
from django.core.exceptions import ValidationError

from accounts import pseudonyms
from accounts.pseudonyms import looks_like_staff, validate_pseudonym


def _code(pseudonym):
    with pytest.raises(ValidationError) as error:
        validate_pseudonym(pseudonym)
    return error.value.code


@pytest.mark.parametrize(
    "pseudonym",
    ["Stille Fjell", "Ola_99", "Trøtt-i-dag", "Mørk.Kveld", "Åse", "Moderat glad", "Kaffekopp 2"],
)
def test_accepted_pseudonyms(pseudonym):
    validate_pseudonym(pseudonym)


@pytest.mark.parametrize(
    "pseudonym",
    [
        "admin",
        "Veileder",
        "Moderator123",
        "Adm1n",
        "V e i l e d e r",
        "veiled3r_kari",
        "Koordinator",
        "supp0rt",
        "Ordrom-teamet",
        "Mental Helse",
        "STAFF",
    ],
)
def test_pseudonyms_that_could_pass_for_staff_are_refused(pseudonym):
    assert looks_like_staff(pseudonym)
    assert _code(pseudonym) == "reserved"


@pytest.mark.parametrize(
    "pseudonym",
    ["ola 912 34 567", "kari@example.com", "www.ola.no", "kari.no", "+47 91234567", "snap kari_x"],
)
def test_pseudonyms_with_contact_details_are_refused(pseudonym):
    assert _code(pseudonym) == "contact_details"


@pytest.mark.parametrize("pseudonym", ["Ola!", "Kari#1", "<b>Ola</b>", " Ola", "Ola ", "Ola\n"])
def test_pseudonyms_with_other_characters_are_refused(pseudonym):
    assert _code(pseudonym) == "characters"


@pytest.mark.parametrize("pseudonym", ["Ol", "x" * (pseudonyms.MAX_LENGTH + 1)])
def test_pseudonyms_that_are_too_short_or_too_long_are_refused(pseudonym):
    assert _code(pseudonym) == "length"


def test_length_limits_are_inclusive():
    validate_pseudonym("Ola")
    validate_pseudonym("y" * pseudonyms.MAX_LENGTH)


def test_each_refusal_carries_its_own_message():
    messages = {
        pseudonyms.ERROR_LENGTH,
        pseudonyms.ERROR_CHARACTERS,
        pseudonyms.ERROR_STAFF,
        pseudonyms.ERROR_CONTACT,
    }
    assert len({str(message) for message in messages}) == 4


@pytest.mark.parametrize(
    "pseudonym",
    ["\u0410dmin", "V\u0435ileder", "K\u03b1ri", "\u03a9mega"],  # Cyrillic А, е; Greek α, Ω
)
def test_latin_mixed_with_cyrillic_or_greek_look_alikes_is_refused(pseudonym):
    assert _code(pseudonym) == "scripts"


@pytest.mark.parametrize("pseudonym", ["Κάρη", "Ирина", "名前テスト", "שלום123"])
def test_one_alphabet_other_than_latin_is_accepted(pseudonym):
    validate_pseudonym(pseudonym)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("A\u030ase99", "Åse99"), ("Ｋａｒｉ９９", "Kari99"), ("ﬁne_day", "fine_day")],
)
def test_pseudonyms_are_normalised_to_nfkc(typed, stored):
    assert pseudonyms.normalise(typed) == stored
    validate_pseudonym(pseudonyms.normalise(typed))
