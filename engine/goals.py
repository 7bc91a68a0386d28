"""Goals: what a character wants, where the want came from, and when it is settled.

Pure: no storage, no clock of its own. ``engine.services.goals`` loads and stores them.

**Horizons.** *Core motivations* are permanent (a card's ``values``: "honesty", "family
harmony"); they colour choices a little and never change status. *Long-term* goals come from
the card's ``goals`` ("find out the truth about Mr. Darcy and Mr. Wickham") or a scenario's
cast brief. *Short-term* goals come from scenarios and from story beats (the narrative engine,
``engine.narrative``): "confront Darcy about the letter", and weigh most.

**Strategies.** A goal's text is read once into a :class:`Strategy` (keyword rules in
:data:`STRATEGY_WORDS`, first match wins) and the people it names (:func:`resolve_targets`).
The strategy says which acts pursue it and whom they are aimed at (:func:`drive`): a character
who wants to *find out who took the locket* questions people (ask), confides its suspicions to
those it trusts (confide) and searches (an ``ask`` aimed at whoever the goal names).

**Settlement rules** (:func:`observe`, :func:`expire`, :func:`adopt`), applied as events happen:

* *achieved* — the goal's :class:`Satisfier` is met by an observed act: the owner performed
  (``by_owner``) or received (``received``) one of its acts, toward / from its target when it
  has one, ``times`` times. Without an explicit satisfier the strategy's default applies
  (:data:`DEFAULT_SATISFIERS`): investigating is achieved when someone (the target, if named)
  confides in the owner; courting when the target flirts back; befriending when the target
  praises or helps the owner; confronting when the owner disagrees with / insults the target;
  reconciling when the owner apologises to the target or the target apologises; revealing
  when the owner confides in the target. Protecting, avoiding and entertaining are never
  "done" (ongoing).
* *abandoned* — a short-term goal passes its ``expires_at`` unachieved; any goal whose
  target is gone (erased, or no longer a participant); goals of a scenario that stops or a
  story thread that is resolved (``abandon_source``).
* *replaced* — a new goal from the same ``source_ref`` (the next beat of the same thread, a
  scenario re-brief) replaces the active one of the same owner; and an owner keeps at most
  :data:`MAX_SHORT_TERM` active short-term goals: adopting one more replaces the oldest.
* Core motivations are never settled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from engine.acts import Act

__all__ = [
    "Horizon", "GoalStatus", "GoalSource", "Strategy", "Satisfier", "Goal", "GoalChange",
    "Drive", "STRATEGY_WORDS", "DEFAULT_SATISFIERS", "MAX_SHORT_TERM", "strategy_of",
    "resolve_targets", "card_goals", "drive", "combine", "observe", "expire", "adopt",
    "abandon_source", "Observed",
]

#: Most active short-term goals one character holds at once (the oldest is replaced).
MAX_SHORT_TERM = 3


class Horizon(StrEnum):
    CORE = "core"
    LONG = "long"
    SHORT = "short"


class GoalStatus(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    ABANDONED = "abandoned"
    REPLACED = "replaced"


class GoalSource(StrEnum):
    CARD = "card"
    SCENARIO = "scenario"
    BEAT = "beat"


class Strategy(StrEnum):
    INVESTIGATE = "investigate"
    COURT = "court"
    BEFRIEND = "befriend"
    CONFRONT = "confront"
    RECONCILE = "reconcile"
    REVEAL = "reveal"
    PROTECT = "protect"
    AVOID = "avoid"
    ENTERTAIN = "entertain"
    NONE = "none"


#: Keyword rules reading a goal's text, in order: the first strategy with a matching word wins.
STRATEGY_WORDS: tuple[tuple[Strategy, tuple[str, ...]], ...] = (
    (Strategy.AVOID, ("avoid", "refuse", "stay away", "escape", "hide from")),
    (Strategy.RECONCILE, ("reconcile", "make peace", "make amends", "forgive", "apologi",
                          "heal", "mend", "keep the peace", "peace")),
    (Strategy.INVESTIGATE, ("find out", "discover", "uncover", "truth", "who took",
                            "investigate", "search", "learn", "solve", "suspect")),
    (Strategy.REVEAL, ("reveal", "confess", "tell ", "declare", "expose the secret", "warn")),
    (Strategy.CONFRONT, ("confront", "accuse", "expose", "defeat", "revenge", "humiliate",
                         "challenge", "outshine")),
    (Strategy.COURT, ("marry", "married", "court", "woo", "heart", "romance", "love",
                      "admiration", "wife", "husband", "proposal")),
    (Strategy.PROTECT, ("protect", "keep", "defend", "comfort", "guard", "shield", "save")),
    (Strategy.BEFRIEND, ("friend", "approval", "see as much", "make himself known",
                         "make herself known", "enjoy", "please", "win over", "settled",
                         "compliment", "ally", "belong")),
    (Strategy.ENTERTAIN, ("laugh", "dance", "ball", "amuse", "fun", "joke", "party")),
)

#: How each strategy is pursued: act weights added to the volition's repertoire.
_ACTS: dict[Strategy, dict[Act, float]] = {
    Strategy.INVESTIGATE: {Act.ASK: 2.0, Act.CONFIDE: 0.8},
    Strategy.COURT: {Act.FLIRT: 1.5, Act.PRAISE: 1.0},
    Strategy.BEFRIEND: {Act.PRAISE: 1.0, Act.HELP: 0.8, Act.AGREE: 0.6},
    Strategy.CONFRONT: {Act.DISAGREE: 1.5, Act.ASK: 0.6, Act.INSULT: 0.4},
    Strategy.RECONCILE: {Act.APOLOGISE: 1.5, Act.HELP: 0.8, Act.AGREE: 0.6},
    Strategy.REVEAL: {Act.CONFIDE: 2.0},
    Strategy.PROTECT: {Act.HELP: 1.2, Act.DISAGREE: 0.3},
    Strategy.AVOID: {Act.SMALL_TALK: 0.5},
    Strategy.ENTERTAIN: {Act.JOKE: 1.2, Act.TEASE: 0.5},
    Strategy.NONE: {},
}
#: How much a named target is sought (negative: avoided).
_TARGET_PULL: dict[Strategy, float] = {
    Strategy.AVOID: -2.0, Strategy.PROTECT: 1.0, Strategy.ENTERTAIN: 0.5,
}
_HORIZON_WEIGHT = {Horizon.CORE: 0.3, Horizon.LONG: 1.0, Horizon.SHORT: 2.0}


@dataclass(frozen=True)
class Satisfier:
    """What settles a goal as achieved.

    Attributes:
        acts: Acts that count.
        received: True if the owner must *receive* the act (from the target, if any); False
            if the owner must perform it (toward the target, if any).
        times: How many such acts it takes.
        target_id: The participant the act must be toward / from (None: anyone).
    """

    acts: tuple[Act, ...]
    received: bool = False
    times: int = 1
    target_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"acts": [a.value for a in self.acts], "received": self.received,
                "times": self.times, "target_id": self.target_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Satisfier:
        return cls(tuple(Act(a) for a in data.get("acts", ())), bool(data.get("received")),
                   max(1, int(data.get("times", 1))), data.get("target_id"))


#: The default satisfier of each strategy: (acts, received). Missing = ongoing.
DEFAULT_SATISFIERS: dict[Strategy, tuple[tuple[Act, ...], bool]] = {
    Strategy.INVESTIGATE: ((Act.CONFIDE,), True),
    Strategy.COURT: ((Act.FLIRT,), True),
    Strategy.BEFRIEND: ((Act.PRAISE, Act.HELP), True),
    Strategy.CONFRONT: ((Act.DISAGREE, Act.INSULT, Act.THREATEN), False),
    Strategy.RECONCILE: ((Act.APOLOGISE,), False),
    Strategy.REVEAL: ((Act.CONFIDE,), False),
}


@dataclass(frozen=True)
class Goal:
    """One goal of one character (``id`` once stored)."""

    character_id: int
    text: str
    horizon: Horizon = Horizon.LONG
    source: GoalSource = GoalSource.CARD
    #: Where it came from, e.g. ``"scenario:3"``, ``"thread:5"``, ``"card"``.
    source_ref: str = "card"
    strategy: Strategy = Strategy.NONE
    target_ids: tuple[int, ...] = ()
    satisfier: Satisfier | None = None
    status: GoalStatus = GoalStatus.ACTIVE
    priority: float = 1.0
    progress: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    expires_at: datetime | None = None
    reason: str = ""
    id: int | None = None

    @property
    def active(self) -> bool:
        return self.status is GoalStatus.ACTIVE

    def effective_satisfier(self) -> Satisfier | None:
        """The explicit satisfier, else the strategy's default (None: ongoing)."""
        if self.horizon is Horizon.CORE:
            return None
        if self.satisfier is not None:
            return self.satisfier
        default = DEFAULT_SATISFIERS.get(self.strategy)
        if default is None:
            return None
        target = self.target_ids[0] if self.target_ids else None
        return Satisfier(default[0], default[1], 1, target)


