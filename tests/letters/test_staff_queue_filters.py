"""The reply queue's filter controls are kept rendered (per language, what was sent and the
topics to choose from): each request must still show what it sent chosen, in its language,
with a new or renamed topic at once."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from staff_support import TUESDAY, make_letter

from letters.models import Topic

pytestmark = pytest.mark.django_db


def controls(client, query: dict | None = None) -> str:
    page = client.get("/admin/letters/", query or {}).content.decode()
    start = page.index('class="letters-filters"')
    return page[start : page.index("</form>", start)]


def checked(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="(\w+)"[^>]*\bchecked\b', html)


def selected_topic(html: str) -> str:
    match = re.search(r'<option value="([^"]*)" selected>', html)
    return match.group(1) if match else ""


def test_each_request_shows_its_own_filters_in_its_language(supervisor_client, travel):
    travel(TUESDAY)
    topic = Topic.objects.create(slug="proeve-ensomhet", name_nb="Ensomhet", name_en="Loneliness")
    make_letter(topic=topic)

    assert checked(controls(supervisor_client)) == []
    mine = controls(supervisor_client, {"mine": "on", "urgent": "on"})
    assert checked(mine) == ["mine", "urgent"]
    assert checked(controls(supervisor_client, {"overdue": "on"})) == ["overdue"]
    assert checked(controls(supervisor_client)) == []  # not the last request's

    by_topic = controls(supervisor_client, {"topic": str(topic.pk)})
    assert selected_topic(by_topic) == str(topic.pk) and ">Ensomhet<" in by_topic
    refused = controls(supervisor_client, {"topic": "not-a-topic"})
    assert 'aria-invalid="true"' in refused and 'aria-invalid' not in by_topic

    supervisor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = controls(supervisor_client, {"topic": str(topic.pk)})
    assert ">Loneliness<" in english and ">Ensomhet<" not in english

    topic.name_en = "Feeling alone"
    topic.save()
    Topic.objects.create(slug="proeve-sorg", name_nb="Sorg", name_en="Grief")
    renamed = controls(supervisor_client, {"topic": str(topic.pk)})
    assert ">Feeling alone<" in renamed and ">Grief<" in renamed
