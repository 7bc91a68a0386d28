"""The scenario director: create, start, pause, resume, stop, direct a scene, track objectives,
save as a template shared by code and install from a code (rules in ``engine.scenarios``).

A directed event ("A storm breaks.", "A letter arrives for Jane.") is a ``system`` event in the
scenario's channel that goes through the same ``perceive`` step as any message: every character
present in that channel witnesses it (nobody else), a character it names is addressed, and the
decision step lets the present characters react. Starting a scenario gives each cast member
its scenario goals (short-term, ``source_ref`` ``scenario:<id>``) and narrates the setting;
pausing suspends those goals (priority 0), resuming restores them, stopping abandons them.
Objectives are checked on every scheduler tick (``track``) and right after a directed event.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.adapters.sql.uow import UnitOfWork
from engine.errors import InvalidInput, NotFound
from engine.goals import (
    Goal,
    GoalSource,
    Horizon,
    abandon_source,
    resolve_targets,
    strategy_of,
)
from engine.messages import Event, EventKind, Intent
from engine.scenarios.conditions import Facts
from engine.scenarios.model import (
    Objective,
    Scenario,
    ScenarioStatus,
    check_objectives,
    due_directions,
    from_definition,
    new_share_code,
    to_definition,
    transition,
)
from engine.services.decide import decide_after, enqueue
from engine.services.deps import Deps
from engine.services.goals import add_goal, apply_changes
from engine.services.perceive import event_payload, perceive

__all__ = [
    "BUNDLED_DIR", "DirectResult", "bundled_scenarios", "bundled_definition", "create",
    "get", "find", "list_scenarios", "start", "pause", "resume", "stop", "direct", "track",
    "share", "templates", "install", "NARRATOR",
]

log = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).resolve().parents[1] / "content" / "scenarios"
#: The author name of directed events.
NARRATOR = "Narrator"


def bundled_scenarios() -> dict[str, Path]:
    """Bundled scenario files by slug (``engine/content/scenarios/<slug>.json``)."""
    return {p.stem: p for p in sorted(BUNDLED_DIR.glob("*.json"))}


def bundled_definition(slug: str) -> dict[str, Any]:
    files = bundled_scenarios()
    if slug not in files:
        raise NotFound(f"No bundled scenario {slug!r}. Bundled: {', '.join(files) or 'none'}.")
    data: dict[str, Any] = json.loads(files[slug].read_text(encoding="utf-8"))
    return data


def _channel_for(uow: UnitOfWork, ecosystem_id: int, channel_id: int | None) -> int:
    channels = uow.spaces.list_channels(ecosystem_id)
    if channel_id is not None:
        if not any(c.id == channel_id for c in channels):
            raise NotFound("That channel is not part of this community.")
        return channel_id
    with_cast = [c for c in channels if uow.participants.cast_of(c.id)]
    if not with_cast:
        raise InvalidInput("A scenario needs a channel with a cast; add characters first.")
    return with_cast[0].id


def create(deps: Deps, ecosystem_id: int, definition: dict[str, Any] | str, *,
           channel_id: int | None = None, created_by: int | None = None) -> Scenario:
    """Store a new scenario (a draft) from a definition, or a bundled scenario's slug.

    Every cast name must be a character of the community.
    """
    data = bundled_definition(definition) if isinstance(definition, str) else definition
    scenario = from_definition(data)
    now = deps.clock.now()
    with deps.uow() as uow:
        known = {c.name for c in uow.participants.list_characters(ecosystem_id)}
        missing = [c.name for c in scenario.cast if c.name not in known]
        if missing:
            raise InvalidInput(f"Not characters of this community: {', '.join(missing)}. "
                               f"Known: {', '.join(sorted(known)) or 'none'}.")
        scenario.ecosystem_id = ecosystem_id
        scenario.channel_id = _channel_for(uow, ecosystem_id, channel_id)
        scenario.created_by = created_by
        uow.scenarios.save(scenario, now)
        uow.commit()
    return scenario


def get(deps: Deps, scenario_id: int) -> Scenario:
    with deps.uow() as uow:
        scenario = uow.scenarios.get(scenario_id)
    if scenario is None:
        raise NotFound(f"No scenario {scenario_id}.")
    return scenario


def find(deps: Deps, ecosystem_id: int, ref: str) -> Scenario:
    """A scenario by id, slug or title (the newest with that slug or title)."""
    with deps.uow() as uow:
        every = uow.scenarios.of_ecosystem(ecosystem_id)
    key = ref.strip().lower()
    hits = [s for s in every if str(s.id) == key or s.slug == key or s.title.lower() == key]
    if not hits:
        names = ", ".join(f"{s.id}:{s.slug}" for s in every) or "none yet"
        raise NotFound(f"No scenario {ref!r} here. Scenarios: {names}.")
    return hits[-1]


def list_scenarios(deps: Deps, ecosystem_id: int) -> list[Scenario]:
    with deps.uow() as uow:
        return uow.scenarios.of_ecosystem(ecosystem_id)


def _load(uow: UnitOfWork, scenario_id: int) -> Scenario:
    scenario = uow.scenarios.get(scenario_id)
    if scenario is None:
        raise NotFound(f"No scenario {scenario_id}.")
    return scenario


def start(deps: Deps, scenario_id: int) -> Scenario:
    """Start: the cast takes up its scenario goals, the setting is narrated."""
    now = deps.clock.now()
    with deps.uow() as uow:
        scenario = transition(_load(uow, scenario_id), "start", now)
        scenario.data["start_event_id"] = uow.scenarios.last_event_id(scenario.ecosystem_id)
        names = uow.scenarios.participant_names(scenario.ecosystem_id)
        chars = {c.name: c.id for c in uow.participants.list_characters(scenario.ecosystem_id)}
        for role in scenario.cast:
            owner = chars.get(role.name)
            if owner is None:
                continue
            for text in role.goals:
                add_goal(uow, scenario.ecosystem_id, Goal(
                    owner, text, Horizon.SHORT, GoalSource.SCENARIO, scenario.ref,
                    strategy_of(text), resolve_targets(text, names, owner)), now)
        uow.scenarios.save(scenario, now)
        uow.commit()
    opening = " ".join(p for p in (scenario.setting, scenario.mood and f"({scenario.mood})") if p)
    if opening:
        _inject(deps, scenario, f"{scenario.title}. {opening}", None)
    return get(deps, scenario_id)


def _set_status(deps: Deps, scenario_id: int, action: str) -> Scenario:
    now = deps.clock.now()
    with deps.uow() as uow:
        scenario = transition(_load(uow, scenario_id), action, now)
        if action == "pause":
            uow.goals.set_priority(scenario.ecosystem_id, scenario.ref, 0.0)
        elif action == "resume":
            uow.goals.set_priority(scenario.ecosystem_id, scenario.ref, 1.0)
        elif action == "stop":
            apply_changes(uow, scenario.ecosystem_id, abandon_source(
                uow.goals.from_source(scenario.ecosystem_id, scenario.ref), scenario.ref, now,
                "the scenario stopped"), now)
        uow.scenarios.save(scenario, now)
        uow.commit()
    return scenario


def pause(deps: Deps, scenario_id: int) -> Scenario:
    return _set_status(deps, scenario_id, "pause")


def resume(deps: Deps, scenario_id: int) -> Scenario:
    return _set_status(deps, scenario_id, "resume")


def stop(deps: Deps, scenario_id: int) -> Scenario:
    return _set_status(deps, scenario_id, "stop")


@dataclass
class DirectResult:
    """A directed event: who witnessed it, whom it named, who reacts."""

    event_id: int | None
    witnesses: list[str] = field(default_factory=list)
    addressed: list[str] = field(default_factory=list)
    intents: list[Intent] = field(default_factory=list)
    completed: list[Objective] = field(default_factory=list)


def direct(deps: Deps, scenario_id: int, text: str, *,
           director_id: int | None = None) -> DirectResult:
    """Inject an event into a running scenario's scene; objectives are checked after it."""
    if not text.strip():
        raise InvalidInput("Say what happens, e.g. 'A storm breaks.'")
    scenario = get(deps, scenario_id)
    if scenario.status is not ScenarioStatus.RUNNING:
        raise InvalidInput(f"Scenario {scenario.title!r} is {scenario.status.value}; "
                           "direct it while it runs.")
    result = _inject(deps, scenario, text.strip(), director_id)
    result.completed = [o for _, done in track(deps, scenario.ecosystem_id) for o in done]
    return result


