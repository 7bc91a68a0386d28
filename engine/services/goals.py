"""Goals in the loop: what each character pursues when deciding, and goals settled as events
are perceived (the rules are in ``engine.goals``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from engine.adapters.sql.uow import UnitOfWork
from engine.cast import CastMember
from engine.goals import (
    Drive,
    Goal,
    GoalChange,
    GoalSource,
    Observed,
    adopt,
    card_goals,
    combine,
    drive,
    observe,
)
from engine.messages import Event

__all__ = ["names_of", "goals_of", "drives_of", "track_goals", "add_goal", "apply_changes"]


def names_of(cast: Sequence[CastMember]) -> dict[int, tuple[str, ...]]:
    return {m.id: (m.name, *m.aliases) for m in cast}


def goals_of(uow: UnitOfWork, cast: Sequence[CastMember],
             names: Mapping[int, Sequence[str]] | None = None) -> dict[int, list[Goal]]:
    """Every present character's goals: stored ones, and its card's (minus settled ones).

    Stored goals are read only for those the cast query found some for
    (``CastMember.has_goals``): usually nobody, and then no query at all."""
    names = names if names is not None else names_of(cast)
    stored = uow.goals.relevant([m.id for m in cast if m.has_goals])
    out: dict[int, list[Goal]] = {}
    for member in cast:
        mine = [g for g in stored if g.character_id == member.id]
        profile = member.profile
        from_card = card_goals(member.id, profile.values if profile else (),
                               profile.goals if profile else (), names, mine)
        out[member.id] = combine(from_card, [g for g in mine if g.active])
    return out


def drives_of(uow: UnitOfWork, cast: Sequence[CastMember],
              names: Mapping[int, Sequence[str]] | None = None) -> dict[int, Drive]:
    """What each present character's goals push it toward, among those present."""
    present = [m.id for m in cast]
    extra = dict(names or {})
    return {cid: drive(goals, [*present, *extra])
            for cid, goals in goals_of(uow, cast, {**names_of(cast), **extra}).items()}


def apply_changes(uow: UnitOfWork, ecosystem_id: int, changes: Sequence[GoalChange],
                  now: datetime) -> list[GoalChange]:
    for change in changes:
        uow.goals.save(ecosystem_id, change.goal, now)
    return list(changes)


def track_goals(uow: UnitOfWork, event: Event, cast: Sequence[CastMember],
                now: datetime) -> list[GoalChange]:
    """Settle the goals this event's act touches (its author's and its targets')."""
    if event.act is None or event.author_id is None:
        return []
    targets = tuple(dict.fromkeys(
        [*event.addressed_ids, *([event.target_id] if event.target_id else [])]))
    involved = [m for m in cast if m.id == event.author_id or m.id in targets]
    if not involved:
        return []
    goals = [g for gs in goals_of(uow, involved, names_of(cast)).values() for g in gs]
    changes = observe(goals, Observed(event.author_id, event.act, targets), now)
    return apply_changes(uow, event.ecosystem_id, changes, now)


def add_goal(uow: UnitOfWork, ecosystem_id: int, goal: Goal, now: datetime) -> Goal:
    """Store a new goal (from a scenario or a story beat), settling those it replaces."""
    assert goal.source is not GoalSource.CARD
    apply_changes(uow, ecosystem_id, adopt(uow.goals.active_for([goal.character_id]), goal, now),
                  now)
    return uow.goals.add(ecosystem_id, goal, now)
