"""Rendered posts, kept in each process and shared by every reader who sees them the same way.

A topic page shows up to 30 posts, each with its actions (recognise, quote, report with its
reasons, edit); rendering them is most of the page's cost. A post's HTML depends only on the
post as it is now, on how this reader relates to it (signed in, their own post, recognised
it, moderator) and on the language, so the key is a digest of exactly those inputs: any
change to the post (an edit, a moderator's decision, a new recognition, the author leaving)
makes a new key, so no page shows a stale part; when words are taken away, the parts that
held them are forgotten at once as well (``forget_posts``). The CSRF token is personal: posts are
rendered with a placeholder, which each request replaces with its own token.

A category page's topic rows are kept the same way (``rendered_topic_rows``): a row shows the
title, the badges, the author, the post count and the latest activity, the same for every
reader, and its key is a digest of those values.

They are kept in the process that rendered them, never in the shared cache: a part holds a
member's words and pseudonym, which have no business in Redis (it may write them to disk), as
the reply queue keeps its pages. A second process renders a post once for itself. When words
are taken away, every process forgets the parts that held them, at its next page of the
forum: the keys to forget go through the shared cache (digests, which name no words).
"""

from __future__ import annotations

import hashlib
import threading
from itertools import product

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from ordrom import cache_versions
from ordrom.kept import KeptHtml, Recent

TEMPLATE = "forum/includes/post.html"
TOPIC_ROW_TEMPLATE = "forum/includes/topic_row.html"
KEPT_SECONDS = 600
CSRF_PLACEHOLDER = "ordrom-csrf-placeholder-9f1c"
_VERSION = 1  # bump when post.html or what it reads changes
_TOPIC_ROW_VERSION = 1  # bump when topic_row.html or what it reads changes


def _digest(prefix: str, inputs: tuple) -> str:
    return prefix + hashlib.blake2b(repr(inputs).encode(), digest_size=20).hexdigest()


def _key(
    post,
    *,
    signed_in: bool,
    is_moderator: bool,
    is_own: bool | None = None,
    recognised: bool | None = None,
    language: str | None = None,
    zone: str | None = None,
) -> str:
    """The key of *post* rendered for one kind of reader; *is_own* and *recognised* default
    to what the post was annotated with for this reader, the language and time zone to the
    request's."""
    author = post.author.get_username() if post.author_id and post.author else None
    inputs = (
        _VERSION,
        language or translation.get_language(),
        zone or timezone.get_current_timezone_name(),
        post.topic_id,
        post.pk,
        post.status,
        post.created_at.isoformat(),
        author,
        post.body_html,
        post.moderator_reason,
        post.edit_note,
        post.recognise_count,
        signed_in,
        post.is_own if is_own is None else is_own,
        post.recognised_by_viewer if recognised is None else recognised,
        is_moderator,
    )
    return _digest("forum:post:", inputs)


# A key names everything its part shows, so a kept part is never stale, and one no longer
# asked for goes within KEPT_SECONDS. At most KEPT_PARTS (a topic page's 30 posts for each
# kind of reader over about a hundred busy topics; a part of a post of 800 characters is
# 1.3 KiB signed out, 3.4 KiB for a moderator: about 10 MiB a process in all).
KEPT_PARTS = 3_000
_recent = Recent(limit=KEPT_PARTS, seconds=KEPT_SECONDS)


def rendered_posts(request, posts, *, topic, report_reasons, is_moderator: bool) -> list[str]:
    """The HTML of *posts* (with ``is_own`` and ``recognised_by_viewer`` set) for this reader."""
    signed_in = request.user.is_authenticated
    keys = [_key(p, signed_in=signed_in, is_moderator=is_moderator) for p in posts]
    catch_up()
    found = _recent.get_many(keys)
    missing = {}
    for key, post in zip(keys, posts, strict=True):
        if key not in found:
            missing[key] = render_to_string(
                TEMPLATE,
                {
                    "post": post,
                    "topic": topic,
                    "user": request.user,
                    "can_write": signed_in,
                    "is_moderator": is_moderator,
                    "report_reasons": report_reasons,
                    "csrf_token": CSRF_PLACEHOLDER,
                },
            )
    if missing:
        _recent.set_many(missing)
        found.update(missing)
    html = [found[key] for key in keys]
    if any(CSRF_PLACEHOLDER in part for part in html):
        token = get_token(request)
        html = [part.replace(CSRF_PLACEHOLDER, token) for part in html]
    return [mark_safe(part) for part in html]  # noqa: S308 (rendered by our own template)


def _topic_row_key(topic, language: str, zone: str) -> str:
    inputs = (
        _TOPIC_ROW_VERSION,
        language,
        zone,
        topic.pk,
        topic.shown_title,
        topic.is_pinned,
        topic.is_locked,
        topic.author.get_username() if topic.author_id and topic.author else None,
        topic.post_count,
        topic.last_activity_at.isoformat(),
    )
    return _digest("forum:topic-row:", inputs)


def rendered_topic_rows(topics) -> list[str]:
    """The HTML of a category page's rows for *topics* (with their authors selected)."""
    language, zone = translation.get_language(), timezone.get_current_timezone_name()
    keys = [_topic_row_key(topic, language, zone) for topic in topics]
    catch_up()
    found = _recent.get_many(keys)
    missing = {
        key: render_to_string(TOPIC_ROW_TEMPLATE, {"topic": topic})
        for key, topic in zip(keys, topics, strict=True)
        if key not in found
    }
    if missing:
        _recent.set_many(missing)
        found.update(missing)
    return [mark_safe(found[key]) for key in keys]  # noqa: S308 (rendered by our own template)


