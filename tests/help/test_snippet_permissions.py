"""Editors maintain the help services and categories in the snippet editor; nobody else may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from help_support import make_category, make_service

from pages.models import HelpService
from pages.models.help import Channel

pytestmark = pytest.mark.django_db

SERVICES = "/admin/snippets/pages/helpservice/"
CATEGORIES = "/admin/snippets/pages/helpcategory/"
NOT_EDITORS = ("member", "supervisor", "moderator", "coordinator")


def client_as(request, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def service_form(**overrides) -> dict:
    """What the snippet editor posts: the fields and the two inline formsets."""
    data = {
        "name": "Nattlinjen",
        "slug": "nattlinjen",
        "summary_nb": "En linje som er åpen om natten.",
        "summary_en": "",
        "audience_nb": "",
        "audience_en": "",
        "phone": "800 11 222",
        "chat_url": "",
        "web_url": "",
        "region": "national",
        "is_active": "on",
        "sort_order": "100",
        "hours-TOTAL_FORMS": "1",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
        "hours-0-channel": Channel.ALL,
        "hours-0-first_weekday": "0",
        "hours-0-last_weekday": "6",
        "hours-0-opens": "22:00",
        "hours-0-closes": "02:00",
        "hours-0-id": "",
        "hours-0-ORDER": "1",
        "hours-0-DELETE": "",
        "exceptions-TOTAL_FORMS": "0",
        "exceptions-INITIAL_FORMS": "0",
        "exceptions-MIN_NUM_FORMS": "0",
        "exceptions-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_editor_lists_adds_and_edits_a_help_service(editor_client):
    category = make_category(slug="natt")

    listing = editor_client.get(SERVICES)
    add_form = editor_client.get(f"{SERVICES}add/")
    added = editor_client.post(f"{SERVICES}add/", service_form(categories=[category.pk]))

    assert listing.status_code == add_form.status_code == 200
    assert added.status_code == 302, added.context and added.context["form"].errors
    service = HelpService.objects.get(slug="nattlinjen")
    assert list(service.categories.all()) == [category]
    hours = service.hours.get()
    assert (hours.opens, hours.closes) == (dt.time(22), dt.time(2))

    edit_url = f"{SERVICES}edit/{service.pk}/"
    assert editor_client.get(edit_url).status_code == 200
    edited = editor_client.post(
        edit_url,
        service_form(
            name="Nattlinjen 24/7",
            **{
                "hours-INITIAL_FORMS": "1",
                "hours-0-id": str(hours.pk),
                "hours-0-opens": "00:00",
                "hours-0-closes": "00:00",
            },
        ),
    )

    assert edited.status_code == 302
    service.refresh_from_db()
    assert service.name == "Nattlinjen 24/7"
    assert service.status(dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)).always_open


def test_editor_can_open_the_categories(editor_client):
    category = make_category()

    assert editor_client.get(CATEGORIES).status_code == 200
    assert editor_client.get(f"{CATEGORIES}edit/{category.pk}/").status_code == 200


def assert_refused(response, path, role):
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"
    elif role == "member":
        assert response.status_code == 403
    else:
        # Wagtail's refusal: back to the dashboard with a "no permission" message.
        assert response.status_code == 302
        assert response["Location"] == "/admin/"


@pytest.mark.parametrize("role", ["anonymous", *NOT_EDITORS])
def test_others_cannot_open_list_add_or_edit_help_services(request, role):
    service = make_service(name="Uendret")
    client = client_as(request, role)

    for path in (
        SERVICES,
        f"{SERVICES}add/",
        f"{SERVICES}edit/{service.pk}/",
        f"{SERVICES}delete/{service.pk}/",
        CATEGORIES,
    ):
        assert_refused(client.get(path), path, role)


@pytest.mark.parametrize("role", ["anonymous", *NOT_EDITORS])
def test_others_cannot_save_a_help_service(request, role):
    service = make_service(name="Uendret")
    client = client_as(request, role)

    added = client.post(f"{SERVICES}add/", service_form())
    edited = client.post(f"{SERVICES}edit/{service.pk}/", service_form(name="Endret"))
    deleted = client.post(f"{SERVICES}delete/{service.pk}/")

    for response, path in (
        (added, f"{SERVICES}add/"),
        (edited, f"{SERVICES}edit/{service.pk}/"),
        (deleted, f"{SERVICES}delete/{service.pk}/"),
    ):
        assert_refused(response, path, role)
    assert list(HelpService.objects.values_list("name", flat=True)) == ["Uendret"]


@pytest.mark.parametrize(
    ("role", "shown"), [("editor", True), ("supervisor", False), ("coordinator", False)]
)
def test_find_help_menu_only_for_editors(request, role, shown):
    html = client_as(request, role).get("/admin/").content.decode()

    assert (f'"url": "{SERVICES}"' in html) is shown
