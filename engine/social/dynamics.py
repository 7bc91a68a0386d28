"""How acts, personality and time move one directed relationship, with the reasons kept.

:func:`respond_to_act` moves how an act's *perceiver* (its target) sees the *actor*; every call
returns a :class:`ChangeRecord` so "why do they hate each other?" is answered from history.
:func:`decay` lets feelings fade toward a baseline; labels change with hysteresis so they do not
flicker (:func:`next_label`, :func:`pair_labels`, re-exported from ``engine.social.labels``, which
holds the enter/stay table).

Update rule for one act (all pure, deterministic):

1. Base effect of the act (:data:`BASE_EFFECTS`), scaled by how well the wording's sentiment
   matches the act (``1 + 0.5 * sentiment * sign(valence)``, so in [0.5, 1.5]).
2. Perceiver's personality: negative acts ×(1 + 0.8·N)·(1 - 0.4·A); apologies count
   ×(0.6 + 0.8·A) and ease a grudge more when A is high; teasing lands better with openness;
   praise counts ×min(1, 0.5 + A).
3. Current relationship: praise from someone disliked counts ×(1 + affinity) and costs trust
   (suspicion); a negative act from a friend hurts more (affinity drop up to ×1.5 at affinity
   ≥ 0.5); a grudge halves positive trust gains at most.
4. Diminishing returns: ``v += d·(1 - v)`` for d > 0, ``v += d·(1 + v)`` for d < 0, so values
   saturate smoothly and never leave [-1, 1].
5. Betrayal and revealing a secret collapse trust: ``trust <= min(-0.4, old - 0.5)`` (floored at
   -1), affinity falls, and a grudge (0..1) builds.
6. Familiarity always grows a little.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime

from engine.acts import Act
from engine.relationships import Relationship, clamp
from engine.social.compatibility import Profile
from engine.social.labels import next_label, pair_labels

__all__ = [
    "RelationshipDelta",
    "ChangeRecord",
    "BASE_EFFECTS",
    "NEGATIVE_ACTS",
    "act_name",
    "respond_to_act",
    "decay",
    "main_causes",
    "next_label",
    "pair_labels",
]

_SIGNED = ("affinity", "trust", "romance", "rivalry", "respect")


@dataclass(frozen=True)
class RelationshipDelta:
    """A change to each dimension of a relationship (new minus old, or a base effect)."""

    affinity: float = 0.0
    trust: float = 0.0
    familiarity: float = 0.0
    romance: float = 0.0
    rivalry: float = 0.0
    respect: float = 0.0
    grudge: float = 0.0

    @classmethod
    def between(cls, old: Relationship, new: Relationship) -> RelationshipDelta:
        """The change from ``old`` to ``new``."""
        return cls(**{f.name: getattr(new, f.name) - getattr(old, f.name) for f in fields(cls)})

    def as_dict(self) -> dict[str, float]:
        """Every dimension by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ChangeRecord:
    """One explained change to how ``source_id`` sees ``target_id``."""

    source_id: int
    target_id: int
    act: str
    cause: str
    deltas: dict[str, float]
    old_label: str
    new_label: str
    at: datetime

    def describe(self) -> str:
        """A one-line human reading, e.g. ``"insult (called him a coward): affinity -0.14"``."""
        moved = sorted(((k, v) for k, v in self.deltas.items() if abs(v) >= 0.005),
                       key=lambda kv: -abs(kv[1]))
        parts = ", ".join(f"{k} {v:+.2f}" for k, v in moved) or "no change"
        label = f"; {self.old_label} → {self.new_label}" if self.old_label != self.new_label else ""
        return f"{self.act} ({self.cause}): {parts}{label}"


def _d(aff: float = 0.0, tr: float = 0.0, rom: float = 0.0, riv: float = 0.0,
       res: float = 0.0) -> RelationshipDelta:
    return RelationshipDelta(affinity=aff, trust=tr, romance=rom, rivalry=riv, respect=res)


