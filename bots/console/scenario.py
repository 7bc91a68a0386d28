"""Scenarios in the console: the ``/scenario`` command and a non-interactive run until an
objective completes (the demo's ``--scenario`` and the end-to-end test).

The console's member directs (it is their community). Every rule is the engine's
(``engine.services.scenarios``); this only translates text to calls and results to lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bots.console.community import ConsoleCommunity
from bots.console.simulation import Simulation
from engine.errors import UserFacingError
from engine.scenarios.model import Scenario, visible_objectives
from engine.services import scenarios

__all__ = ["USAGE", "scenario_command", "describe", "ScenarioRun", "run_until_objective"]

USAGE = ("/scenario create SLUG | list | show [ID] | start ID | pause ID | resume ID | stop ID | "
         "direct ID TEXT | templates | share ID | install CODE  (bundled: "
         + ", ".join(scenarios.bundled_scenarios()) + ")")


def describe(s: Scenario, director: bool = True) -> list[str]:
    """A scenario as lines: title, status, setting, cast, objectives (hidden ones to directors
    only, until complete)."""
    lines = [f"#{s.id} {s.title} [{s.status.value}] ({s.slug})"]
    if s.setting:
        lines.append(f"  Setting: {s.setting}")
    if s.mood:
        lines.append(f"  Mood: {s.mood}")
    for role in s.cast:
        lines.append(f"  - {role.name}" + (f": {role.role}" if role.role else ""))
    for o in visible_objectives(s, director):
        mark = "x" if o.done else " "
        lines.append(f"  [{mark}] {o.kind.value}: {o.text}")
    return lines


def scenario_command(community: ConsoleCommunity, rest: str) -> list[str]:
    """Run ``/scenario REST``; returns the lines to show (errors as one line)."""
    deps, eco = community.deps, community.ecosystem.id
    word, _, arg = rest.strip().partition(" ")
    arg = arg.strip()
    try:
        if word == "create" and arg:
            s = scenarios.create(deps, eco, arg, channel_id=community.channel.id)
            return [f"Created scenario #{s.id}: {s.title}. Start it with /scenario start {s.id}."]
        if word == "list":
            return [f"#{s.id} {s.title} [{s.status.value}]"
                    for s in scenarios.list_scenarios(deps, eco)] or ["No scenarios yet."]
        if word == "show":
            every = scenarios.list_scenarios(deps, eco)
            shown = scenarios.find(deps, eco, arg) if arg else (every[-1] if every else None)
            return describe(shown) if shown is not None else ["No scenarios yet."]
        if word in ("start", "pause", "resume", "stop") and arg:
            s = scenarios.find(deps, eco, arg)
            changed = getattr(scenarios, word)(deps, s.id)
            return [f"{changed.title}: {changed.status.value}."]
        if word == "direct" and arg:
            ref, _, text = arg.partition(" ")
            s = scenarios.find(deps, eco, ref)
            result = scenarios.direct(deps, s.id or 0, text)
            lines = [f"* {text.strip()} (witnessed by {', '.join(result.witnesses) or 'nobody'})"]
            lines += [f"Objective complete: {o.text}" for o in result.completed]
            return lines
        if word == "templates":
            return [f"{code}  {title}" for code, title in scenarios.templates(deps)] or [
                "No templates yet: /scenario share ID saves one."]
        if word == "share" and arg:
            s = scenarios.find(deps, eco, arg)
            return [f"Template code: {scenarios.share(deps, s.id or 0)}"]
        if word == "install" and arg:
            s = scenarios.install(deps, eco, arg, channel_id=community.channel.id)
            return [f"Installed #{s.id}: {s.title}."]
    except UserFacingError as exc:
        return [str(exc)]
    return [f"Usage: {USAGE}"]


@dataclass(frozen=True)
class ScenarioRun:
    scenario: Scenario
    turns: int
    completed: bool


def run_until_objective(simulation: Simulation, scenario_id: int, objective_id: str | None = None,
                        max_turns: int = 200, step: int = 3,
                        on_line: Callable[[str], None] | None = None) -> ScenarioRun:
    """Run the simulation in simulated time until the objective (by default: every primary
    and hidden one, i.e. the scenario is completed) completes, or ``max_turns`` passed."""
    community = simulation.community
    deps = community.deps

    def done() -> tuple[Scenario, bool]:
        s = scenarios.get(deps, scenario_id)
        if objective_id is None:
            return s, s.status.value == "completed"
        found = s.objective(objective_id)
        return s, found is not None and found.done

    scenario, finished = done()
    while not finished and community.character_turns() < max_turns:
        target = min(max_turns, community.character_turns() + step)
        simulation.run(target, on_line=on_line)
        scenarios.track(deps, community.ecosystem.id)
        scenario, finished = done()
        if community.character_turns() < target:
            break  # the cast went silent
    return ScenarioRun(scenario, community.character_turns(), finished)