def _inject(deps: Deps, scenario: Scenario, text: str, director_id: int | None) -> DirectResult:
    now = deps.clock.now()
    assert scenario.channel_id is not None and scenario.id is not None
    with deps.uow() as uow:
        channel = uow.spaces.get_channel(scenario.channel_id)
        if channel is None:
            raise NotFound("The scenario's channel is gone.")
        cast = uow.participants.cast_of(channel.id)
        named = resolve_targets(text, {m.id: (m.name, *m.aliases) for m in cast})
        event = Event(
            ecosystem_id=scenario.ecosystem_id, channel_id=channel.id, kind=EventKind.SYSTEM,
            idempotency_key=f"scenario:{scenario.id}:direct:{uuid.uuid4().hex}",
            created_at=now, author_name=NARRATOR, text=text,
            target_id=named[0] if named else None, addressed_ids=named,
            payload={"directed": True, "scenario_id": scenario.id, "directed_by": director_id},
        )
        perception = perceive(uow, event, now, cast)
        intents = decide_after(deps, uow, event, perception.cast, now, channel,
                               perception.reaction)
        uow.commit()
    deps.stream.publish(scenario.ecosystem_id, event_payload(event, channel.external_id, None))
    enqueue(deps, intents, now)
    names = {m.id: m.name for m in cast}
    return DirectResult(event.id, [names[i] for i in perception.witnesses],
                        [names[i] for i in named], intents)


