"""{% referral_card service_id %}: a compact help-service card for letters and chat."""

from django import template
from django.utils import timezone

from pages import selectors

register = template.Library()


@register.inclusion_tag("pages/includes/service_card.html")
def referral_card(service_id, id_suffix=""):
    try:
        service_id = int(service_id)
    except (TypeError, ValueError):
        return {"card": None}  # a stale or mistyped reference shows nothing, not an error
    card = selectors.referral_card(service_id=service_id, now=timezone.now())
    return {"card": card, "compact": True, "id_suffix": id_suffix} if card else {"card": None}
