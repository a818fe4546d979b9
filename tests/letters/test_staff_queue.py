"""The reply queue in the staff workspace: order, what each row shows, filters, counts,
pagination, query count, taking the next letter and claiming from a row."""

from __future__ import annotations

import datetime as dt

import pytest
from staff_support import (
    NEXT_URL,
    QUEUE_URL,
    TUESDAY,
    letter_url,
    make_letter,
    make_writer,
    reload,
)

from letters import services
from letters.models import Topic

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def rows(response):
    return [row["letter_id"] for row in response.context["rows"]]


def test_queue_lists_urgent_first_then_by_deadline(supervisor_client, travel):
    travel(TUESDAY)
    late = make_letter(received_ago=2 * HOUR)
    early = make_letter(received_ago=40 * HOUR)
    urgent = make_letter(received_ago=1 * HOUR, urgent=True)

    response = supervisor_client.get(QUEUE_URL)

    assert response.status_code == 200
    assert rows(response) == [urgent.pk, early.pk, late.pk]


def test_row_shows_time_left_overdue_topic_follow_up_and_who_is_on_it(
    supervisor_client, supervisor, coordinator, travel, english
):
    travel(TUESDAY)
    topic = Topic.objects.get(slug="ensomhet")
    overdue = make_letter(received_ago=50 * HOUR - 5 * dt.timedelta(minutes=1), topic=topic)
    first = make_letter(received_ago=2 * HOUR)
    services.letter_claim(letter_id=first.pk, by=supervisor, now=TUESDAY)
    services.reply_save_draft(letter_id=first.pk, by=supervisor, body="Hei", now=TUESDAY)
    services.reply_send(letter_id=first.pk, by=supervisor, now=TUESDAY)
    follow_up = services.letter_follow_up(
        thread=first.thread, writer=first.thread.writer, body="Takk!", now=TUESDAY - HOUR
    )
    services.letter_claim(letter_id=follow_up.pk, by=coordinator, now=TUESDAY)

    page = supervisor_client.get(QUEUE_URL).content.decode()

    assert "overdue by 1 h 55 min" in page
    assert "47 h 00 min left" in page
    assert "Loneliness" in page
    assert "Follow-up" in page and "answered before by Vakt Kari" in page
    assert "Vakt Liv" in page
    assert f'action="{letter_url(overdue, "claim/")}"' in page
    assert f'action="{letter_url(follow_up, "claim/")}"' not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mine=on", ["mine"]),
        ("unclaimed=on", ["soon", "overdue", "urgent", "topic"]),
        ("due_soon=on", ["soon"]),
        ("overdue=on", ["overdue"]),
        ("urgent=on", ["urgent"]),
        ("topic={topic}", ["topic"]),
    ],
)
def test_filters_work_as_plain_get_parameters(supervisor_client, supervisor, travel, query,
                                              expected):
    travel(TUESDAY)
    topic = Topic.objects.get(slug="sorg")
    letters = {
        "mine": make_letter(received_ago=HOUR),
        "soon": make_letter(received_ago=40 * HOUR),
        "overdue": make_letter(received_ago=49 * HOUR),
        "urgent": make_letter(received_ago=2 * HOUR, urgent=True),
        "topic": make_letter(received_ago=3 * HOUR, topic=topic),
    }
    services.letter_claim(letter_id=letters["mine"].pk, by=supervisor, now=TUESDAY)

    response = supervisor_client.get(QUEUE_URL + "?" + query.format(topic=topic.pk))

    names = {letter.pk: name for name, letter in letters.items()}
    assert sorted(names[pk] for pk in rows(response)) == sorted(expected)


def test_header_counts_due_soon_overdue_and_unclaimed(supervisor_client, supervisor, travel):
    travel(TUESDAY)
    make_letter(received_ago=40 * HOUR)
    make_letter(received_ago=49 * HOUR)
    claimed = make_letter(received_ago=HOUR)
    services.letter_claim(letter_id=claimed.pk, by=supervisor, now=TUESDAY)

    counts = supervisor_client.get(QUEUE_URL).context["counts"]

    assert (counts.due_soon, counts.overdue, counts.unclaimed, counts.open) == (1, 1, 2, 3)


def test_header_counts_follow_each_change_at_once_though_they_are_cached(
    supervisor_client, supervisor, travel
):
    travel(TUESDAY)
    first = make_letter(received_ago=HOUR)
    assert supervisor_client.get(QUEUE_URL).context["counts"].unclaimed == 1  # now cached

    services.letter_claim(letter_id=first.pk, by=supervisor, now=TUESDAY)
    assert supervisor_client.get(QUEUE_URL).context["counts"].unclaimed == 0

    services.letter_release(letter_id=first.pk, by=supervisor)
    make_letter(received_ago=HOUR)
    counts = supervisor_client.get(QUEUE_URL).context["counts"]
    assert (counts.unclaimed, counts.open) == (2, 2)


