"""Scenarios: a directed situation for a cast — title, setting, mood, cast briefs, objectives.

Pure values and rules. Lifecycle: ``draft -> running <-> paused -> stopped``; a running
scenario becomes ``completed`` when every primary and hidden objective is complete (subplots
are optional). Objectives are *primary* (the point of the scenario), *subplots* (side
stories) or *hidden* (visible only to directors until complete); each is a condition
(``engine.scenarios.conditions``) checked as events happen, and completes once, for good.

A definition (a bundled file, a template, what a director types) is a JSON object::

    {"title": "...", "slug": "garden-conspiracy", "setting": "...", "mood": "...",
     "cast": [{"name": "Lydia Bennet", "role": "...", "goals": ["tell Elizabeth ..."]}],
     "objectives": [{"id": "truth", "kind": "primary", "text": "...",
                     "condition": "act Lydia confide Elizabeth"}],
     "directions": [{"after_s": 120, "text": "A letter arrives for Jane."}]}

``directions`` are the scenario's own timed events, injected like a director's when their
time since the start has passed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from engine.errors import InvalidInput
from engine.scenarios.conditions import Facts, holds, parse

__all__ = [
    "ObjectiveKind", "ScenarioStatus", "Objective", "CastRole", "Direction", "Scenario",
    "from_definition", "to_definition", "transition", "check_objectives", "visible_objectives",
    "new_share_code", "slugify", "CODE_ALPHABET", "due_directions",
]

#: Share codes: no 0/O/1/I/L, so they can be read aloud and typed back.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class ObjectiveKind(StrEnum):
    PRIMARY = "primary"
    SUBPLOT = "subplot"
    HIDDEN = "hidden"


class ScenarioStatus(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    COMPLETED = "completed"


#: Allowed transitions: action -> (from statuses, to status).
_TRANSITIONS: dict[str, tuple[frozenset[ScenarioStatus], ScenarioStatus]] = {
    "start": (frozenset({ScenarioStatus.DRAFT, ScenarioStatus.STOPPED}), ScenarioStatus.RUNNING),
    "pause": (frozenset({ScenarioStatus.RUNNING}), ScenarioStatus.PAUSED),
    "resume": (frozenset({ScenarioStatus.PAUSED}), ScenarioStatus.RUNNING),
    "stop": (frozenset({ScenarioStatus.RUNNING, ScenarioStatus.PAUSED}), ScenarioStatus.STOPPED),
}


@dataclass(frozen=True)
class Objective:
    id: str
    kind: ObjectiveKind
    text: str
    condition: str
    completed_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.completed_at is not None


@dataclass(frozen=True)
class CastRole:
    """A character's part: its name in the ecosystem, its role, its scenario goals."""

    name: str
    role: str = ""
    goals: tuple[str, ...] = ()


@dataclass(frozen=True)
class Direction:
    """A timed event of the scenario's own (seconds after the start)."""

    after_s: float
    text: str


@dataclass
class Scenario:
    title: str
    slug: str
    setting: str = ""
    mood: str = ""
    cast: list[CastRole] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)
    directions: list[Direction] = field(default_factory=list)
    status: ScenarioStatus = ScenarioStatus.DRAFT
    ecosystem_id: int = 0
    channel_id: int | None = None
    created_by: int | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    #: Runtime bookkeeping (the first event of the run, directions already given, ...).
    data: dict[str, Any] = field(default_factory=dict)
    id: int | None = None

    @property
    def ref(self) -> str:
        """The goals' ``source_ref`` of this scenario."""
        return f"scenario:{self.id}"

    def objective(self, objective_id: str) -> Objective | None:
        return next((o for o in self.objectives if o.id == objective_id), None)


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80] or "scenario"


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"Scenario field {where!r} must be a list of strings.")
    return tuple(v for v in value if v.strip())


