"""Wagtail's ``{% wagtail_config %}`` (the settings its admin scripts read, written into every
staff workspace page) with what is the same for every page worked out once per language.

Wagtail's tag reverses six URLs and turns some sixty lazy translations into text on every
page (0.7 ms of the reply queue on the bench set); only the CSRF token, the locales (read
from the database as before), the content locale and the user's keyboard-shortcut choice
differ from page to page. tests/ordrom/test_admin_config.py checks the result against
Wagtail's own tag, so a Wagtail upgrade that adds a setting fails there, not in a browser.
"""

from __future__ import annotations

from django.conf import settings
from django.http.request import HttpHeaders
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_str

_per_language: dict[str, dict] = {}
_locale_codes = None  # PreparedValues of the locales' codes, made on first use


def _locales() -> list[dict]:
    """The locales as Wagtail's tag lists them, read from the database on each page."""
    global _locale_codes
    from wagtail.models import Locale

    from ordrom.prepared import PreparedValues

    if _locale_codes is None:
        _locale_codes = PreparedValues(
            lambda: Locale.objects.all().values_list("language_code", flat=True), flat=True
        )
    return [
        {"code": code, "display_name": force_str(Locale(language_code=code).get_display_name())}
        for code in _locale_codes()
    ]


def _text(value):
    if isinstance(value, dict):
        return {key: _text(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_text(item) for item in value]
    return force_str(value) if value is not None and not isinstance(value, bool | int) else value


def _fixed_part() -> dict:
    from wagtail.admin.localization import get_js_translation_strings

    return {
        "CSRF_HEADER_NAME": HttpHeaders.parse_header_name(settings.CSRF_HEADER_NAME),
        "ADMIN_API": {
            "PAGES": reverse("wagtailadmin_api:pages:listing"),
            "DOCUMENTS": reverse("wagtailadmin_api:documents:listing"),
            "IMAGES": reverse("wagtailadmin_api:images:listing"),
            "EXTRA_CHILDREN_PARAMETERS": "",
        },
        "ADMIN_URLS": {
            "DISMISSIBLES": reverse("wagtailadmin_dismissibles"),
            "PAGES": reverse("wagtailadmin_explore_root"),
            "BLOCK_PREVIEW": reverse("wagtailadmin_block_preview"),
        },
        "STRINGS": _text(get_js_translation_strings()),
    }


def wagtail_config(context) -> dict:
    request = context["request"]
    language = translation.get_language() or ""
    fixed = _per_language.get(language)
    if fixed is None:
        fixed = _per_language[language] = _fixed_part()
    config = {"CSRF_TOKEN": get_token(request)}
    config.update(fixed)
    config["I18N_ENABLED"] = getattr(settings, "WAGTAIL_I18N_ENABLED", False)
    config["LOCALES"] = _locales()
    # The dicts from the kept part are copied where a page could change them.
    config["ADMIN_API"] = dict(fixed["ADMIN_API"])
    config["ADMIN_URLS"] = dict(fixed["ADMIN_URLS"])
    if locale := context.get("locale"):
        config["ACTIVE_CONTENT_LOCALE"] = locale.language_code
    user = getattr(request, "user", None)
    config["KEYBOARD_SHORTCUTS_ENABLED"] = (
        user.wagtail_userprofile.keyboard_shortcuts
        if hasattr(user, "wagtail_userprofile")
        else True
    )
    return config


def install() -> None:
    """Put this tag in place of Wagtail's. Called once from OrdromConfig.ready()."""
    from wagtail.admin.templatetags import wagtailadmin_tags

    wagtailadmin_tags.register.simple_tag(takes_context=True, name="wagtail_config")(
        wagtail_config
    )
