"""Constant template tags kept per language (ordrom.template_constants): the same output as
Django's own tags, in every language, and never one language's text in another's page."""

from __future__ import annotations

import pytest
from django.template import Context, Engine
from django.test import override_settings
from django.urls import clear_script_prefix, set_script_prefix
from django.utils import translation

from ordrom import template_constants

SOURCE = """{% load i18n static wagtailadmin_tags %}
[{% translate "Write a letter" %}]
[{% translate "Friend service" as label %}{{ label }}]
[{% translate "May" context "month name" %}]
[{% blocktranslate trimmed %}
   Log in
 {% endblocktranslate %}]
[{% blocktranslate with name=who %}Hello {{ name }}{% endblocktranslate %}]
[{% translate who %}]
[{% url 'forum:index' %}|{% url 'letters_queue' as queue %}{{ queue }}]
[{% url 'forum:topic' topic_id %}]
[{% url 'no-such-view' as missing %}({{ missing }})]
[{% static 'css/admin.css' %}|{% static 'css/chat.css' as css %}{{ css }}]
[{% versioned_static 'css/chat.css' %}]
{% autoescape off %}[{% translate "Write a letter" %}|{% url 'forum:index' %}]{% endautoescape %}
"""

CONSTANT_TAGS = 12  # every tag above whose arguments are all literals


def _engine(loader: str) -> Engine:
    from django.template import engines

    django_engine = engines["django"].engine
    locmem = ("django.template.loaders.locmem.Loader", {"page.html": SOURCE})
    return Engine(
        loaders=[(loader, [locmem])],
        libraries=django_engine.libraries,
        builtins=["django.template.defaulttags", "django.template.defaultfilters",
                  "django.template.loader_tags"],
    )


def _render(engine: Engine, language: str, **context) -> str:
    values = {"who": "<Kari & Ola>", "topic_id": 7, **context}
    with translation.override(language):
        return engine.get_template("page.html").render(Context(values))


@pytest.fixture
def kept():
    return _engine("ordrom.template_constants.Loader")


@pytest.fixture
def django_own():
    return _engine("django.template.loaders.cached.Loader")


@pytest.mark.parametrize("language", ["nb", "en", "nb"])
def test_every_tag_renders_exactly_as_djangos_own(kept, django_own, language):
    for _ in range(3):  # the first render fills the kept outputs, the others read them
        assert _render(kept, language) == _render(django_own, language)


def test_each_language_gets_its_own_text(kept):
    norwegian, english = _render(kept, "nb"), _render(kept, "en")
    assert "[Skriv et brev]" in norwegian
    assert "[Write a letter]" in english
    assert _render(kept, "nb") == norwegian


def test_tags_with_variables_follow_each_render(kept):
    first = _render(kept, "en", who="Kari", topic_id=7)
    second = _render(kept, "en", who="<Ola>", topic_id=8)
    assert "[Hello Kari]" in first and "[Hello &lt;Ola&gt;]" in second
    assert "/forum/t/7/" in first and "/forum/t/8/" in second
    assert "[&lt;Ola&gt;]" in second  # {% translate who %} escapes what a person wrote


def test_only_the_constant_tags_are_kept(kept):
    template = kept.get_template("page.html")
    nodes = template.nodelist.get_nodes_by_type(template_constants._Kept)
    assert len(nodes) == CONSTANT_TAGS
    assert template_constants.keep_constants(template.nodelist) == 0  # already all kept


def test_a_url_follows_the_script_prefix(kept):
    assert "[/forum/|" in _render(kept, "en")
    set_script_prefix("/under/")
    try:
        assert "[/under/forum/|" in _render(kept, "en")
    finally:
        clear_script_prefix()
    assert "[/forum/|" in _render(kept, "en")


def test_a_settings_change_is_seen_at_once(kept):
    assert "/static/css/admin.css" in _render(kept, "en")
    with override_settings(STATIC_URL="/elsewhere/"):
        assert "/elsewhere/css/admin.css" in _render(kept, "en")
    assert "/static/css/admin.css" in _render(kept, "en")


def test_the_site_renders_through_it(client, db):
    from django.template import engines

    loader = engines["django"].engine.template_loaders[0]
    assert isinstance(loader, template_constants.Loader)
    with translation.override("en"):
        response = client.get("/forum/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
