"""The staff workspace's keyboard-shortcuts dialog and icons are kept rendered
(ordrom/admin_fragments.py). The dialog:
each page must still carry exactly the dialog Wagtail itself renders for that request, in
the user's language, for their platform, and with their own choice to turn shortcuts off."""

from __future__ import annotations

import shlex

import pytest
from django.template import Context, Template, engines
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe
from wagtail.admin.templatetags import wagtailadmin_tags
from wagtail.users.models import UserProfile

pytestmark = pytest.mark.django_db

QUEUE_URL = "/admin/letters/"
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 Chrome/131.0 Safari/537"
LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def wagtails_own_dialog(user, user_agent: str, language: str) -> str:
    """The dialog as Wagtail's own inclusion tag renders it, for a request like the page's."""
    request = RequestFactory().get(QUEUE_URL, headers={"user-agent": user_agent})
    request.user = user
    with translation.override(language):
        values = wagtailadmin_tags.keyboard_shortcuts_dialog({"request": request})
        own = engines["django"].engine.get_template(
            "wagtailadmin/shared/keyboard_shortcuts_dialog.html"
        )
        return own.render(Context(values))


def dialog(html: str) -> str:
    start = html.index('id="keyboard-shortcuts-dialog"')
    return html[start : html.index("</table>", start)]


def page(client, user_agent: str, language: str = "nb") -> str:
    client.cookies["django_language"] = language
    response = client.get(QUEUE_URL, headers={"user-agent": user_agent})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("user_agent", [MAC, LINUX])
def test_each_page_carries_the_dialog_wagtail_renders(supervisor, supervisor_client,
                                                       user_agent, language):
    page(supervisor_client, user_agent, language)  # the first page keeps it
    html = page(supervisor_client, user_agent, language)
    expected = wagtails_own_dialog(supervisor, user_agent, language)
    assert 'id="keyboard-shortcuts-dialog"' in expected
    assert expected.strip() in html


def test_the_platform_language_and_the_users_own_choice_each_change_it(
    supervisor, supervisor_client
):
    mac, linux = page(supervisor_client, MAC), page(supervisor_client, LINUX)
    assert "⌘" in dialog(mac) and "⌘" not in dialog(linux)
    english = page(supervisor_client, LINUX, "en")
    assert "Søk" in dialog(linux) and "Søk" not in dialog(english)  # Wagtail's Norwegian

    disabled_text = "Keyboard shortcuts are currently disabled"
    assert disabled_text not in english
    profile = UserProfile.get_for_user(supervisor)
    profile.keyboard_shortcuts = False
    profile.save()
    assert disabled_text in page(supervisor_client, LINUX, "en")


@pytest.mark.parametrize(
    "arguments",
    [
        'name="mail"',
        'name="arrow-left" classname="default"',
        'name="warning" title="Pass på <her> & der" wrapped=True',
        'name="mail" classname="w-header__glyph"',
    ],
)
def test_an_icon_is_the_markup_wagtails_icon_template_gives(arguments):
    tag = Template("{% load wagtailadmin_tags %}{% icon " + arguments + " %}")
    first, again = tag.render(Context()), tag.render(Context())  # the second is the kept one
    parsed = {}
    for pair in shlex.split(arguments):
        key, value = pair.split("=", 1)
        parsed[key] = True if value == "True" else value
    # A literal in a template is marked safe, as the tag receives it.
    parsed = {key: mark_safe(value) if isinstance(value, str) else value  # noqa: S308
              for key, value in parsed.items()}
    own = engines["django"].engine.get_template("wagtailadmin/shared/icon.html")
    assert first == again == own.render(Context(wagtailadmin_tags.icon(**parsed)))
    assert f'href="#icon-{parsed["name"]}"' in first


def test_an_icon_label_from_a_variable_is_escaped_even_after_the_same_text_as_a_literal():
    text = "Pass på <her> & der"
    literal = Template('{% load wagtailadmin_tags %}{% icon name="warning" title="' + text + '" %}')
    variable = Template('{% load wagtailadmin_tags %}{% icon name="warning" title=label %}')
    assert "<her>" in literal.render(Context())  # as Wagtail's own tag gives it
    assert "&lt;her&gt; &amp; der" in variable.render(Context({"label": text}))
