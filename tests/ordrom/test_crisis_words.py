"""The crisis-word check every letter, forum post and chat message passes through."""

from ordrom.crisis import find_crisis_words, signals_crisis


def test_a_word_matches_at_a_word_beginning_whatever_its_case_accents_or_spacing():
    assert find_crisis_words("Jeg har SELVMORDSTANKER i kveld") == ["selvmord"]
    assert find_crisis_words("jeg  VIL\n DØ") == ["vil dø"]  # case and spacing
    assert find_crisis_words("tenker på sélvmord") == ["selvmord"]  # an accent
    assert find_crisis_words("I want to die") == ["want to die"]
    assert not signals_crisis("en antiselvmordskampanje")  # inside a word, not at its start


def test_every_word_found_is_named_once_in_the_order_of_the_list():
    words = ["kutte meg", "vil dø", "selvmord", "selvmord"]
    text = "Selvmord. Jeg vil dø. Jeg tenker på selvmord og vil kutte meg."
    assert find_crisis_words(text, words) == ["kutte meg", "vil dø", "selvmord"]


def test_a_text_without_any_word_and_an_empty_list_flag_nothing():
    assert find_crisis_words("Det var en fin tur i skogen i dag.") == []
    assert find_crisis_words("selvmord", []) == []
    assert find_crisis_words("selvmord", ["", "   "]) == []


def test_an_edited_list_is_used_as_it_is_now():
    assert find_crisis_words("jeg orker ikke mer", ["orker ikke mer"]) == ["orker ikke mer"]
    assert find_crisis_words("jeg orker ikke mer", ["gir opp"]) == []
    assert find_crisis_words("jeg gir opp", ["gir opp"]) == ["gir opp"]


def test_words_with_pattern_characters_are_matched_as_written():
    assert find_crisis_words("a.b er ikke axb", ["a.b", "(x"]) == ["a.b"]
    assert find_crisis_words("dette (x) også", ["(x"]) == ["(x"]
