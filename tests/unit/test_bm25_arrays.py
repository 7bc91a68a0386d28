"""BM25 over posting arrays, and the hand-over of its result inside one recall.

``bm25_arrays`` must give bit-for-bit the same scores whatever order the postings come in (the
backends' parity depends on it); ``Bm25Memo`` returns a result again only for the very inputs
it was computed from (same character, kept terms, statistics and postings versions).
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import create_engine

from engine.adapters.sql.lexical_cache import Bm25Memo, TermPostings
from engine.lexical import bm25_arrays


def _postings(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows = []
    for term in range(4):
        docs = rng.choice(5_000, size=int(rng.integers(50, 900)), replace=False)
        rows += [(term, int(d), float(rng.integers(1, 4)), float(rng.integers(3, 80)))
                 for d in docs]
    term, docs, tf, length = (np.array(c) for c in zip(*rows, strict=True))
    return term.astype(np.int64), docs.astype(np.int64), tf, length


def test_scores_are_the_same_bits_in_any_posting_order() -> None:
    term, docs, tf, length = _postings(1)
    ids, scores = bm25_arrays(term, docs, tf, length, 4, 5_000, 30.0)
    for seed in range(5):
        order = np.random.default_rng(seed).permutation(len(term))
        again = bm25_arrays(term[order], docs[order], tf[order], length[order], 4, 5_000, 30.0)
        assert np.array_equal(again[0], ids)
        assert again[1].tobytes() == scores.tobytes()
    assert np.array_equal(ids, np.unique(docs))  # every document once, ascending


def test_the_memo_hands_over_only_for_the_same_inputs() -> None:
    engine = create_engine("sqlite://")
    memo = Bm25Memo(max_entries=2)
    rng = np.random.default_rng(3)

    def term_postings(version: int, n: int) -> TermPostings:
        return TermPostings(version, np.sort(rng.choice(1_000, n, replace=False)),
                            rng.integers(1, 3, n).astype(np.float64),
                            rng.integers(5, 50, n).astype(np.float64))

    postings = {"ball": term_postings(11, 40), "lisbon": term_postings(12, 25)}
    first = memo.scores(engine, 7, ["ball", "lisbon"], postings, 1_000, 20_000)
    assert memo.scores(engine, 7, ["ball", "lisbon"], dict(postings), 1_000, 20_000) is first
    # Another version of a term's postings, other statistics, another character: computed anew.
    changed = {**postings, "lisbon": term_postings(13, 26)}
    assert memo.scores(engine, 7, ["ball", "lisbon"], changed, 1_000, 20_000) is not first
    assert memo.scores(engine, 7, ["ball", "lisbon"], postings, 1_001, 20_010) is not first
    other = memo.scores(engine, 8, ["ball", "lisbon"], postings, 1_000, 20_000)
    assert other is not first and np.array_equal(other[1], first[1])
    # A kept term without postings is left out, as without the memo.
    alone = memo.scores(engine, 7, ["ball", "piano"], {"ball": postings["ball"]}, 1_000, 20_000)
    assert set(alone[0].tolist()) == set(postings["ball"].ids.tolist())
