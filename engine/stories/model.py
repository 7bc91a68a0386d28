"""The story model: seeds the engine recognises in what characters do, and the threads they grow
into. Pure values only (no storage, no services), shared by story recognition, the narrative
engine's beats, the scenario director and export.

A *seed* is a pattern noticed in a window of recent acts and relationships ("Darcy and Wickham
keep insulting each other, harder each time"): its type, who is in it, its genre and the events
that evidence it. A *thread* is a seed that became a story: it has a title, a stage in its arc
(``seed -> developing -> climax -> resolution -> dormant``), a tension meter (0-100), a timeline
of key events, and predictions of what comes next drawn from its participants' goals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = [
    "SeedType", "Genre", "Stage", "StorySeed", "KeyEvent", "Prediction", "StoryThread",
    "DEFAULT_GENRE", "OPEN_STAGES",
]


class SeedType(StrEnum):
    ESCALATING_CONFLICT = "escalating_conflict"
    ROMANTIC_TENSION = "romantic_tension"
    #: Secrets and suspicion: confidences kept, whispered about, revealed.
    MYSTERY = "mystery"
    BETRAYAL = "betrayal"
    ALLIANCE_AGAINST_ENEMY = "alliance_against_enemy"
    RIVALRY = "rivalry"
    RECONCILIATION = "reconciliation"


class Genre(StrEnum):
    MYSTERY = "mystery"
    ROMANCE = "romance"
    DRAMA = "drama"
    COMEDY = "comedy"
    ADVENTURE = "adventure"


class Stage(StrEnum):
    """A thread's place in its arc (in this order; ``dormant`` after a long quiet)."""

    SEED = "seed"
    DEVELOPING = "developing"
    CLIMAX = "climax"
    RESOLUTION = "resolution"
    DORMANT = "dormant"


#: Stages in which a thread is still being told (beats may push it forward).
OPEN_STAGES = frozenset({Stage.SEED, Stage.DEVELOPING, Stage.CLIMAX})

#: The genre a seed type reads as when nothing else says otherwise.
DEFAULT_GENRE: dict[SeedType, Genre] = {
    SeedType.ESCALATING_CONFLICT: Genre.DRAMA,
    SeedType.ROMANTIC_TENSION: Genre.ROMANCE,
    SeedType.MYSTERY: Genre.MYSTERY,
    SeedType.BETRAYAL: Genre.DRAMA,
    SeedType.ALLIANCE_AGAINST_ENEMY: Genre.ADVENTURE,
    SeedType.RIVALRY: Genre.DRAMA,
    SeedType.RECONCILIATION: Genre.DRAMA,
}


@dataclass(frozen=True)
class StorySeed:
    """A story pattern recognised in recent acts.

    Attributes:
        type: What kind of story it is.
        participants: Participant ids, sorted (the protagonists first where it matters is not
            encoded: a seed is symmetric in its participants).
        genre: How it reads.
        evidence_event_ids: The events that evidence it, in order.
        strength: How clearly the pattern holds, in [0, 1].
    """

    type: SeedType
    participants: tuple[int, ...]
    genre: Genre
    evidence_event_ids: tuple[int, ...] = ()
    strength: float = 0.5

    @property
    def key(self) -> tuple[SeedType, tuple[int, ...]]:
        """Seeds (and threads) with the same key are the same story."""
        return self.type, tuple(sorted(self.participants))


@dataclass(frozen=True)
class KeyEvent:
    """One entry of a thread's timeline."""

    event_id: int
    at: datetime
    summary: str
    #: Why it is on the timeline: ``"evidence"``, ``"turn"`` (a stage change), ``"beat"``...
    role: str = "evidence"


@dataclass(frozen=True)
class Prediction:
    """A predicted next event ("Bob plans to search Diana's room"), with its source."""

    text: str
    participant_id: int
    goal: str


@dataclass
class StoryThread:
    """A story the engine follows (``id`` is None until stored).

    ``tension`` is in [0, 100]; ``key_events`` is the timeline in order of time;
    ``resolved_at`` is set when the thread reaches ``resolution``; ``scenario_id`` links it to
    the scenario it unfolds in, if any. ``state`` holds what the lifecycle needs between runs
    (peak tension, last activity, the seed's strength); its keys belong to ``engine.stories``.
    """

    ecosystem_id: int
    title: str
    seed_type: SeedType
    genre: Genre
    participants: tuple[int, ...]
    created_at: datetime
    updated_at: datetime
    channel_id: int | None = None
    stage: Stage = Stage.SEED
    tension: float = 0.0
    key_events: list[KeyEvent] = field(default_factory=list)
    predictions: list[Prediction] = field(default_factory=list)
    resolved_at: datetime | None = None
    scenario_id: int | None = None
    state: dict[str, object] = field(default_factory=dict)
    id: int | None = None

    @property
    def key(self) -> tuple[SeedType, tuple[int, ...]]:
        return self.seed_type, tuple(sorted(self.participants))

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def event_ids(self) -> list[int]:
        return [k.event_id for k in self.key_events]
