"""Parts of Wagtail's staff workspace chrome rendered once per set of values they show.

The keyboard-shortcuts dialog: Wagtail writes it (a table of some thirty shortcuts, each row
through its own tags) into every admin page, hidden until a supervisor presses "?": 1.8 ms of
the reply queue's 13 ms on the full-size bench set. Its template reads only the values its
tag computes (the shortcut labels in the request's language, the key names for a Mac or not,
whether the user turned shortcuts off, whether comments are on), so the HTML is kept in this
process keyed by exactly what the tag computes them from. Nothing personal is in it.

Icons: every ``{% icon %}`` renders a small template (an ``<svg><use>`` and an optional label),
about 70 µs each, six to twenty on a page; its output follows only from its four arguments and
the language (a label may be translated).
"""

from __future__ import annotations

import re

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe

from ordrom.kept import KeptHtml, hashable

TEMPLATE = "wagtailadmin/shared/keyboard_shortcuts_dialog.html"
ICON_TEMPLATE = "wagtailadmin/shared/icon.html"
_MAC = re.compile(r"Mac|iPod|iPhone|iPad")  # Wagtail's test (wagtail.admin.utils)
# Languages × platforms × the two switches; more means the values vary oddly.
_dialogs = KeptHtml(limit=64)
_icons = KeptHtml(limit=1024)


def _kept(kept: KeptHtml, key, template: str, values: dict) -> str:
    html = kept.get(key, lambda: render_to_string(template, values))
    return mark_safe(html)  # noqa: S308 (Wagtail's own template)


def _dialog_inputs(context) -> tuple:
    """What Wagtail's tag reads to make the dialog's values: the language (its labels), the
    platform (Mac key names, from the User-Agent as Wagtail tests it), the user's own choice
    and whether comments are on. Building the values (some thirty lazy labels) cost more
    than the kept lookup saved."""
    from wagtail.admin.templatetags.wagtailadmin_tags import get_comments_enabled

    request = context.get("request")
    user = getattr(request, "user", None)
    profile = getattr(user, "wagtail_userprofile", None) if user is not None else None
    user_agent = request.headers.get("User-Agent", "") if request else ""
    return (
        translation.get_language(),
        bool(getattr(profile, "keyboard_shortcuts", True)) if profile is not None else True,
        bool(get_comments_enabled()),
        bool(_MAC.search(user_agent)),
        request is None,
    )


def cached_dialog(context, compute) -> str:
    def render():
        return render_to_string(TEMPLATE, compute(context))

    return mark_safe(_dialogs.get(_dialog_inputs(context), render))  # noqa: S308 (Wagtail's)


def cached_icon(values: dict) -> str:
    # Marked safe or not is part of the key: the template escapes one and not the other.
    key = (
        translation.get_language(),
        *((isinstance(values[name], SafeData), hashable(values[name])) for name in sorted(values)),
    )
    return _kept(_icons, key, ICON_TEMPLATE, values)


def install() -> None:
    """Put the kept dialog and icons in place of Wagtail's ``{% keyboard_shortcuts_dialog %}``
    and ``{% icon %}``. Called once from OrdromConfig.ready()."""
    from wagtail.admin.templatetags import wagtailadmin_tags

    compute = wagtailadmin_tags.keyboard_shortcuts_dialog
    icon_values = wagtailadmin_tags.icon

    def keyboard_shortcuts_dialog(context):
        return cached_dialog(context, compute)

    def icon(name=None, classname=None, title=None, wrapped=False):
        return cached_icon(icon_values(name=name, classname=classname, title=title,
                                       wrapped=wrapped))

    wagtailadmin_tags.register.simple_tag(takes_context=True, name="keyboard_shortcuts_dialog")(
        keyboard_shortcuts_dialog
    )
    wagtailadmin_tags.register.simple_tag(name="icon")(icon)
