"""The writer's pages keep a constant number of SQL queries whatever the number of letters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from letters import services
from pages import selectors as page_selectors
from pages.models import HelpService

# Session, user, roles, site settings, the unread-notification count in the header, the page's
# selectors and the referral cards (a card prefetches its categories, hours and exceptions).
INDEX_QUERIES = 9
THREAD_QUERIES = 12


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _services(count: int) -> list[int]:
    return [
        HelpService.objects.create(
            name=f"Tjeneste {n}", slug=f"tjeneste-{n}", summary_nb="Hjelp.", phone="800 00 000"
        ).pk
        for n in range(count)
    ]


def _answered_threads(writer, count, write_letter, answer_letter, service_ids):
    start = timezone.now() - dt.timedelta(days=30)
    for n in range(count):
        letter = write_letter(writer, subject=f"Tråd {n}", now=start + dt.timedelta(minutes=n))
        answer_letter(
            letter,
            now=start + dt.timedelta(hours=1, minutes=n),
            referral_service_ids=service_ids,
            next_step="Et lite steg",
            follow_up_on=timezone.localdate() - dt.timedelta(days=1) if n % 2 else None,
        )


@pytest.mark.django_db
def test_letters_list_queries_do_not_grow_with_the_threads(
    member, member_client, other_member, other_member_client, write_letter, answer_letter,
    django_assert_max_num_queries,
):
    service_ids = _services(2)
    _answered_threads(member, 1, write_letter, answer_letter, service_ids)
    _answered_threads(other_member, 25, write_letter, answer_letter, service_ids)
    write_letter(other_member, body="Venter")

    # The first request fills caches (Wagtail's site root paths) and the session's last-seen
    # time; warm both up, then compare like with like.
    member_client.get("/letters/")
    other_member_client.get("/letters/")

    assert _count(member_client, "/letters/") == _count(other_member_client, "/letters/")
    with django_assert_max_num_queries(INDEX_QUERIES):
        other_member_client.get("/letters/")


@pytest.mark.django_db
def test_thread_page_queries_do_not_grow_with_the_letters(
    member, member_client, other_member, other_member_client, write_letter, answer_letter,
    django_assert_max_num_queries,
):
    service_ids = _services(3)
    start = timezone.now() - dt.timedelta(days=20)

    def thread_with(writer, letters):
        first = write_letter(writer, now=start)
        answer_letter(first, now=start + dt.timedelta(hours=1), referral_service_ids=service_ids)
        for n in range(1, letters):
            moment = start + dt.timedelta(hours=2 * n)
            follow_up = services.letter_follow_up(
                thread=first.thread, writer=writer, body=f"Brev {n}", now=moment
            )
            answer_letter(
                follow_up,
                now=moment + dt.timedelta(minutes=30),
                referral_service_ids=service_ids[: 1 + n % 3],
            )
        return f"/letters/{first.thread_id}/"

    short = thread_with(member, 1)
    long = thread_with(other_member, 20)

    member_client.get("/letters/")  # warm up caches and the session's last-seen time
    other_member_client.get("/letters/")
    page_selectors.active_services()  # the referral cards' service list, cached once for all

    # First visits mark the answers read (one UPDATE); later visits do not need it.
    assert _count(member_client, short) == _count(other_member_client, long)
    assert _count(member_client, short) == _count(other_member_client, long)
    with django_assert_max_num_queries(THREAD_QUERIES):
        other_member_client.get(long)
    assert "Tjeneste 2" in other_member_client.get(long).content.decode()
