"""Read-only queries behind the memory browser: what a character remembers, and why.

Everything here reads one owner's memories (a character never sees another's):

* ``search`` — filtered, ordered, paginated memories: text terms (case-insensitive substrings,
  every term must occur), kinds, channel, knowledge subject, time range, archived or not;
  ``count`` gives the total for the same filters.
* ``get`` / ``rows_by_id`` — memories by id (still only the owner's).
* ``citations`` / ``cited_by`` — the consolidation view: which memories a reflection or a piece
  of knowledge was drawn from (``memory_citations``), and which reflections cite a memory.
* ``associations`` — for each participant the owner's memories are about or with (the author
  or target of the source event, the subject of a piece of knowledge): how many memories, their
  average emotional tone, and the most positive and most negative one.
* ``counts`` / ``state`` — memories per kind (active and archived), how many are still
  unembedded, the first and last, the character's memory summary and consolidation marks.

Case-insensitive matching: PostgreSQL compares ``lower()`` of both sides (Unicode-aware in a
UTF-8 database); SQLite's own ``lower()`` folds ASCII only, so on SQLite the text is folded by
Python's ``str.casefold``, registered on the connection as ``personae_casefold``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    and_,
    case,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import (
    channels,
    characters,
    events,
    memories,
    memory_citations,
    memory_sources,
    participants,
)

__all__ = [
    "MemoryBrowserStore",
    "MemoryFilter",
    "MemoryRow",
    "AssociationRow",
    "MemoryCounts",
    "MemoryState",
    "Order",
    "ORDERS",
]

#: How a page of memories is ordered (ties always go to the newer memory).
Order = Literal["newest", "oldest", "importance"]
ORDERS: tuple[str, ...] = ("newest", "oldest", "importance")

_ORDER_BY: dict[str, tuple[Any, ...]] = {
    "newest": (memories.c.created_at.desc(), memories.c.id.desc()),
    "oldest": (memories.c.created_at.asc(), memories.c.id.asc()),
    "importance": (memories.c.importance.desc(), memories.c.created_at.desc(),
                   memories.c.id.desc()),
}
#: Ids per ``IN (...)`` (well under SQLite's bound-parameter limit).
_IN_CHUNK = 500
_SQLITE_FOLD = "personae_casefold"

_subject = participants.alias("subject")
_ROW_COLUMNS = (
    memories.c.id, memories.c.owner_id, memories.c.kind, memories.c.text,
    memories.c.importance, memories.c.emotional_tone, memories.c.archived,
    memories.c.created_at, memories.c.last_accessed_at, memories.c.channel_id,
    memories.c.subject_id, channels.c.name.label("channel_name"),
    _subject.c.name.label("subject_name"),
    memories.c.embedding.is_not(None).label("embedded"),
)


@dataclass(frozen=True)
class MemoryRow:
    """One memory as the browser shows it (no vector; names resolved)."""

    id: int
    owner_id: int
    kind: str
    text: str
    importance: float
    emotional_tone: float
    archived: bool
    created_at: datetime
    last_accessed_at: datetime
    channel_id: int | None = None
    channel: str | None = None
    subject_id: int | None = None
    subject: str | None = None
    embedded: bool = False


@dataclass(frozen=True)
class MemoryFilter:
    """Which of one owner's memories to read.

    Attributes:
        owner_id: The character whose memories are read.
        terms: Every term must occur in the text (case-insensitive substring).
        kinds: Only these kinds ("observation", "reflection", "knowledge"); empty = all.
        channel_id: Only memories of this channel.
        subject_id: Only knowledge about this participant.
        since: Created at or after this time.
        until: Created strictly before this time.
        include_archived: Faded memories too (hidden by default).
    """

    owner_id: int
    terms: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    channel_id: int | None = None
    subject_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    include_archived: bool = False


@dataclass(frozen=True)
class AssociationRow:
    """How the owner's memories about or with one participant feel."""

    participant_id: int
    name: str
    participant_kind: str
    memories: int
    mean_tone: float
    most_positive_id: int | None = None
    most_negative_id: int | None = None


