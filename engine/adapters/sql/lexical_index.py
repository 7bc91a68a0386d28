"""The lexical index of memories (``memory_terms``): written with the memories, read by recall.

Each memory's stemmed content words (``engine.lexical.index_terms``) are stored as postings
``(memory_id, term, owner_id, tf, doc_len)`` plus one row with the term ``""`` whose ``tf`` is
the memory's length. Triggers on ``memory_terms`` (migration 0008; on SQLite for deletions and
updates, ``add`` itself adding new postings) keep ``memory_term_stats`` current: per character
and term, how many indexed memories hold it, and with the term ``""`` the character's memory
count and summed length. A query reads those statistics for its terms (primary-key lookups,
nothing counted) and the postings of the terms that are not too common; BM25
(``engine.lexical.bm25_arrays``) is computed here in Python, identically on SQLite and
PostgreSQL. PostgreSQL answers in one round trip (``PG_LEXICAL_COLUMNS`` and ``decode``: the
statistics and each term's postings aggregated into packed binary strings, a few bytes a posting
instead of a row each), which recall folds into its own first statement.

A term's postings are kept in process memory (``POSTINGS_CACHE``, per database engine,
character and term) together with the term's statistics ``version``, which the triggers change
at every change of the term's postings (any writer, any process): they are used only while the
version read with the statistics, in the same statement on PostgreSQL, is the cached one, and
only the other terms' postings are read. Adding or removing a memory thus invalidates its own
terms only. Memory use is bounded (``POSTINGS_MAX_BYTES``, least recently used dropped first).

The statistics cover all of a character's indexed memories, archived ones included (an
archived memory still says something about how rare a word is); only the returned matches are
later filtered to what recall may see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection, Engine

from engine.adapters.sql.lexical_cache import (
    BM25_MEMO,
    NO_MATCHES,
    POSTINGS_CACHE,
    POSTINGS_MAX_BYTES,
    Bm25Memo,
    Matches,
    PostingsCache,
    TermPostings,
    bm25_of,
)
from engine.adapters.sql.tables import memories, memory_terms
from engine.lexical import (
    COMMON_MIN_DOCS,
    COMMON_SHARE,
    DOC_TERM,
    discriminating,
    index_terms,
)

__all__ = [
    "LexicalIndex", "Matches", "term_rows", "text_length", "NO_MATCHES", "POSTINGS_CACHE",
    "POSTINGS_MAX_BYTES", "BM25_MEMO", "Bm25Memo", "PACKED_STAT",
    "PostingsCache", "TermPostings", "PG_POSTINGS_OF", "pg_term_arrays",
]

#: One posting as PostgreSQL packs it (``_PG_POSTINGS``): the term's position in the query's
#: sorted terms, the memory id, tf and the memory's length, big-endian.
_PACKED_POSTING = np.dtype([("term", ">i4"), ("id", ">i8"), ("tf", ">i4"), ("len", ">i4")])
#: One statistics row as PostgreSQL packs it (``PG_LEXICAL_COLUMNS``; recall's guess reads it
#: too): the term's position, its document count, total frequency and version.
PACKED_STAT = np.dtype([("term", ">i4"), ("docs", ">i4"), ("total", ">i8"),
                        ("version", ">i8")])
#: PostgreSQL: the statistics of ``%(lex_terms)s`` (sorted, "" included) and the postings of
#: those that BM25 keeps (``engine.lexical.discriminating``, the same test in float8) unless
#: cached at their current version (``%(lex_known_terms)s`` at ``%(lex_known_versions)s``), as
#: two binary strings, for owner ``%(owner)s``. Two scalar subqueries, usable inside a larger
#: SELECT (one snapshot: the versions and the postings agree).
PG_LEXICAL_COLUMNS = """
    (SELECT string_agg(int4send(array_position(%(lex_terms)s::text[], s.term)::int4)
                       || int4send(s.docs) || int8send(s.total) || int8send(s.version),
                       ''::bytea)
     FROM memory_term_stats AS s
     WHERE s.owner_id = %(owner)s AND s.term = ANY(%(lex_terms)s::text[])) AS lex_stats,
    (SELECT string_agg(int4send(array_position(%(lex_terms)s::text[], t.term)::int4)
                       || int8send(t.memory_id) || int4send(t.tf) || int4send(t.doc_len),
                       ''::bytea)
     FROM memory_terms AS t
     WHERE t.owner_id = %(owner)s AND t.term = ANY(ARRAY(
         SELECT s.term FROM memory_term_stats AS s
         WHERE s.owner_id = %(owner)s AND s.term = ANY(%(lex_terms)s::text[])
           AND s.term <> '' AND s.docs > 0
           AND (s.docs <= %(lex_share)s::float8 * coalesce((
                    SELECT d.docs FROM memory_term_stats AS d
                    WHERE d.owner_id = %(owner)s AND d.term = ''), 0)
                OR coalesce((SELECT d.docs FROM memory_term_stats AS d
                             WHERE d.owner_id = %(owner)s AND d.term = ''), 0)
                   < %(lex_min_docs)s)
           AND NOT EXISTS (
               SELECT 1 FROM unnest(%(lex_known_terms)s::text[],
                                    %(lex_known_versions)s::bigint[]) AS k(term, version)
               WHERE k.term = s.term AND k.version = s.version)))) AS lex_postings
