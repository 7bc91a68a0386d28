"""Stored episodic memories and the events they came from.

Recall reads memories three ways: by similarity to a query (``nearest``), by recency
(``recent_for``) and by importance (``most_important``); each only sees one owner's
non-archived memories (and, with ``before``, only those created before that time).

``nearest`` on PostgreSQL uses the HNSW index (``ix_memories_embedding_hnsw``, on migration
0016's per-character search key) with iterative scans, and the exact scan of the owner's rows
when that comes back short: ``engine.adapters.sql.recall_pg`` says how, and holds recall's own
statements on PostgreSQL (recall gathers its candidates with the function of migration 0018,
which also searches a small character exactly). On SQLite the search is exact (numpy over
the owner's vectors, kept in ``vector_cache``). Either way ``nearest`` finally orders the rows
in Python by exact cosine similarity computed from the stored float32 values (ties: larger id
first), so both backends order the same rows identically.

Recall also reads memories by their words: ``recall_candidates`` adds the owner's best BM25
matches for the query's terms from the lexical index (``engine.adapters.sql.lexical_index``,
written by ``add_many`` with the memories themselves), and returns every candidate's BM25 score.

Every top-k here picks ids first and reads the wide rows (text, vector) of the winners only:
otherwise both databases compute the selected columns of every row before sorting.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    Select,
    func,
    null,
    select,
    type_coerce,
    update,
)
from sqlalchemy.engine import Connection

from engine.adapters.sql.lexical_index import (
    LexicalIndex,
    text_length,
)
from engine.adapters.sql.memory_writes import insert_memories_pg, insert_memories_sqlite
from engine.adapters.sql.recall_pg import (
    EF_SEARCH_MAX,
    EF_SEARCH_MIN,
    OVERFETCH_MAX,
    OVERFETCH_MIN,
    PG_NEAREST,
    SESSION_EF_SEARCH,
    gather,
    nearest_exact,
    pg_vector,
    postgres_session_settings,
    search_width,
)
from engine.adapters.sql.recall_pool import CANDIDATE_SQL, RecallPool
from engine.adapters.sql.recall_sqlite import gather as gather_sqlite
from engine.adapters.sql.recall_sqlite import nearest_exact_ids, sqlite_time
from engine.adapters.sql.tables import memories, memory_sources
from engine.lexical import DOC_TERM
from engine.memory import Memory, cosines

__all__ = [
    "MemoryStore", "RecallPool", "EF_SEARCH_MIN", "EF_SEARCH_MAX", "OVERFETCH_MIN", "OVERFETCH_MAX",
    "SESSION_EF_SEARCH", "postgres_session_settings",
]

#: Ids per ``IN (...)`` (well under SQLite's bound-parameter limit).
_IN_CHUNK = 500
#: pgvector's binary ``vector`` format: dimension and an unused field (two int16) before floats.
_VECTOR_HEADER = 4

#: The orders of ``recent_for`` and ``most_important`` (ties: the newer memory).
_NEWEST = (memories.c.created_at.desc(), memories.c.id.desc())
_WEIGHTIEST = (memories.c.importance.desc(), memories.c.created_at.desc(), memories.c.id.desc())

# Memories with embeddings on PostgreSQL (SQLAlchemy "insertmanyvalues", one statement):
# ``sort_by_parameter_order`` returns the ids in the order of the rows. Other new memories go
# through ``memory_writes``.
_INSERT_ORDERED = memories.insert().returning(memories.c.id, sort_by_parameter_order=True)


class MemoryStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.lexical = LexicalIndex(conn)

    def add_many(self, items: Sequence[Memory]) -> None:
        """Insert memories and index their words; sets each ``Memory.id``.

        Few statements, plain SQL through the driver (``memory_writes``: the per-message path,
        every witness of an event remembers it). PostgreSQL: memories without embeddings go in
        one statement with their sources and index terms; with embeddings, one multi-row
        insert returning their ids (lengths included), one for their sources and one for
        their index terms. SQLite: one multi-row insert, one for the sources, then the index.
        """
        if not items:
            return
        if self.conn.dialect.name == "postgresql":
            if all(m.embedding is None for m in items):
                ids = insert_memories_pg(self.conn, items)  # index terms included
                for memory, memory_id in zip(items, ids, strict=True):
                    memory.id = memory_id
                return
            ids = self._insert_with_embeddings(items)
        else:
            ids = insert_memories_sqlite(self.conn, items, [text_length(m.text) for m in items])
        for memory, memory_id in zip(items, ids, strict=True):
            memory.id = memory_id
        self.lexical.add([(m.id or 0, m.owner_id, m.text) for m in items], lengths_stored=True)

    def _insert_with_embeddings(self, items: Sequence[Memory]) -> list[int]:
        """PostgreSQL: rows (with their vectors) and sources; their ids in the order given."""
        rows = [
            {
                "ecosystem_id": m.ecosystem_id, "owner_id": m.owner_id,
                "channel_id": m.channel_id, "kind": m.kind, "text": m.text,
                "embedding": m.embedding, "importance": m.importance,
                "emotional_tone": m.emotional_tone, "archived": False,
                "created_at": m.created_at, "last_accessed_at": m.last_accessed_at,
                "lexical_len": text_length(m.text),
            }
            for m in items
        ]
        ids = [int(i) for i in self.conn.execute(_INSERT_ORDERED, rows).scalars().all()]
        sources = [{"memory_id": memory_id, "event_id": e}
                   for m, memory_id in zip(items, ids, strict=True) for e in m.source_event_ids]
        if sources:
            self.conn.execute(memory_sources.insert(), sources)
        return ids

    def recent_for(
        self, owner_id: int, limit: int, *, before: datetime | None = None
    ) -> list[Memory]:
        """The owner's latest non-archived memories, newest first (by creation, then id)."""
        return self._top(self._visible(owner_id, before), _NEWEST, limit)

    def most_important(
        self, owner_id: int, limit: int, *, before: datetime | None = None
    ) -> list[Memory]:
        """The owner's most important non-archived memories (ties: newer first)."""
        return self._top(self._visible(owner_id, before), _WEIGHTIEST, limit)

    def recall_candidates(
        self,
        owner_id: int,
        vector: Sequence[float] | None,
        *,
        nearest: int,
        recent: int,
        important: int,
        terms: Sequence[str] = (),
        lexical: int = 0,
        before: datetime | None = None,
    ) -> RecallPool:
        """The union of ``nearest``, the ``lexical`` best BM25 matches of ``terms``,
        ``recent_for`` and ``most_important``, read at once.

        Returns the candidates in id order (``RecallPool``: the fields recall ranks them by),
        each with its cosine similarity to ``vector`` (0 without a vector or an embedding) and
        its BM25 score for ``terms`` over all the owner's memories (0 when it shares none).
        On SQLite similarities are computed from the stored float32 values with
        ``engine.memory.cosines``; PostgreSQL computes them where the vectors are (pgvector's
        cosine, which sums in float32: within about 1e-7 of numpy's, so the same candidates
        rank alike, only a near-tie closer than that could order otherwise). ``recalled``
        then gives the winners as ``Memory`` objects.

        Recall's hot path is plain SQL through the driver (no statement building).
        PostgreSQL: one call of ``memory_recall_gather`` (migration 0018; the nearest through
        HNSW for a large character, exactly for a small one), the most recent, the most
        important and the lexical statistics and postings, with the ranking fields and
        similarity of all but the lexical matches packed into one binary string (no vector
        leaves the server); a second statement only for lexical matches not read yet
        (``recall_pg._PG_RECORDS``). ``RecallPool.searched`` says how the nearest were found.
        SQLite: the
        nearest from the vector cache (whose version is one statement), the lexical index
        (two), and one for the rows with the most recent and the most important.
        """
        query = np.asarray(vector, dtype=np.float64) if vector is not None else None
        searching = query is not None and nearest > 0 and bool(query.any())
        wanted = [t for t in dict.fromkeys(terms) if t != DOC_TERM]
        if self.conn.dialect.name == "postgresql":
            return gather(self.conn, owner_id, query if searching else None, nearest, recent,
                          important, wanted, lexical, before)
        return gather_sqlite(self.conn, self.lexical, owner_id, query, searching, nearest,
                             recent, important, wanted, lexical, before)

    def recalled(self, pool: RecallPool, positions: Sequence[int], when: datetime
                 ) -> list[Memory]:
        """The candidates at ``positions`` (recall's winners, best first) as ``Memory``
        objects (without ``embedding``), marked as accessed at ``when``.

        PostgreSQL: one statement, the access-time update returning the winners' rows (a
        winner deleted meanwhile is left out). SQLite: built from the candidates' rows, then
        ``touch``."""
        ids = [pool.ids[i] for i in positions]
        if not ids:
            return []
        if pool.rows is not None:
            best = [_candidate(pool.rows[i]) for i in positions]
            self.touch(ids, when)
        else:
            result = self.conn.exec_driver_sql(
                "UPDATE memories SET last_accessed_at = %(when)s "
                f"WHERE id = ANY(%(ids)s::bigint[]) RETURNING {CANDIDATE_SQL}",
                {"when": when, "ids": ids})
            try:
                by_id = {int(r[0]): r for r in result.cursor.fetchall()}
            finally:
                result.close()
            best = [_candidate(by_id[i]) for i in ids if i in by_id]
        for memory in best:
            memory.last_accessed_at = when
        return best

    def nearest(
        self,
        owner_id: int,
        vector: Sequence[float],
        limit: int,
        *,
        before: datetime | None = None,
    ) -> list[Memory]:
        """The owner's ``limit`` memories most similar to ``vector`` (cosine), best first.

        Only non-archived memories with an embedding count. Returns ``limit`` rows whenever
        the owner has that many such memories; ties in similarity go to the larger id.
        """
        if limit <= 0:
            return []
        query = np.asarray(vector, dtype=np.float64)
        rows = self._rows(self._nearest_ids(owner_id, query, limit, before))
        if not rows:
            return []
        # The exact final order, from the stored float32 values: the same on both backends.
        vectors = [self._vector(r.embedding_raw) for r in rows]
        sims = cosines(np.stack(vectors), query)
        order = sorted(range(len(rows)), key=lambda i: (-float(sims[i]), -int(rows[i].id)))
        return [self._memory_fast(rows[i], vectors[i]) for i in order[:limit]]

    def archive(self, memory_ids: Sequence[int]) -> None:
        """Archive memories: kept (never silently lost) but no longer recalled."""
        if memory_ids:
            self.conn.execute(
                update(memories).where(memories.c.id.in_(list(memory_ids))).values(archived=True)
            )

    def unembedded(self, owner_id: int | None, limit: int) -> list[Memory]:
        stmt = select(memories).where(memories.c.embedding.is_(None)).order_by(memories.c.id)
        if owner_id is not None:
            stmt = stmt.where(memories.c.owner_id == owner_id)
        return [_memory(r) for r in self.conn.execute(stmt.limit(limit))]

    def set_embedding(self, memory_id: int, embedding: Sequence[float]) -> None:
        self.conn.execute(
            update(memories).where(memories.c.id == memory_id).values(embedding=list(embedding))
        )

    def touch(self, memory_ids: Sequence[int], when: datetime) -> None:
        """Mark memories as accessed at ``when`` (one plain UPDATE: recall's last statement)."""
        if not memory_ids:
            return
        ids = [int(i) for i in memory_ids]
        if self.conn.dialect.name == "postgresql":
            self.conn.exec_driver_sql(
                "UPDATE memories SET last_accessed_at = %(when)s WHERE id = ANY(%(ids)s::bigint[])",
                {"when": when, "ids": ids})
            return
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ",".join(str(i) for i in ids[start : start + _IN_CHUNK])
            self.conn.exec_driver_sql(
                f"UPDATE memories SET last_accessed_at = ? WHERE id IN ({chunk})",
                (sqlite_time(self.conn, when),))

    def sources_of(self, memory_id: int) -> list[int]:
        rows = self.conn.execute(
            select(memory_sources.c.event_id).where(memory_sources.c.memory_id == memory_id)
        )
        return [r.event_id for r in rows]

    # -- nearest neighbours ---------------------------------------------------------------

    def _nearest_ids(
        self, owner_id: int, query: np.ndarray, limit: int, before: datetime | None
    ) -> list[int]:
        if self.conn.dialect.name == "postgresql":
            return self._nearest_ids_pg(owner_id, query, limit, before)
        return nearest_exact_ids(self.conn, owner_id, query, limit, before)

    def _nearest_ids_pg(
        self, owner_id: int, query: np.ndarray, limit: int, before: datetime | None
    ) -> list[int]:
        visible = "owner_id = %(owner)s AND archived IS false" + (
            " AND created_at < %(before)s" if before is not None else "")
        fetch = search_width(self.conn, limit)
        params = {"vec": pg_vector(query), "owner": owner_id, "before": before,
                  "fetch": fetch}
        result = self.conn.exec_driver_sql(PG_NEAREST.format(visible=visible), params)
        try:
            pairs = [(int(i), float(d)) for i, d in result.cursor.fetchall()]
        finally:
            result.close()
        if len(pairs) < fetch:
            # Short: either the owner has fewer rows (then this exact scan is cheap) or the
            # iterative scan spent its budget, and what it found need not be the nearest.
            pairs = nearest_exact(self.conn, params, visible, limit)
        pairs.sort(key=lambda p: (p[1], -p[0]))
        return [i for i, _ in pairs[:limit]]

    # -- reading rows quickly ---------------------------------------------------------------

    def _visible(self, owner_id: int, before: datetime | None) -> list[ColumnElement[bool]]:
        clauses = [memories.c.owner_id == owner_id, memories.c.archived.is_(False)]
        if before is not None:
            clauses.append(memories.c.created_at < before)
        return clauses

    def _visible_by_id(
        self, owner_id: int, before: datetime | None
    ) -> list[ColumnElement[bool]]:
        """``_visible`` for rows looked up by id: ``owner_id + 0`` keeps the planners on the
        primary key (with the owner's index usable, SQLite scans all the owner's rows)."""
        return [(memories.c.owner_id + 0) == owner_id, *self._visible(owner_id, before)[1:]]

    def _top_ids(
        self, where: Sequence[ColumnElement[bool]], order: Sequence[Any], limit: int
    ) -> list[int]:
        if limit <= 0:
            return []
        stmt = select(memories.c.id).where(*where).order_by(*order).limit(limit)
        return [int(i) for i in self.conn.execute(stmt).scalars()]

    def _top(
        self, where: Sequence[ColumnElement[bool]], order: Sequence[Any], limit: int
    ) -> list[Memory]:
        """The first ``limit`` visible memories in ``order``: ids first, then their rows."""
        if limit <= 0:
            return []
        top = select(memories.c.id).where(*where).order_by(*order).limit(limit).subquery()
        rows = self.conn.execute(
            self._select_fast().join(top, top.c.id == memories.c.id).order_by(*order)
        ).all()
        return [self._memory_fast(r) for r in rows]

    def _rows(
        self, ids: Sequence[int], where: Sequence[ColumnElement[bool]] = (),
        *, vectors: bool = True,
    ) -> list[Any]:
        rows: list[Any] = []
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = list(ids[start : start + _IN_CHUNK])
            rows.extend(self.conn.execute(
                self._select_fast(vectors).where(memories.c.id.in_(chunk), *where)
            ).all())
        return rows

    def _raw_embedding(self) -> ColumnElement[Any]:
        """The stored vector as float32 bytes, skipping the text round trip on PostgreSQL."""
        if self.conn.dialect.name == "postgresql":
            return func.vector_send(memories.c.embedding, type_=LargeBinary)
        return type_coerce(memories.c.embedding, LargeBinary)

    def _select_fast(self, vectors: bool = True) -> Select[Any]:
        columns = [c for c in memories.c if c.name != "embedding"]
        raw = self._raw_embedding() if vectors else null()
        return select(*columns, raw.label("embedding_raw"))

    def _vector(self, raw: Any) -> np.ndarray:
        if self.conn.dialect.name == "postgresql":  # vector_send: big-endian header, float32s
            return np.frombuffer(bytes(raw), dtype=">f4", offset=_VECTOR_HEADER).astype(
                np.float32
            )
        return np.frombuffer(bytes(raw), dtype=np.float32)  # Embedding's SQLite storage

    def _memory_fast(
        self, row: Any, vector: np.ndarray | None = None, *, with_embedding: bool = True
    ) -> Memory:
        if with_embedding and vector is None and row.embedding_raw is not None:
            vector = self._vector(row.embedding_raw)
        return Memory(
            id=row.id, ecosystem_id=row.ecosystem_id, owner_id=row.owner_id,
            channel_id=row.channel_id, kind=row.kind, text=row.text,
            embedding=vector.tolist() if vector is not None else None,
            importance=row.importance, emotional_tone=row.emotional_tone,
            created_at=row.created_at, last_accessed_at=row.last_accessed_at,
        )


