"""{% referral_card service_id %}: a compact help-service card for letters and chat.

{% service_card card compact=True id_suffix="-r1" %}: a ServiceCard as
pages/includes/service_card.html renders it, kept in this process under exactly the values
that template reads (the service's texts and links, each channel's label, text and open or
closed state, the two options, the language): a letter thread shows a few cards and each cost
~0.12 ms through the template. A card's status text changes with the time (open until 20:00,
opens at 14:00), and the changed text makes a new key.
"""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from ordrom.kept import KeptHtml
from pages import selectors

register = template.Library()

CARD_TEMPLATE = "pages/includes/service_card.html"
_cards = KeptHtml(limit=2048)


def _card_key(card, compact, id_suffix) -> tuple:
    service = card.service
    return (
        translation.get_language(),
        bool(compact),
        str(id_suffix),
        service.pk,
        str(service.name),
        str(service.summary),
        str(service.audience),
        service.phone,
        service.phone_href,
        service.chat_url,
        service.web_url,
        bool(service.is_crisis),
        tuple(
            (item.status.is_open, item.status.no_hours, item.label, str(item.text))
            for item in card.statuses
        ),
    )


@register.simple_tag
def service_card(card, compact=False, id_suffix=""):
    if not card:
        return ""
    html = _cards.get(
        _card_key(card, compact, id_suffix),
        lambda: render_to_string(
            CARD_TEMPLATE, {"card": card, "compact": compact, "id_suffix": id_suffix}
        ),
    )
    return mark_safe(html)  # noqa: S308 (our template; every value escaped in it)


@register.inclusion_tag("pages/includes/service_card.html")
def referral_card(service_id, id_suffix=""):
    try:
        service_id = int(service_id)
    except (TypeError, ValueError):
        return {"card": None}  # a stale or mistyped reference shows nothing, not an error
    card = selectors.referral_card(service_id=service_id, now=timezone.now())
    return {"card": card, "compact": True, "id_suffix": id_suffix} if card else {"card": None}
