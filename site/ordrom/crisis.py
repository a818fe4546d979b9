"""Words that signal a crisis.

Editors maintain the list (pages.SiteSettings.crisis_words); these are the defaults, in
Norwegian and English, because a writer may use either. A match raises the item's priority
for staff and shows the writer where to get help now. Matching is on word beginnings, case-
and accent-insensitive, so "selvmordstanker" matches "selvmord" but "kunstig" does not match
"kuns".
"""

from __future__ import annotations

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
    return [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]


def find_crisis_words(text: str, words: Iterable[str] = DEFAULT_WORDS) -> list[str]:
    """The listed words or phrases that occur in *text*, each once, in list order."""
    folded = _fold(text)
    found = []
    for word in words:
        pattern = r"(?<!\w)" + re.escape(_fold(word.strip()))
        if word.strip() and re.search(pattern, folded) and word not in found:
            found.append(word)
    return found


def signals_crisis(text: str, words: Iterable[str] = DEFAULT_WORDS) -> bool:
    return bool(find_crisis_words(text, words))
