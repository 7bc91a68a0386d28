"""Story threads: how a seed becomes a thread, and how the thread lives.

Pure and deterministic; time arrives as parameters.

- :func:`absorb` turns a seed into a new thread, or strengthens the open thread with the same
  type and participants (new evidence joins its timeline).
- :func:`tension` is the thread's meter, 0-100, computed from the dynamics (:class:`Dynamics`):
  how far apart the participants' views are (dislike, distrust, rivalry, grudge; romance and
  how unevenly it is returned; trust at stake in a secret), how hot their conflict is, and how
  many charged acts passed between them lately (each fading with a half-life), all damped by
  the quiet since their last exchange.
- :func:`advance` moves the stage: ``seed -> developing -> climax -> resolution``, and any
  stage to ``dormant`` after a long quiet (a dormant thread seen again develops anew).
- :func:`predict` lists predicted next events from the participants' goals.
- :func:`template_title` names a thread ("The Feud of Darcy and Wickham").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from engine.acts import Act
from engine.messages import Event
from engine.relationships import Relationship
from engine.social.conflicts import Conflict
from engine.stories.model import (
    KeyEvent,
    Prediction,
    SeedType,
    Stage,
    StorySeed,
    StoryThread,
)
from engine.stories.seeds import is_hostile_act, severity

__all__ = [
    "Dynamics", "absorb", "tension", "advance", "predict", "template_title", "summarize",
    "join_names", "DEVELOP_AT", "CLIMAX_AT", "DORMANT_AFTER_S", "ACT_HALF_LIFE_S",
    "QUIET_HALF_LIFE_S",
]

#: Tension from which a seed is a developing story.
DEVELOP_AT = 35.0
#: Tension from which a story is at its climax.
CLIMAX_AT = 70.0
#: After a climax, the story resolves when tension has fallen below this share of its peak.
RESOLVE_BELOW_PEAK = 0.5
#: Reconciliations resolve when the residual hostility falls below this.
HEALED_BELOW = 20.0
#: Quiet (no exchange among the participants) after which a thread is dormant.
DORMANT_AFTER_S = 3 * 24 * 3600.0
#: Half-life of a charged act's weight in the tension.
ACT_HALF_LIFE_S = 6 * 3600.0
#: Half-life of tension over quiet.
QUIET_HALF_LIFE_S = 2 * 24 * 3600.0
#: Timeline length kept per thread (the newest entries past it are not added).
MAX_TIMELINE = 200

_TENDER = frozenset({Act.FLIRT, Act.CONFIDE, Act.PRAISE})


@dataclass(frozen=True)
class Dynamics:
    """What the meter reads: views among the participants, their conflicts, and the recent
    events between them (oldest first)."""

    relationships: Mapping[tuple[int, int], Relationship] = field(default_factory=dict)
    conflicts: Sequence[Conflict] = ()
    events: Sequence[Event] = ()


def join_names(names: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return names[0] if names else "someone"
    return ", ".join(names[:-1]) + " and " + names[-1]


def _lead_and_rest(seed_type: SeedType, participants: Sequence[int], evidence: Sequence[Event]
                   ) -> tuple[list[int], list[int]]:
    """Participants in telling order: for an alliance, the allies then the enemy (the most
    attacked); for a mystery, the one who confided first."""
    ordered = list(participants)
    if seed_type is SeedType.ALLIANCE_AGAINST_ENEMY and evidence:
        targets = Counter(e.target_id for e in evidence if is_hostile_act(e))
        if targets:
            enemy = targets.most_common(1)[0][0]
            if enemy in ordered:
                return [p for p in ordered if p != enemy], [int(enemy)]
    if seed_type is SeedType.MYSTERY:
        confider = next((e.author_id for e in evidence if e.act is Act.CONFIDE), None)
        if confider in ordered:
            return [int(confider)], [p for p in ordered if p != confider]
    return ordered, []


_TEMPLATES: dict[SeedType, str] = {
    SeedType.ESCALATING_CONFLICT: "The Feud of {all}",
    SeedType.ROMANTIC_TENSION: "{all}: A Courtship",
    SeedType.MYSTERY: "The Secret {lead} Told {rest}",
    SeedType.BETRAYAL: "A Trust Broken: {all}",
    SeedType.ALLIANCE_AGAINST_ENEMY: "{lead} against {rest}",
    SeedType.RIVALRY: "The Rivalry of {all}",
    SeedType.RECONCILIATION: "{all} Make Amends",
}


def template_title(seed_type: SeedType, participants: Sequence[int], names: Mapping[int, str],
                   evidence: Sequence[Event] = ()) -> str:
    """A thread's name from its type's template ("The Feud of Darcy and Wickham")."""
    lead, rest = _lead_and_rest(seed_type, participants, evidence)
    def named(ids: Iterable[int]) -> str:
        return join_names([names.get(i, f"#{i}") for i in ids])
    title = _TEMPLATES[seed_type].format(
        all=named(participants), lead=named(lead), rest=named(rest) if rest else "")
    return " ".join(title.split())[:200]


_VERB = {
    Act.INSULT: "insults", Act.THREATEN: "threatens", Act.DISAGREE: "disagrees with",
    Act.TEASE: "teases", Act.FLIRT: "flirts with", Act.CONFIDE: "confides in",
    Act.APOLOGISE: "apologises to", Act.PRAISE: "praises", Act.THANK: "thanks",
    Act.HELP: "helps", Act.ASK: "questions", Act.AGREE: "agrees with", Act.GREET: "greets",
    Act.JOKE: "jokes with", Act.ANSWER: "answers", Act.RESPOND: "answers",
    Act.SMALL_TALK: "chats with", Act.FAREWELL: "bids farewell to", Act.INITIATE: "addresses",
}


def summarize(event: Event, names: Mapping[int, str], limit: int = 90) -> str:
    """One line for the timeline: "Darcy insults Wickham: “You are a liar.”"."""
    who = names.get(event.author_id or 0) or event.author_name or "Someone"
    verb = _VERB.get(event.act, "speaks to") if event.act else "says"
    whom = names.get(event.target_id or 0, "") if event.target_id else ""
    text = " ".join(event.text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    head = f"{who} {verb} {whom}" if whom else f"{who} says"
    return f"{head}: “{text}”" if text else head


def absorb(threads: Sequence[StoryThread], seed: StorySeed, evidence: Mapping[int, Event],
           names: Mapping[int, str], now: datetime, ecosystem_id: int,
           channel_id: int | None = None) -> tuple[StoryThread, bool]:
    """The thread this seed becomes: a new one, or the thread with the same type and
    participants (not resolved) strengthened by the seed's new evidence.

    Returns the thread and whether it is new. A resolved thread does not reopen: a new thread
    starts (the same pair can quarrel twice). A dormant one wakes up (it develops again).
    """
    current = next((t for t in threads if t.key == seed.key and t.stage is not Stage.RESOLUTION),
                   None)
    events = [evidence[i] for i in seed.evidence_event_ids if i in evidence]
    entries = [KeyEvent(event_id=int(e.id), at=e.created_at, summary=summarize(e, names))
               for e in events if e.id is not None]
    if current is None:
        thread = StoryThread(
            ecosystem_id=ecosystem_id, channel_id=channel_id or _channel(events),
            title=template_title(seed.type, seed.participants, names, events),
            seed_type=seed.type, genre=seed.genre, participants=seed.participants,
            created_at=now, updated_at=now, stage=Stage.SEED,
            key_events=entries[:MAX_TIMELINE],
            state={"strength": seed.strength, "sightings": 1, "peak": 0.0,
                   "last_activity_at": _last_at(events, now).isoformat(),
                   "named_by": "template"},
        )
        return thread, True
    have = set(current.event_ids())
    fresh = [k for k in entries if k.event_id not in have]
    room = max(0, MAX_TIMELINE - len(current.key_events))
    state = dict(current.state)
    if fresh:
        state["sightings"] = int(state.get("sightings", 1)) + 1  # type: ignore[call-overload]
        state["last_activity_at"] = max(
            str(state.get("last_activity_at", "")), _last_at(events, now).isoformat())
    state["strength"] = max(float(state.get("strength", 0.0)), seed.strength)  # type: ignore[arg-type]
    timeline = sorted([*current.key_events, *fresh[:room]], key=lambda k: (k.at, k.event_id))
    stage = Stage.DEVELOPING if current.stage is Stage.DORMANT and fresh else current.stage
    return replace(current, key_events=timeline, state=state, stage=stage,
                   updated_at=now if fresh else current.updated_at), False


def _channel(events: Sequence[Event]) -> int | None:
    counts = Counter(e.channel_id for e in events if e.channel_id is not None)
    return counts.most_common(1)[0][0] if counts else None


def _last_at(events: Sequence[Event], default: datetime) -> datetime:
    return max((e.created_at for e in events), default=default)


def _pairs(participants: Sequence[int]) -> list[tuple[int, int]]:
    return [(a, b) for a in participants for b in participants if a != b]


def _relational(thread: StoryThread, views: Mapping[tuple[int, int], Relationship]) -> float:
    """How far apart the participants' views stand, in [0, 1], read for the story's type."""
    pairs = [views[p] for p in _pairs(thread.participants) if p in views]
    if not pairs:
        return 0.0
    if thread.seed_type is SeedType.ROMANTIC_TENSION:
        romance = [max(0.0, v.romance) for v in pairs]
        uneven = max(romance) - min(romance) if len(romance) > 1 else max(romance)
        return min(1.0, 0.6 * max(romance) + 0.4 * uneven)
    if thread.seed_type is SeedType.MYSTERY:
        return min(1.0, max(max(0.0, v.trust) for v in pairs))  # trust at stake
    gaps = [max(0.0, -v.affinity, -v.trust, v.rivalry, v.grudge) for v in pairs]
    return min(1.0, sum(gaps) / len(gaps) * 0.5 + max(gaps) * 0.5)


def _charged(thread: StoryThread, event: Event) -> float:
    """How much one act charges this story (hostile acts for quarrels, tender ones for a
    romance, probing and confiding for a secret, apologies lowering a reconciliation's)."""
    if thread.seed_type is SeedType.ROMANTIC_TENSION:
        return 1.0 if event.act in _TENDER else 0.0
    if thread.seed_type is SeedType.MYSTERY:
        return 1.0 if event.act in (Act.ASK, Act.CONFIDE) else 0.0
    if thread.seed_type is SeedType.RECONCILIATION and event.act is Act.APOLOGISE:
        return -1.0
    return severity(event) / 2.0


def tension(thread: StoryThread, dynamics: Dynamics, now: datetime) -> float:
    """The tension meter, in [0, 100].

    ``100 * quiet * clamp(0.35 * relational + 0.30 * conflict + 0.35 * acts)`` where
    *relational* is how far apart the participants' views stand (see ``_relational``),
    *conflict* the highest intensity of a conflict among them, *acts* ``1 - exp(-x / 2)`` of the
    charged acts between them (each weighted by its force and halved every
    :data:`ACT_HALF_LIFE_S`), and *quiet* halves the whole every :data:`QUIET_HALF_LIFE_S`
    since their last exchange.
    """
    members = set(thread.participants)
    relational = _relational(thread, dynamics.relationships)
    conflict = max((c.intensity for c in dynamics.conflicts if len(c.parties & members) >= 2),
                   default=0.0)
    charge = 0.0
    last: datetime | None = None
    for e in dynamics.events:
        if e.author_id not in members or e.target_id not in members:
            continue
        age = max(0.0, (now - e.created_at).total_seconds())
        charge += _charged(thread, e) * 0.5 ** (age / ACT_HALF_LIFE_S)
        last = e.created_at if last is None or e.created_at > last else last
    acts = 1.0 - math.exp(-max(0.0, charge) / 2.0)
    if thread.seed_type is SeedType.RECONCILIATION:
        # What is left to heal: hostility, less the apologies' goodwill.
        acts = max(0.0, 1.0 - math.exp(-max(0.0, 1.0 + charge)))
    raw = 0.35 * relational + 0.30 * conflict + 0.35 * acts
    if last is None:
        raw_last = thread.state.get("last_activity_at")
        last = datetime.fromisoformat(str(raw_last)) if raw_last else thread.updated_at
    quiet = max(0.0, (now - last).total_seconds())
    value = 100.0 * min(1.0, max(0.0, raw)) * 0.5 ** (quiet / QUIET_HALF_LIFE_S)
    return round(value, 1)


def advance(thread: StoryThread, meter: float, now: datetime, *, reconciled: bool = False,
            last_activity: datetime | None = None) -> StoryThread:
    """The thread with its new tension and stage.

    - ``seed -> developing`` once tension reaches :data:`DEVELOP_AT` or the seed was seen again
      with new evidence;
    - ``developing -> climax`` once tension reaches :data:`CLIMAX_AT`;
    - ``climax -> resolution`` once tension falls below half its peak, and
      ``developing/climax -> resolution`` when the participants reconciled (``reconciled``:
      an accepted apology among them, or their conflict resolved); a reconciliation thread
      resolves when what is left to heal falls below :data:`HEALED_BELOW`;
    - any open stage ``-> dormant`` after :data:`DORMANT_AFTER_S` without an exchange.
    A thread moves at most one stage per call (its arc has a chapter per stage).
    ``resolved_at`` is set on reaching resolution. Each stage change joins the thread's
    history in ``state["turns"]``.
    """
    state = dict(thread.state)
    peak = max(float(state.get("peak", 0.0)), meter)  # type: ignore[arg-type]
    state["peak"] = peak
    if last_activity is not None:
        state["last_activity_at"] = max(str(state.get("last_activity_at", "")),
                                        last_activity.isoformat())
    raw_last = state.get("last_activity_at")
    last = datetime.fromisoformat(str(raw_last)) if raw_last else thread.updated_at
    quiet = (now - last).total_seconds()
    stage = thread.stage
    sightings = int(state.get("sightings", 1))  # type: ignore[call-overload]
    if stage in (Stage.SEED, Stage.DEVELOPING, Stage.CLIMAX) and quiet >= DORMANT_AFTER_S:
        stage = Stage.DORMANT
    elif thread.seed_type is SeedType.RECONCILIATION:
        if stage is Stage.SEED and (meter >= DEVELOP_AT or sightings > 1):
            stage = Stage.DEVELOPING
        if stage in (Stage.SEED, Stage.DEVELOPING) and meter < HEALED_BELOW:
            stage = Stage.RESOLUTION
    elif stage is Stage.SEED:
        if meter >= DEVELOP_AT or sightings > 1:
            stage = Stage.DEVELOPING
    elif stage in (Stage.DEVELOPING, Stage.CLIMAX) and reconciled:
        stage = Stage.RESOLUTION
    elif stage is Stage.DEVELOPING and meter >= CLIMAX_AT:
        stage = Stage.CLIMAX
    elif stage is Stage.CLIMAX and meter < RESOLVE_BELOW_PEAK * peak:
        stage = Stage.RESOLUTION
    resolved_at = thread.resolved_at
    if stage is not thread.stage:
        turns = list(state.get("turns", []))  # type: ignore[call-overload]
        turns.append({"at": now.isoformat(), "from": thread.stage.value, "to": stage.value,
                      "tension": meter})
        state["turns"] = turns[-20:]
        if stage is Stage.RESOLUTION:
            resolved_at = now
    return replace(thread, tension=meter, stage=stage, state=state, resolved_at=resolved_at,
                   updated_at=now if stage is not thread.stage else thread.updated_at)


# -- predictions -------------------------------------------------------------------------------
_KEYWORDS: dict[SeedType, tuple[str, ...]] = {
    SeedType.ESCALATING_CONFLICT: ("revenge", "defeat", "expose", "ruin", "humble", "punish",
                                   "prove", "confront", "win"),
    SeedType.RIVALRY: ("win", "best", "prove", "beat", "outdo", "first", "favour", "defeat"),
    SeedType.ROMANTIC_TENSION: ("marry", "love", "heart", "court", "win", "dance", "kiss",
                                "affection"),
    SeedType.MYSTERY: ("find", "discover", "search", "learn", "uncover", "truth", "secret",
                       "who", "hide", "keep"),
    SeedType.BETRAYAL: ("revenge", "trust", "expose", "truth", "forgive", "protect"),
    SeedType.ALLIANCE_AGAINST_ENEMY: ("defeat", "expose", "protect", "stop", "ruin", "together"),
    SeedType.RECONCILIATION: ("forgive", "peace", "mend", "friend", "family", "reconcile"),
}
_FIRST_PERSON = re.compile(r"^(i\s+(want|wish|hope|mean|plan|intend|need)\s+to\s+|to\s+)", re.I)


def _goal_phrase(goal: str) -> str:
    phrase = _FIRST_PERSON.sub("", " ".join(goal.split())).rstrip(".!")
    return phrase[:1].lower() + phrase[1:] if phrase[:2] != phrase[:2].upper() else phrase


def predict(thread: StoryThread, goals: Mapping[int, Sequence[str]], names: Mapping[int, str],
            limit: int = 3) -> list[Prediction]:
    """Predicted next events from the participants' goals ("Bob plans to search Diana's room").

    Goals that name another participant rank first, then goals whose words fit the story's
    type, then the rest; ties keep the participants' and their goals' order. Without goals,
    no predictions.
    """
    members = list(thread.participants)
    scored: list[tuple[int, int, int, Prediction]] = []
    for rank, pid in enumerate(members):
        name = names.get(pid, "")
        others = [names.get(o, "") for o in members if o != pid]
        for order, goal in enumerate(goals.get(pid, ())):
            phrase = _goal_phrase(goal)
            if not phrase or not name:
                continue
            lowered = phrase.lower()
            names_other = any(o and o.split()[0].lower() in lowered for o in others)
            fits = any(k in lowered for k in _KEYWORDS[thread.seed_type])
            score = 2 * names_other + fits
            scored.append((-score, rank, order,
                           Prediction(text=f"{name} plans to {phrase}", participant_id=pid,
                                      goal=goal)))
    scored.sort(key=lambda s: s[:3])
    return [p for *_, p in scored[:limit]]
