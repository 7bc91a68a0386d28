"""Conflicts between characters: how a quarrel escalates into a feud and cools down again.

A :class:`Conflict` has an intensity in [0, 1] moved by acts: hostile acts (insult, threaten,
betray, reveal_secret, disagree, tease) push it up, conciliatory ones (apologise, help, praise,
agree, thank) bring it down. Its stage follows the intensity with hysteresis, so a conflict
hovering at a threshold does not flicker between stages::

    tension --(>=0.40)--> open --(>=0.70)--> feud
    feud --(<0.55)--> cooling, open --(<0.25)--> cooling, cooling/tension --(<0.10)--> resolved
    cooling --(rising >=0.40)--> open, resolved --(>=0.15)--> tension

Stages only climb on hostile acts and only fall on conciliatory acts or time (:func:`cool`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from engine.acts import Act
from engine.relationships import Relationship, clamp

__all__ = [
    "Conflict", "Stage", "HOSTILE_ACTS", "CONCILIATORY_ACTS", "escalate", "de_escalate", "update",
    "cool", "detect_conflicts", "hostility", "is_hostile", "hostile_between", "enemies_of",
    "stage_for",
]

logger = logging.getLogger(__name__)

Stage = Literal["tension", "open", "feud", "cooling", "resolved"]

#: How far each hostile act closes the gap between the intensity and 1.
HOSTILE_ACTS: dict[str, float] = {
    "insult": 0.20,
    "threaten": 0.25,
    "betray": 0.35,
    "reveal_secret": 0.30,
    "disagree": 0.06,
    "tease": 0.03,
}
#: Which share of the intensity each conciliatory act removes.
CONCILIATORY_ACTS: dict[str, float] = {
    "apologise": 0.25,
    "help": 0.12,
    "praise": 0.10,
    "agree": 0.06,
    "thank": 0.06,
}

_OPEN_AT, _FEUD_AT = 0.40, 0.70
_FEUD_COOLS_BELOW, _OPEN_COOLS_BELOW, _RESOLVED_BELOW, _REIGNITE_AT = 0.55, 0.25, 0.10, 0.15


def _weight(weight: float) -> float:
    return 2.0 * clamp(weight / 2.0, 0.0, 1.0)


def _act_name(act: Act | str) -> str:
    # Act is a StrEnum, so str() gives its value; plain strings arrive from newer enums/storage.
    return str(act).strip().lower()


@dataclass(frozen=True)
class Conflict:
    """A conflict among two or more parties.

    Attributes:
        parties: The characters in conflict (two or more ids).
        intensity: How heated it is, in [0, 1].
        stage: ``"tension"``, ``"open"``, ``"feud"``, ``"cooling"`` or ``"resolved"``.
        history: One line per stage change, with its time and cause.
        updated_at: When the intensity last moved.
        id: Storage id, ``None`` until stored.
    """

    parties: frozenset[int]
    intensity: float = 0.0
    stage: Stage = "tension"
    history: tuple[str, ...] = ()
    updated_at: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if len(self.parties) < 2:
            raise ValueError("a conflict needs at least two parties")
        object.__setattr__(self, "intensity", clamp(self.intensity, 0.0, 1.0))


def stage_for(intensity: float) -> Stage:
    """The stage a conflict first seen at ``intensity`` is in (no history to honour)."""
    if intensity >= _FEUD_AT:
        return "feud"
    if intensity >= _OPEN_AT:
        return "open"
    return "tension"


def _next_stage(stage: Stage, intensity: float, rising: bool) -> Stage:
    if rising:
        if intensity >= _FEUD_AT:
            return "feud"
        if intensity >= _OPEN_AT and stage in ("tension", "cooling", "resolved"):
            return "open"
        if intensity >= _REIGNITE_AT and stage == "resolved":
            return "tension"
        return stage
    if stage == "feud" and intensity < _FEUD_COOLS_BELOW:
        stage = "cooling"
    if stage == "open" and intensity < _OPEN_COOLS_BELOW:
        stage = "cooling"
    if stage in ("cooling", "tension") and intensity < _RESOLVED_BELOW:
        stage = "resolved"
    return stage


def _move(conflict: Conflict, intensity: float, at: datetime, cause: str) -> Conflict:
    intensity = clamp(intensity, 0.0, 1.0)
    stage = _next_stage(conflict.stage, intensity, rising=intensity > conflict.intensity)
    history = conflict.history
    if stage != conflict.stage:
        history = (*history, f"{at.isoformat(timespec='minutes')} {conflict.stage} -> {stage}: "
                             f"{cause} (intensity {intensity:.2f})")
        logger.debug("conflict %s: %s -> %s (%s)", sorted(conflict.parties), conflict.stage,
                     stage, cause)
    return replace(conflict, intensity=intensity, stage=stage, history=history, updated_at=at)


def escalate(conflict: Conflict, act: Act | str, at: datetime, weight: float = 1.0) -> Conflict:
    """Heat a conflict by one hostile act (other acts leave it unchanged).

    Args:
        conflict: The conflict.
        act: The act performed between the parties (an :class:`Act` or its name).
        at: When it happened.
        weight: Scales the act's force (e.g. by the sentiment's strength), clamped to [0, 2].

    Returns:
        The conflict with its intensity, stage and history moved.
    """
    name = _act_name(act)
    force = HOSTILE_ACTS.get(name, 0.0) * _weight(weight)
    if force <= 0:
        return conflict
    gap = 1.0 - conflict.intensity
    return _move(conflict, conflict.intensity + min(1.0, force) * gap, at, name)


def de_escalate(conflict: Conflict, act: Act | str, at: datetime,
                weight: float = 1.0) -> Conflict:
    """Calm a conflict by one conciliatory act (other acts leave it unchanged).

    Args:
        conflict: The conflict.
        act: The act performed between the parties (an :class:`Act` or its name).
        at: When it happened.
        weight: Scales the act's force, clamped to [0, 2].

    Returns:
        The conflict with its intensity, stage and history moved.
    """
    name = _act_name(act)
    force = CONCILIATORY_ACTS.get(name, 0.0) * _weight(weight)
    if force <= 0:
        return conflict
    return _move(conflict, conflict.intensity * (1.0 - min(1.0, force)), at, name)


def update(conflict: Conflict, act: Act | str, at: datetime, weight: float = 1.0) -> Conflict:
    """Escalate on a hostile act, de-escalate on a conciliatory one, else leave unchanged."""
    if _act_name(act) in HOSTILE_ACTS:
        return escalate(conflict, act, at, weight)
    return de_escalate(conflict, act, at, weight)


def cool(conflict: Conflict, elapsed_s: float, at: datetime,
         half_life_s: float = 7 * 24 * 3600.0) -> Conflict:
    """Let time calm a conflict: the intensity halves every ``half_life_s`` of quiet."""
    if elapsed_s != elapsed_s or elapsed_s <= 0 or half_life_s <= 0:
        return conflict
    return _move(conflict, conflict.intensity * 0.5 ** (elapsed_s / half_life_s), at, "time")


def is_hostile(rel: Relationship | None) -> bool:
    """Whether a view is hostile: rivalry >= 0.4, affinity <= -0.5, or labelled rival/enemy."""
    if rel is None:
        return False
    return rel.rivalry >= 0.4 or rel.affinity <= -0.5 or rel.label in ("rival", "enemy")


def hostility(rel: Relationship | None) -> float:
    """How hostile a view is, in [0, 1] (rivalry, dislike, grudge or label, whichever is most)."""
    if rel is None:
        return 0.0
    label = {"rival": 0.4, "enemy": 0.6}.get(rel.label, 0.0)
    return clamp(max(0.0, rel.rivalry, -rel.affinity, rel.grudge, label), 0.0, 1.0)


def hostile_between(relationships: Mapping[tuple[int, int], Relationship], a: int,
                    b: int) -> bool:
    """Whether either of ``a`` and ``b`` is hostile toward the other."""
    return is_hostile(relationships.get((a, b))) or is_hostile(relationships.get((b, a)))


def enemies_of(relationships: Mapping[tuple[int, int], Relationship],
               character: int) -> frozenset[int]:
    """Everyone ``character`` is hostile toward, from views keyed ``(source, target)``."""
    return frozenset(target for (source, target), view in relationships.items()
                     if source == character != target and is_hostile(view))


def detect_conflicts(
    relationships: Mapping[tuple[int, int], Relationship] | Iterable[Relationship],
    at: datetime | None = None,
) -> list[Conflict]:
    """Conflicts implied by relationships: pairs hostile in both directions.

    Args:
        relationships: Directed views, as a mapping keyed ``(source, target)`` or an iterable.
        at: Stamped on the conflicts as ``updated_at``.

    Returns:
        One conflict per mutually hostile pair, most intense first; intensity is the mean of
        both sides' :func:`hostility`, the stage follows :func:`stage_for`.
    """
    views = relationships.values() if isinstance(relationships, Mapping) else relationships
    by_pair = {(r.source_id, r.target_id): r for r in views}
    found: list[Conflict] = []
    for (a, b), view in sorted(by_pair.items()):
        back = by_pair.get((b, a))
        if a >= b or not (is_hostile(view) and is_hostile(back)):
            continue
        intensity = clamp((hostility(view) + hostility(back)) / 2, 0.0, 1.0)
        found.append(Conflict(frozenset((a, b)), intensity, stage_for(intensity), updated_at=at))
    return sorted(found, key=lambda c: (-c.intensity, sorted(c.parties)))
