"""Stored story threads and their timelines (``engine.stories``), and the event reads story
recognition and export need (a window of recent acts, events by id)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.event_log import _event as _row_event
from engine.adapters.sql.tables import (
    events,
    relationship_changes,
    story_thread_events,
    story_threads,
)
from engine.messages import Event, EventKind
from engine.stories.model import (
    Genre,
    KeyEvent,
    Prediction,
    SeedType,
    Stage,
    StoryThread,
)
from engine.stories.seeds import Betrayal

__all__ = ["StoryStore"]

_IN_CHUNK = 500
_TIMELINE = (
    select(story_thread_events)
    .where(story_thread_events.c.thread_id.in_(bindparam("ids", expanding=True)))
    .order_by(story_thread_events.c.at, story_thread_events.c.event_id)
)


class StoryStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- threads -------------------------------------------------------------------------------
    def save(self, thread: StoryThread) -> int:
        """Insert or update ``thread`` (its ``id`` is set on insert); timeline entries not yet
        stored are added (a stored entry keeps its first summary)."""
        values = {
            "ecosystem_id": thread.ecosystem_id,
            "channel_id": thread.channel_id,
            "title": thread.title[:200],
            "seed_type": thread.seed_type.value,
            "genre": thread.genre.value,
            "stage": thread.stage.value,
            "tension": float(thread.tension),
            "participants": [int(p) for p in thread.participants],
            "predictions": [{"text": p.text, "participant_id": p.participant_id, "goal": p.goal}
                            for p in thread.predictions],
            "state": dict(thread.state),
            "scenario_id": thread.scenario_id,
            "created_at": thread.created_at,
            "updated_at": thread.updated_at,
            "resolved_at": thread.resolved_at,
        }
        if thread.id is None:
            result = self.conn.execute(story_threads.insert().values(**values))
            thread.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        else:
            self.conn.execute(update(story_threads)
                              .where(story_threads.c.id == thread.id).values(**values))
        self.add_key_events(thread.id, thread.key_events)
        return thread.id

    def add_key_events(self, thread_id: int, entries: Iterable[KeyEvent]) -> int:
        """Add timeline entries not yet stored; returns how many were added."""
        entries = list(entries)
        if not entries:
            return 0
        have = set(self.conn.execute(
            select(story_thread_events.c.event_id)
            .where(story_thread_events.c.thread_id == thread_id)).scalars())
        # Only events that still exist (one may have been erased since it was seen).
        wanted = {e.event_id for e in entries} - have
        alive: set[int] = set()
        for chunk in _chunks(wanted):
            alive.update(self.conn.execute(
                select(events.c.id).where(events.c.id.in_(chunk))).scalars())
        rows: list[dict[str, object]] = []
        for e in entries:
            if e.event_id in alive:
                alive.discard(e.event_id)  # once per event
                rows.append({"thread_id": thread_id, "event_id": e.event_id,
                             "role": e.role[:24], "summary": e.summary, "at": e.at})
        if rows:
            self.conn.execute(story_thread_events.insert(), rows)
        return len(rows)

    def get(self, thread_id: int) -> StoryThread | None:
        row = self.conn.execute(
            select(story_threads).where(story_threads.c.id == thread_id)).first()
        if row is None:
            return None
        return self._with_timelines([row])[0]

    def threads(self, ecosystem_id: int, stages: Sequence[Stage] | None = None,
             limit: int = 100) -> list[StoryThread]:
        """Threads of an ecosystem, most recently updated first."""
        stmt = select(story_threads).where(story_threads.c.ecosystem_id == ecosystem_id)
        if stages is not None:
            stmt = stmt.where(story_threads.c.stage.in_([s.value for s in stages]))
        stmt = stmt.order_by(story_threads.c.updated_at.desc(), story_threads.c.id.desc())
        return self._with_timelines(list(self.conn.execute(stmt.limit(limit))))

    def for_scenario(self, scenario_id: int) -> list[StoryThread]:
        rows = self.conn.execute(select(story_threads)
                                 .where(story_threads.c.scenario_id == scenario_id)
                                 .order_by(story_threads.c.id))
        return self._with_timelines(list(rows))

    def delete(self, thread_id: int) -> None:
        self.conn.execute(delete(story_threads).where(story_threads.c.id == thread_id))

    def count(self, ecosystem_id: int) -> int:
        return int(self.conn.execute(
            select(func.count()).select_from(story_threads)
            .where(story_threads.c.ecosystem_id == ecosystem_id)).scalar_one())

    def _with_timelines(self, rows: list[Any]) -> list[StoryThread]:
        threads = [_thread(r) for r in rows]
        by_id = {t.id: t for t in threads}
        for chunk in _chunks(by_id):
            for r in self.conn.execute(_TIMELINE, {"ids": chunk}):
                by_id[r.thread_id].key_events.append(
                    KeyEvent(event_id=r.event_id, at=r.at, summary=r.summary, role=r.role))
        return threads

    # -- events --------------------------------------------------------------------------------
    def recent_events(self, ecosystem_id: int, limit: int = 1000, after_id: int = 0
                      ) -> list[Event]:
        """The last ``limit`` message events of an ecosystem after ``after_id``, oldest first."""
        rows = self.conn.execute(
            select(events)
            .where(events.c.ecosystem_id == ecosystem_id, events.c.id > after_id,
                   events.c.kind == EventKind.MESSAGE.value)
            .order_by(events.c.id.desc()).limit(limit)).all()
        return [_row_event(r) for r in reversed(rows)]

    def channel_events(self, channel_id: int, after_id: int, limit: int = 5000) -> list[Event]:
        """A channel's messages and system events after ``after_id``, oldest first (at most
        ``limit``: the first ones)."""
        rows = self.conn.execute(
            select(events).where(events.c.channel_id == channel_id, events.c.id > after_id)
            .order_by(events.c.id).limit(limit)).all()
        return [_row_event(r) for r in rows]

    def events_by_ids(self, ids: Iterable[int]) -> list[Event]:
        """These events (those that still exist), in order of id."""
        found: list[Event] = []
        for chunk in _chunks(ids):
            found.extend(_row_event(r) for r in self.conn.execute(
                select(events).where(events.c.id.in_(chunk))))
        return sorted(found, key=lambda e: e.id or 0)

    def betrayals(self, ecosystem_id: int, after_event_id: int = 0) -> list[Betrayal]:
        """Recorded betrayals (revealed secrets, allies turned on) caused by events after
        ``after_event_id``: ``source`` of the change is the betrayed."""
        rows = self.conn.execute(
            select(relationship_changes.c.source_id, relationship_changes.c.target_id,
                   relationship_changes.c.event_id, relationship_changes.c.act,
                   relationship_changes.c.created_at)
            .where(relationship_changes.c.ecosystem_id == ecosystem_id,
                   relationship_changes.c.act.in_(("reveal_secret", "betray")),
                   relationship_changes.c.event_id > after_event_id)
            .order_by(relationship_changes.c.id))
        return [Betrayal(betrayer=r.target_id, betrayed=r.source_id, event_id=r.event_id,
                         at=r.created_at, kind=r.act) for r in rows]

    def last_event_id(self, ecosystem_id: int) -> int:
        return int(self.conn.execute(
            select(func.coalesce(func.max(events.c.id), 0))
            .where(events.c.ecosystem_id == ecosystem_id)).scalar_one())


def _chunks(ids: Iterable[int | None]) -> list[list[int]]:
    unique = sorted({int(i) for i in ids if i is not None})
    return [unique[i : i + _IN_CHUNK] for i in range(0, len(unique), _IN_CHUNK)]


def _thread(row: Any) -> StoryThread:
    return StoryThread(
        id=row.id,
        ecosystem_id=row.ecosystem_id,
        channel_id=row.channel_id,
        title=row.title,
        seed_type=SeedType(row.seed_type),
        genre=Genre(row.genre),
        stage=Stage(row.stage),
        tension=float(row.tension),
        participants=tuple(int(p) for p in row.participants or ()),
        predictions=[Prediction(text=str(p.get("text", "")),
                                participant_id=int(p.get("participant_id", 0)),
                                goal=str(p.get("goal", "")))
                     for p in row.predictions or ()],
        state=dict(row.state or {}),
        scenario_id=row.scenario_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        resolved_at=row.resolved_at,
    )