def test_queue_paginates_by_50(supervisor_client, travel):
    travel(TUESDAY)
    for n in range(55):
        make_letter(received_ago=dt.timedelta(minutes=n + 1))

    first = supervisor_client.get(QUEUE_URL)
    second = supervisor_client.get(QUEUE_URL + "?p=2")

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 5


def test_the_page_links_follow_the_page_and_keep_the_filters(supervisor_client, english, travel):
    travel(TUESDAY)
    for n in range(105):
        make_letter(received_ago=dt.timedelta(minutes=n + 1), urgent=n % 2 == 0)

    def nav(query: str) -> str:
        html = supervisor_client.get(f"{QUEUE_URL}?{query}").content.decode()
        return html[html.index('<nav class="pagination"') : html.index("</nav>", html.index(
            '<nav class="pagination"'))]

    first, second = nav("p=1"), nav("p=2")
    assert "Page 1 of 3" in first and 'href="?p=2"' in first
    assert "Page 2 of 3" in second
    assert 'href="?p=1"' in second and 'href="?p=3"' in second
    # The same page of the same count, filtered: its links keep the filter.
    unclaimed = nav("unclaimed=on&p=1")
    assert "Page 1 of 3" in unclaimed and 'href="?unclaimed=on&amp;p=2"' in unclaimed
    urgent = nav("urgent=on&p=1")  # 53 urgent letters: two pages
    assert "Page 1 of 2" in urgent and 'href="?urgent=on&amp;p=2"' in urgent


@pytest.mark.parametrize("count", [5, 60])
def test_queue_query_count_does_not_grow_with_the_letters(
    coordinator_client, supervisor, travel, django_assert_max_num_queries, count
):
    travel(TUESDAY)
    topic = Topic.objects.first()
    for n in range(count):
        letter = make_letter(
            received_ago=dt.timedelta(hours=n % 50), topic=topic if n % 2 else None,
            urgent=n % 7 == 0, is_follow_up=n % 3 == 0,
        )
        if n % 4 == 0:
            services.letter_claim(letter_id=letter.pk, by=supervisor, now=TUESDAY)
    coordinator_client.get(QUEUE_URL)  # warm caches (site, settings)

    with django_assert_max_num_queries(16):
        response = coordinator_client.get(QUEUE_URL)

    assert response.status_code == 200


def test_take_the_next_letter_claims_the_most_urgent_and_opens_it(supervisor_client, supervisor,
                                                                  travel):
    travel(TUESDAY)
    make_letter(received_ago=HOUR)
    urgent = make_letter(received_ago=HOUR, urgent=True)

    response = supervisor_client.post(NEXT_URL)

    assert response.status_code == 302
    assert response["Location"] == letter_url(urgent)
    assert reload(urgent).claimed_by == supervisor


def test_take_the_next_letter_with_nothing_waiting_says_so(supervisor_client, english):
    response = supervisor_client.post(NEXT_URL, follow=True)

    assert "No letter is waiting without someone on it." in response.content.decode()


def test_answer_on_a_row_claims_the_letter(supervisor_client, supervisor, travel):
    travel(TUESDAY)
    letter = make_letter()

    response = supervisor_client.post(letter_url(letter, "claim/"))

    assert response["Location"] == letter_url(letter)
    assert reload(letter).claimed_by == supervisor


def test_answer_on_a_row_someone_else_has_says_who_and_shows_it_read_only(
    supervisor_client, coordinator, travel, english
):
    travel(TUESDAY)
    letter = make_letter(body="Hemmelig tekst")
    services.letter_claim(letter_id=letter.pk, by=coordinator, now=TUESDAY)

    response = supervisor_client.post(letter_url(letter, "claim/"), follow=True)

    page = response.content.decode()
    assert str(services.ERROR_CLAIMED % {"name": "Vakt Liv"}) in page
    assert "Hemmelig tekst" in page
    assert response.context["form"] is None
    assert reload(letter).claimed_by == coordinator


def test_coordinators_see_deadline_alerts_at_the_top_of_the_queue(
    coordinator_client, supervisor_client, supervisor, travel
):
    travel(TUESDAY)
    alert = make_letter(received_ago=40 * HOUR)
    taken = make_letter(received_ago=41 * HOUR)
    make_letter(received_ago=HOUR)
    services.letter_claim(letter_id=taken.pk, by=supervisor, now=TUESDAY)

    alerts = coordinator_client.get(QUEUE_URL).context["alerts"]

    assert [row["letter"] for row in alerts] == [alert]
    assert supervisor_client.get(QUEUE_URL).context["alerts"] == []


