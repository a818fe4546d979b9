"""Who may use each URL of the letters workspace, for every role, and what the menu shows.

Visitors are sent to the login; members are stopped by the staff area's guard (403);
moderators and editors get 403 from our views; supervisors work the queue and letters;
coordinators also review, read statistics and the audit log."""

from __future__ import annotations

import pytest
from django.test import Client
from staff_support import TUESDAY, make_letter, reply_of

from letters import services
from letters.models import Reply

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "moderator", "editor", "supervisor", "coordinator"]
ANSWERERS = {"supervisor", "coordinator"}
COORDINATORS = {"coordinator"}


@pytest.fixture
def client_as(request, client_for):
    def make(role):
        if role == "anonymous":
            return Client()
        return client_for(request.getfixturevalue(role))

    return make


@pytest.fixture
def letter(travel, supervisor):
    travel(TUESDAY)
    letter = make_letter()
    return letter


def _urls(letter):
    """(method, url, data, who may use it)"""
    base = f"/admin/letters/{letter.pk}/"
    return [
        ("get", "/admin/letters/", {}, ANSWERERS),
        ("post", "/admin/letters/next/", {}, ANSWERERS),
        ("get", base, {}, ANSWERERS),
        ("post", base + "claim/", {}, ANSWERERS),
        ("post", base + "autosave/", {"body": "x"}, ANSWERERS),
        ("post", base, {"action": "release"}, ANSWERERS),
        ("get", "/admin/letters/review/", {}, COORDINATORS),
        ("post", base + "review/", {"action": "approve"}, COORDINATORS),
        ("get", "/admin/letters/statistics/", {}, COORDINATORS),
        ("get", "/admin/letters/statistics.csv", {}, COORDINATORS),
        ("get", "/admin/letters/audit/", {}, COORDINATORS),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_letters_url_answers_each_role_as_it_should(role, client_as, letter):
    client = client_as(role)
    for method, url, data, allowed in _urls(letter):
        response = getattr(client, method)(url, data)
        where = f"{role} {method.upper()} {url}"
        if role == "anonymous":
            assert response.status_code == 302, where
            assert "login" in response["Location"], where
        elif role in allowed:
            assert response.status_code in (200, 302), where
            if response.status_code == 302:
                assert "login" not in response["Location"], where
                assert response["Location"] != "/admin/", where
        else:
            assert response.status_code == 403, where


@pytest.mark.parametrize("role", ["moderator", "editor", "member"])
def test_other_roles_never_see_letter_text_or_leave_an_audit_entry(role, client_as, letter):
    response = client_as(role).get(f"/admin/letters/{letter.pk}/")

    assert response.status_code == 403
    assert letter.body not in response.content.decode()


def test_supervisor_cannot_approve_a_reply_in_review(client_as, supervisor, letter):
    services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)
    services.reply_save_draft(letter_id=letter.pk, by=supervisor, body="Svar", now=TUESDAY)
    services.reply_request_review(letter_id=letter.pk, by=supervisor, now=TUESDAY)

    for action in ("approve", "return"):
        response = client_as("supervisor").post(
            f"/admin/letters/{letter.pk}/review/", {"action": action, "comment": "ok"}
        )
        assert response.status_code == 403
    assert reply_of(letter).status == Reply.Status.IN_REVIEW


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("supervisor", {"/admin/letters/"}),
        ("coordinator", {"/admin/letters/", "/admin/letters/review/",
                         "/admin/letters/statistics/", "/admin/letters/audit/"}),
        ("moderator", set()),
        ("editor", set()),
    ],
)
def test_the_letters_menu_shows_each_role_what_it_may_use(role, shown, client_as, settings):
    settings.LANGUAGE_CODE = "en"
    page = client_as(role).get("/admin/").content.decode()

    links = {
        url for url in ("/admin/letters/", "/admin/letters/review/",
                        "/admin/letters/statistics/", "/admin/letters/audit/")
        if f'"url": "{url}"' in page or f'&quot;url&quot;: &quot;{url}&quot;' in page
    }
    assert links == shown


@pytest.mark.parametrize(
    ("role", "url", "allowed"),
    [
        ("editor", "/admin/snippets/letters/topic/", True),
        ("editor", "/admin/snippets/letters/replytemplate/", True),
        ("coordinator", "/admin/snippets/letters/replytemplate/", True),
        ("coordinator", "/admin/snippets/letters/replytemplate/add/", True),
        ("coordinator", "/admin/snippets/letters/topic/add/", False),
        ("supervisor", "/admin/snippets/letters/topic/add/", False),
        ("supervisor", "/admin/snippets/letters/replytemplate/add/", False),
        ("moderator", "/admin/snippets/letters/topic/", False),
    ],
)
def test_topics_and_reply_templates_are_snippets_with_role_permissions(role, url, allowed,
                                                                       client_as):
    response = client_as(role).get(url)

    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"] == "/admin/"
