"""Recall's statements on PostgreSQL: the nearest, the most recent, the most important and the
lexical statistics and postings gathered in one round trip, with each candidate's ranking fields
and cosine similarity packed in binary (``gather``).

The gathering is the function ``memory_recall_gather`` of migration 0018, so that PostgreSQL
plans it once per connection rather than at every recall. It finds the nearest through the
HNSW index for a character of ``EXACT_BELOW`` memories or more, exactly below that. The HNSW
index is on the search key of migration 0016 (``memory_search_key``): the unit vector followed
by one coordinate, 4 x the owner's id, so that one character's memories stay together in the
graph and its filtered scan reads its own rows; the nearest are then kept by cosine distance.
pgvector applies ``WHERE`` filters after the index scan: with ``hnsw.iterative_scan =
relaxed_order`` (set on every connection, ``postgres_session_settings``) the scan goes on until
enough rows pass the filter; when it ends short of what it was asked (its
``hnsw.max_scan_tuples`` budget spent, or too few visible memories) the function searches
exactly instead. ``MemoryStore.nearest`` uses the same scan as a plain statement
(``PG_NEAREST``, with ``nearest_exact`` after a short scan).

The lexical matches are guessed before the statement from the statistics and postings the last
recall read (``SeenStats``, ``lexical_index.POSTINGS_CACHE``), checked against what the
statement returns, and only the ones the guess missed are read in a second statement.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import numpy as np
from psycopg.pq import Format
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from engine.adapters.sql.lexical_cache import BM25_MEMO, NO_MATCHES, TermPostings
from engine.adapters.sql.lexical_index import (
    PACKED_STAT,
    decode,
    kept_terms,
    pg_parameters,
    query_lexicon,
)
from engine.adapters.sql.recall_pool import RecallPool, best_matches, scores_of
from engine.adapters.sql.types import EMBEDDING_DIM
from engine.lexical import DOC_TERM

__all__ = [
    "gather", "search_width", "pg_vector", "nearest_exact", "one_row", "PG_NEAREST",
    "postgres_session_settings", "SeenStats", "SEEN_STATS", "EF_SEARCH_MIN", "EF_SEARCH_MAX",
    "OVERFETCH_MIN", "OVERFETCH_MAX", "SESSION_EF_SEARCH", "EXACT_BELOW",
]

#: The HNSW path reads ``limit + clamp(2 * limit // 3, OVERFETCH_MIN, OVERFETCH_MAX)`` ids (100
#: for recall's 60 nearest) and keeps the ``limit`` nearest by exact distance.
OVERFETCH_MIN = 10
OVERFETCH_MAX = 100
#: ``hnsw.ef_search`` is as many as the rows read (at least ``EF_SEARCH_MIN``, at most
#: pgvector's maximum): the scan's first pass then yields them all. Reading more rows than
#: ``ef_search`` makes pgvector's iterative scan start a second pass that costs about as much
#: as the first. On the 10,000-memory benchmark (known-word queries), per recall: the graph of
#: migration 0017 (``ef_construction`` 128) with 100 read and ``ef_search`` 100 visits 2,260
#: index tuples for 97.3% of the exact 60 nearest; 120 with 120, 2,630 for 98.0%. The graph
#: built with 64 needed 120 with 120 (2,550 tuples) for 96.9%, and 90 with 120 rows read
#: (two passes) 3,500 for 98.3%. The iterative scan still guarantees the row count when
#: filters (archived, ``before``) drop rows. A large ``limit`` raises pgvector's cost estimate
#: until the planner prefers the exact scan of the owner's rows (at 400 for a 10,000-memory
#: owner): slower, never wrong.
EF_SEARCH_MIN = 40
EF_SEARCH_MAX = 1000
#: The session default (for recall's usual 60 nearest candidates), set when a connection opens.
SESSION_EF_SEARCH = 100
#: Characters with at least this many memories (indexed, archived ones included) are searched
#: through the HNSW index; smaller ones exactly, which is cheaper below it (recall benchmark:
#: the exact 60 nearest of 1,000 memories in 0.6 ms, the HNSW scan 2.4 ms; about equal near
#: 3,500) and gives SQLite's answer.
EXACT_BELOW = 3_000
#: Most (character, term) statistics ``SeenStats`` keeps (about 100 bytes each).
SEEN_STATS_MAX = 500_000
#: ``SeenStats.guess`` adds ``lexical // GUESS_MARGIN`` matches to the ``lexical`` best.
GUESS_MARGIN = 10

BINARY_FORMAT = Format.BINARY
#: Execution option asking for results in PostgreSQL's binary format (``_binary_results``).
_BINARY = "personae_binary_results"
_hooked: weakref.WeakSet[Engine] = weakref.WeakSet()
_hook_lock = threading.Lock()


def _binary_results(conn: Connection) -> dict[str, Any]:
    """Execution options for a statement whose results psycopg should receive in binary
    (recall's own statements: packed ``bytea`` costs half as much as in hex text, and the
    rows decode to the same Python values). Hooks the engine once."""
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
        """Remember the statistics of ``lexicon`` as ``memory_recall_gather`` packs them (the
        format of ``lexical_index.PG_LEXICAL_COLUMNS``; a term without a row has none)."""
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
        return best_matches(ids, scores, lexical)[: lexical + max(1, lexical // GUESS_MARGIN)]


#: The process's lexical statistics as last read by recall.
SEEN_STATS = SeenStats()


def gather(
    conn: Connection, owner_id: int, query: np.ndarray | None, nearest: int, recent: int,
    important: int, wanted: Sequence[str], lexical: int, before: datetime | None,
) -> RecallPool:
    """PostgreSQL: ``memory_recall_gather`` (one round trip), then ``_PG_RECORDS`` for the
    lexical matches it could not know of (computed here from its statistics and postings)."""
    params: dict[str, Any] = {
        "owner": owner_id, "vec": None, "fetch": 0, "nearest": 0, "exact_below": EXACT_BELOW,
        "recent": max(0, recent), "important": max(0, important), "before": before,
        **_NO_LEXICON}
    if query is not None:
        params.update(vec=pg_vector(query), fetch=search_width(conn, nearest), nearest=nearest)
    engine = conn.engine
    lexicon = query_lexicon(wanted) if wanted else []
    known: dict[str, TermPostings] = {}
    guess: list[int] = []
    if lexicon:
        lexical_params, known = pg_parameters(engine, owner_id, lexicon)
        params.update(lexical_params)
        guess = SEEN_STATS.guess(engine, owner_id, lexicon, known, lexical)
    params["guess"] = guess
    heads, stats, postings, searched = one_row(conn, _PG_GATHER, params)
    records = _Records.decode(heads)
    near = set(records.ids[(records.role & _NEAR) != 0].tolist())
    lex_ids, lex_scores = NO_MATCHES
    if lexicon:
        lex_ids, lex_scores = decode(engine, owner_id, lexicon, known, stats, postings)
        SEEN_STATS.put(engine, owner_id, lexicon, stats)
    matches = best_matches(lex_ids, lex_scores, lexical)
    have = set(records.ids.tolist())
    missing = _unread_matches(matches, have, have.union(guess), lexical)
    if missing:
        by_id = "m.owner_id + 0 = %(owner)s AND m.archived IS false" + (
            " AND m.created_at < %(before)s" if before is not None else "")
        more, = one_row(conn, _PG_RECORDS.format(by_id=by_id, record=_pg_record("0::int2")),
                        {**params, "ids": sorted(missing)})
        records = records.plus(_Records.decode(more))
        have = set(records.ids.tolist())
    keep = near.union(records.ids[(records.role & _SIDE) != 0].tolist())
    keep.update([i for i in matches if i in have][:lexical])
    records = records.only(keep)
    ids = records.ids.tolist()
    return RecallPool(ids, records.importance, records.created + _PG_EPOCH_US,
                      records.accessed + _PG_EPOCH_US,
                      np.nan_to_num(records.relevance, nan=0.0, posinf=0.0, neginf=0.0),
                      scores_of(ids, lex_ids, lex_scores), searched=str(searched))


def one_row(conn: Connection, sql: str, params: dict[str, Any]) -> tuple[Any, ...]:
    """The one row of a recall statement, received in binary."""
    result = conn.exec_driver_sql(sql, params, execution_options=_binary_results(conn))
    try:
        row = result.cursor.fetchone()
    finally:
        result.close()
    assert row is not None  # an aggregate without GROUP BY: always one row
    return tuple(row)


def nearest_exact(
    conn: Connection, params: dict[str, Any], visible: str, limit: int
) -> list[tuple[int, float]]:
    """The exact nearest (``+ 0`` keeps the planner off the HNSW index)."""
    result = conn.exec_driver_sql(
        "SELECT id, (embedding <=> %(vec)s::vector) + 0 AS d FROM memories "
        f"WHERE {visible} AND embedding IS NOT NULL ORDER BY d, id DESC LIMIT %(limit)s",
        {**params, "limit": limit})
    try:
        return [(int(i), float(d)) for i, d in result.cursor.fetchall()]
    finally:
        result.close()


def search_width(conn: Connection, limit: int) -> int:
    """How many rows an HNSW scan for the ``limit`` nearest reads (see ``OVERFETCH_MIN``);
    sets ``hnsw.ef_search`` for this transaction when the session's is not the one."""
    fetch = limit + min(OVERFETCH_MAX, max(OVERFETCH_MIN, 2 * limit // 3))
    ef_search = min(EF_SEARCH_MAX, max(EF_SEARCH_MIN, fetch))
    if ef_search != SESSION_EF_SEARCH:  # SET LOCAL semantics: ends with the transaction
        conn.exec_driver_sql("SELECT set_config('hnsw.ef_search', %(ef)s, true)",
                             {"ef": str(ef_search)})
    return fetch


def pg_vector(query: np.ndarray) -> str:
    """The query vector in pgvector's text form, as its bind processor writes it."""
    return "[" + ",".join(map(str, np.asarray(query, dtype=np.float64).tolist())) + "]"


#: The order of the HNSW index (migration 0016): by search key, the query's with the owner's.
_KEY = f"::vector({EMBEDDING_DIM + 1})"
_KEY_ORDER = (f"memory_search_key(embedding, owner_id){_KEY} <-> "
              f"memory_search_key(%(vec)s::vector, %(owner)s::integer){_KEY}")
#: ``nearest``'s HNSW scan (``d``: the cosine distance, by which the nearest are then chosen).
PG_NEAREST = ("SELECT id, embedding <=> %(vec)s::vector AS d FROM memories "
               "WHERE {visible} AND embedding IS NOT NULL ORDER BY " + _KEY_ORDER +
               " LIMIT %(fetch)s")
#: Recall's first statement: the function of migration 0018 (its docstring says what it
#: returns), planned once per connection. ``_PG_RECORDS`` packs the same fields for given ids
#: (the lexical matches it did not read).
_PG_GATHER = """SELECT * FROM memory_recall_gather(
    %(owner)s::integer, %(vec)s::vector, %(fetch)s::integer, %(nearest)s::integer,
    %(exact_below)s::integer, %(recent)s::integer, %(important)s::integer,
    %(guess)s::bigint[], %(before)s::timestamptz, %(lex_terms)s::text[],
    %(lex_share)s::float8, %(lex_min_docs)s::integer, %(lex_known_terms)s::text[],
    %(lex_known_versions)s::bigint[])"""
#: The lexical parameters of ``_PG_GATHER`` for a query without words.
_NO_LEXICON: dict[str, Any] = {"lex_terms": [], "lex_share": 0.0, "lex_min_docs": 0,
                               "lex_known_terms": [], "lex_known_versions": []}
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
#: Roles in ``memory_recall_gather``: among the nearest, among the most recent or most important.
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
        # A few hundred records: plain Python picks them faster than np.isin and argsort.
        chosen = np.array([at for _, at in sorted(
            (memory_id, at) for at, memory_id in enumerate(self.ids.tolist())
            if memory_id in keep)], dtype=np.intp)
        return _Records(*(getattr(self, f.name)[chosen] for f in fields(_Records)))


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
