"""Stored episodic memories and the events they came from.

Recall reads memories three ways: by similarity to a query (``nearest``), by recency
(``recent_for``) and by importance (``most_important``); each only sees one owner's
non-archived memories (and, with ``before``, only those created before that time).

``nearest`` on PostgreSQL uses the HNSW index (``ix_memories_embedding_hnsw``). pgvector
applies ``WHERE`` filters *after* the index scan, so a plain filtered top-k over a table shared
by many characters can come back short. We turn on ``hnsw.iterative_scan = relaxed_order``
(pgvector 0.8+), which keeps scanning until enough rows pass the filter; as that mode returns
rows only roughly by distance, it is asked for more than ``limit`` and the exactly nearest
``limit`` of them (by cosine distance) are kept. The index is not on the embedding itself but
on its search key (migration 0016, ``memory_search_key``): the unit vector followed by one
coordinate, 4 x the owner's id. Between two memories of one owner the key's Euclidean distance
orders like their cosine distance (for unit vectors ``|a - b|^2 = 2 - 2 cos``); between two
owners it is at least 4, more than any distance within one owner (at most 2). So the graph
keeps each character's memories together, and the owner's filtered scan visits its own rows
instead of everybody's: at 10,000 memories beside 9,000 of other characters, as many of the
exact nearest for about a third less server time than an index on the embeddings. If the scan
ends short of what it was asked (its ``hnsw.max_scan_tuples`` budget spent, or the owner has
fewer rows), an exact scan of the owner's rows, found through the B-tree index, answers
instead. The planner may also choose that exact plan by itself when an owner's rows are few.
On SQLite the search is exact (numpy over the owner's vectors). Either way the rows are
finally ordered in Python by exact cosine similarity computed from the stored float32 values
(ties: larger id first), so both backends order the same rows identically.

Recall also reads memories by their words: ``recall_candidates`` adds the owner's best BM25
matches for the query's terms from the lexical index (``engine.adapters.sql.lexical_index``,
written by ``add_many`` with the memories themselves), and returns every candidate's BM25 score.

Every top-k here picks ids first and reads the wide rows (text, vector) of the winners only:
otherwise both databases compute the selected columns of every row before sorting.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import numpy as np
from psycopg.pq import Format
from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    Select,
    event,
    func,
    null,
    select,
    type_coerce,
    update,
)
from sqlalchemy.engine import Connection, Engine

from engine.adapters.sql.lexical_index import (
    _PACKED_STAT as PACKED_STAT,
)
from engine.adapters.sql.lexical_index import (
    BM25_MEMO,
    NO_MATCHES,
    PG_LEXICAL_COLUMNS,
    LexicalIndex,
    TermPostings,
    decode,
    kept_terms,
    pg_parameters,
    query_lexicon,
    text_length,
)
from engine.adapters.sql.memory_writes import insert_memories_pg, insert_memories_sqlite
from engine.adapters.sql.tables import memories, memory_sources
from engine.adapters.sql.types import EMBEDDING_DIM
from engine.adapters.sql.vector_cache import VECTOR_CACHE, OwnerVectors, micros
from engine.lexical import DOC_TERM
from engine.memory import Memory, cosines

__all__ = [
    "MemoryStore", "RecallPool", "EF_SEARCH_MIN", "EF_SEARCH_MAX", "OVERFETCH_MIN", "OVERFETCH_MAX",
    "SESSION_EF_SEARCH", "postgres_session_settings",
]

#: The HNSW path reads ``limit + clamp(limit, OVERFETCH_MIN, OVERFETCH_MAX)`` ids (120 for
#: recall's 60 nearest) and keeps the ``limit`` nearest by exact distance.
OVERFETCH_MIN = 10
OVERFETCH_MAX = 100
#: ``hnsw.ef_search`` is as many as the rows read (at least ``EF_SEARCH_MIN``, at most
#: pgvector's maximum): the scan's first pass then yields them all. Reading more rows than
#: ``ef_search`` makes pgvector's iterative scan start a second pass that costs about as much
#: as the first: 90 with 120 rows read visited 3,500 index tuples per recall on the
#: 10,000-memory benchmark for 98.3% of the exact 60 nearest, 120 with 120 visits 2,550 for
#: 96.9% (100 with 100: 2,200 for 96.2%; known-word queries). The iterative scan still
#: guarantees the row count when filters (archived, ``before``) drop rows. A large ``limit``
#: raises pgvector's cost estimate until the planner prefers the exact scan of the owner's
#: rows (at 400 for a 10,000-memory owner): slower, never wrong.
EF_SEARCH_MIN = 40
EF_SEARCH_MAX = 1000
#: The session default (for recall's usual 60 nearest candidates), set when a connection opens.
SESSION_EF_SEARCH = 120
#: Most (character, term) statistics ``SeenStats`` keeps (about 100 bytes each).
SEEN_STATS_MAX = 500_000
#: ``SeenStats.guess`` adds ``lexical // GUESS_MARGIN`` matches to the ``lexical`` best.
GUESS_MARGIN = 10
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


BINARY_FORMAT = Format.BINARY
#: Execution option asking for results in PostgreSQL's binary format (``_binary_results``).
_BINARY = "personae_binary_results"
_hooked: weakref.WeakSet[Engine] = weakref.WeakSet()
_hook_lock = threading.Lock()


def _binary_results(conn: Connection) -> dict[str, Any]:
    """Execution options for a statement whose results psycopg should receive in binary
    (recall's own statements: packed ``bytea`` and vectors cost half as much as in hex text,
    and the rows decode to the same Python values). Hooks the engine once."""
    engine = conn.engine
    if engine not in _hooked:
        with _hook_lock:
            if engine not in _hooked:
                event.listen(engine, "before_cursor_execute", _use_binary)
                _hooked.add(engine)
    return {_BINARY: True}


def _use_binary(_conn: Any, cursor: Any, _statement: str, _params: Any, context: Any,
                _many: bool) -> None:
    if context is not None and context.execution_options.get(_BINARY):
        cursor.format = BINARY_FORMAT


def postgres_session_settings(dbapi_conn: Any, _record: Any) -> None:
    """On each new PostgreSQL connection: HNSW iterative scans (filtered top-k never comes
    back short) and the usual ``ef_search``, so recall spends no statement setting them."""
    with dbapi_conn.cursor() as cur:
        cur.execute("SET hnsw.iterative_scan = relaxed_order")
        cur.execute(f"SET hnsw.ef_search = {SESSION_EF_SEARCH}")
    dbapi_conn.commit()


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

    def __len__(self) -> int:
        return len(self.ids)


class SeenStats:
    """Per database engine, character and term: the lexical statistics (document count and
    total frequency) that recall last read, so that PostgreSQL's first statement can read the
    rows of the query's best lexical matches as guessed from them and from the cached postings
    (``POSTINGS_CACHE``), instead of a second statement once the statistics are back. Only a
    guess: the matches are computed again from what that statement returns, and any the guess
    missed are read then (a statement more, when something changed since)."""

    def __init__(self, max_entries: int = SEEN_STATS_MAX) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[
            Engine, OrderedDict[tuple[int, str], tuple[int, int]]] = weakref.WeakKeyDictionary()

    def clear(self) -> None:
        with self._lock:
            self._entries = weakref.WeakKeyDictionary()

    def put(self, engine: Engine, owner_id: int, lexicon: Sequence[str], stats: Any) -> None:
        """Remember the statistics of ``lexicon`` as ``PG_LEXICAL_COLUMNS`` packs them (a term
        without a row has none)."""
        seen = dict.fromkeys(lexicon, (0, 0))
        packed = np.frombuffer(bytes(stats or b""), dtype=PACKED_STAT)
        for p, n, t in zip(packed["term"].tolist(), packed["docs"].tolist(),
                           packed["total"].tolist(), strict=True):
            seen[lexicon[p - 1]] = (n, t)
        with self._lock:
            per_engine = self._entries.setdefault(engine, OrderedDict())
            for term, value in seen.items():
                per_engine[(owner_id, term)] = value
                per_engine.move_to_end((owner_id, term))
            while len(per_engine) > self.max_entries:
                per_engine.popitem(last=False)

    def guess(self, engine: Engine, owner_id: int, lexicon: Sequence[str],
              known: dict[str, TermPostings], lexical: int) -> list[int]:
        """The ids of the ``lexical`` best lexical matches (and a few more, in case some are
        not visible) if every term's statistics and every kept term's postings are at hand (at
        whatever version); else none."""
        if lexical <= 0:
            return []
        with self._lock:
            per_engine = self._entries.get(engine)
            if per_engine is None:
                return []
            seen = {t: v for t in lexicon if (v := per_engine.get((owner_id, t))) is not None}
        if len(seen) < len(lexicon):
            return []
        n_docs, total = seen[DOC_TERM]
        kept = kept_terms({t: n for t, (n, _) in seen.items()}, n_docs)
        if not kept or n_docs <= 0 or any(t not in known for t in kept):
            return []
        ids, scores = BM25_MEMO.scores(engine, owner_id, kept, known, n_docs, total)
        if not len(ids):
            return []
        return _best_matches(ids, scores, lexical)[: lexical + max(1, lexical // GUESS_MARGIN)]


#: The process's lexical statistics as last read by recall.
SEEN_STATS = SeenStats()


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
        PostgreSQL: one statement (``_PG_GATHER``) for the nearest through HNSW, the most
        recent, the most important and the lexical statistics and postings, with the ranking
        fields and similarity of all but the lexical matches packed into one binary string (no
        vector leaves the server); a second one only for lexical matches not read yet
        (``_PG_RECORDS``). SQLite: the
        nearest from the vector cache (whose version is one statement), the lexical index
        (two), and one for the rows with the most recent and the most important.
        """
        query = np.asarray(vector, dtype=np.float64) if vector is not None else None
        searching = query is not None and nearest > 0 and bool(query.any())
        wanted = [t for t in dict.fromkeys(terms) if t != DOC_TERM]
        if self.conn.dialect.name == "postgresql":
            return self._recall_candidates_pg(
                owner_id, query if searching else None, nearest, recent, important, wanted,
                lexical, before)
        entry: OwnerVectors | None = None
        if query is not None:
            entry = VECTOR_CACHE.get(self.conn, owner_id, len(query))
        near = (self._nearest_ids_exact(owner_id, query, nearest, before, entry)
                if searching and query is not None else [])
        lex_ids, lex_scores = self.lexical.matches(owner_id, wanted) if wanted else NO_MATCHES
        matches = _best_matches(lex_ids, lex_scores, lexical)
        ids = set(near)
        rows = self._read_candidates(sorted(ids.union(matches)), owner_id, before,
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
            _scores_of(ids_list, lex_ids, lex_scores), rows)

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
                f"WHERE id = ANY(%(ids)s::bigint[]) RETURNING {_CANDIDATE_SQL}",
                {"when": when, "ids": ids})
            try:
                by_id = {int(r[0]): r for r in result.cursor.fetchall()}
            finally:
                result.close()
            best = [_candidate(by_id[i]) for i in ids if i in by_id]
        for memory in best:
            memory.last_accessed_at = when
        return best

    def _recall_candidates_pg(
        self, owner_id: int, query: np.ndarray | None, nearest: int, recent: int,
        important: int, wanted: Sequence[str], lexical: int, before: datetime | None,
    ) -> RecallPool:
        """PostgreSQL: ``_PG_GATHER`` (one round trip), then ``_PG_RECORDS`` for whatever
        candidate it could not know of (the lexical matches, computed here from its
        statistics and postings; the exact nearest when the HNSW scan came back short)."""
        visible = "owner_id = %(owner)s AND archived IS false" + (
            " AND created_at < %(before)s" if before is not None else "")
        by_id = "m.owner_id + 0 = %(owner)s AND m.archived IS false" + (
            " AND m.created_at < %(before)s" if before is not None else "")
        params: dict[str, Any] = {
            "owner": owner_id, "before": before, "recent": max(0, recent),
            "important": max(0, important), "vec": None, "nearest": 0}
        fetch = 0
        if query is not None:
            fetch = self._search_width(nearest)
            params.update(vec=self._pg_vector(query), fetch=fetch, nearest=nearest)
            near_sql = _PG_NEAR.format(visible=visible)
            count_sql = "(SELECT count(*) FROM near)"
        else:
            near_sql = "near AS (SELECT NULL::bigint AS id, 0::float8 AS d WHERE false), "
            count_sql = "0::int8"
        engine = self.conn.engine
        lexicon = query_lexicon(wanted) if wanted else []
        known: dict[str, TermPostings] = {}
        guess: list[int] = []
        if lexicon:
            lexical_params, known = pg_parameters(engine, owner_id, lexicon)
            params.update(lexical_params)
            lexical_sql = PG_LEXICAL_COLUMNS
            guess = SEEN_STATS.guess(engine, owner_id, lexicon, known, lexical)
        else:
            lexical_sql = "NULL::bytea, NULL::bytea"
        params["guess"] = guess
        sql = _PG_GATHER.format(near=near_sql, count=count_sql, visible=visible, by_id=by_id,
                                lexical=lexical_sql, record=_pg_record("r.role::int2"))
        found, heads, stats, postings = self._one_row(sql, params)
        records = _Records.decode(heads)
        near: set[int] = set()
        if query is not None:
            if int(found) < fetch:
                # Short: the owner has fewer rows, or the iterative scan spent its budget.
                pairs = self._nearest_exact_pg(params, visible, nearest)
                near = {i for i, _ in pairs}
            else:
                near = set(records.ids[(records.role & _NEAR) != 0].tolist())
        lex_ids, lex_scores = NO_MATCHES
        if lexicon:
            lex_ids, lex_scores = decode(engine, owner_id, lexicon, known, stats, postings)
            SEEN_STATS.put(engine, owner_id, lexicon, stats)
        matches = _best_matches(lex_ids, lex_scores, lexical)
        have = set(records.ids.tolist())
        missing = sorted(near.difference(have).union(
            _unread_matches(matches, have, have.union(guess), lexical)))
        if missing:
            more, = self._one_row(_PG_RECORDS.format(by_id=by_id, record=_pg_record("0::int2")),
                                  {**params, "ids": missing})
            records = records.plus(_Records.decode(more))
            have = set(records.ids.tolist())
        keep = near.union(records.ids[(records.role & _SIDE) != 0].tolist())
        keep.update([i for i in matches if i in have][:lexical])
        records = records.only(keep)
        ids = records.ids.tolist()
        return RecallPool(ids, records.importance, records.created + _PG_EPOCH_US,
                          records.accessed + _PG_EPOCH_US,
                          np.nan_to_num(records.relevance, nan=0.0, posinf=0.0, neginf=0.0),
                          _scores_of(ids, lex_ids, lex_scores))

    def _one_row(self, sql: str, params: dict[str, Any]) -> tuple[Any, ...]:
        """The one row of a recall statement, received in binary."""
        result = self.conn.exec_driver_sql(sql, params,
                                           execution_options=_binary_results(self.conn))
        try:
            row = result.cursor.fetchone()
        finally:
            result.close()
        assert row is not None  # an aggregate without GROUP BY: always one row
        return tuple(row)

    def _nearest_exact_pg(
        self, params: dict[str, Any], visible: str, limit: int
    ) -> list[tuple[int, float]]:
        """The exact nearest (``+ 0`` keeps the planner off the HNSW index)."""
        result = self.conn.exec_driver_sql(
            "SELECT id, (embedding <=> %(vec)s::vector) + 0 AS d FROM memories "
            f"WHERE {visible} AND embedding IS NOT NULL ORDER BY d, id DESC LIMIT %(limit)s",
            {**params, "limit": limit})
        try:
            return [(int(i), float(d)) for i, d in result.cursor.fetchall()]
        finally:
            result.close()

    def _read_candidates(
        self, ids: Sequence[int], owner_id: int, before: datetime | None, *, recent: int,
        important: int,
    ) -> list[tuple[Any, ...]]:
        """SQLite: plain driver tuples in id order: ``_CANDIDATE_SQL``'s columns, a NULL (where
        PostgreSQL once read the vector) and whether the row is a side one (most recent or
        most important), read in one statement with the ``recent`` most recent and the
        ``important`` most important. Rows are looked up by primary key: ``owner_id + 0``
        keeps the planner off the owner's index (with it SQLite scans all the owner's
        rows)."""
        stamp = self._sqlite_time(before) if before is not None else None
        by_id = "owner_id + 0 = ? AND archived = 0" + (
            " AND created_at < ?" if stamp is not None else "")
        own = "owner_id = ? AND archived = 0" + (
            " AND created_at < ?" if stamp is not None else "")
        extra = (stamp,) if stamp is not None else ()
        parts: list[str] = []
        args: list[Any] = []
        if ids:
            parts.append(f"SELECT {_CANDIDATE_SQL}, NULL, 0 FROM memories "
                         f"WHERE id IN ({','.join(str(int(i)) for i in ids)}) AND {by_id}")
            args += [owner_id, *extra]
        for limit, order in ((recent, "created_at DESC, id DESC"),
                             (important, "importance DESC, created_at DESC, id DESC")):
            if limit > 0:
                parts.append(
                    f"SELECT {_CANDIDATE_SQL}, NULL, 1 FROM memories WHERE id IN ("
                    f"SELECT id FROM memories WHERE {own} ORDER BY {order} LIMIT ?) "
                    f"AND {by_id}")
                args += [owner_id, *extra, limit, owner_id, *extra]
        if not parts:
            return []
        result = self.conn.exec_driver_sql(" UNION ALL ".join(parts), tuple(args))
        try:
            rows = list(result.cursor.fetchall())
        finally:
            result.close()
        unique: dict[int, tuple[Any, ...]] = {}
        for row in rows:  # a side row may come again as a candidate: it stays a side row
            if int(row[0]) not in unique or not unique[int(row[0])][-1]:
                unique[int(row[0])] = row
        return [unique[i] for i in sorted(unique)]

    @staticmethod
    def _pg_vector(query: np.ndarray) -> str:
        """The query vector in pgvector's text form, as its bind processor writes it."""
        return "[" + ",".join(map(str, np.asarray(query, dtype=np.float64).tolist())) + "]"

    def _sqlite_time(self, when: datetime) -> Any:
        """A time as SQLite stores a ``UtcDateTime`` (for plain SQL comparisons)."""
        dialect = self.conn.dialect
        process = memories.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        return process(when) if process else when

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
                (self._sqlite_time(when),))

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
        return self._nearest_ids_exact(owner_id, query, limit, before)

    def _nearest_ids_pg(
        self, owner_id: int, query: np.ndarray, limit: int, before: datetime | None
    ) -> list[int]:
        visible = "owner_id = %(owner)s AND archived IS false" + (
            " AND created_at < %(before)s" if before is not None else "")
        fetch = self._search_width(limit)
        params = {"vec": self._pg_vector(query), "owner": owner_id, "before": before,
                  "fetch": fetch}
        result = self.conn.exec_driver_sql(_PG_NEAREST.format(visible=visible), params)
        try:
            pairs = [(int(i), float(d)) for i, d in result.cursor.fetchall()]
        finally:
            result.close()
        if len(pairs) < fetch:
            # Short: either the owner has fewer rows (then this exact scan is cheap) or the
            # iterative scan spent its budget, and what it found need not be the nearest.
            pairs = self._nearest_exact_pg(params, visible, limit)
        pairs.sort(key=lambda p: (p[1], -p[0]))
        return [i for i, _ in pairs[:limit]]

    def _search_width(self, limit: int) -> int:
        """How many rows an HNSW scan for the ``limit`` nearest reads (see ``OVERFETCH_MIN``);
        sets ``hnsw.ef_search`` for this transaction when the session's is not the one."""
        fetch = limit + min(OVERFETCH_MAX, max(OVERFETCH_MIN, limit))
        ef_search = min(EF_SEARCH_MAX, max(EF_SEARCH_MIN, fetch))
        if ef_search != SESSION_EF_SEARCH:  # SET LOCAL semantics: ends with the transaction
            self.conn.exec_driver_sql("SELECT set_config('hnsw.ef_search', %(ef)s, true)",
                                      {"ef": str(ef_search)})
        return fetch

    def _nearest_ids_exact(
        self, owner_id: int, query: np.ndarray, limit: int, before: datetime | None,
        entry: OwnerVectors | None = None,
    ) -> list[int]:
        """Exact search: every visible vector of the owner, scored with numpy, top ``limit``.

        The vectors come from the process's cache (``vector_cache``, kept current by the
        SQLite triggers of migration 0005). Selection is computed in float32 (what is stored);
        the caller orders the winners in float64, as for PostgreSQL.
        """
        if entry is None:
            entry = VECTOR_CACHE.get(self.conn, owner_id, len(query))
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