def _facts(uow: UnitOfWork, s: Scenario) -> Facts:
    since_id = int(s.data.get("start_event_id", 0))
    names = uow.scenarios.participant_names(s.ecosystem_id)
    since = s.started_at or datetime.min
    return Facts(
        names=names,
        relationships={(r.source_id, r.target_id): r
                       for r in uow.relationships.for_ecosystem(s.ecosystem_id)},
        acts=uow.scenarios.acts_since(s.ecosystem_id, since_id),
        revealed=uow.scenarios.revealed_since(s.ecosystem_id, since),
        achieved=[(g.character_id, g.text)
                  for g in uow.goals.achieved_since(s.ecosystem_id, since)],
        directed=uow.scenarios.directed_since(s.ecosystem_id, since_id),
    )


def track(deps: Deps, ecosystem_id: int) -> list[tuple[Scenario, list[Objective]]]:
    """Give running scenarios' due timed directions, then check their objectives."""
    now = deps.clock.now()
    with deps.uow() as uow:
        running = uow.scenarios.of_ecosystem(ecosystem_id, (ScenarioStatus.RUNNING,))
    for scenario in running:
        for index, direction in due_directions(scenario, now):
            _inject(deps, scenario, direction.text, None)
            scenario.data["given"] = [*scenario.data.get("given", []), index]
            with deps.uow() as uow:
                fresh = _load(uow, scenario.id or 0)
                fresh.data["given"] = scenario.data["given"]
                uow.scenarios.save(fresh, now)
                uow.commit()
    out: list[tuple[Scenario, list[Objective]]] = []
    with deps.uow() as uow:
        for scenario in uow.scenarios.of_ecosystem(ecosystem_id, (ScenarioStatus.RUNNING,)):
            done = check_objectives(scenario, _facts(uow, scenario), now)
            if done:
                if scenario.status is ScenarioStatus.COMPLETED:
                    apply_changes(uow, ecosystem_id, abandon_source(
                        uow.goals.from_source(ecosystem_id, scenario.ref), scenario.ref, now,
                        "the scenario is complete"), now)
                uow.scenarios.save(scenario, now)
                out.append((scenario, done))
        uow.commit()
    return out


def share(deps: Deps, scenario_id: int, *, created_by: int | None = None) -> str:
    """Save a scenario as a template; returns the code that installs it anywhere."""
    now = deps.clock.now()
    with deps.uow() as uow:
        scenario = _load(uow, scenario_id)
        code = new_share_code(uow.scenarios.template_codes())
        uow.scenarios.add_template(code, scenario, scenario.ecosystem_id, created_by, now)
        uow.commit()
    return code


def templates(deps: Deps, ecosystem_id: int | None = None) -> list[tuple[str, str]]:
    """Saved templates (code, title): this community's, or all when ``ecosystem_id`` is None."""
    with deps.uow() as uow:
        return uow.scenarios.templates(ecosystem_id)


def install(deps: Deps, ecosystem_id: int, code: str, *, channel_id: int | None = None,
            created_by: int | None = None) -> Scenario:
    """Create a scenario (a draft) in this community from a shared template's code."""
    with deps.uow() as uow:
        found = uow.scenarios.template(code.strip().upper())
    if found is None:
        raise NotFound(f"No scenario template with code {code!r}.")
    return create(deps, ecosystem_id, found[1], channel_id=channel_id, created_by=created_by)


def definition_of(scenario: Scenario) -> dict[str, Any]:
    return to_definition(scenario, with_progress=True)
