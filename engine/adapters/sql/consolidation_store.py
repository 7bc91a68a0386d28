"""Stored consolidation: reflections and knowledge with their citations, consolidation marks,
memory summaries and fading.

New memories (reflections, knowledge) are inserted by ``MemoryStore.add_many``, so every index
it maintains covers them; this store adds what is particular to consolidation: citations
(``memory_citations``), knowledge subjects (``memories.subject_id``), each character's mark
(``characters.consolidated_through``/``consolidated_at``) and summary, and the reads that
consolidation and erasure need.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import (
    characters,
    events,
    memories,
    memory_citations,
    memory_sources,
)
from engine.consolidation import (
    Witnessed,
)
from engine.knowledge_merge import (
    Known,
)
from engine.memory import Memory
from engine.messages import ParticipantKind

__all__ = ["ConsolidationStore"]

#: Ids per ``IN (...)`` (well under SQLite's bound-parameter limit).
_IN_CHUNK = 500
#: Every column but the embedding (consolidation never needs the vectors).
_COLUMNS = tuple(c for c in memories.c if c.name != "embedding")


def _memory(row: Any) -> Memory:
    return Memory(
        id=int(row.id), ecosystem_id=row.ecosystem_id, owner_id=row.owner_id,
        channel_id=row.channel_id, kind=row.kind, text=row.text,
        importance=float(row.importance), emotional_tone=float(row.emotional_tone),
        created_at=row.created_at, last_accessed_at=row.last_accessed_at,
    )


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    unique = sorted(set(ids))
    return [unique[i : i + _IN_CHUNK] for i in range(0, len(unique), _IN_CHUNK)]


class ConsolidationStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- marks --------------------------------------------------------------------------------

    def consolidated_through(self, owner_id: int) -> int:
        """The newest observation id the character's last consolidation considered (0: none)."""
        value = self.conn.execute(
            select(characters.c.consolidated_through).where(characters.c.id == owner_id)
        ).scalar_one_or_none()
        return int(value or 0)

    def advance(self, owner_id: int, expected: int, through: int, when: datetime) -> bool:
        """Move the character's mark from ``expected`` to ``through`` (consolidated at ``when``).

        Returns False, changing nothing, if the mark is no longer ``expected``: another
        consolidation of the same character finished meanwhile.
        """
        result = self.conn.execute(
            update(characters)
            .where(characters.c.id == owner_id, characters.c.consolidated_through == expected)
            .values(consolidated_through=through, consolidated_at=when)
        )
        return result.rowcount == 1

    def due_owners(self, ecosystem_id: int, threshold: float) -> list[int]:
        """Characters of the ecosystem whose live observations since their mark sum to at least
        ``threshold`` importance."""
        stmt = (
            select(characters.c.id)
            .join(memories, memories.c.owner_id == characters.c.id)
            .where(characters.c.ecosystem_id == ecosystem_id,
                   memories.c.id > characters.c.consolidated_through,
                   memories.c.kind == "observation", memories.c.archived.is_(False))
            .group_by(characters.c.id)
            .having(func.sum(memories.c.importance) >= threshold)
            .order_by(characters.c.id)
        )
        return [int(i) for i in self.conn.execute(stmt).scalars()]

    # -- reading memories with their sources --------------------------------------------------

    def observations_since(self, owner_id: int, after_id: int) -> list[Witnessed]:
        """The character's live observations with an id above ``after_id``, oldest first, each
        with its source event's speaker, act and target."""
        rows = self.conn.execute(
            select(*_COLUMNS).where(
                memories.c.owner_id == owner_id, memories.c.id > after_id,
                memories.c.kind == "observation", memories.c.archived.is_(False))
            .order_by(memories.c.id)
        ).all()
        return self.witnessed([_memory(r) for r in rows])

    def memories(self, ids: Sequence[int]) -> list[Memory]:
        """These memories (archived or not), in id order; missing ids are skipped."""
        found: list[Memory] = []
        for chunk in _chunks(ids):
            rows = self.conn.execute(
                select(*_COLUMNS).where(memories.c.id.in_(chunk)).order_by(memories.c.id))
            found.extend(_memory(r) for r in rows)
        return found

    def witnessed(self, items: Sequence[Memory]) -> list[Witnessed]:
        """Each memory with what its (first) source event says: speaker, act, target.

        Memories without a source event (reflections, knowledge) come back without a speaker.
        """
        info: dict[int, Any] = {}
        ids = [m.id for m in items if m.id is not None]
        for chunk in _chunks(ids):
            rows = self.conn.execute(
                select(memory_sources.c.memory_id, events.c.id.label("event_id"),
                       events.c.author_id, events.c.author_kind, events.c.author_name,
                       events.c.act, events.c.target_id)
                .join(events, events.c.id == memory_sources.c.event_id)
                .where(memory_sources.c.memory_id.in_(chunk))
                .order_by(memory_sources.c.memory_id, events.c.id)
            )
            for r in rows:
                info.setdefault(int(r.memory_id), r)
        out = []
        for m in items:
            source = info.get(m.id or 0)
            if source is None:
                out.append(Witnessed(m))
                continue
            out.append(Witnessed(
                m, speaker_id=source.author_id, speaker_name=source.author_name or "",
                speaker_is_human=source.author_kind == ParticipantKind.HUMAN.value,
                act=source.act, target_id=source.target_id))
        return out

    # -- citations ----------------------------------------------------------------------------

    def cite(self, memory_id: int, cited_ids: Sequence[int]) -> None:
        """Record that ``memory_id`` was drawn from ``cited_ids`` (already recorded ones and
        memories that no longer exist are skipped)."""
        wanted = set(cited_ids) - {memory_id}
        if not wanted:
            return
        present = {int(i) for chunk in _chunks(list(wanted)) for i in self.conn.execute(
            select(memories.c.id).where(memories.c.id.in_(chunk))).scalars()}
        already = set(self.citations_of([memory_id]).get(memory_id, ()))
        rows = [{"memory_id": memory_id, "cited_id": c} for c in sorted(present - already)]
        if rows:
            self.conn.execute(memory_citations.insert(), rows)

    def citations_of(self, memory_ids: Sequence[int]) -> dict[int, tuple[int, ...]]:
        """The memories each of ``memory_ids`` cites (ids in ascending order)."""
        cited: dict[int, list[int]] = {}
        for chunk in _chunks(memory_ids):
            rows = self.conn.execute(
                select(memory_citations.c.memory_id, memory_citations.c.cited_id)
                .where(memory_citations.c.memory_id.in_(chunk))
                .order_by(memory_citations.c.memory_id, memory_citations.c.cited_id))
            for r in rows:
                cited.setdefault(int(r.memory_id), []).append(int(r.cited_id))
        return {k: tuple(v) for k, v in cited.items()}

    def cited_by_live(self, memory_ids: Sequence[int]) -> set[int]:
        """Which of ``memory_ids`` a live (non-archived) memory cites."""
        out: set[int] = set()
        citing = memories.alias("citing")
        for chunk in _chunks(memory_ids):
            out.update(int(i) for i in self.conn.execute(
                select(memory_citations.c.cited_id).distinct()
                .join(citing, citing.c.id == memory_citations.c.memory_id)
                .where(memory_citations.c.cited_id.in_(chunk), citing.c.archived.is_(False))
            ).scalars())
        return out

    # -- reflections and knowledge ------------------------------------------------------------

    def set_subject(self, memory_ids: Sequence[int], subject_id: int) -> None:
        """Make these (knowledge) memories about participant ``subject_id``."""
        for chunk in _chunks(memory_ids):
            self.conn.execute(update(memories).where(memories.c.id.in_(chunk))
                              .values(subject_id=subject_id))

    def find_reflection(self, owner_id: int, text: str) -> int | None:
        """The character's live reflection saying exactly ``text``, if any."""
        value = self.conn.execute(
            select(memories.c.id).where(
                memories.c.owner_id == owner_id, memories.c.kind == "reflection",
                memories.c.archived.is_(False), memories.c.text == text)
            .order_by(memories.c.id.desc()).limit(1)
        ).scalar_one_or_none()
        return int(value) if value is not None else None

    def knowledge_of(self, owner_id: int) -> list[Known]:
        """The character's live knowledge (about anyone), oldest first, with citations."""
        rows = self.conn.execute(
            select(memories.c.id, memories.c.subject_id, memories.c.text, memories.c.importance)
            .where(memories.c.owner_id == owner_id, memories.c.kind == "knowledge",
                   memories.c.archived.is_(False), memories.c.subject_id.is_not(None))
            .order_by(memories.c.id)
        ).all()
        cited = self.citations_of([int(r.id) for r in rows])
        return [Known(int(r.id), int(r.subject_id), r.text, cited.get(int(r.id), ()),
                      float(r.importance)) for r in rows]

    def set_importance(self, ratings: Mapping[int, float]) -> None:
        """Set memories' importance (a model's ratings); unknown ids are skipped."""
        if ratings:
            self.conn.execute(
                update(memories).where(memories.c.id == bindparam("mid"))
                .values(importance=bindparam("value")),
                [{"mid": k, "value": float(v)} for k, v in ratings.items()],
            )

    # -- summary ------------------------------------------------------------------------------

    def summary_inputs(self, owner_id: int, limit: int = 20) -> tuple[list[str], list[str]]:
        """The texts a summary is composed from: the character's live reflections and its
        knowledge, each most important first (then newest), at most ``limit`` of each."""

        def texts(kind: str) -> list[str]:
            return [str(t) for t in self.conn.execute(
                select(memories.c.text).where(
                    memories.c.owner_id == owner_id, memories.c.kind == kind,
                    memories.c.archived.is_(False))
                .order_by(memories.c.importance.desc(), memories.c.id.desc()).limit(limit)
            ).scalars()]

        return texts("reflection"), texts("knowledge")

    def summary(self, owner_id: int) -> str:
        """The character's memory summary ("" before its first consolidation)."""
        value = self.conn.execute(
            select(characters.c.memory_summary).where(characters.c.id == owner_id)
        ).scalar_one_or_none()
        return str(value or "")

    def set_summary(self, owner_id: int, text: str) -> None:
        """Replace the character's memory summary."""
        self.conn.execute(update(characters).where(characters.c.id == owner_id)
                          .values(memory_summary=text))

    # -- fading -------------------------------------------------------------------------------

    def fading_candidates(
        self, owner_id: int, cutoff: datetime, below: float, kinds: Sequence[str]
    ) -> list[Memory]:
        """The character's live memories of ``kinds`` below ``below`` importance, made and last
        recalled before ``cutoff`` (whether a live memory cites them is checked apart)."""
        rows = self.conn.execute(
            select(*_COLUMNS).where(
                memories.c.owner_id == owner_id, memories.c.archived.is_(False),
                memories.c.kind.in_(list(kinds)), memories.c.importance < below,
                memories.c.created_at <= cutoff, memories.c.last_accessed_at <= cutoff)
            .order_by(memories.c.id)
        ).all()
        return [_memory(r) for r in rows]