def from_definition(data: Mapping[str, Any]) -> Scenario:
    """A scenario from its JSON definition; raises ``InvalidInput`` naming a bad field."""
    if not isinstance(data, Mapping):
        raise InvalidInput("A scenario definition is a JSON object.")
    title = str(data.get("title") or "").strip()
    if not title:
        raise InvalidInput("A scenario needs a title.")
    cast: list[CastRole] = []
    for i, entry in enumerate(data.get("cast") or []):
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, Mapping) or not str(entry.get("name") or "").strip():
            raise InvalidInput(f"Scenario field 'cast[{i}]' needs a name.")
        cast.append(CastRole(str(entry["name"]).strip(), str(entry.get("role") or ""),
                             _strings(entry.get("goals"), f"cast[{i}].goals")))
    objectives: list[Objective] = []
    seen: set[str] = set()
    for i, entry in enumerate(data.get("objectives") or []):
        if not isinstance(entry, Mapping):
            raise InvalidInput(f"Scenario field 'objectives[{i}]' must be an object.")
        oid = str(entry.get("id") or f"o{i + 1}")
        if oid in seen:
            raise InvalidInput(f"Two objectives are called {oid!r}.")
        seen.add(oid)
        try:
            kind = ObjectiveKind(str(entry.get("kind") or "primary"))
        except ValueError:
            raise InvalidInput(f"Scenario field 'objectives[{i}].kind' must be primary, "
                               "subplot or hidden.") from None
        condition = str(entry.get("condition") or "")
        parse(condition)
        completed = entry.get("completed_at")
        objectives.append(Objective(oid, kind, str(entry.get("text") or condition), condition,
                                    datetime.fromisoformat(completed) if completed else None))
    directions = []
    for i, entry in enumerate(data.get("directions") or []):
        try:
            directions.append(Direction(float(entry["after_s"]), str(entry["text"])))
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(f"Scenario field 'directions[{i}]' needs after_s and text.") \
                from None
    return Scenario(title=title, slug=str(data.get("slug") or slugify(title)),
                    setting=str(data.get("setting") or ""), mood=str(data.get("mood") or ""),
                    cast=cast, objectives=objectives, directions=directions)


def to_definition(s: Scenario, *, with_progress: bool = False) -> dict[str, Any]:
    """The JSON definition of a scenario (a template: no ids, no progress unless asked)."""
    return {
        "title": s.title, "slug": s.slug, "setting": s.setting, "mood": s.mood,
        "cast": [{"name": c.name, "role": c.role, "goals": list(c.goals)} for c in s.cast],
        "objectives": [
            {"id": o.id, "kind": o.kind.value, "text": o.text, "condition": o.condition,
             **({"completed_at": o.completed_at.isoformat()}
                if with_progress and o.completed_at else {})}
            for o in s.objectives],
        "directions": [{"after_s": d.after_s, "text": d.text} for d in s.directions],
    }


def transition(s: Scenario, action: str, now: datetime) -> Scenario:
    """The scenario after ``action`` (start, pause, resume, stop); ``InvalidInput`` if the
    scenario's status does not allow it."""
    allowed, to = _TRANSITIONS[action]
    if s.status not in allowed:
        raise InvalidInput(f"Scenario {s.title!r} is {s.status.value}; it cannot {action}.")
    changed = replace(s, status=to)
    if action == "start":
        changed.started_at, changed.stopped_at = now, None
        changed.objectives = [replace(o, completed_at=None) for o in s.objectives]
        changed.data = {k: v for k, v in s.data.items() if k not in ("given", "start_event_id")}
    elif action == "stop":
        changed.stopped_at = now
    return changed


def check_objectives(s: Scenario, facts: Facts, now: datetime) -> list[Objective]:
    """Objectives that complete now (updated in ``s``); completes the scenario when every
    primary and hidden objective is done. Objectives referring to others see those completed
    earlier in the same check."""
    if s.status is not ScenarioStatus.RUNNING:
        return []
    newly: list[Objective] = []
    progress = True
    while progress:
        progress = False
        completed = frozenset(o.id for o in s.objectives if o.done)
        facts.completed = completed
        for i, objective in enumerate(s.objectives):
            if not objective.done and holds(objective.condition, facts):
                s.objectives[i] = replace(objective, completed_at=now)
                newly.append(s.objectives[i])
                progress = True
    if all(o.done for o in s.objectives if o.kind is not ObjectiveKind.SUBPLOT) \
            and s.objectives:
        s.status = ScenarioStatus.COMPLETED
        s.stopped_at = now
    return newly


def visible_objectives(s: Scenario, director: bool) -> list[Objective]:
    """What someone may see: directors everything; others hidden ones only once complete."""
    return [o for o in s.objectives
            if director or o.kind is not ObjectiveKind.HIDDEN or o.done]


def due_directions(s: Scenario, now: datetime) -> list[tuple[int, Direction]]:
    """The scenario's timed events whose time has come and that were not given yet."""
    if s.status is not ScenarioStatus.RUNNING or s.started_at is None:
        return []
    given = set(s.data.get("given", []))
    elapsed = (now - s.started_at).total_seconds()
    return [(i, d) for i, d in enumerate(s.directions) if i not in given and elapsed >= d.after_s]


def new_share_code(taken: Sequence[str] = ()) -> str:
    """A fresh share code (two groups of four, e.g. ``K7PM-Q2WD``) not among ``taken``."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if code not in taken:
            return code