#: The same, as plain SQL (recall's hot path).
_CANDIDATE_SQL = ("id, ecosystem_id, owner_id, channel_id, kind, text, importance, "
                  "emotional_tone, created_at, last_accessed_at")
#: PostgreSQL's recall statements. ``_PG_NEAR``: the HNSW scan, in relaxed order, of a few
#: more rows than wanted (``fetch``); ``_PG_GATHER`` keeps its ``nearest`` nearest (by the
#: distance it computed, ties to the larger id: ``d + 0``, because the planner takes the
#: scan's output for sorted by ``d``, which a relaxed order is not, and would only sort ties),
#: adds the most recent and the most important,
#: and packs their ranking fields and similarities (``_pg_record``, in id order)
#: beside the lexical statistics and postings (``PG_LEXICAL_COLUMNS``): one round trip.
#: ``_PG_RECORDS`` packs the same for given ids (lexical matches, or the exact nearest after
#: a short scan).
#: The order of the HNSW index (migration 0016): by search key, the query's with the owner's.
_KEY = f"::vector({EMBEDDING_DIM + 1})"
_KEY_ORDER = (f"memory_search_key(embedding, owner_id){_KEY} <-> "
              f"memory_search_key(%(vec)s::vector, %(owner)s::integer){_KEY}")