@dataclass(frozen=True)
class GoalChange:
    """A goal that changed (``goal`` is its new state), and why."""

    goal: Goal
    reason: str


@dataclass
class Drive:
    """What a character's active goals push it toward right now."""

    acts: dict[Act, float] = field(default_factory=dict)
    targets: dict[int, float] = field(default_factory=dict)
    #: The goal pulling hardest (for the intent's reason), if any.
    leading: Goal | None = None

    @property
    def empty(self) -> bool:
        return not self.acts and not self.targets


def strategy_of(text: str) -> Strategy:
    """The strategy a goal's words suggest (:data:`STRATEGY_WORDS`)."""
    said = f" {text.lower()} "
    for strategy, words in STRATEGY_WORDS:
        if any(w in said for w in words):
            return strategy
    return Strategy.NONE


_TITLES = {"mr", "mrs", "miss", "lady", "sir", "colonel", "captain", "dr", "the"}


def _name_keys(names: Iterable[str]) -> set[str]:
    keys: set[str] = set()
    for name in names:
        words = re.findall(r"[a-z]+", name.lower())
        if not words:
            continue
        keys.add(" ".join(words))
        keys.update(w for w in words if len(w) > 2 and w not in _TITLES)
    return keys


def resolve_targets(text: str, names: Mapping[int, Sequence[str]],
                    exclude: int | None = None) -> tuple[int, ...]:
    """The participants a goal's text names (full name, alias or one of its words).

    Args:
        text: The goal.
        names: Each participant's names and aliases.
        exclude: The goal's owner (never its own target).
    """
    said = re.findall(r"[a-z]+", text.lower().replace("'s", ""))
    joined = " " + " ".join(said) + " "
    found: dict[int, int] = {}
    for pid, options in names.items():
        if pid == exclude:
            continue
        spots = [joined.find(f" {key} ") for key in _name_keys(options)]
        spots = [s for s in spots if s >= 0]
        if spots:
            found[pid] = min(spots)
    return tuple(sorted(found, key=lambda p: found[p]))


