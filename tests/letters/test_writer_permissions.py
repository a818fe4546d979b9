"""Every writer-side URL for every role: only the writer reaches a thread; everyone else,
staff included, gets 404 (staff read letters in the staff workspace), guessed ids too."""

from __future__ import annotations

import pytest
from django.test import Client

from letters.models import Feedback, Letter, Reply

ROLES = ("anonymous", "member", "other_member", "supervisor", "moderator", "coordinator", "editor")
NOT_OWNERS = ROLES[2:]


@pytest.fixture
def answered(member, write_letter, answer_letter):
    letter = write_letter(member, subject="Bare for meg")
    reply = answer_letter(letter, follow_up_on=None)
    Reply.objects.filter(pk=reply.pk).update(read_at=letter.received_at)
    return letter, reply


def _client_as(request, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def _thread_urls(letter, reply) -> list[tuple[str, str]]:
    base = f"/letters/{letter.thread_id}/"
    return [
        ("get", base),
        ("post", f"{base}follow-up/"),
        ("post", f"{base}saved/"),
        ("post", f"{base}answers/{reply.pk}/feedback/"),
        ("post", f"{base}answers/{reply.pk}/dismiss-follow-up/"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_letters_list_and_new_letter_page_for_every_role(request, role):
    client = _client_as(request, role)

    listing = client.get("/letters/")
    new = client.get("/letters/new/")

    assert new.status_code == 200
    if role == "anonymous":
        assert listing.status_code == 302
        assert listing.headers["Location"] == "/accounts/login/?next=/letters/"
    else:
        assert listing.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", NOT_OWNERS)
def test_someone_elses_thread_is_not_found_for_every_other_account(request, role, answered):
    letter, reply = answered
    client = _client_as(request, role)

    for method, url in _thread_urls(letter, reply):
        response = getattr(client, method)(url, {"body": "Inntrenger"} if method == "post" else {})
        assert response.status_code == 404, (method, url)
        assert "Bare for meg" not in response.content.decode()

    assert Letter.objects.count() == 1
    assert not Feedback.objects.exists()
    assert not Reply.objects.get(pk=reply.pk).follow_up_dismissed


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in_for_every_thread_url(client, answered):
    letter, reply = answered

    for method, url in _thread_urls(letter, reply):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.django_db
def test_the_writer_reaches_every_url_of_their_thread(member_client, answered):
    letter, reply = answered
    expected = {"get": 200, "post": 302}

    data = {"body": "Takk", f"feedback-{reply.pk}-feel_better": "yes"}

    for method, url in _thread_urls(letter, reply):
        response = getattr(member_client, method)(url, data if method == "post" else {})
        assert response.status_code == expected[method], (method, url)


@pytest.mark.django_db
def test_guessed_thread_and_answer_ids_are_not_found(member_client, answered):
    letter, reply = answered

    assert member_client.get(f"/letters/{letter.thread_id + 1000}/").status_code == 404
    # Past the largest id a row can have: still no row, not a database error.
    assert member_client.get(f"/letters/{2**63}/").status_code == 404
    assert member_client.post(f"/letters/{10**30}/follow-up/", {"body": "Hei"}).status_code == 404
    assert member_client.post(
        f"/letters/{letter.thread_id}/answers/{reply.pk + 1000}/feedback/"
    ).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["follow-up/", "saved/", "answers/{reply}/feedback/", "answers/{reply}/dismiss-follow-up/"],
)
def test_writer_actions_refuse_get(member_client, answered, url):
    letter, reply = answered

    response = member_client.get(f"/letters/{letter.thread_id}/" + url.format(reply=reply.pk))

    assert response.status_code == 405


@pytest.mark.django_db
def test_writer_posts_need_the_csrf_token(member, answered):
    letter, reply = answered
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    for url in (
        f"/letters/{letter.thread_id}/follow-up/",
        f"/letters/{letter.thread_id}/answers/{reply.pk}/feedback/",
        f"/letters/{letter.thread_id}/answers/{reply.pk}/dismiss-follow-up/",
        "/letters/new/",
    ):
        assert client.post(url, {"body": "Hei"}).status_code == 403, url
    assert Letter.objects.count() == 1
