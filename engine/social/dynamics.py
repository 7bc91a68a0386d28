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
from typing import Any

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
    # ``x if low < x < high else clamp(x, low, high)`` is ``clamp(x, low, high)``: inside the
    # open range clamp returns x itself, and NaN fails the test. Only the rare edge pays a call.
    if not -1.0 < delta < 1.0:
        delta = clamp(delta)
    step = delta * (1.0 - value) if delta > 0 else delta * (value - low)
    moved = value + step
    return moved if low < moved < 1.0 else clamp(moved, low, 1.0)


#: :class:`Relationship` is a plain frozen dataclass (no ``__post_init__``, no slots, every
#: field set by ``__init__``), so a copy with some fields changed is its ``__dict__`` with those
#: entries replaced: what :func:`dataclasses.replace` builds, without its per-call field
#: introspection (a hot spot when every relationship decays). Anything else goes through
#: ``replace``.
_PLAIN_RELATIONSHIP = (
    not hasattr(Relationship, "__post_init__")
    and "__slots__" not in vars(Relationship)
    and all(f.init for f in fields(Relationship))
)
_DELTA_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(RelationshipDelta))
_NO_EFFECT = RelationshipDelta()
_FAMILIAR_ACTS = frozenset({"confide", "reveal_secret", "keep_secret"})


def _evolve(view: Relationship, changes: dict[str, Any]) -> Relationship:
    """``dataclasses.replace(view, **changes)``, fast for a plain :class:`Relationship`."""
    if _PLAIN_RELATIONSHIP and type(view) is Relationship:
        new = object.__new__(Relationship)
        state = new.__dict__
        state.update(view.__dict__)
        state.update(changes)
        return new
    return replace(view, **changes)


def _relabel(updated: Relationship, current_label: str) -> Relationship:
    """``updated`` with the label it earns coming from ``current_label`` (hysteresis)."""
    label = next_label(updated, current_label)
    return updated if label == updated.label else _evolve(updated, {"label": label})


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
    base = BASE_EFFECTS.get(name, _NO_EFFECT)
    negative = name in NEGATIVE_ACTS
    sign = -1.0 if negative else 1.0
    # One local per signed dimension (affinity, trust, romance, rivalry, respect).
    scale = 1.0 + 0.5 * s * sign
    aff, tr, rom = base.affinity * scale, base.trust * scale, base.romance * scale
    riv, res = base.rivalry * scale, base.respect * scale
    aff += 0.02 * s

    grudge_gain = _GRUDGE.get(name, 0.0)
    grudge_relief = 0.0
    if perceiver is not None:
        p = perceiver.big_five
        if negative:
            mood = (1.0 + 0.8 * p.neuroticism) * (1.0 - 0.4 * p.agreeableness)
            aff, tr, rom, riv, res = aff * mood, tr * mood, rom * mood, riv * mood, res * mood
            grudge_gain *= mood
        elif name == "apologise":
            m = 0.6 + 0.8 * p.agreeableness
            aff, tr, rom, riv, res = aff * m, tr * m, rom * m, riv * m, res * m
            grudge_relief = 0.1 * (0.5 + p.agreeableness)
        elif name == "tease":
            aff += 0.06 * (p.openness - 0.5)
            riv *= 1.5 - p.openness
        elif name == "praise":
            m = min(1.0, 0.5 + p.agreeableness)
            aff, tr, rom, riv, res = aff * m, tr * m, rom * m, riv * m, res * m
    elif name == "apologise":
        grudge_relief = 0.1

    if name == "praise" and view.affinity < 0:
        # Flattery from someone you dislike counts less and makes you wonder what they want.
        m = 1.0 + view.affinity
        aff, tr, rom, riv, res = aff * m, tr * m, rom * m, riv * m, res * m
        tr -= 0.05 * -view.affinity
    if negative and aff < 0:
        aff *= 1.0 + 0.5 * min(1.0, max(0.0, (view.affinity - 0.2) / 0.3))
    if tr > 0:
        tr *= 1.0 - 0.5 * view.grudge

    new_trust = _toward(view.trust, tr)
    grudge = clamp(view.grudge + clamp(grudge_gain, 0, 1) * (1 - view.grudge), 0, 1)
    grudge = clamp(grudge * (1 - grudge_relief), 0, 1)
    if name in _COLLAPSE:
        new_trust = max(-1.0, min(new_trust, -0.4, view.trust - 0.5))
    gain = 0.05 if name in _FAMILIAR_ACTS else 0.03

    updated = _relabel(_evolve(view, {
        "affinity": _toward(view.affinity, aff), "trust": new_trust,
        "romance": _toward(view.romance, rom), "rivalry": _toward(view.rivalry, riv),
        "respect": _toward(view.respect, res), "grudge": grudge,
        "familiarity": _toward(view.familiarity, gain, low=0.0),
        "interactions": view.interactions + 1, "updated_at": now,
    }), view.label)
    record = ChangeRecord(
        source_id=view.source_id, target_id=view.target_id, act=name, cause=cause,
        deltas={k: getattr(updated, k) - getattr(view, k) for k in _DELTA_FIELDS},
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

    # The fraction of the gap kept: 0.5 ** (elapsed / (half_life * multiplier)).
    keep = 0.5 ** (elapsed / (half_life_s * 1.0))
    keep_trust = 0.5 ** (elapsed / (half_life_s * 4.0)) if view.grudge > 0 else keep
    if baseline is None:
        b_aff = b_tr = b_rom = b_riv = b_res = 0.0
    else:
        b_aff, b_tr, b_rom = baseline.affinity, baseline.trust, baseline.romance
        b_riv, b_res = baseline.rivalry, baseline.respect
    aff = b_aff + (view.affinity - b_aff) * keep
    tr = b_tr + (view.trust - b_tr) * keep_trust
    rom = b_rom + (view.romance - b_rom) * keep
    riv = b_riv + (view.rivalry - b_riv) * keep
    res = b_res + (view.respect - b_res) * keep
    grudge = view.grudge * 0.5 ** (elapsed / (half_life_s * 8.0))
    fam = view.familiarity * 0.5 ** (elapsed / (half_life_s * 10.0))
    # Each value is clamped (signed ones to [-1, 1], grudge and familiarity to [0, 1]); inside
    # the open range clamp returns the value itself, so only values at or past an edge (or NaN)
    # call it. This runs for every relationship at every reflection.
    updated = _evolve(view, {
        "affinity": aff if -1.0 < aff < 1.0 else clamp(aff),
        "trust": tr if -1.0 < tr < 1.0 else clamp(tr),
        "romance": rom if -1.0 < rom < 1.0 else clamp(rom),
        "rivalry": riv if -1.0 < riv < 1.0 else clamp(riv),
        "respect": res if -1.0 < res < 1.0 else clamp(res),
        "grudge": grudge if 0.0 < grudge < 1.0 else clamp(grudge, 0, 1),
        "familiarity": fam if 0.0 < fam < 1.0 else clamp(fam, 0, 1),
    })
    return _relabel(updated, view.label)


def main_causes(
    history: Iterable[ChangeRecord], dimension: str = "affinity", *, limit: int = 3,
    negative: bool = True,
) -> list[ChangeRecord]:
    """The records that moved ``dimension`` most (down when ``negative``): "why do they hate
    each other?" is ``main_causes(history_of_the_pair)``."""
    sign = -1.0 if negative else 1.0
    moved = [r for r in history if sign * r.deltas.get(dimension, 0.0) > 0]
    return sorted(moved, key=lambda r: -sign * r.deltas.get(dimension, 0.0))[:limit]
