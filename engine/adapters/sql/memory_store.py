"""Stored episodic memories and the events they came from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import memories, memory_sources
from engine.memory import Memory

__all__ = ["MemoryStore"]

# One statement for a whole batch of witnesses (SQLAlchemy "insertmanyvalues"). On PostgreSQL
# ``sort_by_parameter_order`` returns the ids in the order of the rows, still in one statement.
# On SQLite that option falls back to one statement per row; instead, the ids are sorted:
# SQLite gives each row of an INSERT the next larger rowid, in VALUES order, and this
# transaction holds the database's write lock, but RETURNING's row order is not promised.
_INSERT_ORDERED = memories.insert().returning(memories.c.id, sort_by_parameter_order=True)
_INSERT_BATCH = memories.insert().returning(memories.c.id)


class MemoryStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_many(self, items: Sequence[Memory]) -> None:
        """Insert memories (one executemany returning their ids, one for all their sources)."""
        if not items:
            return
        rows = [
            {
                "ecosystem_id": m.ecosystem_id, "owner_id": m.owner_id,
                "channel_id": m.channel_id, "kind": m.kind, "text": m.text,
                "embedding": m.embedding, "importance": m.importance,
                "emotional_tone": m.emotional_tone, "archived": False,
                "created_at": m.created_at, "last_accessed_at": m.last_accessed_at,
            }
            for m in items
        ]
        if self.conn.dialect.name == "sqlite":
            ids = sorted(self.conn.execute(_INSERT_BATCH, rows).scalars().all())
        else:
            ids = list(self.conn.execute(_INSERT_ORDERED, rows).scalars().all())
        sources: list[dict[str, int]] = []
        for memory, memory_id in zip(items, ids, strict=True):
            memory.id = int(memory_id)
            sources.extend({"memory_id": memory.id, "event_id": e} for e in memory.source_event_ids)
        if sources:
            self.conn.execute(memory_sources.insert(), sources)

    def recent_for(self, owner_id: int, limit: int) -> list[Memory]:
        rows = self.conn.execute(
            select(memories)
            .where(memories.c.owner_id == owner_id, memories.c.archived.is_(False))
            .order_by(memories.c.id.desc())
            .limit(limit)
        )
        return [_memory(r) for r in rows]

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
        if memory_ids:
            self.conn.execute(
                update(memories).where(memories.c.id.in_(list(memory_ids)))
                .values(last_accessed_at=when)
            )

    def sources_of(self, memory_id: int) -> list[int]:
        rows = self.conn.execute(
            select(memory_sources.c.event_id).where(memory_sources.c.memory_id == memory_id)
        )
        return [r.event_id for r in rows]


def _memory(row: Any) -> Memory:
    return Memory(
        id=row.id, ecosystem_id=row.ecosystem_id, owner_id=row.owner_id,
        channel_id=row.channel_id, kind=row.kind, text=row.text, embedding=row.embedding,
        importance=row.importance, emotional_tone=row.emotional_tone,
        created_at=row.created_at, last_accessed_at=row.last_accessed_at,
    )