"""


def term_rows(
    items: Iterable[tuple[int, int, str]],
) -> tuple[list[dict[str, object]], dict[int, int]]:
    """Index rows for ``(memory id, owner id, text)`` triples, and each memory's length.

    The rows come sorted by (owner, term, memory): the statistics' rows are then updated in
    one order by every writer (no deadlock between two transactions indexing memories of the
    same characters)."""
    postings, lengths = _postings(items)
    return [{"memory_id": m, "term": t, "owner_id": o, "tf": f, "doc_len": d}
            for m, t, o, f, d in postings], lengths


@lru_cache(maxsize=64)
def _terms_of(text: str) -> tuple[tuple[str, int], ...]:
    """``index_terms`` of a text as (term, tf) pairs. Every witness of an event remembers the
    same line, and ``add_many`` asks for its length before ``add`` indexes it: a message read by
    ten characters is read once, not twenty times (a few entries suffice, and bound memory)."""
    return tuple(index_terms(text).items())


@lru_cache(maxsize=64)
def text_length(text: str) -> int:
    """How many index terms a text has (its ``lexical_len``)."""
    return sum(tf for _, tf in _terms_of(text))


def query_lexicon(terms: Sequence[str]) -> list[str]:
    """The terms a lexical query reads, sorted (BM25's term order), "" (the statistics of the
    whole index) included."""
    return sorted({*terms, DOC_TERM})


def kept_terms(docs: dict[str, int], n_docs: int) -> list[str]:
    """The terms BM25 uses (``engine.lexical.discriminating``), from the statistics."""
    return discriminating({t: n for t, n in docs.items() if t != DOC_TERM}, n_docs)


def decode(engine: Engine, owner_id: int, lexicon: Sequence[str], known: dict[str, TermPostings],
           stats: bytes | None, postings: bytes | None) -> Matches:
    """BM25 from PostgreSQL's packed statistics and postings (``PG_LEXICAL_COLUMNS``); the
    postings not read are those of ``known`` (what ``pg_parameters`` found cached)."""
    if not stats:
        return NO_MATCHES
    packed = np.frombuffer(bytes(stats), dtype=PACKED_STAT)
    docs: dict[str, int] = {}
    totals: dict[str, int] = {}
    versions: dict[str, int] = {}
    for p, n, t, v in zip(packed["term"].tolist(), packed["docs"].tolist(),
                          packed["total"].tolist(), packed["version"].tolist(), strict=True):
        term = lexicon[p - 1]
        docs[term], totals[term], versions[term] = n, t, v
    n_docs, total = docs.get(DOC_TERM, 0), totals.get(DOC_TERM, 0)
    kept = kept_terms(docs, n_docs)
    if not kept or n_docs <= 0:
        return NO_MATCHES
    current = {t: e for t, e in known.items() if e.version == versions.get(t)}
    rows = np.frombuffer(bytes(postings or b""), dtype=_PACKED_POSTING)
    for p in np.unique(rows["term"]).tolist():  # read: not cached at the current version
        term = lexicon[p - 1]
        mine = rows[rows["term"] == p]
        current[term] = TermPostings(versions[term], mine["id"].astype(np.int64),
                                     mine["tf"].astype(np.float64),
                                     mine["len"].astype(np.float64))
        POSTINGS_CACHE.put(engine, owner_id, term, current[term])
    return BM25_MEMO.scores(engine, owner_id, kept, current, n_docs, total)


#: PostgreSQL: the postings of memories ``m`` (owners ``o``), each holding the text numbered
#: ``x``, whose terms are given once per text (``tx``: the text's number, ``t`` the term,
#: ``f`` its frequency, ``d`` the text's length). The statistics trigger (migration 0008)
#: adds them to ``memory_term_stats``, its rows locked in (owner, term) order.
#: PostgreSQL: the postings of the memories ``{memories}`` (a row source aliased ``m``, with
#: columns ``id``, ``owner`` and ``x``: the number of the text each holds) from
#: ``pg_term_arrays``' parameters.
PG_POSTINGS_OF = (
    "INSERT INTO memory_terms (memory_id, term, owner_id, tf, doc_len) "
    "SELECT m.id, t.term, m.owner, t.tf, t.len FROM {memories} "
    "JOIN unnest(%(tx)s::int[], %(t)s::text[], %(f)s::int[], %(d)s::int[]) "
    "AS t(x, term, tf, len) ON t.x = m.x"
)
_PG_ADD_POSTINGS = PG_POSTINGS_OF.format(
    memories="unnest(%(m)s::bigint[], %(o)s::int[], %(x)s::int[]) AS m(id, owner, x)")
_SQLITE_ADD_POSTINGS = (
    "INSERT INTO memory_terms (memory_id, term, owner_id, tf, doc_len) VALUES (?, ?, ?, ?, ?)"
)
#: SQLite: (owner, term, documents, total frequency) of new postings added to the statistics,
#: with a new version (as the deletion and update triggers of migration 0008 give).
_SQLITE_ADD_STATS = (
    "INSERT INTO memory_term_stats (owner_id, term, docs, total, version) "
    "VALUES (?, ?, ?, ?, random()) ON CONFLICT (owner_id, term) DO UPDATE SET "
    "docs = docs + excluded.docs, total = total + excluded.total, version = excluded.version"
)


def pg_term_arrays(texts: Sequence[str]) -> tuple[dict[str, list[Any]], list[int]]:
    """``PG_POSTINGS_OF``'s parameters for texts numbered by position (each text's terms once,
    with its length as the term ``""``), and each text's length."""
    t_text: list[int] = []
    t_term: list[str] = []
    t_tf: list[int] = []
    t_len: list[int] = []
    length_of: list[int] = []
    for index, text in enumerate(texts):
        counts = _terms_of(text)
        length = text_length(text)
        length_of.append(length)
        t_text.extend([index] * (len(counts) + 1))
        t_term.append(DOC_TERM)
        t_tf.append(length)
        for term, tf in counts:
            t_term.append(term)
            t_tf.append(tf)
        t_len.extend([length] * (len(counts) + 1))
    return {"tx": t_text, "t": t_term, "f": t_tf, "d": t_len}, length_of


