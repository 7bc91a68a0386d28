"""Recall's candidates as a store hands them to ranking (``RecallPool``), and the helpers both
backends use to pick the lexical matches among them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["RecallPool", "CANDIDATE_SQL", "best_matches", "scores_of"]

#: What recall reads of each winner (both backends; ``RecallPool.rows`` on SQLite), plain SQL.
CANDIDATE_SQL = ("id, ecosystem_id, owner_id, channel_id, kind, text, importance, "
                 "emotional_tone, created_at, last_accessed_at")


@dataclass(frozen=True)
class RecallPool:
    """Recall's candidates in id order: the fields ranking needs, each one's cosine
    similarity to the query and BM25 score. The rest of a memory (text, kind ...) is read only
    for the winners (``MemoryStore.recalled``): SQLite keeps its candidates' full driver rows
    (``_CANDIDATE_SQL``'s columns) in ``rows``; PostgreSQL reads the winners' rows with the
    access-time update."""

    ids: list[int]
    importance: np.ndarray
    #: Creation and last access times, POSIX microseconds (``engine.memory.posix_micros``).
    created_us: np.ndarray
    accessed_us: np.ndarray
    relevance: np.ndarray
    lexical: np.ndarray
    rows: list[tuple[Any, ...]] | None = None
    #: How the nearest were found: ``exact``, ``hnsw`` (PostgreSQL's index), ``hnsw, then
    #: exact`` (the index scan came back short) or ``none`` (no query vector).
    searched: str = "none"

    def __len__(self) -> int:
        return len(self.ids)


def best_matches(lex_ids: np.ndarray, lex_scores: np.ndarray, lexical: int) -> list[int]:
    """The ids of the best lexical matches (ties: larger id), visible or not: twice
    ``lexical``, so that archived or too recent ones, filtered out when the candidates are
    read, do not leave the list short."""
    if not lexical or not len(lex_ids):
        return []
    order = np.lexsort((-lex_ids, -lex_scores))[: 2 * lexical]
    return [int(i) for i in lex_ids[order].tolist()]


def scores_of(ids: list[int], lex_ids: np.ndarray, lex_scores: np.ndarray) -> np.ndarray:
    """The BM25 score of each of ``ids`` (``lex_ids`` ascending; 0 where absent)."""
    bm25 = np.zeros(len(ids))
    if len(lex_ids) and ids:
        wanted = np.asarray(ids, dtype=np.int64)
        pos = np.clip(np.searchsorted(lex_ids, wanted), 0, len(lex_ids) - 1)
        hit = lex_ids[pos] == wanted
        bm25[hit] = lex_scores[pos[hit]]
    return bm25
