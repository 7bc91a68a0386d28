"""Recall: the one path by which a character retrieves its memories for a query.

Used to build prompts (render), by the memory browser and by the retrieval evaluation, so that
what is measured is what runs. Steps:

1. Embed the query.
2. Gather candidates, all the owner's own, not archived (and created before ``before``):
   the ``candidates`` nearest by cosine similarity (the HNSW index on PostgreSQL, exact on
   SQLite), the ``candidates`` best BM25 matches of the query's stemmed words over all the
   owner's memories (the lexical index, ``engine.lexical``), the ``side`` most recent and the
   ``side`` most important (``side = max(k, candidates // 4)``), so that a memory can win by
   meaning, by its exact words, by being recent or by mattering.
3. Every candidate carries its cosine similarity and its BM25 score (a fourth component
   weighted by ``weights.lexical``; without ``lexical`` the ranking has three).
4. Rank them (``engine.memory.rank_positions``, as ``rank`` does: recency + importance +
   relevance [+ lexical], each min-max normalised over the candidates) and keep the best
   ``k``; equal scores go to the newer memory. ``Memory`` objects are built for those only.
5. Mark the recalled memories as accessed now (recency counts from the last access), in the
   caller's unit of work: the caller commits.

The recalled ``Memory`` objects come without their ``embedding`` (not needed once scored, and
the costliest part to load).
"""

from __future__ import annotations

import logging
from datetime import datetime

from engine.adapters.sql.uow import UnitOfWork
from engine.lexical import query_terms
from engine.memory import Memory, RetrievalWeights, posix_micros, rank_positions
from engine.ports import Embedder

__all__ = ["recall", "DEFAULT_CANDIDATES", "SIDE_SHARE"]

log = logging.getLogger(__name__)

#: How many nearest memories (and as many best lexical matches) are scored by default. On the
#: labelled set (``benchmarks/memory_quality.py``) 60 finds as much as 200 with either
#: embedder (recall@10 0.66 hashing, 0.78 local when measured; 40 loses a little), for a third
#: of the rows.
DEFAULT_CANDIDATES = 60
#: The most recent and the most important memories each add ``candidates // SIDE_SHARE``.
SIDE_SHARE = 4


def recall(
    uow: UnitOfWork,
    embedder: Embedder,
    *,
    owner_id: int,
    query: str,
    now: datetime,
    k: int,
    weights: RetrievalWeights,
    candidates: int = DEFAULT_CANDIDATES,
    lexical: bool = True,
    before: datetime | None = None,
) -> list[Memory]:
    """The ``k`` memories of one character that best answer a query, best first.

    Args:
        uow: An open unit of work; the recalled memories' ``last_accessed_at`` is updated in
            it (the caller commits).
        embedder: Embeds the query (the same embedder that embedded the memories).
        owner_id: The character whose memories are searched; nobody else's are ever seen.
        query: What the memories should answer (a message, a question).
        now: The time of recalling (for recency, and the access time written back).
        k: How many memories to return.
        weights: The weight of recency, importance, relevance and the lexical match.
        candidates: How many nearest memories to score (plus the most recent and the most
            important ones, ``max(k, candidates // SIDE_SHARE)`` each).
        lexical: Find and score memories by the query's words too (BM25, ``weights.lexical``).
        before: Only memories created strictly before this time (for instance: what is still
            in the prompt's transcript needs no recalling).

    Returns:
        At most ``k`` memories, best first; deterministic for the same stored data.
    """
    if k <= 0:
        return []
    vector = embedder.embed([query])[0] if query.strip() else None
    side = max(k, candidates // SIDE_SHARE)
    # One read for the three sources, relevance included (a vector with no direction, from a
    # query without content words, is near nothing: the store then skips the nearest).
    terms = query_terms(query) if lexical else []
    pool = uow.memories.recall_candidates(
        owner_id, vector, nearest=max(0, candidates), recent=side, important=side,
        terms=terms, lexical=max(0, candidates), before=before,
    )
    if not len(pool):
        return []
    # Ranked from the candidates' fields (in id order: nothing downstream depends on plans);
    # ``Memory`` objects are built for the winners only.
    order = rank_positions(
        posix_micros(now), k, weights, importance=pool.importance,
        accessed_us=pool.accessed_us, created_us=pool.created_us, ids=pool.ids,
        relevance=pool.relevance, lexical=pool.lexical if lexical else None,
    )
    # Marked as accessed now; on PostgreSQL that update also reads the winners' rows.
    best = uow.memories.recalled(pool, order, now)
    log.debug("owner %s recalled %d of %d candidates", owner_id, len(best), len(pool))
    return best