#: The HNSW scan (``d``: the cosine distance, by which the nearest are then chosen).
_PG_NEAREST = ("SELECT id, embedding <=> %(vec)s::vector AS d FROM memories "
               "WHERE {visible} AND embedding IS NOT NULL ORDER BY " + _KEY_ORDER +
               " LIMIT %(fetch)s")
_PG_NEAR = "near AS MATERIALIZED (" + _PG_NEAREST + "), "
_PG_GATHER = """WITH {near}
picked AS (
    SELECT id, 1 AS role FROM (SELECT id FROM near ORDER BY d + 0, id DESC LIMIT %(nearest)s) AS n
    UNION ALL SELECT id, 2 FROM (SELECT id FROM memories WHERE {visible}
        ORDER BY created_at DESC, id DESC LIMIT %(recent)s) AS r
    UNION ALL SELECT id, 2 FROM (SELECT id FROM memories WHERE {visible}
        ORDER BY importance DESC, created_at DESC, id DESC LIMIT %(important)s) AS i
    UNION ALL SELECT id, 0 FROM unnest(%(guess)s::bigint[]) AS g(id)),
roles AS (SELECT id, bit_or(role) AS role FROM picked GROUP BY id)
SELECT {count}, c.heads, {lexical}
FROM (SELECT string_agg({record}, ''::bytea) AS heads
      FROM roles AS r JOIN memories AS m ON m.id = r.id WHERE {by_id}) AS c"""
