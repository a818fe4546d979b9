"""The feedback questions under an answer write their radio buttons out from the values
Django's RadioSelect gives its templates (``FeedbackForm.questions``) instead of rendering a
template per radio: the buttons must be exactly the ones the widget gives, with a refused
answer marked invalid, in both languages."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings

from letters.forms import FeedbackForm

pytestmark = pytest.mark.django_db


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[list] = []

    def handle_starttag(self, tag, attrs):
        if tag == "input" and dict(attrs).get("type") == "radio":
            self.found.append(sorted(attrs))


def radios(html: str) -> list[list]:
    parser = _Inputs()
    parser.feed(html)
    return parser.found


def labels(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<label for="([^"]+)">([^<]+)</label>', html)


@pytest.mark.parametrize("language", ["nb", "en"])
def test_feedback_radios_are_the_ones_the_widget_gives(
    member, member_client, write_letter, answer_letter, language
):
    member_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    letter = write_letter(member)
    reply = answer_letter(letter)
    member_client.get(f"/letters/{letter.thread_id}/")  # read: the questions appear
    prefix = f"feedback-{reply.pk}"
    url = f"/letters/{letter.thread_id}/answers/{reply.pk}/feedback/"
    sent = {f"{prefix}-easy_to_reach": "yes", f"{prefix}-feel_better": "not-a-choice"}

    for response in (
        member_client.get(f"/letters/{letter.thread_id}/"),
        member_client.post(url, sent),  # refused: shown again with what was sent
    ):
        assert response.status_code == 200
        page = response.content.decode()
        start = page.index('<details class="letters-feedback"')
        shown = page[start : page.index("</details>", start)]
        form = FeedbackForm(response.wsgi_request.POST or None, prefix=prefix)
        form.is_valid()
        widgets = "".join(str(radio.tag()) for field in form for radio in field)

        assert len(radios(shown)) == 3 * len(form.fields["easy_to_reach"].choices)
        assert radios(shown) == radios(widgets)
        assert labels(shown) == [
            (radio.id_for_label, str(radio.choice_label)) for field in form for radio in field
        ]
    checked = [dict(attrs)["value"] for attrs in radios(shown) if "checked" in dict(attrs)]
    assert checked == ["yes"]
    assert 'aria-invalid="true"' in shown


def test_the_kept_empty_form_carries_this_answers_ids_and_this_readers_token(
    member, write_letter, answer_letter
):
    """The empty form is rendered once per language (letters/fragments.py); each page puts
    in its own answer's ids and the reader's own CSRF token, and the form works as sent."""
    from django.test import Client

    from letters.models import Feedback

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    letter = write_letter(member)
    reply = answer_letter(letter)
    client.get(f"/letters/{letter.thread_id}/")  # read: the questions appear
    page = client.get(f"/letters/{letter.thread_id}/").content.decode()
    start = page.index('<details class="letters-feedback"')
    shown = page[start : page.index("</details>", start)]
    url = f"/letters/{letter.thread_id}/answers/{reply.pk}/feedback/"
    assert f'action="{url}"' in shown and "987654320" not in page
    assert f'name="feedback-{reply.pk}-easy_to_reach"' in shown
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', shown).group(1)
    assert "placeholder" not in token

    response = client.post(url, {"csrfmiddlewaretoken": token,
                                 f"feedback-{reply.pk}-easy_to_reach": "yes"})
    assert response.status_code == 302
    assert list(Feedback.objects.values_list("question", "answer")) == [("easy_to_reach", "yes")]
