"""Stories as a use case: recognise seeds in an ecosystem's recent acts, grow them into threads,
meter and advance the threads, and read or export them.

:func:`detect_stories` runs from the periodic step (``engine.services.reflect``). It is cheap:
an ecosystem with no event since its last run is skipped (its open threads are only re-metered,
for the quiet, at most every :data:`REMETER_EVERY_S`), and it reads one window of at most
``window`` recent message events. Titles are template-written inside the transaction; when a
language model is configured (``deps.model``), new threads are renamed by the model after the
commit, so no transaction waits on a model call.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from engine.adapters.sql.uow import UnitOfWork
from engine.billing.tiers import month_of
from engine.errors import NotFound
from engine.messages import Event
from engine.services.deps import Deps
from engine.services.quotas import check_in
from engine.stories.export import Chapter, Story, story_from_thread
from engine.stories.model import SeedType, Stage, StoryThread
from engine.stories.naming import name_thread
from engine.stories.seeds import SeedContext, detect_seeds
from engine.stories.threads import Dynamics, absorb, advance, predict, tension

__all__ = [
    "StoryReport", "detect_stories", "list_threads", "get_thread", "story_of_thread",
    "story_of_events", "WINDOW", "REMETER_EVERY_S",
]

log = logging.getLogger(__name__)

#: Recent message events read per run.
WINDOW = 1000
#: Without new events, open threads are re-metered (quiet decay, dormancy) this often.
REMETER_EVERY_S = 6 * 3600.0
_THROUGH = "stories_through_event_id"
_METERED = "stories_metered_at"


@dataclass
class StoryReport:
    seeds: int = 0
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    #: "title: old -> new" for every stage change.
    turns: list[str] = field(default_factory=list)


def detect_stories(deps: Deps, ecosystem_id: int, *, force: bool = False,
                   window: int = WINDOW) -> StoryReport | None:
    """One story step for an ecosystem (None when there was nothing to do)."""
    now = deps.clock.now()
    report = StoryReport()
    with deps.uow() as uow:
        ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
        if ecosystem is None:
            return None
        through = int(ecosystem.settings.get(_THROUGH, 0) or 0)
        last_id = uow.stories.last_event_id(ecosystem_id)
        metered_raw = ecosystem.settings.get(_METERED)
        metered = datetime.fromisoformat(metered_raw) if metered_raw else None
        fresh = last_id > through
        if not force and not fresh and metered is not None and (
                (now - metered).total_seconds() < REMETER_EVERY_S):
            return None
        events = uow.stories.recent_events(ecosystem_id, limit=window)
        threads = uow.stories.threads(ecosystem_id, limit=1000)
        context = _context(uow, ecosystem_id, events)
        by_id: dict[int, Event] = {e.id: e for e in events if e.id is not None}
        seeds = detect_seeds(events, context) if (fresh or force) else []
        report.seeds = len(seeds)
        touched: dict[tuple[SeedType, tuple[int, ...]], StoryThread] = {}
        new_keys = set()
        for seed in seeds:
            thread, is_new = absorb(threads, seed, by_id, context.names, now, ecosystem_id)
            threads = [t for t in threads if t.id is None or t.id != thread.id] + [thread]
            touched[thread.key] = thread
            if is_new:
                new_keys.add(thread.key)
        reconciled = {s.key[1] for s in seeds if s.type is SeedType.RECONCILIATION}
        goals = {c.id: c.persona.goals for c in uow.participants.list_characters(ecosystem_id)
                 if c.id is not None}
        for thread in threads:
            if thread.stage is Stage.RESOLUTION:
                continue
            members = set(thread.participants)
            dynamics = Dynamics(
                relationships={k: v for k, v in context.relationships.items()
                               if k[0] in members and k[1] in members},
                conflicts=[c for c in context.conflicts if len(c.parties & members) >= 2],
                events=[e for e in events
                        if e.author_id in members and e.target_id in members],
            )
            healed = tuple(sorted(members)) in reconciled or any(
                c.parties <= members and c.stage == "resolved" for c in context.conflicts)
            meter = tension(thread, dynamics, now)
            last = max((e.created_at for e in dynamics.events), default=None)
            moved = advance(thread, meter, now, reconciled=healed, last_activity=last)
            moved.predictions = predict(moved, goals, context.names)
            if moved.stage is not thread.stage:
                report.turns.append(f"{moved.title}: {thread.stage.value} -> "
                                    f"{moved.stage.value}")
            if moved != thread or thread.key in touched:
                uow.stories.save(moved)
                (report.created if thread.key in new_keys else report.updated).append(
                    int(moved.id or 0))
        uow.spaces.update_ecosystem_settings(
            ecosystem_id, {_THROUGH: max(through, last_id), _METERED: now.isoformat()})
        uow.commit()
        created = [t for t in threads if t.key in new_keys]
        names = dict(context.names)
    if deps.model is not None and created:
        _name_by_model(deps, created, names, by_id)
    return report


def _context(uow: UnitOfWork, ecosystem_id: int, events: Sequence[Event]) -> SeedContext:
    rels = {(r.source_id, r.target_id): r for r in uow.relationships.for_ecosystem(ecosystem_id)}
    first = min((e.id for e in events if e.id is not None), default=1) - 1
    ids = {p for pair in rels for p in pair}
    ids |= {e.author_id for e in events if e.author_id is not None}
    ids |= {e.target_id for e in events if e.target_id is not None}
    names = {pid: name for pid, (name, _) in uow.participants.names(sorted(ids)).items()}
    return SeedContext(
        relationships=rels,
        betrayals=uow.stories.betrayals(ecosystem_id, after_event_id=first),
        alliances=uow.pacts.alliances(ecosystem_id, live_only=False),
        conflicts=uow.pacts.conflicts(ecosystem_id, live_only=False),
        names=names,
    )


def _name_by_model(deps: Deps, created: list[StoryThread], names: dict[int, str],
                   by_id: dict[int, Event]) -> None:
    titles = {}
    for thread in created:
        evidence = [by_id[i] for i in thread.event_ids() if i in by_id]
        title, source = name_thread(thread, names, evidence, deps.model)
        if source == "model":
            titles[thread.id] = title
    if not titles:
        return
    with deps.uow() as uow:
        for thread_id, title in titles.items():
            stored = uow.stories.get(int(thread_id or 0))
            if stored is not None and stored.state.get("named_by") == "template":
                stored.title = title
                stored.state = {**stored.state, "named_by": "model"}
                uow.stories.save(stored)
        uow.commit()


# -- reading -----------------------------------------------------------------------------------
def list_threads(deps: Deps, ecosystem_id: int, stages: Sequence[Stage] | None = None,
                 limit: int = 50) -> list[StoryThread]:
    """The ecosystem's threads, most recently updated first."""
    with deps.uow() as uow:
        return uow.stories.threads(ecosystem_id, stages=stages, limit=limit)


