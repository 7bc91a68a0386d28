"""Relationship moves and memory scoring: bounded, deterministic, sensible."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from engine.acts import Act
from engine.embedding import HashingEmbedder
from engine.memory import (
    Memory,
    RetrievalWeights,
    first_person,
    importance_of,
    observation_text,
    rank,
)
from engine.personas import address_form
from engine.relationships import Relationship, apply_act

NOW = datetime(2026, 5, 1, tzinfo=UTC)


@given(st.lists(st.sampled_from(list(Act)), max_size=200),
       st.floats(min_value=-1, max_value=1, allow_nan=False))
def test_relationship_values_stay_bounded(acts: list[Act], sentiment: float) -> None:
    rel = Relationship(1, 2, 1)
    for act in acts:
        rel = apply_act(rel, act, sentiment, NOW)
    for value in (rel.affinity, rel.trust, rel.romance, rel.rivalry, rel.respect):
        assert -1.0 <= value <= 1.0 and not math.isnan(value)
    assert 0.0 <= rel.familiarity <= 1.0


def test_kindness_makes_friends_and_insults_make_enemies() -> None:
    friend = Relationship(1, 2, 1)
    for _ in range(6):
        friend = apply_act(friend, Act.PRAISE, 0.8, NOW)
        friend = apply_act(friend, Act.HELP, 0.5, NOW)
    assert friend.label in ("friend", "close friend")
    enemy = Relationship(1, 2, 1)
    for _ in range(8):
        enemy = apply_act(enemy, Act.INSULT, -0.9, NOW)
    assert enemy.label in ("enemy", "rival")
    assert enemy.affinity < 0 < friend.affinity


def test_importance_heuristic() -> None:
    assert importance_of(Act.CONFIDE, 0.0, True) > importance_of(Act.SMALL_TALK, 0.0, False)
    assert 1 <= importance_of(None, 0.0, False) <= 10
    assert importance_of(Act.THREATEN, -1.0, True) == 10


def test_observations_are_clipped_and_told_in_first_person() -> None:
    text = observation_text("Jane Bennet", "x" * 10_000, "Elizabeth Bennet")
    assert len(text) < 700 and text.startswith("Jane Bennet said to Elizabeth Bennet:")
    assert first_person(text, "Elizabeth Bennet").startswith("Jane Bennet said to me:")
    assert first_person("Jane Bennet said: hi", "Jane Bennet") == "I said: hi"


def test_rank_prefers_relevant_then_important_then_recent() -> None:
    embedder = HashingEmbedder()

    def mem(text: str, importance: float, hours_ago: float) -> Memory:
        when = NOW - timedelta(hours=hours_ago)
        return Memory(1, 1, text, importance, when, when, embedding=embedder.embed([text])[0])

    memories = [
        mem("Darcy spoke of Pemberley and its library", 3, 5),
        mem("Lydia laughed about the officers", 3, 0.1),
        mem("Wickham told a secret about Darcy's father", 9, 30),
    ]
    query = embedder.embed(["the library at Pemberley"])[0]
    best = rank(memories, query, NOW, k=2)
    assert best[0].text.startswith("Darcy spoke of Pemberley")
    # With no query, a very important memory outweighs a trivial recent one once importance
    # is weighted above recency (weights are tunable per ecosystem).
    weights = RetrievalWeights(recency=0.5, importance=1.0, relevance=1.0)
    assert rank(memories, None, NOW, k=1, weights=weights)[0].importance == 9
    assert rank(memories, None, NOW, k=1)[0].text.startswith("Lydia")  # ties go to the newer


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    a, b = HashingEmbedder().embed(["a fine evening", "a fine evening"])
    assert a == b and len(a) == 384
    assert abs(sum(x * x for x in a) - 1.0) < 1e-9
    assert HashingEmbedder().embed([""])[0] == [0.0] * 384


def test_forms_of_address() -> None:
    aliases = ("Darcy", "Mr. Darcy")
    assert address_form("Fitzwilliam Darcy", aliases, formal=True) == "Mr. Darcy"
    assert address_form("Fitzwilliam Darcy", aliases, formal=False) == "Darcy"
    assert address_form("Jane Bennet", (), formal=False) == "Jane"