#: How each act moves its perceiver's view of the actor, before modulation.
BASE_EFFECTS: dict[str, RelationshipDelta] = {
    "greet": _d(aff=0.03, tr=0.01),
    "farewell": _d(aff=0.01),
    "ask": _d(aff=0.01, res=0.01),
    "answer": _d(aff=0.02, tr=0.02),
    "respond": _d(aff=0.015),
    "agree": _d(aff=0.04, tr=0.02, riv=-0.01, res=0.02),
    "disagree": _d(aff=-0.03, riv=0.03, res=0.01),
    "praise": _d(aff=0.08, tr=0.02, res=0.04),
    "thank": _d(aff=0.05, tr=0.03),
    "tease": _d(aff=0.01, rom=0.01, riv=0.03),
    "insult": _d(aff=-0.12, tr=-0.05, riv=0.08, res=-0.05),
    "confide": _d(aff=0.05, tr=0.08),
    "flirt": _d(aff=0.04, rom=0.08),
    "apologise": _d(aff=0.04, tr=0.04, riv=-0.04),
    "threaten": _d(aff=-0.15, tr=-0.12, riv=0.10, res=-0.02),
    "help": _d(aff=0.07, tr=0.06, res=0.04),
    "joke": _d(aff=0.03),
    "initiate": _d(aff=0.02),
    "small_talk": _d(aff=0.015),
    "keep_secret": _d(aff=0.04, tr=0.10, res=0.02),
    "reveal_secret": _d(aff=-0.15, tr=-0.30, riv=0.05, res=-0.05),
    "ally": _d(aff=0.06, tr=0.08, riv=-0.05, res=0.03),
    "betray": _d(aff=-0.25, tr=-0.40, riv=0.10, res=-0.05),
}

#: Acts that hurt their perceiver (personality and friendship amplify them).
NEGATIVE_ACTS = frozenset({"disagree", "insult", "threaten", "reveal_secret", "betray"})
_COLLAPSE = frozenset({"betray", "reveal_secret"})
#: Grudge an act builds (before personality), toward 1 with diminishing returns.
_GRUDGE = {"betray": 0.6, "reveal_secret": 0.45, "threaten": 0.1, "insult": 0.03}


def act_name(act: Act | str) -> str:
    """The plain name of an act: ``Act.GREET`` and ``"greet"`` both give ``"greet"``."""
    return str(act).strip().lower()


def _toward(value: float, delta: float, low: float = -1.0) -> float:
    """Saturating step: positive deltas scale by the room above, negative by the room below."""
    delta = clamp(delta)
    step = delta * (1.0 - value) if delta > 0 else delta * (value - low)
    return clamp(value + step, low, 1.0)


def _with(view: Relationship, v: dict[str, float], grudge: float,
          familiarity: float) -> Relationship:
    return replace(view, affinity=v["affinity"], trust=v["trust"], romance=v["romance"],
                   rivalry=v["rivalry"], respect=v["respect"], grudge=grudge,
                   familiarity=familiarity)


def _finite(x: float) -> float:
    return x if math.isfinite(x) else 0.0


