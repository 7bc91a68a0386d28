"""Memory scoring and forms of address: bounded, deterministic, sensible.

(How acts move relationships is tested in test_social_dynamics.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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

NOW = datetime(2026, 5, 1, tzinfo=UTC)


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
    # The defaults weigh importance above recency too.
    assert rank(memories, None, NOW, k=1)[0].importance == 9
    # Equal weights: each normalised component is 1 for one memory; ties go to the newer.
    equal = RetrievalWeights(recency=1.0, importance=1.0, relevance=1.0)
    assert rank(memories, None, NOW, k=1, weights=equal)[0].text.startswith("Lydia")


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