def _postings(
    items: Iterable[tuple[int, int, str]],
) -> tuple[list[tuple[int, str, int, int, int]], dict[int, int]]:
    """``(memory id, term, owner id, tf, doc_len)`` postings sorted by (owner, term, memory),
    and each memory's length (``term_rows`` as tuples)."""
    postings: list[tuple[int, str, int, int, int]] = []
    lengths: dict[int, int] = {}
    for memory_id, owner_id, text in items:
        length = lengths[memory_id] = text_length(text)
        postings.append((memory_id, DOC_TERM, owner_id, length, length))
        postings.extend((memory_id, term, owner_id, tf, length) for term, tf in _terms_of(text))
    postings.sort(key=itemgetter(2, 1, 0))
    return postings, lengths


class LexicalIndex:
    """Postings of one database connection's memories."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, items: Sequence[tuple[int, int, str]], *, lengths_stored: bool = False
            ) -> None:
        """Index memories, given as ``(memory id, owner id, text)``.

        On PostgreSQL the postings go in one ``INSERT ... SELECT`` (the statistics trigger
        then runs once, not once a row as under ``executemany``) that sends each distinct
        text's terms once and joins them to the memories holding it: the witnesses of an
        event remember the same line, so a message's ~250 postings travel as ~40 values
        (adapting the parameters cost more than the insert). On SQLite the postings go in one
        ``executemany`` and the statistics are added up here (SQLite has no INSERT trigger,
        see migration 0008) and upserted in one ``executemany`` in (owner, term) order.

        Args:
            lengths_stored: The memories' ``lexical_len`` was written with them (``add_many``
                computes it before the insert: a second write of each new row would cost,
                above all on PostgreSQL, an extra HNSW index entry). Otherwise it is set here.
        """
        if not items:
            return
        if self.conn.dialect.name == "postgresql":
            lengths = self._add_pg(items)
        else:
            lengths = self._add_sqlite(items)
        if lengths_stored:
            return
        by_length: dict[int, list[int]] = {}
        for memory_id, length in lengths.items():
            by_length.setdefault(length, []).append(memory_id)
        for length, ids in by_length.items():
            self.conn.execute(update(memories).where(memories.c.id.in_(ids))
                              .values(lexical_len=length))

    def _add_pg(self, items: Sequence[tuple[int, int, str]]) -> dict[int, int]:
        texts: dict[str, int] = {}
        ids: list[int] = []
        owners: list[int] = []
        which: list[int] = []
        for memory_id, owner_id, text in items:
            ids.append(memory_id)
            owners.append(owner_id)
            which.append(texts.setdefault(text, len(texts)))
        terms, length_of = pg_term_arrays(list(texts))
        self.conn.exec_driver_sql(_PG_ADD_POSTINGS, {"m": ids, "o": owners, "x": which,
                                                     **terms})
        return {memory_id: length_of[x] for memory_id, x in zip(ids, which, strict=True)}

    def _add_sqlite(self, items: Sequence[tuple[int, int, str]]) -> dict[int, int]:
        postings, lengths = _postings(items)
        # Plain executemany through the driver: SQLAlchemy's per-row parameter handling
        # cost more than the inserts themselves (about 1 ms for a message's ~100 postings).
        self.conn.exec_driver_sql(_SQLITE_ADD_POSTINGS, postings)
        # The statistics of the new postings, added up here (sorted by owner and term, as the
        # postings are): one prepared upsert per (owner, term), in that order. Aggregating in
        # SQL over the new memory ids cost twice as much (a new statement text each time).
        stats: list[list[Any]] = []
        last: list[Any] = [None, None, 0, 0]
        for _, term, owner_id, tf, _ in postings:
            if last[0] == owner_id and last[1] == term:
                last[2] += 1
                last[3] += tf
            else:
                last = [owner_id, term, 1, tf]
                stats.append(last)
        self.conn.exec_driver_sql(_SQLITE_ADD_STATS, [tuple(s) for s in stats])
        return lengths

    def reindex(self, memory_ids: Sequence[int]) -> None:
        """Index these memories again from their current text (after it was rewritten)."""
        if not memory_ids:
            return
        ids = list(memory_ids)
        self.conn.execute(delete(memory_terms).where(memory_terms.c.memory_id.in_(ids)))
        found = self.conn.execute(
            select(memories.c.id, memories.c.owner_id, memories.c.text)
            .where(memories.c.id.in_(ids))
        ).all()
        self.add([(int(r.id), int(r.owner_id), r.text) for r in found])

    def scores(self, owner_id: int, terms: Sequence[str]) -> dict[int, float]:
        """BM25 of each of the owner's memories that share a term with the query."""
        ids, scores = self.matches(owner_id, terms)
        return dict(zip(ids.tolist(), scores.tolist(), strict=True))

    def matches(self, owner_id: int, terms: Sequence[str]) -> Matches:
        """BM25 of each of the owner's memories that share a term with the query, as arrays.

        The statistics of the query's terms, then the postings of the terms that are not too
        common (``engine.lexical.discriminating``): a word in a fifth of everything the
        character remembers weighs little and would cost thousands of rows.
        """
        wanted = [t for t in dict.fromkeys(terms) if t != DOC_TERM]
        if not wanted:
            return NO_MATCHES
        lexicon = query_lexicon(wanted)
        engine = self.conn.engine
        if self.conn.dialect.name == "postgresql":
            params, known = pg_parameters(engine, owner_id, lexicon)
            row = self._rows(f"SELECT {PG_LEXICAL_COLUMNS}", params)[0]
            return decode(engine, owner_id, lexicon, known, row[0], row[1])
        marks = ",".join("?" * len(lexicon))
        stats = self._rows(
            "SELECT term, docs, total, version FROM memory_term_stats "
            f"WHERE owner_id = ? AND term IN ({marks})", (owner_id, *lexicon))
        docs = {str(t): int(n) for t, n, _, _ in stats}
        versions = {str(t): int(v) for t, _, _, v in stats}
        n_docs = docs.get(DOC_TERM, 0)
        total = next((int(s) for t, _, s, _ in stats if t == DOC_TERM), 0)
        kept = kept_terms(docs, n_docs)
        if not kept or n_docs <= 0:
            return NO_MATCHES
        current = {t: e for t in kept
                   if (e := POSTINGS_CACHE.get(engine, owner_id, t, versions[t])) is not None}
        missing = [t for t in kept if t not in current]
        if missing:
            found = self._rows(
                "SELECT term, memory_id, tf, doc_len FROM memory_terms WHERE owner_id = ? "
                f"AND term IN ({','.join('?' * len(missing))}) ORDER BY term",
                (owner_id, *missing))
            by_term: dict[str, list[Any]] = {t: [] for t in missing}
            for row in found:
                by_term[str(row[0])].append(row)
            for term, rows in by_term.items():
                n = len(rows)
                current[term] = TermPostings(
                    versions[term],
                    np.fromiter((r[1] for r in rows), dtype=np.int64, count=n),
                    np.fromiter((r[2] for r in rows), dtype=np.float64, count=n),
                    np.fromiter((r[3] for r in rows), dtype=np.float64, count=n))
                POSTINGS_CACHE.put(engine, owner_id, term, current[term])
        return bm25_of(kept, current, n_docs, total)

    def _rows(self, sql: str, params: Any) -> list[Any]:
        result = self.conn.exec_driver_sql(sql, params)
        try:
            return list(result.cursor.fetchall())  # the driver's tuples: no row processing
        finally:
            result.close()


def pg_parameters(engine: Engine, owner_id: int, lexicon: Sequence[str]
                  ) -> tuple[dict[str, Any], dict[str, TermPostings]]:
    """The parameters of ``PG_LEXICAL_COLUMNS`` (the versions of the cached postings), and
    those cached postings (for ``decode``)."""
    known = POSTINGS_CACHE.known(engine, owner_id, lexicon)
    return {"owner": owner_id, "lex_terms": list(lexicon), "lex_share": COMMON_SHARE,
            "lex_min_docs": COMMON_MIN_DOCS, "lex_known_terms": list(known),
            "lex_known_versions": [e.version for e in known.values()]}, known
