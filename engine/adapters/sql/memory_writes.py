"""New memories written with few statements: the rows, their sources and their index terms.

``MemoryStore.add_many`` is on the per-message path (every witness of an event remembers it):
as three statements (the rows returning their ids, then the sources, then the postings) it
cost three round trips and SQLAlchemy's multi-row parameter handling. Here one statement
takes each column as an array, draws the ids from the table's sequence in parameter order
(``WITH ORDINALITY``), and inserts the memories, ``memory_sources`` and ``memory_terms``
(``engine.adapters.sql.lexical_index.PG_POSTINGS_OF``: each distinct text's terms sent once)
from the same drawn ids; the statistics trigger of migration 0008 then runs once, as before.
The foreign keys of the sources and postings are checked at the end of the statement, when
the memories are there.

Memories that come with an embedding are left to the general path (``add_many``'s).

On SQLite (``insert_memories_sqlite``) the rows go in one multi-row ``INSERT ... RETURNING``
and the sources in one ``executemany``, plain SQL through the driver with the columns' own
bind processors (SQLAlchemy's statement handling cost about as much as the inserts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection, Dialect

from engine.adapters.sql.lexical_index import PG_POSTINGS_OF, pg_term_arrays
from engine.adapters.sql.tables import memories
from engine.memory import Memory

__all__ = ["insert_memories_pg", "insert_memories_sqlite"]

_INSERT = """
WITH input AS MATERIALIZED (
    SELECT nextval(pg_get_serial_sequence('memories', 'id')) AS id, u.*
    FROM unnest(%(eco)s::int[], %(owner)s::int[], %(channel)s::int[], %(kind)s::text[],
                %(x)s::int[], %(importance)s::float8[], %(tone)s::float8[],
                %(created)s::timestamptz[], %(accessed)s::timestamptz[])
         WITH ORDINALITY AS u(eco, owner, channel, kind, x, importance, tone, created, accessed,
                              ord)
), added AS (
    INSERT INTO memories (id, ecosystem_id, owner_id, channel_id, kind, text, importance,
                          emotional_tone, archived, created_at, last_accessed_at, lexical_len)
    SELECT id, eco, owner, channel, kind, (%(texts)s::text[])[x + 1], importance, tone, false,
           created, accessed, (%(lengths)s::int[])[x + 1]
    FROM input
), sources AS (
    INSERT INTO memory_sources (memory_id, event_id)
    SELECT input.id, s.event
    FROM unnest(%(s_ord)s::bigint[], %(s_event)s::bigint[]) AS s(ord, event)
    JOIN input ON input.ord = s.ord
), terms AS (
    {postings}
)
SELECT id FROM input ORDER BY ord
""".format(postings=PG_POSTINGS_OF.format(memories="input AS m"))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def insert_memories_pg(conn: Connection, items: Sequence[Memory]) -> list[int]:
    """Insert memories without embeddings, their sources and their index terms; their ids,
    in the order given."""
    assert all(m.embedding is None for m in items)
    texts: dict[str, int] = {}
    which = [texts.setdefault(m.text, len(texts)) for m in items]
    terms, lengths = pg_term_arrays(list(texts))
    s_ord: list[int] = []
    s_event: list[int] = []
    for position, memory in enumerate(items, start=1):
        for event_id in memory.source_event_ids:
            s_ord.append(position)
            s_event.append(event_id)
    params = {
        "eco": [m.ecosystem_id for m in items], "owner": [m.owner_id for m in items],
        "channel": [m.channel_id for m in items], "kind": [m.kind for m in items],
        "x": which, "importance": [float(m.importance) for m in items],
        "tone": [float(m.emotional_tone) for m in items],
        "created": [_utc(m.created_at) for m in items],
        "accessed": [_utc(m.last_accessed_at) for m in items],
        "texts": list(texts), "lengths": lengths, "s_ord": s_ord, "s_event": s_event, **terms,
    }
    result = conn.exec_driver_sql(_INSERT, params)
    try:
        return [int(r[0]) for r in result.cursor.fetchall()]
    finally:
        result.close()


#: The columns ``add_many`` writes, in order (SQLite).
_SQLITE_COLUMNS = ("ecosystem_id", "owner_id", "channel_id", "kind", "text", "embedding",
                   "importance", "emotional_tone", "archived", "created_at", "last_accessed_at",
                   "lexical_len")
_SQLITE_ROW = "(" + ", ".join("?" * len(_SQLITE_COLUMNS)) + ")"
#: Rows per statement (SQLite allows 32,766 parameters).
_SQLITE_CHUNK = 500


@lru_cache(maxsize=8)
def _processors(dialect: Dialect) -> tuple[Callable[[Any], Any] | None, ...]:
    """Each column's bind processor (``UtcDateTime``, ``Embedding``, booleans ...), so that the
    values stored are exactly those SQLAlchemy would store."""
    return tuple(memories.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                 for name in _SQLITE_COLUMNS)


def insert_memories_sqlite(conn: Connection, items: Sequence[Memory],
                           lengths: Sequence[int]) -> list[int]:
    """Insert memories (with their ``lexical_len``) and their sources; their ids, in the order
    given (SQLite gives each row of an INSERT the next larger rowid, in VALUES order, and this
    transaction holds the database's write lock; RETURNING's row order is not promised, so the
    ids are sorted)."""
    processors = _processors(conn.dialect)
    ids: list[int] = []
    for start in range(0, len(items), _SQLITE_CHUNK):
        chunk = items[start : start + _SQLITE_CHUNK]
        params: list[Any] = []
        for m, length in zip(chunk, lengths[start : start + _SQLITE_CHUNK], strict=True):
            values = (m.ecosystem_id, m.owner_id, m.channel_id, m.kind, m.text, m.embedding,
                      m.importance, m.emotional_tone, False, m.created_at, m.last_accessed_at,
                      length)
            params.extend(v if p is None else p(v)
                          for v, p in zip(values, processors, strict=True))
        result = conn.exec_driver_sql(
            f"INSERT INTO memories ({', '.join(_SQLITE_COLUMNS)}) VALUES "
            + ", ".join([_SQLITE_ROW] * len(chunk)) + " RETURNING id", tuple(params))
        try:
            ids.extend(sorted(int(r[0]) for r in result.cursor.fetchall()))
        finally:
            result.close()
    sources = [(memory_id, event_id) for m, memory_id in zip(items, ids, strict=True)
               for event_id in m.source_event_ids]
    if sources:
        conn.exec_driver_sql("INSERT INTO memory_sources (memory_id, event_id) VALUES (?, ?)",
                             sources)
    return ids
