"""The lexical index of memories (``memory_terms``): written with the memories, read by recall.

Each memory's stemmed content words (``engine.lexical.index_terms``) are stored as postings
``(memory_id, term, owner_id, tf, doc_len)`` plus one row with the term ``""`` whose ``tf`` is
the memory's length, so the corpus size and mean length of one character's memories are
counted from the same covering index as the postings. A query is one round trip: the postings
of its terms and those two statistics; BM25 (``engine.lexical.bm25``) is computed here in
Python, identically on SQLite and PostgreSQL.

The statistics cover all of a character's indexed memories, archived ones included (an
archived memory still says something about how rare a word is); only the returned matches are
later filtered to what recall may see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import memories, memory_terms
from engine.lexical import DOC_TERM, bm25_rows, discriminating, index_terms

__all__ = ["LexicalIndex", "term_rows", "text_length"]


def term_rows(
    items: Iterable[tuple[int, int, str]],
) -> tuple[list[dict[str, object]], dict[int, int]]:
    """Index rows for ``(memory id, owner id, text)`` triples, and each memory's length."""
    rows: list[dict[str, object]] = []
    lengths: dict[int, int] = {}
    for memory_id, owner_id, text in items:
        counts = index_terms(text)
        length = sum(counts.values())
        lengths[memory_id] = length
        rows.append({"memory_id": memory_id, "term": DOC_TERM, "owner_id": owner_id,
                     "tf": length, "doc_len": length})
        rows.extend({"memory_id": memory_id, "term": term, "owner_id": owner_id,
                     "tf": tf, "doc_len": length} for term, tf in counts.items())
    return rows, lengths


def text_length(text: str) -> int:
    """How many index terms a text has (its ``lexical_len``)."""
    return sum(index_terms(text).values())


class LexicalIndex:
    """Postings of one database connection's memories."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, items: Sequence[tuple[int, int, str]], *, lengths_stored: bool = False
            ) -> None:
        """Index memories, given as ``(memory id, owner id, text)``.

        Args:
            lengths_stored: The memories' ``lexical_len`` was written with them (``add_many``
                computes it before the insert: a second write of each new row would cost,
                above all on PostgreSQL, an extra HNSW index entry). Otherwise it is set here.
        """
        if not items:
            return
        rows, lengths = term_rows(items)
        self.conn.execute(memory_terms.insert(), rows)
        if lengths_stored:
            return
        by_length: dict[int, list[int]] = {}
        for memory_id, length in lengths.items():
            by_length.setdefault(length, []).append(memory_id)
        for length, ids in by_length.items():
            self.conn.execute(update(memories).where(memories.c.id.in_(ids))
                              .values(lexical_len=length))

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
        """BM25 of each of the owner's memories that share a term with the query.

        Two statements: the corpus statistics and each term's document frequency (counted in
        the covering index), then the postings of the terms that are not too common
        (``engine.lexical.discriminating``): a word in a fifth of everything the character
        remembers weighs little and would cost thousands of rows.
        """
        wanted = [t for t in dict.fromkeys(terms) if t != DOC_TERM]
        if not wanted:
            return {}
        mt = memory_terms.c
        counts = self._rows(
            select(mt.term, func.count(), func.coalesce(func.sum(mt.tf), 0))
            .where(mt.owner_id == owner_id, mt.term.in_(bindparam("terms", expanding=True)))
            .group_by(mt.term), {"terms": [*wanted, DOC_TERM]})
        df = {str(term): int(n) for term, n, _ in counts if term != DOC_TERM}
        n_docs, total = next(((int(n), int(t)) for term, n, t in counts if term == DOC_TERM),
                             (0, 0))
        kept = discriminating(df, n_docs)
        if not kept or n_docs == 0:
            return {}
        found = [(str(t), int(m), int(f), int(n)) for t, m, f, n in self._rows(
            select(mt.term, mt.memory_id, mt.tf, mt.doc_len)
            .where(mt.owner_id == owner_id, mt.term.in_(bindparam("terms", expanding=True))),
            {"terms": kept})]
        return bm25_rows(found, n_docs, total / n_docs)

    def _rows(self, stmt: Any, params: dict[str, Any]) -> list[Any]:
        result = self.conn.execute(stmt, params)
        try:
            return list(result.cursor.fetchall())  # the driver's tuples: no row processing
        finally:
            result.close()
