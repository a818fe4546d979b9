"""``{% kept %}`` renders a part once per language and set of named values: another value or
another language renders it again, the same ones give the kept text."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

PART = Template(
    '{% load i18n ordrom_tags %}{% kept "test-part" chrome %}'
    "{% translate 'Quick exit' %} {{ chrome.number }} {{ other }}{% endkept %}"
)


def render(**values) -> str:
    return PART.render(Context(values))


def test_each_value_and_language_gets_its_own_rendering():
    with translation.override("en"):
        assert render(chrome={"number": "113"}, other="first") == "Quick exit 113 first"
        # Not a named value: the kept text stays (which is why a kept part names them all).
        assert render(chrome={"number": "113"}, other="second") == "Quick exit 113 first"
        assert render(chrome={"number": "116 123"}, other="x") == "Quick exit 116 123 x"
    with translation.override("nb"):
        assert render(chrome={"number": "113"}, other="x") == "Rask utgang 113 x"


def test_a_kept_part_needs_a_quoted_name():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load ordrom_tags %}{% kept chrome %}x{% endkept %}")