def respond_to_act(
    view: Relationship,
    act: Act | str,
    *,
    sentiment: float,
    actor: Profile | None,
    perceiver: Profile | None,
    now: datetime,
    cause: str,
) -> tuple[Relationship, ChangeRecord]:
    """Move how the act's perceiver sees the actor, and say why.

    Args:
        view: The perceiver's current view of the actor (``source`` = perceiver).
        act: The act performed, an :class:`~engine.acts.Act` or its name (``"betray"``).
            Unknown acts only add familiarity.
        sentiment: Valence of the wording in [-1, 1] (clamped; NaN counts as 0).
        actor: The actor's profile, when known (kept for symmetry of the call; the actor's
            traits act through what they do, not here).
        perceiver: The perceiver's profile; ``None`` applies no personality modulation.
        now: Time of the act.
        cause: Short human reason ("called him a coward"), kept in the record.

    Returns:
        The updated view (label with hysteresis, ``interactions + 1``, ``updated_at = now``) and
        the :class:`ChangeRecord` explaining it.
    """
    del actor  # the perceiver's reading is what moves the view
    name = act_name(act)
    s = clamp(_finite(sentiment))
    base = BASE_EFFECTS.get(name, RelationshipDelta())
    negative = name in NEGATIVE_ACTS
    sign = -1.0 if negative else 1.0
    eff = {k: getattr(base, k) * (1.0 + 0.5 * s * sign) for k in _SIGNED}
    eff["affinity"] += 0.02 * s

    grudge_gain = _GRUDGE.get(name, 0.0)
    grudge_relief = 0.0
    if perceiver is not None:
        p = perceiver.big_five
        if negative:
            mood = (1.0 + 0.8 * p.neuroticism) * (1.0 - 0.4 * p.agreeableness)
            eff = {k: v * mood for k, v in eff.items()}
            grudge_gain *= mood
        elif name == "apologise":
            eff = {k: v * (0.6 + 0.8 * p.agreeableness) for k, v in eff.items()}
            grudge_relief = 0.1 * (0.5 + p.agreeableness)
        elif name == "tease":
            eff["affinity"] += 0.06 * (p.openness - 0.5)
            eff["rivalry"] *= 1.5 - p.openness
        elif name == "praise":
            eff = {k: v * min(1.0, 0.5 + p.agreeableness) for k, v in eff.items()}
    elif name == "apologise":
        grudge_relief = 0.1

    if name == "praise" and view.affinity < 0:
        # Flattery from someone you dislike counts less and makes you wonder what they want.
        eff = {k: v * (1.0 + view.affinity) for k, v in eff.items()}
        eff["trust"] -= 0.05 * -view.affinity
    if negative and eff["affinity"] < 0:
        eff["affinity"] *= 1.0 + 0.5 * min(1.0, max(0.0, (view.affinity - 0.2) / 0.3))
    if eff["trust"] > 0:
        eff["trust"] *= 1.0 - 0.5 * view.grudge

    new = {k: _toward(getattr(view, k), eff[k]) for k in _SIGNED}
    grudge = clamp(view.grudge + clamp(grudge_gain, 0, 1) * (1 - view.grudge), 0, 1)
    grudge = clamp(grudge * (1 - grudge_relief), 0, 1)
    if name in _COLLAPSE:
        new["trust"] = max(-1.0, min(new["trust"], -0.4, view.trust - 0.5))
    gain = 0.05 if name in {"confide", "reveal_secret", "keep_secret"} else 0.03
    familiarity = _toward(view.familiarity, gain, low=0.0)

    updated = replace(_with(view, new, grudge=grudge, familiarity=familiarity),
                      interactions=view.interactions + 1, updated_at=now)
    updated = replace(updated, label=next_label(updated, view.label))
    record = ChangeRecord(
        source_id=view.source_id, target_id=view.target_id, act=name, cause=cause,
        deltas=RelationshipDelta.between(view, updated).as_dict(),
        old_label=view.label, new_label=updated.label, at=now,
    )
    return updated, record


def decay(
    view: Relationship,
    *,
    elapsed_s: float,
    baseline: Relationship | None = None,
    half_life_s: float = 7 * 24 * 3600,
) -> Relationship:
    """Let feelings fade: every signed dimension moves exponentially toward its baseline.

    Args:
        view: The view to decay.
        elapsed_s: Seconds since the last decay (negative or NaN counts as 0; infinity
            reaches the baseline).
        baseline: Where feelings rest (e.g. the first impression); zeros when ``None``.
        half_life_s: Half-life of the signed dimensions.

    Returns:
        The decayed view (label updated with hysteresis; ``updated_at`` unchanged). Distance to
        the baseline never grows. Trust heals with a 4× half-life while a grudge lingers; the
        grudge fades with an 8× half-life and familiarity with a 10× half-life (toward 0).

    Raises:
        ValueError: If ``half_life_s`` is not positive.
    """
    if not half_life_s > 0:
        raise ValueError("half_life_s must be positive")
    elapsed = elapsed_s if elapsed_s == elapsed_s and elapsed_s > 0 else 0.0
    if elapsed == 0.0:
        return view

    def keep(mult: float) -> float:
        return 0.5 ** (elapsed / (half_life_s * mult))

    new: dict[str, float] = {}
    for k in _SIGNED:
        rest = getattr(baseline, k) if baseline is not None else 0.0
        k_mult = 4.0 if k == "trust" and view.grudge > 0 else 1.0
        new[k] = clamp(rest + (getattr(view, k) - rest) * keep(k_mult))
    updated = _with(view, new, grudge=clamp(view.grudge * keep(8.0), 0, 1),
                    familiarity=clamp(view.familiarity * keep(10.0), 0, 1))
    return replace(updated, label=next_label(updated, view.label))


def main_causes(
    history: Iterable[ChangeRecord], dimension: str = "affinity", *, limit: int = 3,
    negative: bool = True,
) -> list[ChangeRecord]:
    """The records that moved ``dimension`` most (down when ``negative``): "why do they hate
    each other?" is ``main_causes(history_of_the_pair)``."""
    sign = -1.0 if negative else 1.0
    moved = [r for r in history if sign * r.deltas.get(dimension, 0.0) > 0]
    return sorted(moved, key=lambda r: -sign * r.deltas.get(dimension, 0.0))[:limit]
