"""Scenarios run by directors: the model and lifecycle (``model``), the objective condition
language (``conditions``) and the bundled scenarios (``engine/content/scenarios``)."""

from engine.scenarios.conditions import Facts, holds, parse
from engine.scenarios.model import (
    CastRole,
    Direction,
    Objective,
    ObjectiveKind,
    Scenario,
    ScenarioStatus,
    check_objectives,
    from_definition,
    to_definition,
    transition,
    visible_objectives,
)

__all__ = [
    "CastRole", "Direction", "Facts", "Objective", "ObjectiveKind", "Scenario",
    "ScenarioStatus", "check_objectives", "from_definition", "holds", "parse", "to_definition",
    "transition", "visible_objectives",
]