#: What recall reads of each candidate (plus its raw vector where the cache has none).
_CANDIDATE_COLUMNS = (
    memories.c.id, memories.c.ecosystem_id, memories.c.owner_id, memories.c.channel_id,
    memories.c.kind, memories.c.text, memories.c.importance, memories.c.emotional_tone,
    memories.c.created_at, memories.c.last_accessed_at,
)


def _utc(value: Any) -> datetime:
    """A driver's time value (SQLite: ISO text in UTC; PostgreSQL: an aware datetime)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _candidate(row: tuple[Any, ...]) -> Memory:
    return Memory(
        id=int(row[0]), ecosystem_id=row[1], owner_id=row[2], channel_id=row[3], kind=row[4],
        text=row[5], importance=float(row[6]), emotional_tone=float(row[7]),
        created_at=_utc(row[8]), last_accessed_at=_utc(row[9]),
    )


def _memory(row: Any) -> Memory:
    return Memory(
        id=row.id, ecosystem_id=row.ecosystem_id, owner_id=row.owner_id,
        channel_id=row.channel_id, kind=row.kind, text=row.text, embedding=row.embedding,
        importance=row.importance, emotional_tone=row.emotional_tone,
        created_at=row.created_at, last_accessed_at=row.last_accessed_at,
    )