_PG_RECORDS = """SELECT string_agg({record}, ''::bytea)
FROM memories AS m WHERE m.id = ANY(%(ids)s::bigint[]) AND {by_id}"""


def _pg_record(role: str) -> str:
    """One candidate's packed ranking fields (``_PG_HEAD``): times as PostgreSQL sends them
    (microseconds since 2000-01-01 UTC), and its cosine similarity to the query (``%(vec)s``;
    NULL without one, and without an embedding: then 0) as pgvector computes it."""
    return ("int8send(m.id) || int2send(" + role + ") || float8send(m.importance) || "
            "timestamptz_send(m.created_at) || timestamptz_send(m.last_accessed_at) || "
            "float8send(coalesce(1 - (m.embedding <=> %(vec)s::vector), 0))")


_PG_HEAD = np.dtype([("id", ">i8"), ("role", ">i2"), ("importance", ">f8"), ("created", ">i8"),
                     ("accessed", ">i8"), ("relevance", ">f8")])
#: Roles in ``_PG_GATHER``: among the nearest, among the most recent or most important.
_NEAR, _SIDE = 1, 2
#: PostgreSQL's time epoch (2000-01-01 UTC) in POSIX microseconds.
_PG_EPOCH_US = 946_684_800_000_000


@dataclass(frozen=True)
class _Records:
    """PostgreSQL's packed candidates, field by field (native numpy arrays)."""

    ids: np.ndarray
    role: np.ndarray
    importance: np.ndarray
    created: np.ndarray
    accessed: np.ndarray
    relevance: np.ndarray

    @staticmethod
    def decode(heads: bytes | None) -> _Records:
        head = np.frombuffer(bytes(heads or b""), dtype=_PG_HEAD)
        return _Records(head["id"].astype(np.int64), head["role"].astype(np.int64),
                        head["importance"].astype(np.float64), head["created"].astype(np.int64),
                        head["accessed"].astype(np.int64), head["relevance"].astype(np.float64))

    def __len__(self) -> int:
        return len(self.ids)

    def plus(self, other: _Records) -> _Records:
        return _Records(*(np.concatenate((getattr(self, f.name), getattr(other, f.name)))
                          for f in fields(_Records)))

    def only(self, keep: set[int]) -> _Records:
        """The records whose id is in ``keep``, in id order (each id is in one record)."""
        chosen = np.flatnonzero(np.isin(self.ids, np.fromiter(keep, np.int64, len(keep))))
        chosen = chosen[np.argsort(self.ids[chosen], kind="stable")]
        return _Records(*(getattr(self, f.name)[chosen] for f in fields(_Records)))