def test_a_row_shows_a_writers_subject_as_text_never_as_markup(
    supervisor_client, supervisor, travel, english
):
    """The rows are written as text in Python (letters/admin_views.py): what a writer typed
    as the subject is escaped, and each row's action still fits who holds the letter."""
    travel(TUESDAY)
    hostile = make_letter(subject='<img src=x onerror="alert(1)"> & "venner"', urgent=True)
    mine = make_letter(received_ago=3 * HOUR)
    services.letter_claim(letter_id=mine.pk, by=supervisor, now=TUESDAY)

    response = supervisor_client.get(QUEUE_URL)
    page = response.content.decode()

    assert "<img src=x" not in page
    shown = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &quot;venner&quot;"
    assert f"#{hostile.pk} · {shown}" in page
    row = next(r["html"] for r in response.context["rows"] if r["letter_id"] == hostile.pk)
    assert f'action="/admin/letters/{hostile.pk}/claim/"' in row and "Answer</button>" in row
    assert 'name="csrfmiddlewaretoken" value="' in row
    own = next(r["html"] for r in response.context["rows"] if r["letter_id"] == mine.pk)
    assert f'href="{letter_url(mine)}">Continue</a>' in own and "<td>You</td>" in own


@pytest.mark.parametrize(
    "subject",
    [
        "Kort emne",
        "e" * 60,
        "e" * 61,
        "Ensomhet i jula og alt det som følger med, og mer enn seksti tegn her",
        "Bl" + "a\u030a" + "bær",  # å written as a + combining ring: Truncator normalises it
        "a\u0301" * 59 + "b",  # combining accents count as nothing for Truncator
        "🙂" * 61,
        "",
    ],
)
def test_a_rows_short_subject_is_what_truncator_gives(subject):
    from django.utils.text import Truncator

    from letters.admin_views import _short

    assert _short(subject) == Truncator(subject).chars(60)


@pytest.mark.parametrize("limit", [100, 0])  # 0: more closed threads than kept, so the join
def test_a_letter_whose_thread_was_closed_leaves_every_page_of_the_queue_at_once(
    supervisor_client, travel, monkeypatch, limit
):
    from letters import selectors

    monkeypatch.setattr(selectors, "CLOSED_WITH_WAITING_LIMIT", limit)
    travel(TUESDAY)
    letters = [make_letter(received_ago=dt.timedelta(minutes=n + 1)) for n in range(160)]
    # Oldest first in the queue: index 159 is on page 1, index 30 on page 3 (a deep page,
    # whose ids come from the index first).
    shown = _queue_ids(supervisor_client, pages=4)
    assert shown == [letter.pk for letter in reversed(letters)]

    withdrawn = [letters[159], letters[30]]
    for letter in withdrawn:
        services.thread_close(thread=letter.thread, now=TUESDAY)

    shown = _queue_ids(supervisor_client, pages=4)
    assert shown == [letter.pk for letter in reversed(letters) if letter not in withdrawn]
    assert supervisor_client.get(QUEUE_URL).context["counts"].open == 158


def test_a_page_of_the_queue_shows_each_claim_and_release_at_once_though_it_is_kept(
    supervisor_client, coordinator, travel
):
    travel(TUESDAY)
    letter = make_letter(received_ago=HOUR)
    # Page 1 is now kept for the next request.
    assert '<form method="post"' in _row(supervisor_client, letter.pk)  # free to answer

    services.letter_claim(letter_id=letter.pk, by=coordinator, now=TUESDAY)
    row = _row(supervisor_client, letter.pk)
    assert f"<td>{coordinator.username}</td>" in row
    assert "<form" not in row

    services.letter_release(letter_id=letter.pk, by=coordinator)
    assert '<form method="post"' in _row(supervisor_client, letter.pk)


def test_a_deleted_members_letters_leave_the_queue_at_once(supervisor_client, travel):
    from accounts.services import account_delete

    travel(TUESDAY)
    writer = make_writer()
    make_letter(writer=writer, subject="Alene i kveld", received_ago=HOUR)
    kept = make_letter(received_ago=HOUR)
    assert "Alene i kveld" in supervisor_client.get(QUEUE_URL).content.decode()

    account_delete(user=writer)

    response = supervisor_client.get(QUEUE_URL)
    assert "Alene i kveld" not in response.content.decode()
    assert [row["letter_id"] for row in response.context["rows"]] == [kept.pk]
    assert response.context["counts"].open == 1


def test_a_kept_page_is_never_taken_for_todays_after_the_cache_was_emptied(
    supervisor_client, travel
):
    from django.core.cache import cache

    from letters.models import Thread

    travel(TUESDAY)
    letter = make_letter(subject="Før", received_ago=HOUR)
    cache.clear()  # a cache with no version yet
    assert "Før" in _row(supervisor_client, letter.pk)  # the page is now kept

    # Changed past the services (an operator's fix in the database) and the cache emptied
    # (a restarted Redis): a new version, so the page is read again.
    Thread.objects.filter(pk=letter.thread_id).update(subject="Etter")
    cache.clear()
    assert "Etter" in _row(supervisor_client, letter.pk)


def _row(client, letter_id: int) -> str:
    rows = client.get(QUEUE_URL).context["rows"]
    return next(str(row["html"]) for row in rows if row["letter_id"] == letter_id)


def _queue_ids(client, *, pages: int) -> list[int]:
    ids = []
    for number in range(1, pages + 1):
        ids += [row["letter_id"] for row in client.get(f"{QUEUE_URL}?p={number}").context["rows"]]
    return ids
