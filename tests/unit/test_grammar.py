"""The Tracery-style grammar expander and the phrasebook built on it."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.acts import Act
from engine.rendering.grammar import (
    Grammar,
    article,
    capitalize,
    clip,
    join_interjection,
    opens_with_interjection,
    sentences,
    tidy,
)
from engine.rendering.phrasebook import (
    FREE_SYMBOLS,
    GENTLE_ACTS,
    PHRASEBOOK,
    act_symbol,
    hedge_symbol,
    remember_line,
    suited_interjections,
)


def rng(seed: int = 0) -> random.Random:
    return random.Random(seed)


def test_plain_text_is_unchanged() -> None:
    assert Grammar({"a": ["x"]}).expand("no symbols here", rng()) == "no symbols here"


def test_symbol_expands_to_one_of_its_alternatives() -> None:
    grammar = Grammar({"animal": ["cat", "dog", "owl"]})
    seen = {grammar.expand("a #animal#", rng(seed)) for seed in range(30)}
    assert seen == {"a cat", "a dog", "a owl"}


def test_expansion_is_deterministic_for_a_seed() -> None:
    grammar = Grammar({"x": ["#y# #y#"], "y": ["a", "b", "c", "d"]})
    assert grammar.flatten("x", rng(7)) == grammar.flatten("x", rng(7))


def test_nested_symbols_expand() -> None:
    grammar = Grammar({"greeting": ["#hi#, #name#!"], "hi": ["hello"], "name": ["Ann"]})
    assert grammar.flatten("greeting", rng()) == "hello, Ann!"


def test_modifiers() -> None:
    grammar = Grammar({"w": ["owl"], "u": ["user"], "h": ["hour"], "c": ["cat"]})
    assert grammar.expand("#w.a#, #u.a#, #h.a#, #c.a#", rng()) == "an owl, a user, an hour, a cat"
    assert grammar.expand("#w.capitalize#", rng()) == "Owl"
    assert grammar.expand("#w.a.capitalize#", rng()) == "An owl"
    assert capitalize("") == "" and article("") == ""


def test_bindings_are_literal_and_win_over_rules() -> None:
    grammar = Grammar({"user": ["rule"], "y": ["never"]})
    assert grammar.expand("hi #user#", rng(), {"user": "#y# 100%"}) == "hi #y# 100%"
    assert grammar.expand("hi #user.capitalize#", rng(), {"user": "bob"}) == "hi Bob"


def test_unknown_symbol_raises() -> None:
    with pytest.raises(ValueError, match="missing"):
        Grammar({"a": ["#missing#"]}).flatten("a", rng())


def test_unknown_modifier_raises() -> None:
    with pytest.raises(ValueError, match="shout"):
        Grammar({"a": ["x"]}).expand("#a.shout#", rng())


def test_recursion_is_bounded() -> None:
    with pytest.raises(ValueError, match="deeper"):
        Grammar({"loop": ["#loop#!"]}, max_depth=5).flatten("loop", rng())


@pytest.mark.parametrize("rules", [{"a": []}, {"a": "not a list"}, {"bad name": ["x"]}])
def test_malformed_rules_are_rejected(rules: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Grammar(rules)  # type: ignore[arg-type]


def test_undefined_reports_missing_symbols() -> None:
    grammar = Grammar({"a": ["#b# #user#"], "b": ["#c#"]})
    assert grammar.undefined(free=["user"]) == {"c"}


@given(st.text().filter(lambda t: "#" not in t))
def test_text_without_hashes_expands_to_itself(text: str) -> None:
    assert Grammar({"a": ["x"]}).expand(text, rng()) == text


# --- the phrasebook -------------------------------------------------------------------------


def test_phrasebook_references_only_defined_or_free_symbols() -> None:
    assert PHRASEBOOK.undefined(FREE_SYMBOLS) == frozenset()


@pytest.mark.parametrize("act", list(Act))
def test_every_act_has_both_registers(act: Act) -> None:
    bindings = {name: "someone" for name in FREE_SYMBOLS}
    for formal in (True, False):
        for gentle in (True, False):
            symbol = act_symbol(act, formal=formal, gentle=gentle)
            assert symbol in PHRASEBOOK
            for seed in range(10):
                line = PHRASEBOOK.flatten(symbol, rng(seed), bindings)
                assert line.strip() and "#" not in line


def test_gentle_forms_differ_from_plain_ones() -> None:
    for act in GENTLE_ACTS:
        gentle = set(PHRASEBOOK.alternatives(act_symbol(act, formal=False, gentle=True)))
        plain = set(PHRASEBOOK.alternatives(act_symbol(act, formal=False)))
        assert gentle.isdisjoint(plain)
    assert act_symbol(Act.GREET, formal=True, gentle=True) == "greet_formal"


def test_hedges_exist_in_both_registers() -> None:
    assert hedge_symbol(formal=True) in PHRASEBOOK
    assert hedge_symbol(formal=False) in PHRASEBOOK


# --- English helpers ------------------------------------------------------------------------


def test_sentences_do_not_end_after_titles_or_before_small_letters() -> None:
    assert sentences("Have you seen Mr. Wickham? He was not here. Hertfordshire is... green.") == [
        "Have you seen Mr. Wickham?", "He was not here.", "Hertfordshire is... green."]
    assert sentences("*She bows.* Good day.") == ["*She bows.*", "Good day."]
    assert clip("Have you seen Mr. Wickham anywhere tonight at all?", 20) == "Have you seen…"
    assert clip("I saw Mr. Wickham. Mr. Denny and all the officers came too.", 24) == (
        "I saw Mr. Wickham.")


@pytest.mark.parametrize(("text", "expected"), [
    ("*Jane smooths her gloves.*.", "*Jane smooths her gloves.*"),
    ("What a ball.!", "What a ball!"), ("Really?.", "Really?"), ("Yes!.", "Yes!"),
    ("So.. there.", "So. there."), ("Hertfordshire is... green.", "Hertfordshire is... green."),
    ("Well ,I never .", "Well,I never."), ("Good day, Mr. Mr. Darcy.", "Good day, Mr. Darcy."),
    ("Quite,.", "Quite."),
])
def test_tidy_normalises_punctuation(text: str, expected: str) -> None:
    assert tidy(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Oh, hello.", True), ("La! What fun.", True), ("Upon my word, yes.", True),
    ("Lord, how dull!", True), ("I see.", True), ("Come, come, sir.", True), ("Pray tell.", True),
    ("Good evening, Jane.", False), ("I see you there.", False), ("Well done, Jane.", False),
    ("There, we agree.", True), ("There is a ball.", False), ("*bows*", False), ("", False),
])
def test_opens_with_interjection(text: str, expected: bool) -> None:
    assert opens_with_interjection(text) is expected


def test_join_interjection_lowercases_only_common_words() -> None:
    assert join_interjection("Oh,", "Good evening, Jane.") == "Oh, good evening, Jane."
    assert join_interjection("Upon my honour", "I think so.") == "Upon my honour, I think so."
    assert join_interjection("Indeed,", "Jane is here.", ["jane"]) == "Indeed, Jane is here."
    assert join_interjection("Indeed,", "Caroline is here.") == "Caroline is here."
    assert join_interjection("La!", "Caroline is here.") == "La! Caroline is here."
    assert join_interjection("Oh,", "Mr. Darcy is here.") == "Oh, Mr. Darcy is here."


def test_suited_interjections() -> None:
    card = ("Lord, how", "Oh, Lizzy!", "Madam,", "La!", "I confess,", "Come, come,")
    assert suited_interjections(card, {"jane"}, "I think so.") == ["La!", "I confess,"]
    assert suited_interjections(card, {"lizzy"}, "What fun!") == ["Oh, Lizzy!", "La!"]
    assert "Madam," in suited_interjections(card, {"miss", "bennet"})
    assert "Madam," not in suited_interjections(card, {"mr", "darcy"})
    assert "Come, come," in suited_interjections(card, {"jane"}, "No.", Act.DISAGREE)
    assert "I confess," not in suited_interjections(card, {"jane"}, "It is fine, is it not? Yes.")
    assert suited_interjections(("Permit me,", "Capital!"), {"jane"}, "The soup is cold.") == [
        "Capital!"]
    assert suited_interjections(("Capital!",), {"jane"}, "Capital, capital!") == []


def test_remember_line_reports_speech() -> None:
    bindings = {"user": "Jane"}
    for seed in range(10):
        line = remember_line(rng(seed), bindings, "Jane", "me", "Is it not a beautiful house?")
        assert "Jane" in line and "asked me" in line and "“Is it not a beautiful house?”" in line
        line = remember_line(rng(seed), bindings, "I", "I", "The soup was cold.")
        assert re.search(r"I (who )?said\b", line) and "to me" not in line
        line = remember_line(rng(seed), bindings, "you", "Lydia", "The soup was cold.")
        assert "you said to Lydia" in line or "you who said to Lydia" in line