def _best_matches(lex_ids: np.ndarray, lex_scores: np.ndarray, lexical: int) -> list[int]:
    """The ids of the best lexical matches (ties: larger id), visible or not: twice
    ``lexical``, so that archived or too recent ones, filtered out when the candidates are
    read, do not leave the list short."""
    if not lexical or not len(lex_ids):
        return []
    order = np.lexsort((-lex_ids, -lex_scores))[: 2 * lexical]
    return [int(i) for i in lex_ids[order].tolist()]


def _unread_matches(matches: Sequence[int], have: set[int], asked: set[int], lexical: int
                    ) -> list[int]:
    """What to read of ``matches`` (best first) to know their first ``lexical`` visible ones:
    nothing if every match before the ``lexical``-th one read (``have``) was asked for (an
    asked match not read is not visible); else every one not asked for yet."""
    seen = 0
    for at, memory_id in enumerate(matches):
        if memory_id in have:
            seen += 1
            if seen >= lexical:
                return []
        elif memory_id not in asked:
            return [i for i in matches[at:] if i not in asked]
    return []


def _scores_of(ids: list[int], lex_ids: np.ndarray, lex_scores: np.ndarray) -> np.ndarray:
    """The BM25 score of each of ``ids`` (``lex_ids`` ascending; 0 where absent)."""
    bm25 = np.zeros(len(ids))
    if len(lex_ids) and ids:
        wanted = np.asarray(ids, dtype=np.int64)
        pos = np.clip(np.searchsorted(lex_ids, wanted), 0, len(lex_ids) - 1)
        hit = lex_ids[pos] == wanted
        bm25[hit] = lex_scores[pos[hit]]
    return bm25


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
