"""Fields kept in both languages on one row (``name_nb`` / ``name_en``).

Snippets and settings that letters, chat and the forum share keep one row per thing (so
hours, categories and links have one source) with a bokmål and an English text field.
"""

from django.utils import translation


def localized(obj, field: str) -> str:
    """The English text when English is active and filled in, else the bokmål one."""
    if (translation.get_language() or "nb")[:2] == "en":
        english = getattr(obj, f"{field}_en")
        if english:
            return english
    return getattr(obj, f"{field}_nb")
