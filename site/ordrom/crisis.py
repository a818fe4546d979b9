"""Words that signal a crisis.

Editors maintain the list (pages.SiteSettings.crisis_words); these are the defaults, in
Norwegian and English, because a writer may use either. A match raises the item's priority
for staff and shows the writer where to get help now. Matching is on word beginnings, case-
and accent-insensitive, so "selvmordstanker" matches "selvmord" but "kunstig" does not match
"kuns".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

DEFAULT_WORDS = (
    # bokmål
    "selvmord",
    "ta livet mitt",
    "ta livet av meg",
    "ikke vil leve",
    "vil ikke leve",
    "orker ikke leve",
    "vil dø",
    "ønsker å dø",
    "skade meg selv",
    "kutter meg",
    "kutte meg",
    "selvskading",
    "overdose",
    "henge meg",
    "avslutte livet",
    "ingen vits å leve",
    # English
    "suicide",
    "suicidal",
    "kill myself",
    "end my life",
    "want to die",
    "self-harm",
    "self harm",
    "hurt myself",
    "cutting myself",
    "overdose",
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text)


def parse_word_list(text: str) -> list[str]:
    """One word or phrase per line; blank lines and lines starting with # are ignored."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.lru_cache(maxsize=64)
def _patterns(words: tuple[str, ...]) -> tuple[re.Pattern | None, tuple[tuple[str, re.Pattern]]]:
    """(one pattern for "any of them", each word's own), compiled once per list: every chat
    message is checked, and folding and compiling thirty phrases each time was most of it."""
    escaped = [(word, re.escape(_fold(word.strip()))) for word in words if word.strip()]
    if not escaped:
        return None, ()
    each = tuple((word, re.compile(r"(?<!\w)" + text)) for word, text in escaped)
    return re.compile(r"(?<!\w)(?:" + "|".join(text for _word, text in escaped) + ")"), each


def find_crisis_words(text: str, words: Iterable[str] = DEFAULT_WORDS) -> list[str]:
    """The listed words or phrases that occur in *text*, each once, in list order."""
    any_word, each = _patterns(tuple(words))
    folded = _fold(text)
    # A search for the alternatives finds a match wherever any one word would: most texts
    # hold none, and are done after one search.
    if any_word is None or not any_word.search(folded):
        return []
    found = []
    for word, pattern in each:
        if word not in found and pattern.search(folded):
            found.append(word)
    return found


def signals_crisis(text: str, words: Iterable[str] = DEFAULT_WORDS) -> bool:
    return bool(find_crisis_words(text, words))
