"""{% service_card %} (pages/templatetags/help_tags.py) keeps each card rendered: it must give
exactly the markup of the card template for every kind of card, and a changed status, option
or language must render again."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone, translation

from pages import selectors

pytestmark = pytest.mark.django_db

TAG = Template("{% load help_tags %}{% service_card card compact=compact id_suffix=suffix %}")


def cards():
    found = selectors.referral_cards(
        service_ids=[s.pk for s in selectors.active_services()], now=timezone.now()
    )
    return list(found.values())


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("compact", [True, False])
def test_each_card_is_the_markup_the_card_template_gives(demo_content, language, compact):
    shown = cards()
    assert len(shown) >= 5
    with translation.override(language):
        for card in shown:
            context = {"card": card, "compact": compact, "suffix": "-r7"}
            first = TAG.render(Context(context))
            again = TAG.render(Context(context))  # the kept one
            expected = render_to_string(
                "pages/includes/service_card.html",
                {"card": card, "compact": compact, "id_suffix": "-r7"},
            )
            assert first == again == expected
            assert f'id="service-{card.service.pk}-r7"' in first


def test_another_status_or_suffix_renders_again(demo_content):
    card = next(c for c in cards() if c.statuses)
    with translation.override("en"):
        before = TAG.render(Context({"card": card, "compact": True, "suffix": "-a"}))
        other = TAG.render(Context({"card": card, "compact": True, "suffix": "-b"}))
        assert f'id="service-{card.service.pk}-b"' in other and other != before
        item = card.statuses[0]
        item.text = "Åpent til 23:59 i dag"
        changed = TAG.render(Context({"card": card, "compact": True, "suffix": "-a"}))
        assert "Åpent til 23:59 i dag" in changed
