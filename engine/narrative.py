"""The narrative engine: open story threads feed beats back into the decide step as short-term
goals, so stories progress instead of stalling. Pure; ``engine.services.narrative`` stores
the beats as goals (source ``beat``, ``source_ref`` ``thread:<id>``).

**Beats.** A beat is one short-term goal for one participant of a thread: a *kind*
(escalation, confrontation, reveal, reconciliation, plus the genre's own), a text ("confront
Darcy about what happened"), a target, and the *pathway* it leads toward. Each genre has a
pattern per stage (:data:`PATTERNS`): a mystery moves from questions (investigation) to a
reveal and an accusation; a romance from flirtation to a declaration; a drama from escalation
to a confrontation; a comedy from teasing to a misunderstanding cleared up; an adventure from a
plan to a daring act. A thread gets a beat when it has no active beat and it has **stalled**:
no new key event for :data:`STALL_AFTER_S` seconds (or never had a beat).

**Resolution pathways** (:data:`PATHWAYS`): reconciliation, exposure, triumph, union, parting.
Each genre prefers some (:data:`GENRE_PATHWAYS`); the pathway is chosen from the thread's
state: low tension or warmth between the participants leans to reconciliation/union, high
tension to exposure/triumph/parting. **Members steer**: :func:`member_influence` reads a
member's act toward a thread's participants — praising, helping or apologising to a feuding
pair (or making peace between them) turns the thread to the *reconciliation* pathway; insults
and threats turn it to *escalation* (derailing a romance into a drama beat); a confided secret
in a mystery turns it to *exposure*. :func:`climax_beats` gives the final beat of the chosen
pathway once the thread reaches its climax.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from engine.acts import Act
from engine.stories.model import Genre, Stage, StoryThread

__all__ = [
    "BeatKind", "Pathway", "Beat", "PATTERNS", "PATHWAYS", "GENRE_PATHWAYS", "STALL_AFTER_S",
    "stalled", "choose_pathway", "next_beats", "member_influence", "BEAT_LIFETIME_S",
]

#: Seconds without a new key event after which an open thread gets a beat.
STALL_AFTER_S = 600.0
#: A beat not achieved within this long is abandoned (the goal expires).
BEAT_LIFETIME_S = 1800.0


class BeatKind(StrEnum):
    ESCALATION = "escalation"
    CONFRONTATION = "confrontation"
    REVEAL = "reveal"
    RECONCILIATION = "reconciliation"
    INVESTIGATION = "investigation"
    FLIRTATION = "flirtation"
    DECLARATION = "declaration"
    MISUNDERSTANDING = "misunderstanding"
    PLAN = "plan"
    DARING = "daring"


class Pathway(StrEnum):
    RECONCILIATION = "reconciliation"
    EXPOSURE = "exposure"
    TRIUMPH = "triumph"
    UNION = "union"
    PARTING = "parting"
    ESCALATION = "escalation"


#: Beat kinds per genre and stage (first, second participant's beat for the stage).
PATTERNS: dict[Genre, dict[Stage, tuple[BeatKind, ...]]] = {
    Genre.MYSTERY: {Stage.SEED: (BeatKind.INVESTIGATION, BeatKind.INVESTIGATION),
                    Stage.DEVELOPING: (BeatKind.INVESTIGATION, BeatKind.ESCALATION),
                    Stage.CLIMAX: (BeatKind.REVEAL, BeatKind.CONFRONTATION)},
    Genre.ROMANCE: {Stage.SEED: (BeatKind.FLIRTATION, BeatKind.FLIRTATION),
                    Stage.DEVELOPING: (BeatKind.FLIRTATION, BeatKind.MISUNDERSTANDING),
                    Stage.CLIMAX: (BeatKind.DECLARATION, BeatKind.REVEAL)},
    Genre.DRAMA: {Stage.SEED: (BeatKind.ESCALATION, BeatKind.ESCALATION),
                  Stage.DEVELOPING: (BeatKind.ESCALATION, BeatKind.CONFRONTATION),
                  Stage.CLIMAX: (BeatKind.CONFRONTATION, BeatKind.REVEAL)},
    Genre.COMEDY: {Stage.SEED: (BeatKind.MISUNDERSTANDING, BeatKind.MISUNDERSTANDING),
                   Stage.DEVELOPING: (BeatKind.MISUNDERSTANDING, BeatKind.ESCALATION),
                   Stage.CLIMAX: (BeatKind.REVEAL, BeatKind.RECONCILIATION)},
    Genre.ADVENTURE: {Stage.SEED: (BeatKind.PLAN, BeatKind.PLAN),
                      Stage.DEVELOPING: (BeatKind.PLAN, BeatKind.DARING),
                      Stage.CLIMAX: (BeatKind.DARING, BeatKind.CONFRONTATION)},
}

#: The goal text of a beat ({target}: the other participant's name); each text reads as the
#: strategy the goal engine needs (``engine.goals.STRATEGY_WORDS``).
_TEXTS: dict[BeatKind, str] = {
    BeatKind.ESCALATION: "confront {target} and outshine them in front of everyone",
    BeatKind.CONFRONTATION: "confront {target} about what happened",
    BeatKind.REVEAL: "tell {target} the secret at last",
    BeatKind.RECONCILIATION: "make peace with {target}",
    BeatKind.INVESTIGATION: "find out what {target} is hiding",
    BeatKind.FLIRTATION: "win the heart of {target}",
    BeatKind.DECLARATION: "declare love to {target}",
    BeatKind.MISUNDERSTANDING: "tell {target} the misunderstanding is all their fault",
    BeatKind.PLAN: "win {target} over as an ally for the plan",
    BeatKind.DARING: "challenge {target} to a daring deed",
}

#: The final beats of each resolution pathway (first, second participant).
PATHWAYS: dict[Pathway, tuple[BeatKind, BeatKind]] = {
    Pathway.RECONCILIATION: (BeatKind.RECONCILIATION, BeatKind.RECONCILIATION),
    Pathway.EXPOSURE: (BeatKind.REVEAL, BeatKind.CONFRONTATION),
    Pathway.TRIUMPH: (BeatKind.DARING, BeatKind.CONFRONTATION),
    Pathway.UNION: (BeatKind.DECLARATION, BeatKind.FLIRTATION),
    Pathway.PARTING: (BeatKind.CONFRONTATION, BeatKind.ESCALATION),
    Pathway.ESCALATION: (BeatKind.ESCALATION, BeatKind.CONFRONTATION),
}

#: Each genre's pathways, the warm one first and the hot one last.
GENRE_PATHWAYS: dict[Genre, tuple[Pathway, ...]] = {
    Genre.MYSTERY: (Pathway.EXPOSURE, Pathway.RECONCILIATION, Pathway.TRIUMPH),
    Genre.ROMANCE: (Pathway.UNION, Pathway.RECONCILIATION, Pathway.PARTING),
    Genre.DRAMA: (Pathway.RECONCILIATION, Pathway.TRIUMPH, Pathway.PARTING),
    Genre.COMEDY: (Pathway.RECONCILIATION, Pathway.UNION, Pathway.EXPOSURE),
    Genre.ADVENTURE: (Pathway.TRIUMPH, Pathway.RECONCILIATION, Pathway.PARTING),
}

#: Member acts that steer a thread, and the pathway they steer it to.
_STEER: dict[Act, Pathway] = {
    Act.APOLOGISE: Pathway.RECONCILIATION, Act.HELP: Pathway.RECONCILIATION,
    Act.PRAISE: Pathway.RECONCILIATION, Act.AGREE: Pathway.RECONCILIATION,
    Act.INSULT: Pathway.ESCALATION, Act.THREATEN: Pathway.ESCALATION,
    Act.CONFIDE: Pathway.EXPOSURE,
}


@dataclass(frozen=True)
class Beat:
    """A short-term goal the narrative engine gives one participant of a thread."""

    thread_id: int
    character_id: int
    target_id: int
    kind: BeatKind
    text: str
    pathway: Pathway | None = None


def stalled(thread: StoryThread, now: datetime, last_beat_at: datetime | None = None) -> bool:
    """True if the open thread has had no new key event (nor beat) for :data:`STALL_AFTER_S`."""
    if not thread.is_open:
        return False
    times = [k.at for k in thread.key_events] + [thread.updated_at]
    if last_beat_at is not None:
        times.append(last_beat_at)
    return (now - max(times)).total_seconds() >= STALL_AFTER_S


def choose_pathway(thread: StoryThread, warmth: float = 0.0) -> Pathway:
    """The resolution pathway: a member's steer (``state["pathway"]``) wins; otherwise the
    genre's warm pathway when tension is low or the participants are warm to each other
    (``warmth``, mean affinity in [-1, 1]), its hot one when tension is high, else the middle."""
    steered = thread.state.get("pathway")
    if isinstance(steered, str) and steered in Pathway.__members__.values():
        return Pathway(steered)
    options = GENRE_PATHWAYS.get(thread.genre, GENRE_PATHWAYS[Genre.DRAMA])
    if thread.tension < 35 or warmth > 0.3:
        return options[0]
    if thread.tension >= 70:
        return options[-1]
    return options[1]


def next_beats(thread: StoryThread, characters: Sequence[int], names: Mapping[int, str],
               warmth: float = 0.0) -> list[Beat]:
    """The beats that push ``thread`` forward: the genre pattern for its stage, or, at its
    climax, the chosen pathway's final beats. Only characters get beats (members act for
    themselves); each beat aims at another participant."""
    if not thread.is_open or thread.id is None:
        return []
    people = list(thread.participants)
    cast = [p for p in people if p in characters]
    if not cast or len(people) < 2:
        return []
    pathway = choose_pathway(thread, warmth)
    steered = "pathway" in thread.state
    if thread.stage is Stage.CLIMAX or steered:
        kinds: tuple[BeatKind, ...] = PATHWAYS[pathway]
    else:
        pattern = PATTERNS.get(thread.genre, PATTERNS[Genre.DRAMA])
        kinds = pattern.get(thread.stage, pattern[Stage.SEED])
    beats: list[Beat] = []
    for index, actor in enumerate(cast[:2]):
        target = next(p for p in people if p != actor)
        kind = kinds[min(index, len(kinds) - 1)]
        text = _TEXTS[kind].format(target=names.get(target, "them"))
        beats.append(Beat(thread.id, actor, target, kind, text,
                          pathway if thread.stage is Stage.CLIMAX or steered else None))
    return beats


def member_influence(thread: StoryThread, member_id: int, act: Act | None,
                     targets: Sequence[int]) -> Pathway | None:
    """The pathway a member's act steers an open thread to, if it touches its participants.

    Members are not participants' puppets: their act counts when aimed at a participant who
    is not the member. Peace-making (apologise, help, praise, agree) → reconciliation;
    insults and threats → escalation; confiding → exposure (mysteries only).
    """
    if act is None or not thread.is_open:
        return None
    if not any(t in thread.participants and t != member_id for t in targets):
        return None
    pathway = _STEER.get(act)
    if pathway is Pathway.EXPOSURE and thread.genre is not Genre.MYSTERY:
        return None
    return pathway
