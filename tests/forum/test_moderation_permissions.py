"""Who may use each URL of the forum's moderation workspace, for every role, and what the
menu shows. Visitors are sent to the login, members are stopped by the staff area's guard
(403), staff without two-factor login are sent to set it up, supervisors and editors get 403
from our views, and moderators and coordinators do the work."""

from __future__ import annotations

import pytest
from django.test import Client
from forum_moderation_support import LOG_URL, QUEUE_URL, held_reply, open_topic, post_url, topic_url

from forum.models import Category, ModerationAction, Post

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous", "member", "supervisor", "moderator", "coordinator", "editor", "staff_without_2fa",
]
MODERATORS = {"moderator", "coordinator"}


@pytest.fixture
def client_as(request, client_for):
    def make(role):
        if role == "anonymous":
            return Client()
        return client_for(request.getfixturevalue(role))

    return make


@pytest.fixture
def held(other_member, user_factory):
    topic = open_topic(other_member)
    return held_reply(user_factory("Ny Her"), topic, "Hei, kan noen svare meg?")


def _urls(post):
    """(method, url, data) of every moderation URL; each POST is a real, valid action."""
    category = Category.objects.exclude(pk=post.topic.category_id).first()
    return [
        ("get", QUEUE_URL, {}),
        ("get", LOG_URL, {}),
        ("get", post_url(post), {}),
        ("get", topic_url(post.topic), {}),
        ("post", post_url(post, "edit/"), {"body": "Endret", "note": "Navn fjernet"}),
        ("post", post_url(post, "suspend/"), {"days": "3", "reason": "Gjentatt"}),
        ("post", topic_url(post.topic, "flags/"), {"action": "lock"}),
        ("post", topic_url(post.topic, "move/"), {"category": category.pk}),
        ("post", post_url(post, "return/"), {"reason": "Uten navn, takk"}),
        ("post", post_url(post, "approve/"), {}),
        ("post", post_url(post, "hide/"), {"reason": ""}),
        ("post", post_url(post, "delete/"), {"reason": "Spam"}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_moderation_url_answers_each_role_as_it_should(role, client_as, held):
    client = client_as(role)
    for method, url, data in _urls(held):
        response = getattr(client, method)(url, data)
        where = f"{role} {method.upper()} {url}"
        if role == "anonymous":
            assert response.status_code == 302, where
            assert "login" in response["Location"], where
        elif role == "staff_without_2fa":
            assert response.status_code == 302, where
            assert response["Location"].startswith("/accounts/2fa/totp/activate/"), where
        elif role in MODERATORS:
            assert response.status_code in (200, 302), where
            if response.status_code == 302:
                assert "login" not in response["Location"], where
                assert response["Location"] != "/admin/", where
        else:
            assert response.status_code == 403, where
    held.refresh_from_db()
    if role in MODERATORS:
        assert held.status == Post.Status.DELETED
        assert ModerationAction.objects.count() == 8
    else:
        assert held.status == Post.Status.HELD
        assert held.body == "Hei, kan noen svare meg?"
        assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("role", ["member", "supervisor", "editor"])
def test_other_roles_never_see_held_text(role, client_as, held):
    for url in (QUEUE_URL, post_url(held)):
        response = client_as(role).get(url)
        assert response.status_code == 403
        assert "Hei, kan noen svare meg?" not in response.content.decode()


def test_actions_only_accept_post(client_as, held):
    client = client_as("moderator")
    for suffix in ("approve/", "return/", "hide/", "delete/", "edit/", "suspend/"):
        assert client.get(post_url(held, suffix)).status_code == 405, suffix
    for suffix in ("flags/", "move/"):
        assert client.get(topic_url(held.topic, suffix)).status_code == 405, suffix
    held.refresh_from_db()
    assert held.status == Post.Status.HELD


def test_unknown_post_and_topic_are_404(client_as):
    client = client_as("moderator")
    assert client.get("/admin/forum/posts/999999/").status_code == 404
    assert client.post("/admin/forum/posts/999999/approve/").status_code == 404
    assert client.get("/admin/forum/topics/999999/").status_code == 404


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("moderator", {QUEUE_URL, LOG_URL}),
        ("coordinator", {QUEUE_URL, LOG_URL}),
        ("supervisor", set()),
        ("editor", set()),
    ],
)
def test_the_moderation_menu_shows_each_role_what_it_may_use(role, shown, client_as, settings):
    settings.LANGUAGE_CODE = "en"
    page = client_as(role).get("/admin/").content.decode()

    links = {
        url for url in (QUEUE_URL, LOG_URL)
        if f'"url": "{url}"' in page or f"&quot;url&quot;: &quot;{url}&quot;" in page
    }
    assert links == shown


@pytest.mark.parametrize(
    ("role", "categories", "words"),
    [
        ("moderator", 200, 200),
        ("editor", 200, 403),
        ("supervisor", 403, 403),
        ("coordinator", 403, 403),
    ],
)
def test_categories_and_watched_words_are_maintained_by_editors_and_moderators(
    role, categories, words, client_as
):
    client = client_as(role)
    assert _answer(client.get("/admin/snippets/forum/category/")) == categories
    assert _answer(client.get("/admin/snippets/forum/watchedword/")) == words
    assert _answer(client.get("/admin/snippets/forum/watchedword/add/")) == words


def _answer(response) -> int:
    """Wagtail's own views refuse by sending the user to the dashboard: count that as 403."""
    if response.status_code == 302 and response["Location"] == "/admin/":
        return 403
    return response.status_code