def get_thread(deps: Deps, thread_id: int, ecosystem_id: int | None = None) -> StoryThread:
    """One thread (``NotFound`` when there is none, or it belongs to another ecosystem)."""
    with deps.uow() as uow:
        thread = uow.stories.get(thread_id)
    if thread is None or (ecosystem_id is not None and thread.ecosystem_id != ecosystem_id):
        raise NotFound(f"no story thread {thread_id}")
    return thread


def story_of_thread(deps: Deps, thread_id: int, ecosystem_id: int | None = None,
                    *, dialogue_limit: int = 500) -> Story:
    """A thread as a readable story: its cast, chapters by arc stage, the actual dialogue.

    Every front door exports through here, so this is where story exports are counted against
    the tier's monthly limit (``QuotaExceeded`` over it)."""
    thread = get_thread(deps, thread_id, ecosystem_id)
    now = deps.clock.now()
    with deps.uow() as uow:
        check_in(uow, thread.ecosystem_id, "exports", 1, now)
        names = {pid: name for pid, (name, _) in
                 uow.participants.names(list(thread.participants)).items()}
        events = uow.stories.events_by_ids(thread.event_ids())
        dialogue = _dialogue(uow, thread, events, dialogue_limit)
        uow.billing.add_usage(thread.ecosystem_id, month_of(now), "exports")
        uow.commit()
    return story_from_thread(thread, names, dialogue)


def _dialogue(uow: UnitOfWork, thread: StoryThread, key: list[Event], limit: int
              ) -> list[Event]:
    """The thread's key events and what its participants said to each other between its
    first and last key events (the scenes), at most ``limit`` messages."""
    if not key:
        return []
    members = set(thread.participants)
    first, last = min(e.id or 0 for e in key), max(e.id or 0 for e in key)
    window = uow.stories.recent_events(thread.ecosystem_id, limit=max(limit * 4, 2000),
                                       after_id=first - 1)
    between = [e for e in window if first <= (e.id or 0) <= last
               and e.author_id in members and (e.target_id in members or e.target_id is None)]
    merged = {e.id: e for e in [*key, *between]}
    return sorted(merged.values(), key=lambda e: e.id or 0)[:limit]


def story_of_events(deps: Deps, title: str, cast: Sequence[str],
                    chapters: Sequence[tuple[str, Sequence[int]]]) -> Story:
    """A story from chapters of event ids (the scenario director's export): each chapter's
    title and its events, in the given order."""
    with deps.uow() as uow:
        built = [Chapter(title=t, events=uow.stories.events_by_ids(ids)) for t, ids in chapters]
    return Story(title=title, cast=list(cast), chapters=built)
