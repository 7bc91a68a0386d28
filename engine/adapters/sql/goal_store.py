"""Stored goals (``engine.goals``): those from scenarios and story beats, and card goals once
they are settled."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import goals
from engine.goals import Goal, GoalSource, GoalStatus, Horizon, Satisfier, Strategy

__all__ = ["GoalStore", "has_relevant_goals"]

#: What ``GoalStore.relevant`` reads: active goals, and stored card goals (settled ones too).
_RELEVANT = (goals.c.status == GoalStatus.ACTIVE.value) | (goals.c.source == GoalSource.CARD.value)

_ACTIVE_OF = select(goals).where(
    goals.c.character_id.in_(bindparam("ids", expanding=True)),
    goals.c.status == GoalStatus.ACTIVE.value,
).order_by(goals.c.id)
#: Built once: building a statement costs more than running it, and perceive asks every event.
_RELEVANT_OF = select(goals).where(
    goals.c.character_id.in_(bindparam("ids", expanding=True)), _RELEVANT,
).order_by(goals.c.id)


def has_relevant_goals(character_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether ``GoalStore.relevant`` would find anything for ``character_id`` (a column of
    an enclosing query): the cast query reads it, so that characters without stored goals
    (the usual case) cost no goal query when events are perceived and decided."""
    return exists().where(goals.c.character_id == character_id, _RELEVANT)


class GoalStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, ecosystem_id: int, goal: Goal, now: datetime) -> Goal:
        values = _values(goal)
        values.update(ecosystem_id=ecosystem_id, created_at=goal.created_at or now,
                      updated_at=now)
        result = self.conn.execute(goals.insert().values(**values))
        return _with_id(goal, int(result.inserted_primary_key[0]), now)  # type: ignore[index]

    def save(self, ecosystem_id: int, goal: Goal, now: datetime) -> Goal:
        """Update a stored goal, or store it (a card goal changing status for the first time)."""
        if goal.id is None:
            return self.add(ecosystem_id, goal, now)
        values = _values(goal)
        values["updated_at"] = goal.updated_at or now
        self.conn.execute(update(goals).where(goals.c.id == goal.id).values(**values))
        return goal

    def active_for(self, character_ids: Sequence[int]) -> list[Goal]:
        if not character_ids:
            return []
        return [_goal(r) for r in self.conn.execute(_ACTIVE_OF, {"ids": list(set(character_ids))})]

    def relevant(self, character_ids: Sequence[int]) -> list[Goal]:
        """Active goals of these characters, and their stored card goals (settled ones
        included: a card goal is only stored once its status changed)."""
        if not character_ids:
            return []
        return [_goal(r) for r in self.conn.execute(
            _RELEVANT_OF, {"ids": list(set(character_ids))})]

    def of_character(self, character_id: int, statuses: Iterable[GoalStatus] | None = None
                     ) -> list[Goal]:
        stmt = select(goals).where(goals.c.character_id == character_id)
        if statuses is not None:
            stmt = stmt.where(goals.c.status.in_([s.value for s in statuses]))
        return [_goal(r) for r in self.conn.execute(stmt.order_by(goals.c.id))]

    def from_source(self, ecosystem_id: int, source_ref: str, active_only: bool = True
                    ) -> list[Goal]:
        stmt = select(goals).where(goals.c.ecosystem_id == ecosystem_id,
                                   goals.c.source_ref == source_ref)
        if active_only:
            stmt = stmt.where(goals.c.status == GoalStatus.ACTIVE.value)
        return [_goal(r) for r in self.conn.execute(stmt.order_by(goals.c.id))]

    def achieved_since(self, ecosystem_id: int, since: datetime) -> list[Goal]:
        stmt = select(goals).where(goals.c.ecosystem_id == ecosystem_id,
                                   goals.c.status == GoalStatus.ACHIEVED.value,
                                   goals.c.updated_at >= since)
        return [_goal(r) for r in self.conn.execute(stmt.order_by(goals.c.id))]

    def set_priority(self, ecosystem_id: int, source_ref: str, priority: float) -> int:
        return self.conn.execute(
            update(goals).where(goals.c.ecosystem_id == ecosystem_id,
                                goals.c.source_ref == source_ref,
                                goals.c.status == GoalStatus.ACTIVE.value)
            .values(priority=priority)).rowcount


def _values(goal: Goal) -> dict[str, Any]:
    return {
        "character_id": goal.character_id, "text": goal.text, "horizon": goal.horizon.value,
        "source": goal.source.value, "source_ref": goal.source_ref[:64],
        "strategy": goal.strategy.value, "target_ids": [int(t) for t in goal.target_ids],
        "satisfier": goal.satisfier.as_dict() if goal.satisfier else None,
        "status": goal.status.value, "priority": goal.priority, "progress": goal.progress,
        "reason": goal.reason, "expires_at": goal.expires_at,
    }


def _with_id(goal: Goal, goal_id: int, now: datetime) -> Goal:
    from dataclasses import replace

    return replace(goal, id=goal_id, created_at=goal.created_at or now, updated_at=now)


def _goal(r: Any) -> Goal:
    return Goal(
        character_id=r.character_id, text=r.text, horizon=Horizon(r.horizon),
        source=GoalSource(r.source), source_ref=r.source_ref, strategy=Strategy(r.strategy),
        target_ids=tuple(r.target_ids or ()),
        satisfier=Satisfier.from_dict(r.satisfier) if r.satisfier else None,
        status=GoalStatus(r.status), priority=r.priority, progress=r.progress,
        created_at=r.created_at, updated_at=r.updated_at, expires_at=r.expires_at,
        reason=r.reason, id=r.id,
    )
