"""``MemoryStore.add_many`` stores the same rows, sources, postings and lexical statistics on
both backends (on PostgreSQL, without embeddings, in one statement: ``memory_writes``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from engine.adapters.sql.database import Database
from engine.adapters.sql.lexical_index import term_rows
from engine.adapters.sql.tables import memories, memory_sources, memory_term_stats, memory_terms
from engine.adapters.sql.uow import UnitOfWorkFactory
from engine.memory import Memory
from engine.messages import Event, EventKind
from engine.personas import Character
from engine.settings import Settings

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(settings_for: Callable[..., Settings], backend: str
          ) -> tuple[Database, UnitOfWorkFactory, int, list[int], list[int]]:
    database = Database(settings_for(backend).database_url)
    database.migrate()
    uow = UnitOfWorkFactory(database.engine)
    with uow() as work:
        eco = work.spaces.ensure_ecosystem("console", f"writes-{backend}", "w", T0)
        owners = [work.participants.add_character(eco.id, Character(name=n), T0)
                  for n in ("Jane", "Tom", "Lydia")]
        events = [work.events.append(Event(
            ecosystem_id=eco.id, channel_id=None, kind=EventKind.MESSAGE,
            idempotency_key=f"k{i}", created_at=T0, author_name="Mary", text=f"line {i}"))
            for i in range(2)]
        work.commit()
    return database, uow, eco.id, owners, [e for e in events if e is not None]


def _stats(database: Database) -> dict[tuple[int, str], tuple[int, int]]:
    with database.engine.connect() as conn:
        return {(r.owner_id, r.term): (r.docs, r.total) for r in conn.execute(
            select(memory_term_stats.c.owner_id, memory_term_stats.c.term,
                   memory_term_stats.c.docs, memory_term_stats.c.total))}


def test_rows_sources_postings_and_statistics(
    store: tuple[Database, UnitOfWorkFactory, int, list[int], list[int]],
) -> None:
    database, uow, eco, (jane, tom, lydia), (e1, e2) = store
    line = "Mary said to Jane: the roses in the garden, the roses!"
    naive = datetime(2026, 1, 2, 9, 30)  # no zone: stored as UTC
    batch = [
        Memory(eco, jane, line, 4.0, T0, T0, source_event_ids=(e1, e2)),
        Memory(eco, tom, line, 2.5, T0 + timedelta(seconds=1), T0, emotional_tone=-0.5,
               source_event_ids=(e1,)),
        Memory(eco, lydia, "Tom thinks about the rain.", 1.0, naive, naive, kind="reflection"),
        Memory(eco, jane, "Jane walks in the rain with her sister.", 3.0, T0, T0),
    ]
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with uow() as work:
        work.memories.add_many(batch)
        work.commit()
    ids = [m.id or 0 for m in batch]
    assert ids == sorted(ids) and len(set(ids)) == 4  # drawn in the order given
    if database.engine.dialect.name == "postgresql":
        assert len(statements) == 1  # rows, sources and postings at once
    with database.engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(memories).where(memories.c.id.in_(ids)))}
        sources = sorted(conn.execute(select(memory_sources.c.memory_id,
                                             memory_sources.c.event_id)).all())
        postings = sorted(tuple(r) for r in conn.execute(select(
            memory_terms.c.memory_id, memory_terms.c.term, memory_terms.c.owner_id,
            memory_terms.c.tf, memory_terms.c.doc_len)))
    for memory in batch:
        row = rows[memory.id]
        assert (row.owner_id, row.text, row.kind, row.importance, row.emotional_tone,
                row.channel_id, row.archived, row.embedding) == (
            memory.owner_id, memory.text, memory.kind, memory.importance,
            memory.emotional_tone, None, False, None)
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        expected = (memory.created_at if memory.created_at.tzinfo
                    else memory.created_at.replace(tzinfo=UTC))
        assert created == expected
    assert sources == sorted([(ids[0], e1), (ids[0], e2), (ids[1], e1)])
    # Stored exactly as SQLAlchemy stores them (SQLite keeps datetimes as text).
    with database.engine.begin() as conn:
        other = conn.execute(memories.insert().values(
            ecosystem_id=eco, owner_id=lydia, text="x", importance=1.0, archived=False,
            created_at=naive, last_accessed_at=T0).returning(memories.c.id)).scalar_one()
        raw = {r[0]: r[1:] for r in conn.exec_driver_sql(
            "SELECT id, created_at, last_accessed_at, archived FROM memories")}
    assert raw[ids[2]][0] == raw[other][0] and raw[ids[0]][1] == raw[other][1]
    assert raw[ids[0]][2] == raw[other][2]
    reference, lengths = term_rows([(m.id or 0, m.owner_id, m.text) for m in batch])
    assert postings == sorted((r["memory_id"], r["term"], r["owner_id"], r["tf"], r["doc_len"])
                              for r in reference)
    assert {i: rows[i].lexical_len for i in ids} == lengths
    counted: Counter[tuple[int, str]] = Counter()
    totals: Counter[tuple[int, str]] = Counter()
    for r in reference:
        key = (int(r["owner_id"]), str(r["term"]))  # type: ignore[call-overload]
        counted[key] += 1
        totals[key] += int(r["tf"])  # type: ignore[call-overload]
    assert _stats(database) == {k: (counted[k], totals[k]) for k in counted}


def test_a_batch_with_an_embedding_is_stored_the_same(
    store: tuple[Database, UnitOfWorkFactory, int, list[int], list[int]],
) -> None:
    database, uow, eco, (jane, tom, _), (e1, _) = store
    vector = [0.0] * 384
    vector[3] = 1.0
    batch = [Memory(eco, jane, "Jane found the letter.", 2.0, T0, T0, embedding=vector,
                    source_event_ids=(e1,)),
             Memory(eco, tom, "Jane found the letter.", 2.0, T0, T0)]
    with uow() as work:
        work.memories.add_many(batch)
        work.commit()
    with database.engine.connect() as conn:
        stored = {r.id: r.embedding for r in conn.execute(select(memories.c.id,
                                                                  memories.c.embedding))}
        sources = conn.execute(select(memory_sources.c.memory_id)).scalars().all()
    assert stored[batch[1].id] is None and stored[batch[0].id] is not None
    assert sources == [batch[0].id]
    assert _stats(database)[(jane, "letter")] == (1, 1)
