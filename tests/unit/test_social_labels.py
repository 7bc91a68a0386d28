"""Relationship labels: the enter/stay table, hysteresis, estrangement and mutual partners."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.relationships import Relationship
from engine.social.labels import LABELS, next_label, pair_labels

BASE = Relationship(source_id=1, target_id=2, ecosystem_id=1, familiarity=0.5)


def view(**values: Any) -> Relationship:
    return replace(BASE, **values)


@given(st.lists(st.floats(0.26, 0.34), min_size=1, max_size=50))
def test_friend_label_does_not_flicker_around_its_threshold(affinities: list[float]) -> None:
    for start in ("friend", "acquaintance"):
        label = start
        for affinity in affinities:
            label = next_label(view(affinity=affinity), label)
            assert label == start


@given(st.lists(st.floats(-0.49, -0.36), min_size=1, max_size=50))
def test_enemy_label_does_not_flicker(affinities: list[float]) -> None:
    for start in ("enemy", "acquaintance"):
        label = start
        for affinity in affinities:
            label = next_label(view(affinity=affinity), label)
            assert label == start


@given(st.lists(st.floats(0.46, 0.59), min_size=1, max_size=50))
def test_close_friend_does_not_flicker(affinities: list[float]) -> None:
    for start in ("close friend", "friend"):
        label = start
        for affinity in affinities:
            label = next_label(view(affinity=affinity, trust=0.5), label)
            assert label == start


@pytest.mark.parametrize(("label", "enter", "stay", "neither"), [
    ("enemy", {"affinity": -0.5}, {"affinity": -0.4}, {"affinity": -0.3}),
    ("rival", {"rivalry": 0.45}, {"rivalry": 0.35}, {"rivalry": 0.25}),
    ("crush", {"romance": 0.4, "affinity": 0.3}, {"romance": 0.35, "affinity": 0.22},
     {"romance": 0.25, "affinity": 0.22}),
    ("close friend", {"affinity": 0.6, "trust": 0.4}, {"affinity": 0.5, "trust": 0.3},
     {"affinity": 0.4, "trust": 0.3}),
    ("friend", {"affinity": 0.35}, {"affinity": 0.3}, {"affinity": 0.2}),
])
def test_enter_and_stay_thresholds(label: str, enter: dict[str, float],
                                   stay: dict[str, float], neither: dict[str, float]) -> None:
    assert next_label(view(**enter), "acquaintance") == label
    assert next_label(view(**stay), "acquaintance") != label
    assert next_label(view(**stay), label) == label
    assert next_label(view(**neither), label) != label


def test_acquaintance_and_stranger_by_familiarity() -> None:
    assert next_label(view(familiarity=0.0), "stranger") == "stranger"
    assert next_label(view(familiarity=0.1), "stranger") == "acquaintance"
    assert next_label(view(familiarity=0.07), "stranger") == "stranger"
    assert next_label(view(familiarity=0.07), "acquaintance") == "acquaintance"
    assert next_label(view(familiarity=0.07), "no such label") == "stranger"


def test_a_cooling_close_friend_is_still_a_friend() -> None:
    assert next_label(view(affinity=0.3, trust=0.3), "close friend") == "friend"
    assert next_label(view(affinity=0.3, romance=0.1), "crush") == "friend"


def test_estranged_only_from_a_close_bond_whose_trust_collapsed() -> None:
    broken = view(affinity=0.1, trust=-0.45)
    for former in ("friend", "close friend", "partner"):
        assert next_label(broken, former) == "estranged"
    assert next_label(broken, "acquaintance") == "acquaintance"
    assert next_label(view(affinity=0.1, trust=-0.1), "estranged") == "estranged"
    assert next_label(view(affinity=0.1, trust=0.05), "estranged") == "acquaintance"
    assert next_label(view(affinity=-0.6, trust=-0.6), "estranged") == "enemy"


def test_an_enemy_calming_down_stays_a_rival_while_rivalry_lasts() -> None:
    assert next_label(view(affinity=-0.2, rivalry=0.35), "enemy") == "rival"


def test_a_single_view_never_becomes_partner() -> None:
    smitten = view(romance=0.9, affinity=0.9, trust=0.9)
    assert next_label(smitten, "crush") == "crush"
    assert next_label(smitten, "partner") == "partner"
    assert "partner" in LABELS


def test_pair_labels_makes_mutual_crushes_partners() -> None:
    smitten = view(romance=0.7, affinity=0.6, trust=0.5)
    lukewarm = view(romance=0.45, affinity=0.4, trust=0.3)
    assert pair_labels(smitten, smitten, ("crush", "crush")) == ("partner", "partner")
    assert pair_labels(smitten, lukewarm, ("crush", "crush")) == ("crush", "crush")
    assert pair_labels(smitten, view(affinity=0.4), ("crush", "friend")) == ("crush", "friend")
    # partners stay partners on the looser stay rule, as a pair
    assert pair_labels(lukewarm, lukewarm, ("partner", "partner")) == ("partner", "partner")
    # a partnership no longer mutual falls back to what each view earns alone
    cooled = view(romance=0.1, affinity=0.4, trust=0.3)
    assert pair_labels(lukewarm, cooled, ("partner", "partner")) == ("crush", "friend")