def card_goals(character_id: int, values: Sequence[str], goals: Sequence[str],
               names: Mapping[int, Sequence[str]],
               settled: Iterable[Goal] = ()) -> list[Goal]:
    """A card's core motivations (its values) and long-term goals, minus those already settled.

    Card goals are not stored until they change status: ``settled`` are the stored,
    no-longer-active card goals of the character, matched by text.
    """
    done = {g.text.strip().lower() for g in settled
            if g.source is GoalSource.CARD and not g.active}
    out = [Goal(character_id, v, Horizon.CORE, GoalSource.CARD, "card", strategy_of(v),
                priority=0.5) for v in values if v.strip()]
    for text in goals:
        if not text.strip() or text.strip().lower() in done:
            continue
        out.append(Goal(character_id, text, Horizon.LONG, GoalSource.CARD, "card",
                        strategy_of(text), resolve_targets(text, names, character_id)))
    return out


def drive(goals: Iterable[Goal], present: Iterable[int]) -> Drive:
    """The acts and targets the active goals favour among those ``present``.

    Each goal adds its strategy's act weights times its horizon's weight (core .3, long 1,
    short 2) and priority; named targets present are sought (+1.5 x weight; avoided ones
    -2) — an investigator also questions everyone else present a little (+.3).
    """
    here = set(present)
    result = Drive()
    best = 0.0
    for goal in goals:
        if not goal.active or goal.strategy is Strategy.NONE:
            continue
        weight = _HORIZON_WEIGHT[goal.horizon] * goal.priority
        for act, w in _ACTS[goal.strategy].items():
            result.acts[act] = result.acts.get(act, 0.0) + w * weight
        pull = _TARGET_PULL.get(goal.strategy, 1.5)
        named = [t for t in goal.target_ids if t in here]
        for t in named:
            result.targets[t] = result.targets.get(t, 0.0) + pull * weight
        if goal.strategy is Strategy.INVESTIGATE:
            for t in here - set(named) - {goal.character_id}:
                result.targets[t] = result.targets.get(t, 0.0) + 0.3 * weight
        strength = weight * (1.5 if named else 1.0)
        if goal.horizon is not Horizon.CORE and strength > best:
            best, result.leading = strength, goal
    return result


def combine(goals: Sequence[Goal], stored: Sequence[Goal]) -> list[Goal]:
    """Card-derived goals and stored goals together, stored ones first (no duplicate text)."""
    seen = {(g.character_id, g.text.strip().lower()) for g in stored}
    return [*stored, *(g for g in goals if (g.character_id, g.text.strip().lower()) not in seen)]


