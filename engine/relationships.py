"""Directed relationships between participants, moved by acts.

This is the first, deliberately small model: each act moves how its *target* feels about the
actor (affinity, trust, respect, romance, rivalry) and both sides' familiarity. Issue #3 deepens
it (personality modulation, decay, hysteresis); the storage shape already holds every dimension.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from engine.acts import Act

__all__ = ["Relationship", "Effect", "ACT_EFFECTS", "apply_act", "label_for", "clamp"]


def clamp(value: float, low: float = -1.0, high: float = 1.0) -> float:
    if value != value:  # NaN never enters the state
        return 0.0
    return min(high, max(low, value))


@dataclass(frozen=True)
class Relationship:
    """How ``source`` sees ``target``. Signed dimensions in [-1, 1], familiarity in [0, 1]."""

    source_id: int
    target_id: int
    ecosystem_id: int
    affinity: float = 0.0
    trust: float = 0.0
    familiarity: float = 0.0
    romance: float = 0.0
    rivalry: float = 0.0
    respect: float = 0.0
    #: Lingering resentment after a betrayal, in [0, 1]; slows the recovery of trust.
    grudge: float = 0.0
    label: str = "stranger"
    interactions: int = 0
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Effect:
    affinity: float = 0.0
    trust: float = 0.0
    romance: float = 0.0
    rivalry: float = 0.0
    respect: float = 0.0


#: How an act moves its target's view of the actor (before scaling by sentiment strength).
ACT_EFFECTS: dict[Act, Effect] = {
    Act.GREET: Effect(affinity=0.02, trust=0.01),
    Act.FAREWELL: Effect(affinity=0.01),
    Act.ASK: Effect(affinity=0.01, respect=0.01),
    Act.ANSWER: Effect(affinity=0.02, trust=0.01),
    Act.RESPOND: Effect(affinity=0.01),
    Act.AGREE: Effect(affinity=0.04, trust=0.02, respect=0.01),
    Act.DISAGREE: Effect(affinity=-0.03, rivalry=0.03, respect=0.01),
    Act.PRAISE: Effect(affinity=0.08, trust=0.02, respect=0.03),
    Act.THANK: Effect(affinity=0.05, trust=0.02),
    Act.TEASE: Effect(affinity=0.01, rivalry=0.03, romance=0.01),
    Act.INSULT: Effect(affinity=-0.12, trust=-0.05, rivalry=0.08, respect=-0.04),
    Act.CONFIDE: Effect(affinity=0.05, trust=0.08),
    Act.FLIRT: Effect(affinity=0.04, romance=0.08),
    Act.APOLOGISE: Effect(affinity=0.05, trust=0.03, rivalry=-0.04),
    Act.THREATEN: Effect(affinity=-0.15, trust=-0.12, rivalry=0.10),
    Act.HELP: Effect(affinity=0.07, trust=0.06, respect=0.03),
    Act.JOKE: Effect(affinity=0.03),
    Act.INITIATE: Effect(affinity=0.02),
    Act.SMALL_TALK: Effect(affinity=0.01),
}


def apply_act(
    target_view: Relationship, act: Act, sentiment: float, now: datetime
) -> Relationship:
    """Move ``target_view`` (how the act's target sees the actor) by one act.

    Args:
        target_view: The target's current relationship toward the actor.
        act: The act performed.
        sentiment: Valence of the wording in [-1, 1]; strengthens matching effects.
        now: Time of the act.
    """
    effect = ACT_EFFECTS.get(act, Effect())
    strength = 1.0 + 0.5 * abs(clamp(sentiment))
    updated = replace(
        target_view,
        affinity=clamp(target_view.affinity + effect.affinity * strength),
        trust=clamp(target_view.trust + effect.trust * strength),
        romance=clamp(target_view.romance + effect.romance * strength),
        rivalry=clamp(target_view.rivalry + effect.rivalry * strength),
        respect=clamp(target_view.respect + effect.respect * strength),
        familiarity=clamp(target_view.familiarity + 0.03 * (1 - target_view.familiarity), 0, 1),
        interactions=target_view.interactions + 1,
        updated_at=now,
    )
    return replace(updated, label=label_for(updated))


def label_for(rel: Relationship) -> str:
    """A coarse label from the values (issue #3 adds hysteresis and finer labels)."""
    if rel.affinity <= -0.5:
        return "enemy"
    if rel.rivalry >= 0.4:
        return "rival"
    if rel.romance >= 0.4 and rel.affinity >= 0.3:
        return "crush"
    if rel.affinity >= 0.5 and rel.trust >= 0.3:
        return "close friend"
    if rel.affinity >= 0.25:
        return "friend"
    if rel.familiarity >= 0.1:
        return "acquaintance"
    return "stranger"