@dataclass(frozen=True)
class MemoryCounts:
    """How many memories of each kind the owner keeps (active and archived)."""

    active: dict[str, int] = field(default_factory=dict)
    archived: dict[str, int] = field(default_factory=dict)
    unembedded: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.active.values()) + sum(self.archived.values())


@dataclass(frozen=True)
class MemoryState:
    """The character's own memory columns: its summary and how far consolidation has read."""

    memory_summary: str
    consolidated_through: int
    consolidated_at: datetime | None


class MemoryBrowserStore:
    """Read-only queries over one owner's memories (bound to a unit of work's connection)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- pages of memories ------------------------------------------------------------------

    def search(
        self, where: MemoryFilter, *, order: Order = "newest", limit: int = 20, offset: int = 0
    ) -> list[MemoryRow]:
        """One page of the memories matching ``where``, in ``order``."""
        if limit <= 0:
            return []
        stmt = (
            self._select_rows().where(*self._clauses(where))
            .order_by(*_ORDER_BY[order]).limit(limit).offset(max(0, offset))
        )
        return [_row(r) for r in self.conn.execute(stmt)]

    def count(self, where: MemoryFilter) -> int:
        """How many memories match ``where`` (the total behind ``search``'s pages)."""
        stmt = select(func.count()).select_from(memories).where(*self._clauses(where))
        return int(self.conn.execute(stmt).scalar_one())

    def get(self, owner_id: int, memory_id: int) -> MemoryRow | None:
        """One of the owner's memories (archived or not); None if it is not theirs."""
        return self.rows_by_id(owner_id, [memory_id]).get(memory_id)

    def rows_by_id(self, owner_id: int, ids: Sequence[int]) -> dict[int, MemoryRow]:
        """The owner's memories among ``ids`` (others' are left out), by id."""
        found: dict[int, MemoryRow] = {}
        unique = sorted(set(ids))
        for start in range(0, len(unique), _IN_CHUNK):
            chunk = unique[start : start + _IN_CHUNK]
            stmt = self._select_rows().where(
                memories.c.owner_id == owner_id, memories.c.id.in_(chunk)
            )
            found.update((r.id, _row(r)) for r in self.conn.execute(stmt))
        return found

    # -- the consolidation view -------------------------------------------------------------

    def citations(self, memory_ids: Sequence[int]) -> dict[int, list[MemoryRow]]:
        """For each reflection/knowledge id, the memories it cites (oldest first).

        Cited memories are returned archived or not: a reflection may outlive its sources'
        fading. Ids that cite nothing map to an empty list.
        """
        cited: dict[int, list[MemoryRow]] = {int(i): [] for i in memory_ids}
        unique = sorted(cited)
        for start in range(0, len(unique), _IN_CHUNK):
            chunk = unique[start : start + _IN_CHUNK]
            stmt = (
                self._select_rows(memory_citations.c.memory_id.label("citing_id"))
                .join_from(memories, memory_citations,
                           memory_citations.c.cited_id == memories.c.id)
                .where(memory_citations.c.memory_id.in_(chunk))
                .order_by(memories.c.created_at, memories.c.id)
            )
            for r in self.conn.execute(stmt):
                cited[int(r.citing_id)].append(_row(r))
        return cited

    def cited_by(self, memory_id: int, *, include_archived: bool = True) -> list[MemoryRow]:
        """The reflections and knowledge that cite ``memory_id``, newest first."""
        stmt = (
            self._select_rows()
            .join_from(memories, memory_citations, memory_citations.c.memory_id == memories.c.id)
            .where(memory_citations.c.cited_id == memory_id)
            .order_by(*_ORDER_BY["newest"])
        )
        if not include_archived:
            stmt = stmt.where(memories.c.archived.is_(False))
        return [_row(r) for r in self.conn.execute(stmt)]

    def citation_counts(self, memory_ids: Sequence[int]) -> dict[int, int]:
        """How many reflections/knowledge cite each of ``memory_ids`` (absent: none)."""
        counts: dict[int, int] = {}
        unique = sorted(set(memory_ids))
        for start in range(0, len(unique), _IN_CHUNK):
            chunk = unique[start : start + _IN_CHUNK]
            stmt = (
                select(memory_citations.c.cited_id, func.count())
                .where(memory_citations.c.cited_id.in_(chunk))
                .group_by(memory_citations.c.cited_id)
            )
            counts.update((int(i), int(n)) for i, n in self.conn.execute(stmt))
        return counts

    # -- emotional associations -------------------------------------------------------------

    def associations(
        self, owner_id: int, *, include_archived: bool = False, limit: int = 20
    ) -> list[AssociationRow]:
        """Per participant the owner's memories are about or with, the most memories first.

        A memory is about or with a participant when that participant wrote or was the target
        of one of its source events, or when it is knowledge about them. The owner itself is
        left out. Ties in count go to the stronger average feeling, then the name.
        """
        pairs = self._pairs(owner_id, include_archived)
        stats = (
            select(
                pairs.c.participant_id, participants.c.name, participants.c.kind,
                func.count().label("n"), func.avg(memories.c.emotional_tone).label("tone"),
            )
            .select_from(
                pairs.join(memories, memories.c.id == pairs.c.memory_id)
                .join(participants, participants.c.id == pairs.c.participant_id)
            )
            .group_by(pairs.c.participant_id, participants.c.name, participants.c.kind)
        )
        rows = sorted(
            self.conn.execute(stats),
            key=lambda r: (-int(r.n), -abs(float(r.tone or 0.0)), r.name, r.participant_id),
        )[: max(0, limit)]
        extremes = self._extremes(pairs, [int(r.participant_id) for r in rows])
        return [
            AssociationRow(
                participant_id=int(r.participant_id), name=r.name, participant_kind=r.kind,
                memories=int(r.n), mean_tone=float(r.tone or 0.0),
                most_positive_id=extremes.get(int(r.participant_id), (None, None))[0],
                most_negative_id=extremes.get(int(r.participant_id), (None, None))[1],
            )
            for r in rows
        ]

    def _pairs(self, owner_id: int, include_archived: bool) -> Any:
        """(memory_id, participant_id): who each of the owner's memories is about or with."""
        own = [memories.c.owner_id == owner_id]
        if not include_archived:
            own.append(memories.c.archived.is_(False))
        sourced = (
            memories.join(memory_sources, memory_sources.c.memory_id == memories.c.id)
            .join(events, events.c.id == memory_sources.c.event_id)
        )
        by_author = select(memories.c.id.label("memory_id"),
                           events.c.author_id.label("participant_id")).select_from(sourced)
        by_target = select(memories.c.id.label("memory_id"),
                           events.c.target_id.label("participant_id")).select_from(sourced)
        by_subject = select(memories.c.id.label("memory_id"),
                            memories.c.subject_id.label("participant_id"))
        return union(
            by_author.where(*own, events.c.author_id.is_not(None),
                            events.c.author_id != owner_id),
            by_target.where(*own, events.c.target_id.is_not(None),
                            events.c.target_id != owner_id),
            by_subject.where(*own, memories.c.subject_id.is_not(None),
                             memories.c.subject_id != owner_id),
        ).subquery("pairs")

    def _extremes(
        self, pairs: Any, participant_ids: Sequence[int]
    ) -> dict[int, tuple[int | None, int | None]]:
        """Per participant: the id of the most positive (tone > 0) and most negative (< 0)."""
        if not participant_ids:
            return {}
        tone = memories.c.emotional_tone
        ranked = (
            select(
                pairs.c.participant_id, memories.c.id, tone,
                func.row_number().over(partition_by=pairs.c.participant_id,
                                       order_by=(tone.desc(), memories.c.id.desc()))
                .label("up"),
                func.row_number().over(partition_by=pairs.c.participant_id,
                                       order_by=(tone.asc(), memories.c.id.desc()))
                .label("down"),
            )
            .select_from(pairs.join(memories, memories.c.id == pairs.c.memory_id))
            .where(pairs.c.participant_id.in_(list(participant_ids)))
            .subquery()
        )
        stmt = select(ranked).where(or_(ranked.c.up == 1, ranked.c.down == 1))
        best: dict[int, tuple[int | None, int | None]] = {}
        for r in self.conn.execute(stmt):
            positive, negative = best.get(int(r.participant_id), (None, None))
            if r.up == 1 and r.emotional_tone > 0:
                positive = int(r.id)
            if r.down == 1 and r.emotional_tone < 0:
                negative = int(r.id)
            best[int(r.participant_id)] = (positive, negative)
        return best

    # -- counts and the character's memory state ----------------------------------------------

    def counts(self, owner_id: int) -> MemoryCounts:
        """Memories per kind (active/archived), unembedded ones, and the first and last."""
        active: dict[str, int] = {}
        archived: dict[str, int] = {}
        stmt = (
            select(memories.c.kind, memories.c.archived, func.count())
            .where(memories.c.owner_id == owner_id)
            .group_by(memories.c.kind, memories.c.archived)
        )
        for kind, is_archived, n in self.conn.execute(stmt):
            bucket = archived if is_archived else active
            bucket[kind] = bucket.get(kind, 0) + int(n)
        summary = self.conn.execute(
            select(
                func.sum(case((memories.c.embedding.is_(None), 1), else_=0)),
                func.min(memories.c.created_at), func.max(memories.c.created_at),
            ).where(memories.c.owner_id == owner_id)
        ).one()
        return MemoryCounts(active=active, archived=archived, unembedded=int(summary[0] or 0),
                            first_at=summary[1], last_at=summary[2])

    def state(self, owner_id: int) -> MemoryState | None:
        """The character's memory summary and consolidation marks (None: no such character)."""
        row = self.conn.execute(
            select(characters.c.memory_summary, characters.c.consolidated_through,
                   characters.c.consolidated_at).where(characters.c.id == owner_id)
        ).first()
        if row is None:
            return None
        return MemoryState(row.memory_summary or "", int(row.consolidated_through or 0),
                           row.consolidated_at)

    # -- building blocks ----------------------------------------------------------------------

    def _select_rows(self, *extra: Any) -> Select[Any]:
        return select(*_ROW_COLUMNS, *extra).select_from(
            memories.outerjoin(channels, channels.c.id == memories.c.channel_id)
            .outerjoin(_subject, _subject.c.id == memories.c.subject_id)
        )

    def _clauses(self, where: MemoryFilter) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [memories.c.owner_id == where.owner_id]
        if not where.include_archived:
            clauses.append(memories.c.archived.is_(False))
        if where.kinds:
            clauses.append(memories.c.kind.in_(list(where.kinds)))
        if where.channel_id is not None:
            clauses.append(memories.c.channel_id == where.channel_id)
        if where.subject_id is not None:
            clauses.append(memories.c.subject_id == where.subject_id)
        if where.since is not None:
            clauses.append(memories.c.created_at >= where.since)
        if where.until is not None:
            clauses.append(memories.c.created_at < where.until)
        terms = [t for t in where.terms if t.strip()]
        if terms:
            clauses.append(and_(*(self._contains(t) for t in terms)))
        return clauses

    def _contains(self, term: str) -> ColumnElement[bool]:
        """``term`` occurs in the text, ignoring case (``%`` and ``_`` match themselves)."""
        if self.conn.dialect.name == "sqlite":
            self._register_fold()
            folded = getattr(func, _SQLITE_FOLD)(memories.c.text, type_=Text)
            return folded.contains(term.casefold(), autoescape=True)
        return func.lower(memories.c.text).contains(term.lower(), autoescape=True)

    def _register_fold(self) -> None:
        """Make ``personae_casefold`` available on this SQLite connection.

        Registering again replaces the same function: cheap, and it needs no bookkeeping
        about which pooled connection already has it.
        """
        raw = self.conn.connection.driver_connection
        if raw is not None:
            raw.create_function(_SQLITE_FOLD, 1, _casefold, deterministic=True)


def _casefold(value: str | None) -> str | None:
    return value.casefold() if value is not None else None


def _row(r: Any) -> MemoryRow:
    return MemoryRow(
        id=int(r.id), owner_id=int(r.owner_id), kind=r.kind, text=r.text,
        importance=float(r.importance), emotional_tone=float(r.emotional_tone),
        archived=bool(r.archived), created_at=r.created_at, last_accessed_at=r.last_accessed_at,
        channel_id=r.channel_id, channel=r.channel_name, subject_id=r.subject_id,
        subject=r.subject_name, embedded=bool(r.embedded),
    )
