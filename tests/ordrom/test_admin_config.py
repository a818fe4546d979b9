"""Our ``{% wagtail_config %}`` (ordrom/admin_config.py) gives exactly what Wagtail's own tag
gives for the same request, in each language, also when asked again."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import translation
from wagtail.admin.templatetags import wagtailadmin_tags

from ordrom.admin_config import _text, wagtail_config

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/admin/letters/")
    request.user = user
    return request


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_same_settings_as_wagtails_own_tag(supervisor, language):
    request = request_for(supervisor)
    with translation.override(language):
        wagtail_config({"request": request})  # the first call keeps the fixed part
        ours = wagtail_config({"request": request})
        theirs = _text(wagtailadmin_tags.wagtail_config({"request": request}))
    # A CSRF token is masked afresh each time it is asked for.
    assert len(ours.pop("CSRF_TOKEN")) == len(theirs.pop("CSRF_TOKEN")) == 64
    assert ours == theirs
    assert ours["STRINGS"] != {}


def test_each_language_gets_its_own_strings_and_each_request_its_token(supervisor):
    first, second = request_for(supervisor), request_for(AnonymousUser())
    with translation.override("nb"):
        norwegian = wagtail_config({"request": first})
    with translation.override("en"):
        english = wagtail_config({"request": second})
    assert norwegian["STRINGS"]["MONTHS"] != english["STRINGS"]["MONTHS"]
    assert norwegian["CSRF_TOKEN"] != english["CSRF_TOKEN"]


def test_the_staff_page_carries_it(supervisor_client):
    page = supervisor_client.get("/admin/letters/").content.decode()
    found = re.search(r'<script id="wagtail-config" type="application/json">(.*?)</script>', page)
    assert found, "no wagtail-config on the page"
    config = json.loads(found.group(1))
    assert config["ADMIN_URLS"]["DISMISSIBLES"].startswith("/admin/")
    assert config["CSRF_TOKEN"] and config["LOCALES"]
