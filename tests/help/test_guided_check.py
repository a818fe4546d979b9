"""The guided check: every answer path of the demo check, danger first, errors that keep the
answers, and nothing stored — no rows, no session."""

from __future__ import annotations

import itertools

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from help_support import CHECK_URL, CRISIS_URL, TUESDAY_15, checked_inputs, make_service

from pages import selectors
from pages.forms import ERROR_ANSWER
from pages.models import GuidedCheckPage, HelpCategory, HelpService

pytestmark = pytest.mark.django_db


def demo_questions() -> list[dict]:
    page = GuidedCheckPage.objects.get(
        url_path__endswith=f"{CHECK_URL}", locale__language_code="nb"
    )
    return [block.value for block in page.questions if block.block_type == "question"]


def every_answer_path(questions):
    """(POST data, chosen options) for every combination of one answer per question."""
    for indices in itertools.product(*(range(len(q["options"])) for q in questions)):
        data = {f"q{number}": str(index) for number, index in enumerate(indices)}
        options = [q["options"][index] for q, index in zip(questions, indices, strict=True)]
        yield data, options


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def assert_never_cached(response):
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store"} <= directives


def test_every_answer_path_of_the_demo_check(demo, frozen):
    frozen(TUESDAY_15)
    questions = demo_questions()
    assert 3 <= len(questions) <= 6
    services = {
        service.pk: {category.pk for category in service.categories.all()}
        for service in HelpService.objects.filter(is_active=True).prefetch_related("categories")
    }
    client = Client()
    paths = dangers = 0

    for data, options in every_answer_path(questions):
        paths += 1
        response = client.post(CHECK_URL, data)

        if any(option["signals_danger"] for option in options):
            dangers += 1
            assert response.status_code == 303, data
            assert response["Location"] == CRISIS_URL
            continue
        assert response.status_code == 200, data
        assert_never_cached(response)
        html = response.content.decode()
        offers = [offer["key"] for offer in response.context["offers"]]
        wanted = {"letter"} | {key for option in options for key in option["offers"]}
        assert set(offers) == wanted, data
        assert 'href="/letters/new/"' in html
        for option in options:
            if option["forum_path"] and "forum" in offers:
                assert f'href="{option["forum_path"]}"' in html
        chosen = {category.pk for option in options for category in option["help_categories"]}
        cards = response.context["cards"]
        fitting = {pk for pk, categories in services.items() if categories & chosen}
        assert len(cards) == min(6, len(fitting)), data
        for card in cards:
            assert card.service.pk in fitting, data
            assert card.service.name in html

    assert paths == 120
    assert dangers == 120 // len(questions[0]["options"])


def test_danger_answer_alone_leads_to_the_crisis_page(demo, client):
    questions = demo_questions()
    number, index = next(
        (number, index)
        for number, question in enumerate(questions)
        for index, option in enumerate(question["options"])
        if option["signals_danger"]
    )

    response = client.post(CHECK_URL, {f"q{number}": str(index)})

    assert response.status_code == 303
    assert response["Location"] == CRISIS_URL
    assert client.get(response["Location"]).status_code == 200


def test_unfinished_check_keeps_the_answers_and_shows_errors(demo, english_client):
    response = english_client.post(CHECK_URL, {"q0": "1", "q2": "3"})

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"q1", "q3"}
    assert form.errors["q1"] == [str(ERROR_ANSWER)]
    html = response.content.decode()
    assert checked_inputs(html) == {("q0", "1"), ("q2", "3")}
    assert str(ERROR_ANSWER) in html
    assert "suggestions" not in response.context


def test_an_answer_that_does_not_exist_is_an_error_not_a_crash(demo, client):
    response = client.post(CHECK_URL, {"q0": "99", "q1": "x", "q2": "-1", "q3": "0"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"q0", "q1", "q2"}


def test_check_page_is_never_cached(demo, client):
    assert_never_cached(client.get(CHECK_URL))
    assert_never_cached(client.post(CHECK_URL, {"q0": "0"}))


def test_answers_are_not_stored_anywhere(demo, frozen):
    frozen(TUESDAY_15)
    client = Client()
    client.get(CHECK_URL)  # the visitor opens the check (a CSRF cookie is all this sets)
    before = row_counts()
    questions = demo_questions()
    posts = [data for data, _options in itertools.islice(every_answer_path(questions), 0, 120, 7)]

    for data in [*posts, {"q0": "0"}, {"q0": "2"}]:
        response = client.post(CHECK_URL, data)
        assert response.status_code in (200, 303)
        assert "sessionid" not in response.cookies
        session = response.wsgi_request.session
        assert session.session_key is None and not session.modified

    assert row_counts() == before
    assert Session.objects.count() == 0
    # (client.session would make a session of its own to hand back: the cookie says enough.)
    assert "sessionid" not in client.cookies


def test_suggestions_take_the_same_queries_however_many_services_fit(
    demo, client, django_assert_max_num_queries
):
    loneliness = HelpCategory.objects.get(slug="ensomhet")
    answers = {"q0": "1", "q1": "0", "q2": "1", "q3": "1"}  # categories, chat and group status
    client.post(CHECK_URL, answers)
    # Both measured requests read the shown services afresh: the new services below forget
    # the cached list (pages.selectors.active_services), so forget it here too.
    selectors.forget_services()
    with CaptureQueriesContext(connection) as few:
        client.post(CHECK_URL, answers)
    for _ in range(30):
        make_service(categories=[loneliness])

    with django_assert_max_num_queries(len(few)):
        response = client.post(CHECK_URL, answers)

    assert len(response.context["cards"]) == 6
