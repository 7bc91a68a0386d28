"""Alliances: who teams up with whom, why, and how the pact holds or breaks.

:func:`propose` suggests pairs and groups ("the enemy of my enemy" first); :func:`evaluate`
strains, recovers (with hysteresis) and dissolves them, writing each transition's cause to the
alliance's history; :func:`group_dynamics` reads cohesion, weakest link and leader.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import combinations, permutations
from typing import Literal

from engine.personas import BigFive
from engine.relationships import Relationship, clamp
from engine.social.confidences import content_words
from engine.social.conflicts import enemies_of, hostile_between, hostility, is_hostile

__all__ = [
    "Alliance", "AllianceStatus", "AllianceContext", "Proposal", "GroupReport", "propose",
    "form_alliance", "evaluate", "group_dynamics", "PROPOSAL_THRESHOLD",
]

logger = logging.getLogger(__name__)

AllianceStatus = Literal["proposed", "active", "strained", "dissolved"]

#: Minimum score for :func:`propose` to suggest an alliance.
PROPOSAL_THRESHOLD = 0.3
_STRAIN_BELOW, _RECOVER_AT, _DISSOLVE_AT = 0.25, 0.45, 0.1
#: Weights of the proposal drivers (they sum to 1; a common enemy dominates).
_W_ENEMY, _W_GOALS, _W_TRUST, _W_BENEFIT, _W_STRATEGY = 0.4, 0.2, 0.2, 0.1, 0.1


@dataclass(frozen=True, kw_only=True)
class Alliance:
    """A pact among characters; ``history`` has one line per transition with time and cause."""

    id: int | None = None  # storage id, None until stored
    members: frozenset[int]
    purpose: str  # "against Wickham", "shared goal: marry well"
    against: frozenset[int] = frozenset()  # common enemies
    formed_at: datetime
    strength: float = 0.5  # in [0, 1]
    status: AllianceStatus = "proposed"
    history: tuple[str, ...] = ()
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "strength", clamp(self.strength, 0.0, 1.0))


@dataclass(frozen=True)
class AllianceContext:
    """Views keyed ``(source, target)``, goals, Big Five, influence in [0, 1], names."""

    relationships: Mapping[tuple[int, int], Relationship]
    goals: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    personalities: Mapping[int, BigFive] = field(default_factory=dict)
    influence: Mapping[int, float] | None = None
    names: Mapping[int, str] = field(default_factory=dict)

    def view(self, source: int, target: int) -> Relationship | None:
        """How ``source`` sees ``target``, if they have a relationship."""
        return self.relationships.get((source, target))

    def name(self, character: int) -> str:
        """A display name for ``character``."""
        return self.names.get(character, f"#{character}")


@dataclass(frozen=True)
class Proposal:
    """A suggested alliance, with why it makes sense."""

    members: frozenset[int]
    purpose: str
    score: float  # in [0, 1]
    reasons: list[str]
    against: frozenset[int] = frozenset()


@dataclass(frozen=True)
class GroupReport:
    """How a group holds together: ``cohesion`` is the mean (affinity + trust) / 2 over ordered
    member pairs in [-1, 1]; ``bonds`` each member's mean bond given and received (the weakest
    link has the lowest); the leader receives the most respect inside the group."""

    cohesion: float
    weakest_link: int | None
    leader: int | None
    bonds: dict[int, float]


def _trust(ctx: AllianceContext, a: int, b: int) -> float:
    view = ctx.view(a, b)
    return view.trust if view else 0.0


def _goal_words(ctx: AllianceContext, character: int) -> frozenset[str]:
    return frozenset().union(*(content_words(g) for g in ctx.goals.get(character, ())))


def _goal_overlap(ctx: AllianceContext, a: int, b: int) -> float:
    # Best-matching pair of goals (token Jaccard): one goal held in common is enough to ally,
    # however many other ambitions each side has.
    pairs = [(content_words(x), content_words(y))
             for x in ctx.goals.get(a, ()) for y in ctx.goals.get(b, ())]
    return max((len(x & y) / len(x | y) for x, y in pairs if x | y), default=0.0)


def _benefit(ctx: AllianceContext, a: int, b: int) -> float:
    pa, pb = ctx.personalities.get(a), ctx.personalities.get(b)
    if pa is None or pb is None:
        return 0.0
    # Different strengths complement each other; similar agreeableness keeps the peace.
    complement = (abs(pa.openness - pb.openness) + abs(pa.conscientiousness - pb.conscientiousness)
                  + abs(pa.extraversion - pb.extraversion)) / 3
    return clamp(0.6 * complement + 0.4 * (1 - abs(pa.agreeableness - pb.agreeableness)), 0.0, 1.0)


def _components(ctx: AllianceContext, a: int, b: int,
                enemies: frozenset[int]) -> dict[str, float]:
    enemy = 0.6 + 0.4 * max(min(hostility(ctx.view(a, c)), hostility(ctx.view(b, c)))
                            for c in enemies) if enemies else 0.0
    influence = ctx.influence or {}
    strategy = (clamp(influence.get(a, 0.0), 0.0, 1.0) + clamp(influence.get(b, 0.0), 0.0, 1.0)) / 2
    parts = {"enemy": enemy, "goals": _goal_overlap(ctx, a, b),
             "trust": min(_trust(ctx, a, b), _trust(ctx, b, a)),
             "benefit": _benefit(ctx, a, b), "strategy": strategy}
    parts["score"] = clamp(_W_ENEMY * enemy + _W_GOALS * parts["goals"] + _W_TRUST * parts["trust"]
                           + _W_BENEFIT * parts["benefit"] + _W_STRATEGY * strategy, 0.0, 1.0)
    return parts


def _shared_goal(ctx: AllianceContext, members: Sequence[int]) -> str | None:
    common = frozenset.intersection(*(_goal_words(ctx, m) for m in members))
    if not common:
        return None
    goals = ctx.goals.get(members[0], ())
    return max(goals, key=lambda g: len(content_words(g) & common))


def _assess(ctx: AllianceContext, group: frozenset[int], enemies: Mapping[int, frozenset[int]],
            threshold: float) -> Proposal | None:
    members = sorted(group)
    pairs = list(combinations(members, 2))
    if any(hostile_between(ctx.relationships, a, b) for a, b in pairs):
        return None  # never ally two characters hostile to each other
    against = frozenset.intersection(*(enemies[m] for m in members)) - group
    parts = [_components(ctx, a, b, against) for a, b in pairs]
    scores = [p["score"] for p in parts]
    score = sum(scores) / len(scores)
    min_trust = min(p["trust"] for p in parts)
    if score < threshold or min(scores) < threshold / 2 or min_trust < -0.3:
        return None
    goal, foes = _shared_goal(ctx, members), [ctx.name(c) for c in sorted(against)]
    checks = [(bool(foes), "common enemy: " + ", ".join(foes)),
              (goal is not None, f"shared goal: {goal}"),
              (min_trust >= 0.3, f"mutual trust ({min_trust:.2f})"),
              (min(p["benefit"] for p in parts) >= 0.6, "complementary temperaments"),
              (min(p["strategy"] for p in parts) >= 0.5, "strategic value: influential members")]
    purpose = ("against " + " and ".join(foes) if foes
               else f"shared goal: {goal}" if goal is not None else "mutual support")
    return Proposal(group, purpose, round(score, 4), [r for ok, r in checks if ok], against)


def propose(context: AllianceContext, candidates: Sequence[int], now: datetime,
            threshold: float = PROPOSAL_THRESHOLD, max_size: int = 4) -> list[Proposal]:
    """Suggest alliances among ``candidates``, best first (then larger groups, then ids).

    Pairs are scored by a common enemy (both hostile to the same third party: rivalry >= 0.4
    or labelled rival/enemy — the strongest driver), shared goals (token Jaccard), mutual trust,
    complementary temperaments and strategic value (``context.influence``). Proposed pairs grow
    into groups while no pair falls below half the threshold and the mean clears it. Members
    hostile to each other are never proposed together.

    Args:
        context: Relationships, goals, personalities, influence and names.
        candidates: Who may ally.
        now: The current time (proposals are a snapshot of it).
        threshold: Minimum score in [0, 1].
        max_size: Largest group to propose.
    """
    people = sorted(set(candidates))
    enemies = {c: enemies_of(context.relationships, c) for c in people}
    found: dict[frozenset[int], Proposal] = {}
    frontier = [frozenset((p,)) for p in people]
    for size in range(2, max_size + 1):  # grow only groups that were proposed themselves
        tried = {group | {extra} for group in frontier for extra in people if extra not in group}
        for group in sorted(tried, key=sorted):
            if (proposal := _assess(context, group, enemies, threshold)) is not None:
                found[group] = proposal
        frontier = [group for group in found if len(group) == size]
    logger.debug("%d alliance proposals at %s", len(found), now.isoformat())
    return sorted(found.values(), key=lambda p: (-p.score, -len(p.members), sorted(p.members)))


def form_alliance(proposal: Proposal, now: datetime,
                  status: AllianceStatus = "active") -> Alliance:
    """Turn an accepted (or merely offered, ``status="proposed"``) proposal into an alliance."""
    because = f" — {'; '.join(proposal.reasons)}" if proposal.reasons else ""
    line = f"{now.isoformat(timespec='minutes')} formed ({status}): {proposal.purpose}{because}"
    return Alliance(members=proposal.members, purpose=proposal.purpose, against=proposal.against,
                    formed_at=now, strength=proposal.score, status=status, history=(line,),
                    updated_at=now)


def _transition(alliance: Alliance, status: AllianceStatus, strength: float, now: datetime,
                cause: str) -> Alliance:
    line = f"{now.isoformat(timespec='minutes')} {alliance.status} -> {status}: {cause}"
    return replace(alliance, status=status, strength=strength, updated_at=now,
                   history=(*alliance.history, line))


def evaluate(alliance: Alliance, context: AllianceContext, now: datetime,
             betrayals: AbstractSet[tuple[int, int]] = frozenset(),
             rate: float = 0.3) -> Alliance:
    """Re-assess an alliance against the current relationships; return it updated.

    Strength moves (by ``rate``) toward a target of mutual trust, affinity, and whether the
    common enemies persist (without enemies: shared goals); rivalry or distrust inside pulls it
    down at once. Active strains below 0.25, on rivalry or distrust; strained recovers at 0.45
    with neither left; it dissolves at <= 0.1 or on any betrayal between members.

    Args:
        alliance: The alliance; a dissolved one is returned unchanged.
        context: Current relationships, goals, names.
        now: The current time (stamps ``updated_at`` and history lines).
        betrayals: ``(betrayer, betrayed)`` pairs that happened since the last evaluation.
        rate: How fast strength follows its target, in [0, 1].
    """
    if alliance.status == "dissolved":
        return alliance
    members = sorted(alliance.members)
    for betrayer, victim in sorted(betrayals):
        if betrayer != victim and {betrayer, victim} <= alliance.members:
            cause = f"{context.name(betrayer)} betrayed {context.name(victim)}"
            return _transition(alliance, "dissolved", 0.0, now, cause)
    ordered, pairs = list(permutations(members, 2)), list(combinations(members, 2))
    views = [context.view(a, b) for a, b in ordered]
    mean_trust = sum(v.trust for v in views if v) / max(1, len(views))
    mean_aff = sum(v.affinity for v in views if v) / max(1, len(views))
    rivals = [(a, b) for a, b in pairs if hostile_between(context.relationships, a, b)]
    distrust = [(a, b) for a, b in ordered if _trust(context, a, b) < 0]
    bond = (sum(all(is_hostile(context.view(m, c)) for m in members) for c in alliance.against)
            / len(alliance.against) if alliance.against
            else sum(_goal_overlap(context, a, b) for a, b in pairs) / max(1, len(pairs)))
    target = 0.4 * max(0.0, mean_trust) + 0.3 * max(0.0, mean_aff) + 0.3 * bond
    strength = alliance.strength + clamp(rate, 0.0, 1.0) * (target - alliance.strength)
    strength = clamp(strength - 0.25 * len(rivals) - (0.15 if distrust else 0.0), 0.0, 1.0)
    name = context.name
    if rivals:
        cause = f"{name(rivals[0][0])} and {name(rivals[0][1])} became rivals"
    elif distrust:
        a, b = distrust[0]
        cause = f"{name(a)}'s trust in {name(b)} fell to {_trust(context, a, b):.2f}"
    elif alliance.against and bond == 0:
        cause = "the common enemy is no longer an enemy"
    else:
        cause = f"the bond weakened (strength {strength:.2f})"
    if strength <= _DISSOLVE_AT:
        return _transition(alliance, "dissolved", strength, now, cause)
    troubled = bool(rivals or distrust)
    if alliance.status == "active" and (strength < _STRAIN_BELOW or troubled):
        return _transition(alliance, "strained", strength, now, cause)
    if alliance.status == "strained" and strength >= _RECOVER_AT and not troubled:
        return _transition(alliance, "active", strength, now,
                           f"trust restored (strength {strength:.2f})")
    return replace(alliance, strength=strength, updated_at=now)


def group_dynamics(alliance: Alliance, context: AllianceContext) -> GroupReport:
    """Cohesion, weakest link and leader of an alliance (meant for three or more members).

    Args:
        alliance: The alliance.
        context: Current relationships.

    Returns:
        A :class:`GroupReport`; ties resolve to the lowest id.
    """
    members = sorted(alliance.members)
    bond_of: dict[tuple[int, int], float] = {}
    for a, b in permutations(members, 2):
        view = context.view(a, b)
        bond_of[(a, b)] = (view.affinity + view.trust) / 2 if view else 0.0
    cohesion = sum(bond_of.values()) / len(bond_of) if bond_of else 0.0
    bonds = {m: sum(v for k, v in bond_of.items() if m in k)
             / max(1, 2 * (len(members) - 1)) for m in members}
    respect = {m: sum(v.respect for o in members if o != m if (v := context.view(o, m)))
               for m in members}
    weakest = min(members, key=lambda m: (bonds[m], m)) if members else None
    leader = max(members, key=lambda m: (respect[m], -m)) if members else None
    return GroupReport(cohesion, weakest, leader, bonds)
