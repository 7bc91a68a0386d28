"""The narrative engine in the loop: beats for open story threads become short-term goals
(``engine.narrative``), members' acts steer threads to a resolution pathway, and beats of
threads that closed are abandoned. Run by the scheduler tick; steering by ``perceive``."""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import fmean

from engine.adapters.sql.uow import UnitOfWork
from engine.goals import Goal, GoalSource, Horizon, abandon_source, strategy_of
from engine.messages import Event, ParticipantKind
from engine.narrative import BEAT_LIFETIME_S, Beat, member_influence, next_beats, stalled
from engine.services.deps import Deps
from engine.services.goals import add_goal, apply_changes
from engine.stories.model import OPEN_STAGES, Stage, StoryThread

__all__ = ["advance", "advance_in", "steer"]


def _ref(thread: StoryThread) -> str:
    return f"thread:{thread.id}"


def _when(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _give_beats(uow: UnitOfWork, thread: StoryThread, now: datetime) -> list[Beat]:
    characters = {c.id: c.name for c in uow.participants.list_characters(thread.ecosystem_id)
                  if c.id is not None}
    names = {**{pid: n for pid, (n, _) in uow.participants.names(
        list(thread.participants)).items()}, **characters}
    views = uow.relationships.among(list(thread.participants))
    warmth = fmean([r.affinity for r in views]) if views else 0.0
    beats = next_beats(thread, list(characters), names, warmth)
    for beat in beats:
        add_goal(uow, thread.ecosystem_id, Goal(
            beat.character_id, beat.text, Horizon.SHORT, GoalSource.BEAT, _ref(thread),
            strategy_of(beat.text), (beat.target_id,), priority=1.0,
            expires_at=now + timedelta(seconds=BEAT_LIFETIME_S),
            reason=f"{beat.kind.value} beat" + (f" ({beat.pathway.value})"
                                                if beat.pathway else "")), now)
    if beats:
        thread.state["last_beat_at"] = now.isoformat()
        thread.state["beats"] = int(str(thread.state.get("beats", 0))) + len(beats)
        uow.stories.save(thread)
    return beats


def advance_in(uow: UnitOfWork, ecosystem_id: int, now: datetime) -> list[Beat]:
    """Beats for every open thread that has none in progress and has stalled (or never had
    one); the beats of closed threads are abandoned."""
    given: list[Beat] = []
    for thread in uow.stories.threads(ecosystem_id, stages=sorted(OPEN_STAGES)):
        if uow.goals.from_source(ecosystem_id, _ref(thread)):
            continue  # a beat is being played
        first = "last_beat_at" not in thread.state
        if first or stalled(thread, now, _when(thread.state.get("last_beat_at"))):
            given.extend(_give_beats(uow, thread, now))
    for thread in uow.stories.threads(ecosystem_id, stages=[Stage.RESOLUTION, Stage.DORMANT]):
        apply_changes(uow, ecosystem_id, abandon_source(
            uow.goals.from_source(ecosystem_id, _ref(thread)), _ref(thread), now,
            f"the story reached {thread.stage.value}"), now)
    return given


def advance(deps: Deps, ecosystem_id: int) -> list[Beat]:
    now = deps.clock.now()
    with deps.uow() as uow:
        beats = advance_in(uow, ecosystem_id, now)
        uow.commit()
    return beats


def steer(uow: UnitOfWork, event: Event, now: datetime) -> list[Beat]:
    """A member's act toward a thread's participants turns it to a pathway
    (``engine.narrative.member_influence``); its current beats are replaced by the pathway's."""
    if event.author_kind is not ParticipantKind.HUMAN or event.act is None \
            or event.author_id is None:
        return []
    targets = list(dict.fromkeys([*event.addressed_ids,
                                  *([event.target_id] if event.target_id else [])]))
    if not targets:
        return []
    beats: list[Beat] = []
    for thread in uow.stories.threads(event.ecosystem_id, stages=sorted(OPEN_STAGES)):
        pathway = member_influence(thread, event.author_id, event.act, targets)
        if pathway is None or thread.state.get("pathway") == pathway.value:
            continue
        thread.state["pathway"] = pathway.value
        thread.state["steered_by_event"] = event.id
        apply_changes(uow, event.ecosystem_id, abandon_source(
            uow.goals.from_source(event.ecosystem_id, _ref(thread)), _ref(thread), now,
            f"a member steered the story to {pathway.value}"), now)
        uow.stories.save(thread)
        beats.extend(_give_beats(uow, thread, now))
    return beats