@dataclass(frozen=True)
class Observed:
    """An act that happened, as goal tracking needs it."""

    actor_id: int | None
    act: Act | None
    target_ids: tuple[int, ...]


def _counts(goal: Goal, sat: Satisfier, seen: Observed) -> bool:
    if seen.act is None or seen.act not in sat.acts or seen.actor_id is None:
        return False
    if sat.received:
        if goal.character_id not in seen.target_ids:
            return False
        return sat.target_id is None or seen.actor_id == sat.target_id
    if seen.actor_id != goal.character_id:
        return False
    return sat.target_id is None or sat.target_id in seen.target_ids


def observe(goals: Iterable[Goal], seen: Observed, now: datetime) -> list[GoalChange]:
    """Apply one observed act to active goals: progress, and achievement when it is enough.

    A reconciling goal is also achieved when its target apologises to the owner.
    """
    changes: list[GoalChange] = []
    for goal in goals:
        if not goal.active:
            continue
        sat = goal.effective_satisfier()
        if sat is None:
            continue
        counted = _counts(goal, sat, seen)
        if (not counted and goal.strategy is Strategy.RECONCILE and goal.satisfier is None
                and seen.act is Act.APOLOGISE and goal.character_id in seen.target_ids
                and (sat.target_id is None or seen.actor_id == sat.target_id)):
            counted = True
        if not counted:
            continue
        progress = goal.progress + 1
        if progress >= sat.times:
            changes.append(GoalChange(
                replace(goal, progress=progress, status=GoalStatus.ACHIEVED, updated_at=now,
                        reason=f"{seen.act.value if seen.act else 'act'} observed"),
                "achieved"))
        else:
            changes.append(GoalChange(replace(goal, progress=progress, updated_at=now),
                                      "progress"))
    return changes


def expire(goals: Iterable[Goal], now: datetime,
           participants: Iterable[int] | None = None) -> list[GoalChange]:
    """Abandon active goals past their ``expires_at``, or whose targets are all gone."""
    alive = set(participants) if participants is not None else None
    changes: list[GoalChange] = []
    for goal in goals:
        if not goal.active or goal.horizon is Horizon.CORE:
            continue
        if goal.expires_at is not None and now >= goal.expires_at:
            changes.append(GoalChange(replace(goal, status=GoalStatus.ABANDONED,
                                              updated_at=now, reason="ran out of time"),
                                      "abandoned"))
        elif alive is not None and goal.target_ids and not set(goal.target_ids) & alive:
            changes.append(GoalChange(replace(goal, status=GoalStatus.ABANDONED,
                                              updated_at=now, reason="its target is gone"),
                                      "abandoned"))
    return changes


def adopt(existing: Iterable[Goal], new: Goal, now: datetime) -> list[GoalChange]:
    """The goals ``new`` replaces when its owner takes it up (same owner and ``source_ref``;
    and the oldest short-term goals beyond :data:`MAX_SHORT_TERM`)."""
    mine = [g for g in existing if g.active and g.character_id == new.character_id]
    changes: list[GoalChange] = []
    gone: set[int | None] = set()
    for goal in mine:
        if new.source is not GoalSource.CARD and goal.source_ref == new.source_ref \
                and goal.horizon is new.horizon:
            changes.append(GoalChange(replace(goal, status=GoalStatus.REPLACED, updated_at=now,
                                              reason=f"replaced by: {new.text}"), "replaced"))
            gone.add(goal.id)
    if new.horizon is Horizon.SHORT:
        short = sorted((g for g in mine if g.horizon is Horizon.SHORT and g.id not in gone),
                       key=lambda g: (g.created_at or now, g.id or 0))
        while len(short) >= MAX_SHORT_TERM:
            oldest = short.pop(0)
            changes.append(GoalChange(replace(oldest, status=GoalStatus.REPLACED,
                                              updated_at=now,
                                              reason=f"replaced by: {new.text}"), "replaced"))
    return changes


def abandon_source(goals: Iterable[Goal], source_ref: str, now: datetime,
                   reason: str) -> list[GoalChange]:
    """Abandon the active goals that came from ``source_ref`` (a stopped scenario, a
    resolved thread)."""
    return [GoalChange(replace(g, status=GoalStatus.ABANDONED, updated_at=now, reason=reason),
                       "abandoned")
            for g in goals if g.active and g.source_ref == source_ref]
