"""A whole scenario as a readable story: its run in its channel, in chapters.

The story starts with the scenario's opening narration; each directed event ("A storm breaks")
opens a new chapter named after it. It holds the actual dialogue (members' and characters'
messages) and the directed events, not the engine's other notices. Objectives are listed under
the title, completed or not; hidden ones only when ``include_hidden`` (directors).
"""

from __future__ import annotations

from datetime import datetime

from engine.billing.tiers import month_of
from engine.errors import InvalidInput
from engine.messages import Event, EventKind
from engine.scenarios.model import ObjectiveKind, Scenario
from engine.services import scenarios
from engine.services.deps import Deps
from engine.services.quotas import check_in
from engine.stories.export import Chapter, Story, narrate, render

__all__ = ["scenario_story", "export_scenario", "MAX_EVENTS"]

#: Events a scenario export reads at most (a very long run is cut, and says so).
MAX_EVENTS = 5000
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def _directed(event: Event, scenario_id: int) -> bool:
    return bool(event.payload.get("directed")) and event.payload.get("scenario_id") == scenario_id


def _ended(event: Event, stopped_at: datetime | None) -> bool:
    return stopped_at is not None and event.created_at > stopped_at


def _chapter_title(number: int, text: str) -> str:
    numeral = _ROMAN[number - 1] if number <= len(_ROMAN) else str(number)
    first = text.split(".")[0].strip() or text.strip()
    return f"{numeral}. {first[:60]}"


def scenario_story(deps: Deps, scenario_id: int, *, include_hidden: bool = False) -> Story:
    """The scenario's run as a ``Story`` (see the module docstring).

    Raises:
        NotFound: no such scenario.
        InvalidInput: the scenario never started (nothing happened yet).
        QuotaExceeded: the community used its story exports of the month.
    """
    scenario = scenarios.get(deps, scenario_id)
    if scenario.started_at is None or scenario.channel_id is None:
        raise InvalidInput(f"'{scenario.title}' has not started: there is no story yet.")
    after = int(scenario.data.get("start_event_id", 0))
    now = deps.clock.now()
    with deps.uow() as uow:
        # An export, counted against the tier's monthly limit like a thread's (QuotaExceeded).
        check_in(uow, scenario.ecosystem_id, "exports", 1, now)
        found = uow.stories.channel_events(scenario.channel_id, after, MAX_EVENTS + 1)
        uow.billing.add_usage(scenario.ecosystem_id, month_of(now), "exports")
        uow.commit()
    cut = len(found) > MAX_EVENTS
    chapters: list[Chapter] = []
    current = Chapter(title=_chapter_title(1, "The beginning"), events=[])
    for event in found[:MAX_EVENTS]:
        if _ended(event, scenario.stopped_at):
            break
        directed = _directed(event, scenario_id)
        if event.kind is not EventKind.MESSAGE and not directed:
            continue  # relationship notices and the like are not the story's text
        if directed and current.events:
            chapters.append(current)
            current = Chapter(title=_chapter_title(len(chapters) + 1, event.text), events=[])
        elif directed and not chapters:  # the opening narration names the first chapter
            current.title = _chapter_title(1, event.text)
        current.events.append(event)
    if current.events:
        chapters.append(current)
    return Story(title=scenario.title, cast=_cast_lines(scenario), chapters=chapters,
                 subtitle=" ".join(p for p in (scenario.setting, scenario.mood
                                               and f"({scenario.mood})") if p),
                 notes=_objective_lines(scenario, include_hidden)
                 + (["(The run is longer than this story: it stops after "
                     f"{MAX_EVENTS:,} events.)"] if cut else []))


def export_scenario(deps: Deps, scenario_id: int, fmt: str = "md", *,
                    include_hidden: bool = False, with_narration: bool = False) -> str:
    """The scenario's story as Markdown or HTML; with a model and ``with_narration``,
    model-written narration between scenes."""
    story = scenario_story(deps, scenario_id, include_hidden=include_hidden)
    if with_narration:
        story = narrate(story, deps.model)
    return render(story, fmt)


def _cast_lines(scenario: Scenario) -> list[str]:
    return [f"{r.name} — {r.role}" if r.role else r.name for r in scenario.cast]


def _objective_lines(scenario: Scenario, include_hidden: bool) -> list[str]:
    lines = []
    for o in scenario.objectives:
        if o.kind is ObjectiveKind.HIDDEN and not (include_hidden or o.done):
            continue
        lines.append(f"{'✓' if o.done else '○'} {o.kind.value}: {o.text}")
    return lines
