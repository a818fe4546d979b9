"""Contact details are found in the forms people use to slip them past moderation."""

import pytest

from ordrom.contact_details import Kind, find_contact_details, has_contact_details


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ring meg på 912 34 567", Kind.PHONE),
        ("91234567", Kind.PHONE),
        ("+47 912 34 567", Kind.PHONE),
        ("0047 91 23 45 67", Kind.PHONE),
        ("912-34-567", Kind.PHONE),
        ("kari@example.com", Kind.EMAIL),
        ("kari (at) example (dot) com", Kind.EMAIL),
        ("kari krøll example punktum no", Kind.EMAIL),
        ("www.ola.no", Kind.WEB),
        ("https://example.org/side", Kind.WEB),
        ("se ola.no", Kind.WEB),
        ("snap: kari_99", Kind.SOCIAL),
        ("legg meg til på insta @kari.n", Kind.SOCIAL),
        ("discord kari1234", Kind.SOCIAL),
    ],
)
def test_contact_detail_is_found(text, kind):
    assert kind in find_contact_details(text)
    assert has_contact_details(text)


@pytest.mark.parametrize(
    "text",
    [
        "Jeg har hatt en tung uke og trenger noen å snakke med.",
        "Klokka var 14:30:00 da jeg våknet.",
        "Jeg er 17 år og bor i en by med 20 000 innbyggere.",
        "Det er 3 uker siden, kanskje 4.",
        "Stille Fjell",
        "",
    ],
)
def test_ordinary_text_has_no_contact_details(text):
    assert find_contact_details(text) == []
    assert not has_contact_details(text)


def test_each_kind_is_reported_once_in_a_stable_order():
    text = "ring 91234567 eller 98765432, mail kari@example.com, www.ola.no"

    assert find_contact_details(text) == [Kind.EMAIL, Kind.PHONE, Kind.WEB]


def test_short_number_with_country_prefix_counts_as_a_phone_number():
    assert Kind.PHONE in find_contact_details("+46 123 456")
