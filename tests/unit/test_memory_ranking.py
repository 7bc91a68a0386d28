"""The lexical (BM25) component and the four-part ranking of memories."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.embedding import HashingEmbedder
from engine.lexical import bm25_texts as lexical_scores
from engine.lexical import index_terms, query_terms
from engine.memory import (
    RECENCY_DECAY,
    Memory,
    RetrievalWeights,
    cosine,
    posix_micros,
    rank,
    rank_positions,
)

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def _mem(text: str, *, importance: float = 3.0, hours_ago: float = 1.0, id: int | None = None,
         embedding: list[float] | None = None) -> Memory:
    when = NOW - timedelta(hours=hours_ago)
    return Memory(1, 1, text, importance, when, when, embedding=embedding, id=id)


# -- lexical ----------------------------------------------------------------------------------


def test_terms_drop_function_words_case_possessives_and_are_stemmed() -> None:
    assert query_terms("The Officers of Darcy's regiment")[:3] == ["offic", "darci", "regiment"]
    assert query_terms("it is what it is") == []
    # Inflections meet; the words every remembered line carries do not count.
    assert query_terms("Where is Tom moving?") == query_terms("Tom moved")
    assert index_terms("Tom said to me: I am moving, moving!") == {"@tom": 1, "move": 2}


def test_who_spoke_counts_apart_from_what_was_said() -> None:
    assert index_terms("Bingley said to Darcy: Indeed?") == {
        "@bingley": 1, "@darci": 1, "inde": 1}
    assert index_terms("Caroline: I went to the support group") == {
        "@carolin": 1, "went": 1, "support": 1, "group": 1}
    assert index_terms("the ball: tonight") == {"ball": 1, "tonight": 1}  # no name, no frame
    # A query's words may name a speaker too.
    assert query_terms("What did Bingley say about Darcy?") == [
        "bingley", "darci", "@bingley", "@darci"]
    texts = ["Bingley said to Darcy: Indeed?", "Bingley said: Darcy is the best friend.",
             "Darcy said to Bingley: Indeed?"] + [f"Bingley said to Darcy: ok {i}"
                                                  for i in range(5)]
    scores = lexical_scores("What did Bingley say about Darcy?", texts)
    assert scores.index(max(scores)) == 1


def test_only_texts_sharing_a_word_score() -> None:
    scores = lexical_scores("When do the officers arrive?", [
        "Mary said: the officers arrive at dawn",
        "Jane said: the ball is on Tuesday",
    ])
    assert scores[0] > 0 and scores[1] == 0


def test_a_rare_word_counts_more_than_a_common_one() -> None:
    texts = ["ball tonight", "ball tomorrow", "ball on Friday", "Wickham at the ball",
             "Wickham left"]
    scores = lexical_scores("Wickham ball", texts)
    # "ball" is in four texts, "Wickham" in two: matching only Wickham beats only ball.
    assert scores[4] > scores[0]
    assert scores[3] == max(scores)  # both words


def test_shorter_texts_and_repeats_follow_bm25() -> None:
    short, long = "Pemberley library", "Pemberley " + " ".join(f"word{i}" for i in range(30))
    scores = lexical_scores("Pemberley", [short, long, "nothing here"])
    assert scores[0] > scores[1] > 0
    once, thrice = lexical_scores("rain", ["rain walk", "rain rain rain", "dry walk"])[:2]
    assert once < thrice < 3 * once  # term frequency saturates


def test_empty_query_or_texts() -> None:
    assert lexical_scores("", ["a text"]) == [0.0]
    assert lexical_scores("the and of", ["the and of"]) == [0.0]
    assert lexical_scores("anything", []) == []


# -- rank -----------------------------------------------------------------------------------


def test_without_lexical_scores_rank_is_unchanged_by_the_lexical_weight() -> None:
    embedder = HashingEmbedder()
    memories = [
        _mem(t, importance=i, hours_ago=h, id=n, embedding=embedder.embed([t])[0])
        for n, (t, i, h) in enumerate([
            ("Darcy spoke of Pemberley", 3, 5), ("Lydia laughed", 3, 0.1),
            ("Wickham told a secret", 9, 30), ("rain at Longbourn", 1, 2),
        ])
    ]
    query = embedder.embed(["Pemberley library"])[0]
    plain = rank(memories, query, NOW, k=4)
    heavy = rank(memories, query, NOW, k=4, weights=RetrievalWeights(lexical=50.0))
    assert [m.id for m in plain] == [m.id for m in heavy]
    zero = rank(memories, query, NOW, k=4, lexical=[0.0] * 4)
    assert [m.id for m in zero] == [m.id for m in plain]


def test_lexical_match_lifts_a_memory_and_its_weight_decides_how_much() -> None:
    memories = [_mem("Kitty coughed", id=1), _mem("the officers arrive", id=2),
                _mem("a fine day", id=3)]
    lexical = lexical_scores("officers", [m.text for m in memories])
    assert rank(memories, None, NOW, k=1, lexical=lexical)[0].id == 2
    # Weight 0 turns it off: then everything ties and the newer id wins.
    off = RetrievalWeights(lexical=0.0)
    assert rank(memories, None, NOW, k=1, weights=off, lexical=lexical)[0].id == 3


def test_lexical_scores_must_match_the_memories() -> None:
    with pytest.raises(ValueError, match="aligned"):
        rank([_mem("a", id=1)], None, NOW, k=1, lexical=[1.0, 2.0])


def test_ties_go_to_the_newer_memory_then_the_larger_id() -> None:
    same_time = [_mem("same", id=i) for i in (4, 9, 2)]
    assert [m.id for m in rank(same_time, None, NOW, k=3)] == [9, 4, 2]
    older, newer = _mem("x", hours_ago=3, id=10), _mem("x", hours_ago=2, id=1)
    # Equal scores need equal recency, so compare with recency switched off.
    flat = RetrievalWeights(recency=0.0)
    assert [m.id for m in rank([older, newer], None, NOW, k=2, weights=flat)] == [1, 10]


def test_relevance_alone_orders_by_cosine() -> None:
    rng = random.Random(3)
    vectors = [[rng.uniform(-1, 1) for _ in range(16)] for _ in range(30)]
    query = [rng.uniform(-1, 1) for _ in range(16)]
    memories = [_mem(f"m{i}", id=i, embedding=v) for i, v in enumerate(vectors)]
    only = RetrievalWeights(recency=0.0, importance=0.0, relevance=1.0, lexical=0.0)
    got = [m.id for m in rank(memories, query, NOW, k=30, weights=only)]
    assert got == sorted(range(30), key=lambda i: cosine(query, vectors[i]), reverse=True)


def test_zero_vectors_and_missing_embeddings_are_irrelevant_not_errors() -> None:
    memories = [_mem("no vector", id=1), _mem("zero", id=2, embedding=[0.0, 0.0]),
                _mem("real", id=3, embedding=[1.0, 0.0])]
    only = RetrievalWeights(recency=0.0, importance=0.0)
    assert rank(memories, [1.0, 0.0], NOW, k=1, weights=only)[0].id == 3
    assert len(rank(memories, [0.0, 0.0], NOW, k=3)) == 3


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=1, max_value=10),
            st.floats(min_value=0, max_value=500),
            st.lists(st.floats(min_value=-1, max_value=1), min_size=4, max_size=4),
            st.floats(min_value=0, max_value=20),
        ),
        max_size=25,
    ),
    st.integers(min_value=0, max_value=30),
    st.randoms(use_true_random=False),
)
def test_rank_is_a_deterministic_top_k_whatever_the_input_order(
    rows: list[tuple[float, float, list[float], float]], k: int, shuffler: random.Random,
) -> None:
    memories = [_mem(f"m{i}", importance=imp, hours_ago=age, id=i, embedding=vec)
                for i, (imp, age, vec, _) in enumerate(rows)]
    lexical = [lex for *_, lex in rows]
    query = [0.5, -0.2, 0.1, 0.9]
    best = rank(memories, query, NOW, k, lexical=lexical)
    assert len(best) == min(k, len(memories))
    assert len({m.id for m in best}) == len(best)
    order = list(range(len(memories)))
    shuffler.shuffle(order)
    again = rank([memories[i] for i in order], query, NOW, k, lexical=[lexical[i] for i in order])
    assert [m.id for m in again] == [m.id for m in best]


def test_precomputed_relevance_replaces_the_embeddings() -> None:
    embedder = HashingEmbedder()
    texts = ["Darcy spoke of Pemberley", "Lydia laughed", "rain at Longbourn"]
    with_vectors = [_mem(t, id=i, embedding=embedder.embed([t])[0]) for i, t in enumerate(texts)]
    bare = [_mem(t, id=i) for i, t in enumerate(texts)]
    query = embedder.embed(["Pemberley"])[0]
    similarities = [cosine(query, m.embedding or []) for m in with_vectors]
    expected = [m.id for m in rank(with_vectors, query, NOW, k=3)]
    assert [m.id for m in rank(bare, None, NOW, k=3, relevance=similarities)] == expected
    with pytest.raises(ValueError, match="aligned"):
        rank(bare, None, NOW, k=1, relevance=[1.0])


def _reference_order(now: datetime, k: int, weights: RetrievalWeights, importance: np.ndarray,
                     accessed: list[datetime], created: list[datetime], ids: list[int],
                     relevance: np.ndarray) -> list[int]:
    """The ranking written plainly over datetimes (what recall computed before it took arrays)."""
    def normalise(values: np.ndarray) -> np.ndarray:
        low, high = float(values.min()), float(values.max())
        return np.zeros_like(values) if high - low < 1e-12 else (values - low) / (high - low)

    recency = np.array([RECENCY_DECAY ** max(0.0, (now - a).total_seconds() / 3600.0)
                        for a in accessed])
    score = (weights.recency * normalise(recency) + weights.importance * normalise(importance)
             + weights.relevance * normalise(relevance))
    return sorted(range(len(ids)), key=lambda i: (float(score[i]), created[i], ids[i]),
                  reverse=True)[:k]


def test_ranking_over_arrays_of_microseconds_ranks_as_over_datetimes() -> None:
    """Recall ranks the store's arrays (POSIX microseconds) as the plain formula ranks datetimes:
    recency from the last access, ties to the later creation, then the larger id."""
    rng = np.random.default_rng(5)
    now = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    n = 80
    created = [now - timedelta(hours=float(h)) for h in rng.uniform(1, 2_000, n)]
    accessed = [c + timedelta(minutes=float(m)) for c, m in zip(
        created, rng.choice([0, 0, 30, 900], n), strict=True)]
    importance = rng.uniform(1, 10, n).round(1)
    relevance = rng.uniform(-0.2, 0.9, n)
    # Exact ties: two candidates alike but for their ids, two alike but for creation time.
    for a, b in ((3, 4), (10, 11)):
        accessed[b], importance[b], relevance[b] = accessed[a], importance[a], relevance[a]
    created[4] = created[3]
    relevance[[3, 4, 10, 11]], importance[[3, 4, 10, 11]] = 0.95, 10.0  # among the best
    ids = [int(i) for i in rng.permutation(10_000)[:n]]
    weights = RetrievalWeights()
    got = rank_positions(posix_micros(now), 12, weights, importance=importance,
                         accessed_us=np.array([posix_micros(t) for t in accessed]),
                         created_us=np.array([posix_micros(t) for t in created]), ids=ids,
                         relevance=relevance)
    assert got == _reference_order(now, 12, weights, importance, accessed, created, ids,
                                   relevance)
    assert {3, 4, 10, 11} <= set(got)
    assert posix_micros(datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=UTC)) == 1_000_005
