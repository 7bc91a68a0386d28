"""Recall's reads on SQLite: the nearest by an exact search over the owner's vectors, kept in
process memory (``vector_cache``, current through the triggers of migration 0005), the best
lexical matches from the lexical index, and the candidates' rows with the most recent and the
most important in one statement (``gather``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.engine import Connection

from engine.adapters.sql.lexical_cache import NO_MATCHES
from engine.adapters.sql.lexical_index import LexicalIndex
from engine.adapters.sql.recall_pool import CANDIDATE_SQL, RecallPool, best_matches, scores_of
from engine.adapters.sql.tables import memories
from engine.adapters.sql.vector_cache import VECTOR_CACHE, OwnerVectors, micros
from engine.memory import cosines

__all__ = ["gather", "nearest_exact_ids", "sqlite_time"]


def gather(
    conn: Connection, lexical_index: LexicalIndex, owner_id: int, query: np.ndarray | None,
    searching: bool, nearest: int, recent: int, important: int, wanted: Sequence[str],
    lexical: int, before: datetime | None,
) -> RecallPool:
    """``MemoryStore.recall_candidates`` on SQLite: the nearest from the vector cache (whose
    version is one statement), the lexical index (two), and one statement for the rows with
    the most recent and the most important; similarities from the cached float32 vectors."""
    entry: OwnerVectors | None = None
    if query is not None:
        entry = VECTOR_CACHE.get(conn, owner_id, len(query))
    near = (nearest_exact_ids(conn, owner_id, query, nearest, before, entry)
            if searching and query is not None else [])
    lex_ids, lex_scores = lexical_index.matches(owner_id, wanted) if wanted else NO_MATCHES
    matches = best_matches(lex_ids, lex_scores, lexical)
    ids = set(near)
    rows = _read_candidates(conn, sorted(ids.union(matches)), owner_id, before,
                           recent=max(0, recent), important=max(0, important))
    ids.update(r[0] for r in rows if r[-1])
    if matches:
        read = {r[0] for r in rows}
        keep = ids.union([i for i in matches if i in read][:lexical])
        rows = [r for r in rows if r[0] in keep]
    similarity = np.zeros(len(rows))
    if entry is not None and query is not None and rows:
        # The vectors are in the process's cache (the same stored float32 values).
        at = entry.rows_of([r[0] for r in rows])
        present = np.nonzero(at >= 0)[0]
        if len(present):
            similarity[present] = cosines(entry.matrix[at[present]], query)
    ids_list = [int(r[0]) for r in rows]
    return RecallPool(
        ids_list, np.array([float(r[6]) for r in rows], dtype=np.float64),
        np.array([micros(r[8]) for r in rows], dtype=np.int64),
        np.array([micros(r[9]) for r in rows], dtype=np.int64), similarity,
        scores_of(ids_list, lex_ids, lex_scores), rows,
        "exact" if searching and query is not None else "none")


def nearest_exact_ids(
    conn: Connection, owner_id: int, query: np.ndarray, limit: int, before: datetime | None,
    entry: OwnerVectors | None = None,
) -> list[int]:
    """Exact search: every visible vector of the owner, scored with numpy, top ``limit``.

    The vectors come from the process's cache (``vector_cache``, kept current by the
    SQLite triggers of migration 0005). Selection is computed in float32 (what is stored);
    the caller orders the winners in float64, as for PostgreSQL.
    """
    if entry is None:
        entry = VECTOR_CACHE.get(conn, owner_id, len(query))
    visible = ~entry.archived
    if before is not None:
        visible &= entry.created < micros(before)
    rows = np.nonzero(visible)[0]
    if len(rows) == 0:
        return []
    q = query.astype(np.float32)
    # Score every cached row (one product, no copy of the matrix), then keep the visible.
    norms = entry.norms * np.float32(np.linalg.norm(q))
    with np.errstate(divide="ignore", invalid="ignore"):
        every = np.where(norms > 0, (entry.matrix @ q) / norms, np.float32(0.0))
    ids, sims = entry.ids[rows], every[rows]
    if limit < len(rows):
        # Everything at least as similar as the limit-th best, then the exact tie order.
        cut = np.partition(sims, len(sims) - limit)[len(sims) - limit]
        keep = np.nonzero(sims >= cut)[0]
    else:
        keep = np.arange(len(rows))
    order = keep[np.lexsort((-ids[keep], -sims[keep]))][:limit]
    return [int(ids[i]) for i in order]


def _read_candidates(
    conn: Connection, ids: Sequence[int], owner_id: int, before: datetime | None, *,
    recent: int, important: int,
) -> list[tuple[Any, ...]]:
    """SQLite: plain driver tuples in id order: ``CANDIDATE_SQL``'s columns, a NULL (where
    PostgreSQL once read the vector) and whether the row is a side one (most recent or
    most important), read in one statement with the ``recent`` most recent and the
    ``important`` most important. Rows are looked up by primary key: ``owner_id + 0``
    keeps the planner off the owner's index (with it SQLite scans all the owner's
    rows)."""
    stamp = sqlite_time(conn, before) if before is not None else None
    by_id = "owner_id + 0 = ? AND archived = 0" + (
        " AND created_at < ?" if stamp is not None else "")
    own = "owner_id = ? AND archived = 0" + (
        " AND created_at < ?" if stamp is not None else "")
    extra = (stamp,) if stamp is not None else ()
    parts: list[str] = []
    args: list[Any] = []
    if ids:
        parts.append(f"SELECT {CANDIDATE_SQL}, NULL, 0 FROM memories "
                     f"WHERE id IN ({','.join(str(int(i)) for i in ids)}) AND {by_id}")
        args += [owner_id, *extra]
    for limit, order in ((recent, "created_at DESC, id DESC"),
                         (important, "importance DESC, created_at DESC, id DESC")):
        if limit > 0:
            parts.append(
                f"SELECT {CANDIDATE_SQL}, NULL, 1 FROM memories WHERE id IN ("
                f"SELECT id FROM memories WHERE {own} ORDER BY {order} LIMIT ?) "
                f"AND {by_id}")
            args += [owner_id, *extra, limit, owner_id, *extra]
    if not parts:
        return []
    result = conn.exec_driver_sql(" UNION ALL ".join(parts), tuple(args))
    try:
        rows = list(result.cursor.fetchall())
    finally:
        result.close()
    unique: dict[int, tuple[Any, ...]] = {}
    for row in rows:  # a side row may come again as a candidate: it stays a side row
        if int(row[0]) not in unique or not unique[int(row[0])][-1]:
            unique[int(row[0])] = row
    return [unique[i] for i in sorted(unique)]


def sqlite_time(conn: Connection, when: datetime) -> Any:
    """A time as SQLite stores a ``UtcDateTime`` (for plain SQL comparisons)."""
    dialect = conn.dialect
    process = memories.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    return process(when) if process else when
