"""The browse page writes its filter controls out from ``BrowseForm.widget_parts`` instead of
rendering Django's widgets (a template per option cost more than the rest of the page): the
controls must be the ones the widgets give, with what the member sent still chosen and a
refused value marked invalid, in both languages."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings
from friends_support import interests

pytestmark = pytest.mark.django_db


class _Controls(HTMLParser):
    """Each select, option and input with its attributes (order aside), and the text of each
    option and of each label around an input."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple] = []
        self._text_of: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("select", "option", "input"):
            self.found.append((tag, sorted(attrs)))
        if tag == "option":
            self._text_of = "option"
        elif tag == "input" and self._text_of == "label":
            self._text_of = "label with input"
        elif tag == "label":
            self._text_of = "label"

    def handle_endtag(self, tag):
        if tag in ("option", "label"):
            self._text_of = None

    def handle_data(self, data):
        if self._text_of in ("option", "label with input") and data.strip():
            self.found.append(("text", data.strip()))


def controls(html: str) -> list[tuple]:
    parser = _Controls()
    parser.feed(html)
    return parser.found


def _queries():
    first, _second, third = (str(i.pk) for i in interests(3))
    return (
        {},
        {"age_band": "36-50", "region": "vestland", "interests": [first, third]},
        {"region": "abroad", "page": "2"},
        {"page": "2"},  # nothing chosen: the kept filters, without the form
        # Refused: a band across the age line, no such region, no such interest.
        {"age_band": "13-15", "region": "nowhere", "interests": ["999999"]},
    )


def _form_as_sent(member, query: dict, language: str):
    """The filter form of that query, as Django would render its widgets."""
    from django.http import QueryDict
    from django.utils import translation

    from friends.forms import BrowseForm
    from friends.selectors import interests_in_order

    data = QueryDict(mutable=True)
    for name, value in query.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    with translation.override(language):
        return BrowseForm(data or None, viewer_band=member.friend_profile.age_band,
                          interests=interests_in_order())


@pytest.mark.parametrize("language", ["nb", "en"])
def test_filters_are_the_controls_the_widgets_give(adult, member_client, language):
    member_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for query in _queries():
        response = member_client.get("/friends/", query)
        page = response.content.decode()
        start = page.index('class="filters friends-filters"')
        shown = page[start : page.index("</form>", start)]
        form = _form_as_sent(adult, query, language)
        widgets = "".join(str(form[name]) for name in ("age_band", "region", "interests"))

        assert controls(shown) == controls(widgets), query
        chosen = [
            dict(attrs)["value"]
            for tag, attrs in controls(shown)
            if tag in ("option", "input") and {"selected", "checked"} & dict(attrs).keys()
        ]
        expected = [query.get("age_band", ""), query.get("region", ""), *query.get("interests", [])]
        if query.get("age_band") == "13-15":
            expected = []  # nothing sent is a choice, so nothing is shown chosen
            assert page.count('aria-invalid="true"') > 3
        assert chosen == expected, query


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_kept_unfiltered_filters_are_the_forms_own(adult, language):
    """Without filters the page takes the filters' HTML from ``unfiltered_filters_html``: it
    must be what the form renders, unbound or sent with only a page number, and follow a
    change to the interests."""
    from django.http import QueryDict
    from django.utils import translation

    from friends.forms import BrowseForm, unfiltered_filters_html
    from friends.models import Interest
    from friends.selectors import interests_in_order

    band = adult.friend_profile.age_band
    with translation.override(language):
        kept = unfiltered_filters_html(viewer_band=band, interests=interests_in_order())
        unbound = BrowseForm(None, viewer_band=band, interests=interests_in_order()).rendered()
        paged = BrowseForm(QueryDict("page=3"), viewer_band=band,
                           interests=interests_in_order()).rendered()
        assert kept == unbound == paged

        Interest.objects.create(slug="brevskriving", name_nb="Brevskriving",
                                name_en="Letter writing", is_active=True)
        again = unfiltered_filters_html(viewer_band=band, interests=interests_in_order())
        assert again != kept
        assert ("Brevskriving" if language == "nb" else "Letter writing") in again
