"""The staff workspace's sidebar is built once and kept (ordrom/admin_sidebar.py): it must
still show each staff member what they may open, in their language, and follow a change of
role or permission on the very next page."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission

from ordrom.roles import Role

pytestmark = pytest.mark.django_db

QUEUE_URL = "/admin/letters/"
SIDEBAR = re.compile(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
                     re.S)


def sidebar_labels(response) -> set[str]:
    assert response.status_code == 200
    found = SIDEBAR.search(response.content.decode())
    assert found, "the page has no sidebar"
    labels: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("label"), str):
                labels.add(node["label"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(found.group(1)))
    return labels


def test_every_admin_page_keeps_its_sidebar(supervisor_client):
    first = sidebar_labels(supervisor_client.get(QUEUE_URL))
    again = sidebar_labels(supervisor_client.get(QUEUE_URL))

    assert "Svarkø" in first
    assert again == first


def test_a_new_role_shows_its_menu_on_the_next_page(supervisor, supervisor_client):
    assert "Venter på gjennomlesing" not in sidebar_labels(supervisor_client.get(QUEUE_URL))

    supervisor.groups.add(Group.objects.get(name=Role.COORDINATOR))

    assert "Venter på gjennomlesing" in sidebar_labels(supervisor_client.get(QUEUE_URL))

    supervisor.groups.remove(Group.objects.get(name=Role.COORDINATOR))

    assert "Venter på gjennomlesing" not in sidebar_labels(supervisor_client.get(QUEUE_URL))


def test_a_permission_given_to_a_group_shows_on_the_next_page(supervisor_client):
    before = sidebar_labels(supervisor_client.get(QUEUE_URL))
    assert "Nettsteder" not in before

    Group.objects.get(name=Role.SUPERVISOR).permissions.add(
        Permission.objects.get(content_type__app_label="wagtailcore", codename="change_site")
    )

    assert "Nettsteder" in sidebar_labels(supervisor_client.get(QUEUE_URL))


def test_each_language_gets_its_own_sidebar(supervisor_client):
    norwegian = sidebar_labels(supervisor_client.get(QUEUE_URL))
    supervisor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = sidebar_labels(supervisor_client.get(QUEUE_URL))

    assert "Svarkø" in norwegian and "Reply queue" not in norwegian
    assert "Reply queue" in english and "Svarkø" not in english


def test_staff_do_not_share_a_sidebar(supervisor_client, coordinator_client):
    coordinator = sidebar_labels(coordinator_client.get(QUEUE_URL))
    supervisor = sidebar_labels(supervisor_client.get(QUEUE_URL))

    assert "Venter på gjennomlesing" in coordinator
    assert "Venter på gjennomlesing" not in supervisor