# Forgetting. A key names what its part shows, so a changed post is never shown from an old
# part; but the old part, with the words as they were, would stay in memory until its time ran
# out. When words are taken away (a member leaves, deletes or edits a post, a moderator hides
# or edits one: "phone number removed"), this process forgets the parts of the post as it was
# at once, for every kind of reader and every language, and again after the commit (before
# it, a reader could render the old post again).
#
# Other processes (the other daphne processes behind nginx) never show an old part again, but
# would keep it in memory for up to KEPT_SECONDS. So after the commit the keys are also
# published through the shared cache: a counter (FORGOTTEN_VERSION_KEY) counts the
# publications (a version of ordrom.cache_versions: drawn at random when missing), and
# publication N holds its keys under FORGOTTEN_KEY % N for KEPT_SECONDS (after that, the parts
# have gone by themselves). Each process reads the counter before it looks up a part (one
# cache round trip, ``catch_up``) and forgets the keys of every publication since the last it
# saw. When it cannot tell what it missed (a publication gone or not yet written, too many at
# once, the counter lost with a restarted Redis), it forgets every part it keeps: a forum
# page then renders its posts once more, and no word outlives its post. While Redis is down
# nothing can be published, and other processes' copies go within KEPT_SECONDS as before.

FORGOTTEN_VERSION_KEY = "forum:parts-forgotten"
FORGOTTEN_KEY = "forum:parts-forgotten:%d"
# More publications than this since a process last looked, or more keys in one (a member
# with thousands of posts leaving), and everything kept is forgotten instead.
FORGOTTEN_CATCH_UP_LIMIT = 64
FORGOTTEN_KEYS_LIMIT = 5_000
_ALL = "all"
_seen_lock = threading.Lock()
_seen = [None]  # the last publication this process has caught up with


def _publish(keys: list[str]) -> None:
    """Tell every process to forget *keys* (after the commit that took the words away)."""
    version = cache_versions.bump(FORGOTTEN_VERSION_KEY)
    value = keys if len(keys) <= FORGOTTEN_KEYS_LIMIT else _ALL
    cache.set(FORGOTTEN_KEY % version, value, KEPT_SECONDS)


def catch_up() -> None:
    """Forget here what other processes have published since this one last looked."""
    version = cache_versions.current(FORGOTTEN_VERSION_KEY)
    with _seen_lock:
        seen = _seen[0]
        if version == seen:
            return
        _seen[0] = version
    missed = 0 if seen is None else version - seen
    if not 0 < missed <= FORGOTTEN_CATCH_UP_LIMIT:
        # This process's first look (nothing kept yet), or the counter was lost with Redis
        # (drawn anew at random) or jumped: what was published meanwhile is unknown.
        _recent.clear()
        return
    published = cache.get_many([FORGOTTEN_KEY % n for n in range(seen + 1, version + 1)])
    if len(published) < missed or _ALL in published.values():
        _recent.clear()
        return
    _recent.delete_many([key for keys in published.values() for key in keys])


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _reader_kinds():
    """(signed in, own post, recognised it, moderator) for every reader a post is kept for."""
    yield False, False, False, False  # signed out
    yield from ((True, *kind) for kind in product((False, True), repeat=3))


def post_keys(post) -> list[str]:
    """Every key *post*, as it is now, may be kept under (its author selected)."""
    zone = settings.TIME_ZONE
    return [
        _key(
            post,
            signed_in=signed_in,
            is_moderator=moderator,
            is_own=own,
            recognised=recognised,
            language=language,
            zone=zone,
        )
        for language in _languages()
        for signed_in, own, recognised, moderator in _reader_kinds()
    ]


def topic_row_keys(topic) -> list[str]:
    """Every key the category row of *topic*, as it is now, may be kept under."""
    return [_topic_row_key(topic, language, settings.TIME_ZONE) for language in _languages()]


def forget(keys: list[str]) -> None:
    """Forget the parts under *keys* in this process: now, and after the commit."""
    keys = list(keys)
    if keys:
        _recent.delete_many(keys)

        def after_commit() -> None:
            _recent.delete_many(keys)
            _publish(keys)

        transaction.on_commit(after_commit)


def forget_posts(posts) -> None:
    """Forget the kept parts of *posts* as they are now: call before their words change."""
    forget([key for post in posts for key in post_keys(post)])


def forget_topic_rows(topics) -> None:
    """Forget the kept category rows of *topics* as they are now: call before they change."""
    forget([key for topic in topics for key in topic_row_keys(topic)])


_blank_forms = KeptHtml(limit=64)  # form classes × languages


def blank_form_fields(form_class) -> str:
    """The fields of an empty *form_class* (includes/form_fields.html), rendered once per
    language in this process: with no data and no initial values they are the same for every
    reader (the topic page's reply form was a fifth of the page)."""
    html = _blank_forms.get(
        (form_class, translation.get_language()),
        lambda: render_to_string("includes/form_fields.html", {"form": form_class()}),
    )
    return mark_safe(html)  # noqa: S308 (rendered by our own template)
