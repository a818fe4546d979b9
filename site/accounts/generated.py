"""Generated pseudonyms and key phrases, for visitors who write a letter without signing up.

The key phrase is the account's password: seven words drawn with ``secrets`` from the EFF
long word list (7 776 words, so 7 x 12.9 = 90.5 bits). It is shown once and stored only as
its Argon2 hash. No good Norwegian diceware list is published on the package registries, so
the words are English; they are short, common and easy to write down.
"""

from __future__ import annotations

import secrets
from functools import cache
from importlib import resources

KEY_PHRASE_WORDS = 7

# Calm, friendly Norwegian words for pseudonyms: "Rolig Måke 27".
ADJECTIVES = (
    "Rolig", "Stille", "Varm", "Lys", "Modig", "Myk", "Klar", "Vennlig", "Trygg", "Blid",
    "Grønn", "Blå", "Gyllen", "Sølv", "Liten", "Stor", "Rask", "Langsom", "Fri", "Glad",
    "Undrende", "Tenksom", "Åpen", "Ny", "Sterk", "Lett", "Mild", "Frisk", "Vill", "Hvit",
    "Rød", "Fjern", "Nær", "Høy", "Dyp", "Snill", "Nysgjerrig", "Drømmende", "Våken", "Fin",
)
NOUNS = (
    "Måke", "Fjell", "Elv", "Skog", "Bølge", "Stjerne", "Måne", "Sol", "Vind", "Strand",
    "Fjord", "Bjørk", "Furu", "Lyng", "Ugle", "Rev", "Hare", "Ekorn", "Svale", "Trost",
    "Stein", "Sky", "Regn", "Snø", "Is", "Eng", "Dal", "Vik", "Øy", "Sjø",
    "Lykt", "Bro", "Sti", "Kilde", "Blomst", "Kongle", "Fjær", "Gran", "Lav", "Mose",
)


@cache
def _eff_words() -> tuple[str, ...]:
    text = resources.files("diceware").joinpath("wordlists/wordlist_en_eff.txt").read_text()
    words = tuple(line.split()[-1] for line in text.splitlines() if line.strip())
    assert len(words) == 7776, "the EFF long list has 6^5 words"
    return words


def key_phrase(words: int = KEY_PHRASE_WORDS) -> str:
    vocabulary = _eff_words()
    return " ".join(secrets.choice(vocabulary) for _ in range(words))


def pseudonym() -> str:
    return f"{secrets.choice(ADJECTIVES)} {secrets.choice(NOUNS)} {secrets.randbelow(90) + 10}"
