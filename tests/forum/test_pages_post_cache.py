"""A topic's posts are rendered once and shared from the cache by readers who see them the
same way (forum/fragments.py); each reader still gets their own forms, tokens and state, and a
change to a post shows on the next request."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone
from forum_pages_support import english, make_category, reply, start_topic, trust  # noqa: F401

from forum import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def topic(member, other_member):
    trust(member)
    trust(other_member)
    topic = start_topic(member, make_category(), title="Lange kvelder", body="Kveldene er lange.")
    return topic.topic


def reader(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def recognise_form(html: str, post_pk: int) -> tuple[str, str]:
    """The action and CSRF token of the "I recognise this" form of one post."""
    form = re.search(
        rf'<form method="post" action="(/[^"]*/{post_pk}/[^"]*)" class="inline-form">\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">',
        html,
    )
    assert form, "no recognise form"
    return form.group(1), form.group(2)


def test_each_reader_gets_their_own_working_token_from_the_shared_posts(
    topic, member, other_member, third_member
):
    post = reply(member, topic, body="Jeg sover dårlig.")
    url = f"/forum/t/{topic.pk}/"
    first, second = reader(other_member), reader(third_member)
    first_html = first.get(url).content.decode()
    second_html = second.get(url).content.decode()  # the same rendered post, from the cache
    _action, first_token = recognise_form(first_html, post.pk)
    action, second_token = recognise_form(second_html, post.pk)
    assert "ordrom-csrf" not in second_html

    response = second.post(action, {"csrfmiddlewaretoken": second_token})
    assert response.status_code == 302
    page = second.get(url).content.decode()
    assert 'aria-pressed="true"' in page  # recognised, and the count went up for everyone
    assert '<span class="forum-recognise__count">1</span>' in first.get(url).content.decode()


def test_the_author_sees_their_own_actions_and_others_do_not(topic, member, other_member):
    post = reply(member, topic, body="Mitt eget innlegg.")
    url = f"/forum/t/{topic.pk}/"
    others = article(reader(other_member).get(url).content.decode(), post.pk)
    own = article(reader(member).get(url).content.decode(), post.pk)
    assert "Edit</a>" in own and "Delete</a>" in own and "I recognise this" not in own
    assert "Edit</a>" not in others and "Report" in others and "I recognise this" in others


def article(html: str, post_pk: int) -> str:
    start = html.index(f'id="post-{post_pk}"')
    return html[start : html.index("</article>", start)]


def test_an_edit_and_a_moderators_decision_show_on_the_next_request(
    topic, member, other_member, moderator
):
    post = reply(member, topic, body="Første utgave.")
    url = f"/forum/t/{topic.pk}/"
    client = reader(other_member)
    assert "Første utgave." in client.get(url).content.decode()

    services.post_edit(post=post, by=member, body="Andre utgave.", now=timezone.now())
    page = client.get(url).content.decode()
    assert "Andre utgave." in page and "Første utgave." not in page

    post.refresh_from_db()
    services.post_hide(post=post, by=moderator, reason="Navn og adresse", now=timezone.now())
    page = client.get(url).content.decode()
    assert "Andre utgave." not in page


def category_row(html: str, topic_pk: int) -> str:
    start = html.index(f'href="/forum/t/{topic_pk}/"')
    return html[html.rindex("<li", 0, start) : html.index("</li>", start)]


def test_a_category_row_shows_each_change_to_its_topic_on_the_next_request(
    topic, member, other_member, third_member, moderator
):
    """The category page's rows come from the cache too; a new reply, a moderator's lock or
    pin, and the author leaving each show at once, and each reader's language is kept."""
    url = f"/forum/{topic.category.slug}/"
    client = reader(other_member)
    row = category_row(client.get(url).content.decode(), topic.pk)
    assert "Lange kvelder" in row and "1 post" in row and member.username in row
    assert "Locked" not in row and "Pinned" not in row

    reply(other_member, topic, body="Jeg kjenner meg igjen.")
    row = category_row(client.get(url).content.decode(), topic.pk)
    assert "2 posts" in row

    topic.refresh_from_db()
    now = timezone.now()
    services.topic_set_flags(topic=topic, by=moderator, now=now, locked=True, pinned=True)
    row = category_row(client.get(url).content.decode(), topic.pk)
    assert "Locked" in row and "Pinned" in row and "forum-list__item--pinned" in row

    norwegian = reader(third_member)
    norwegian.cookies["django_language"] = "nb"
    norsk = category_row(norwegian.get(url).content.decode(), topic.pk)
    assert "2 innlegg" in norsk and "Låst" in norsk
    assert "2 posts" in category_row(client.get(url).content.decode(), topic.pk)

    from accounts.services import account_delete

    account_delete(user=member)
    row = category_row(client.get(url).content.decode(), topic.pk)
    assert "Lange kvelder" not in row and member.username not in row


def test_the_reply_form_is_written_in_each_reader_s_language(topic, other_member, third_member):
    """The empty reply form is rendered once per language and shared; each reader gets it in
    their own language, with their own CSRF token around it."""
    url = f"/forum/t/{topic.pk}/"
    english_page = reader(other_member).get(url).content.decode()
    norwegian = reader(third_member)
    norwegian.cookies["django_language"] = "nb"
    norwegian_page = norwegian.get(url).content.decode()
    assert 'name="body"' in english_page and 'name="body"' in norwegian_page
    assert "Your reply" in english_page and "Your reply" not in norwegian_page
    assert "Svaret ditt" in norwegian_page and "Svaret ditt" not in english_page


def in_shared_cache(text: str) -> bool:
    """Whether any value of the shared cache (in memory, or every key in Redis) holds *text*."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    backend, raw = caches["default"], text.encode()
    if isinstance(backend, LocMemCache):
        values = list(backend._cache.values())
    else:
        client = backend._cache.get_client(write=False)
        values = [client.get(key) for key in client.scan_iter()]
    return any(raw in (value or b"") for value in values)


def kept_in_process(text: str) -> bool:
    """Whether a part this process keeps (forum.fragments) holds *text*."""
    from forum import fragments

    with fragments._recent._lock:
        return any(text in value for _until, value in fragments._recent._items.values())


@pytest.fixture
def nothing_kept():
    """This process's kept parts start empty (earlier tests' members had the same names)."""
    from forum import fragments

    fragments._recent.clear()


def read_by_everyone(topic, *clients) -> None:
    """The topic and its category page, in both languages, as each kind of reader."""
    for client in (Client(), *clients):
        for language in ("en", "nb"):
            client.cookies["django_language"] = language
            assert client.get(f"/forum/t/{topic.pk}/").status_code == 200
            assert client.get(f"/forum/{topic.category.slug}/").status_code == 200


def as_another_process(kept: dict, seen) -> None:
    """This process's kept parts and last publication seen set back to *kept* and *seen*:
    what another daphne process, which rendered the same pages, still holds."""
    from forum import fragments

    with fragments._recent._lock:
        fragments._recent._items.clear()
        fragments._recent._items.update(kept)
    fragments._seen[0] = seen


def snapshot():
    from forum import fragments

    with fragments._recent._lock:
        return dict(fragments._recent._items), fragments._seen[0]


PHONE = "ring meg 41 23 45 67"


@pytest.mark.parametrize(
    "take_away",
    [
        lambda post, member, moderator, now: services.post_edit(
            post=post, by=member, body="Skrevet om.", now=now
        ),
        lambda post, member, moderator, now: services.post_delete_own(
            post=post, by=member, now=now
        ),
        lambda post, member, moderator, now: services.post_hide(
            post=post, by=moderator, reason="Kontaktinfo", now=now
        ),
        lambda post, member, moderator, now: services.post_moderator_delete(
            post=post, by=moderator, reason="Kontaktinfo", now=now
        ),
        lambda post, member, moderator, now: services.post_moderator_edit(
            post=post, by=moderator, body="Skrevet om.", note="Telefonnummer fjernet", now=now
        ),
    ],
    ids=["own edit", "own delete", "hidden", "moderator delete", "moderator edit"],
)
def test_words_taken_away_from_a_post_are_forgotten_at_once(
    take_away,
    topic,
    member,
    other_member,
    moderator,
    nothing_kept,
    django_capture_on_commit_callbacks,
):
    """A post's rendered parts are kept in the process, never in the shared cache, and would
    keep its words for ten minutes after they were taken away (a moderator removing a phone
    number, say), though no page shows them: they go when the words do, for every kind of
    reader and both languages."""
    post = reply(member, topic, body=f"Jeg er alene i kveld, {PHONE}.")
    read_by_everyone(topic, reader(member), reader(other_member), reader(moderator))
    assert kept_in_process(PHONE)
    assert not in_shared_cache(PHONE)  # a member's words never go to Redis

    with django_capture_on_commit_callbacks(execute=True):
        take_away(post, member, moderator, timezone.now())

    assert not kept_in_process(PHONE)
    page = reader(other_member).get(f"/forum/t/{topic.pk}/").content.decode()
    assert PHONE not in page


@pytest.mark.parametrize("elsewhere", [False, True], ids=["this process", "another process"])
def test_a_deleted_member_s_words_and_name_are_forgotten_with_the_account(
    elsewhere, member, other_member, moderator, nothing_kept, django_capture_on_commit_callbacks
):
    """Forgotten at once in the process that deleted the account; in another process that
    kept the same parts, at its next forum page."""
    from accounts.services import account_delete

    trust(member)
    trust(other_member)
    title = "Ingen vet hvem jeg er"
    topic = start_topic(member, make_category(), title=title, body=f"Hei, {PHONE}.").topic
    reply(other_member, topic, body="Du er ikke alene.")
    read_by_everyone(topic, reader(member), reader(other_member), reader(moderator))
    for text in (PHONE, title, member.username):
        assert kept_in_process(text)
        assert not in_shared_cache(text)
    other_process = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=member)
    if elsewhere:
        as_another_process(*other_process)
        assert kept_in_process(PHONE)  # before its next forum page
        assert Client().get(f"/forum/{topic.category.slug}/").status_code == 200

    for text in (PHONE, title, member.username):
        assert not kept_in_process(text), text
    page = reader(other_member).get(f"/forum/t/{topic.pk}/").content.decode()
    assert "Du er ikke alene." in page and PHONE not in page


def test_another_process_forgets_a_moderated_number_at_its_next_forum_page(
    topic, member, other_member, moderator, nothing_kept, django_capture_on_commit_callbacks
):
    """Behind nginx run several processes; each keeps the parts it rendered. When a moderator
    removes a phone number in one, the others forget the old parts when they next serve a
    forum page, not ten minutes later, and keep every other part."""
    post = reply(member, topic, body=f"Jeg er alene i kveld, {PHONE}.")
    reply(other_member, topic, body="Du er ikke alene i kveld.")
    read_by_everyone(topic, reader(member), reader(other_member), reader(moderator))
    other_process = snapshot()
    assert kept_in_process(PHONE)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_moderator_edit(
            post=post,
            by=moderator,
            body="Skrevet om.",
            note="Telefonnummer fjernet",
            now=timezone.now(),
        )
    as_another_process(*other_process)
    assert kept_in_process(PHONE)  # the other process, before its next page

    assert Client().get(f"/forum/{topic.category.slug}/").status_code == 200
    assert not kept_in_process(PHONE)
    assert kept_in_process("Du er ikke alene i kveld.")  # what was not taken away stays


def test_a_process_that_cannot_tell_what_it_missed_forgets_everything(
    topic, member, other_member, moderator, nothing_kept, django_capture_on_commit_callbacks
):
    """A publication it never read has gone (its time ran out, or Redis restarted): the
    process cannot know which parts it named, so it keeps none."""
    from django.core.cache import cache

    from forum import fragments

    post = reply(member, topic, body=f"Jeg er alene i kveld, {PHONE}.")
    read_by_everyone(topic, reader(member), reader(other_member))
    other_process = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_hide(post=post, by=moderator, reason="Kontaktinfo", now=timezone.now())
    cache.delete(fragments.FORGOTTEN_KEY % cache.get(fragments.FORGOTTEN_VERSION_KEY))
    as_another_process(*other_process)

    assert Client().get(f"/forum/t/{topic.pk}/").status_code == 200
    assert not kept_in_process(PHONE)
    assert not kept_in_process("Lange kvelder")  # the category rows went too
