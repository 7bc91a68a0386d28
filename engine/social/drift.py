"""Slow, bounded personality drift from lived experience.

A character's Big Five move a little with what happens to it and what it does, the way adult
personality shifts with relationship experiences: repeated betrayal and hostility make it more
neurotic and less agreeable, warmth received makes it more agreeable and outgoing, confiding
makes it more open. Each step is tiny (``rate``), and traits never leave a window of ``bound``
around the card's origin traits, so a character stays recognisably itself. Every change is
logged as a :class:`DriftRecord` naming its cause.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from engine.acts import Act
from engine.personas import BigFive

__all__ = ["Experience", "DriftRecord", "TRAIT_PUSHES", "drift"]

_TRAITS = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")


@dataclass(frozen=True)
class Experience:
    """One lived social event.

    Attributes:
        act: The act (an :class:`~engine.acts.Act` or its name, e.g. ``"betray"``).
        valence: How pleasant it was for the character, in [-1, 1].
        as_target: ``True`` if it happened *to* the character, ``False`` if the character did it.
    """

    act: Act | str
    valence: float
    as_target: bool


@dataclass(frozen=True)
class DriftRecord:
    """One logged change of one trait."""

    trait: str
    old: float
    new: float
    cause: str


def _p(**pushes: float) -> dict[str, float]:
    return pushes


#: Trait directions per ``(act, as_target)``; weights are multiples of one ``rate`` step.
TRAIT_PUSHES: dict[tuple[str, bool], dict[str, float]] = {
    ("betray", True): _p(neuroticism=2.0, agreeableness=-2.0, openness=-0.5),
    ("reveal_secret", True): _p(neuroticism=1.5, agreeableness=-1.0, openness=-0.5),
    ("threaten", True): _p(neuroticism=1.0, agreeableness=-0.5),
    ("insult", True): _p(neuroticism=0.7, agreeableness=-0.5),
    ("praise", True): _p(agreeableness=0.5, extraversion=0.5, neuroticism=-0.3),
    ("help", True): _p(agreeableness=0.7, extraversion=0.3),
    ("thank", True): _p(agreeableness=0.4, extraversion=0.3),
    ("ally", True): _p(agreeableness=0.5, extraversion=0.3, neuroticism=-0.3),
    ("keep_secret", True): _p(agreeableness=0.5, neuroticism=-0.3),
    ("apologise", True): _p(agreeableness=0.4),
    ("confide", True): _p(agreeableness=0.4, openness=0.3),
    ("flirt", True): _p(extraversion=0.4, neuroticism=-0.2),
    ("confide", False): _p(openness=1.0, extraversion=0.3, neuroticism=-0.2),
    ("help", False): _p(agreeableness=0.4, conscientiousness=0.2),
    ("keep_secret", False): _p(conscientiousness=0.5, agreeableness=0.2),
    ("apologise", False): _p(agreeableness=0.4),
    ("initiate", False): _p(extraversion=0.3),
    ("insult", False): _p(agreeableness=-0.4),
    ("threaten", False): _p(agreeableness=-0.5),
    ("betray", False): _p(agreeableness=-0.7, conscientiousness=-0.3),
}


def _generic(valence: float, as_target: bool) -> dict[str, float]:
    # Acts without a rule still count by how they felt, but only when they happened to us.
    if not as_target or valence == 0:
        return {}
    if valence > 0:
        return {"agreeableness": 0.3 * valence, "extraversion": 0.3 * valence}
    return {"neuroticism": -0.4 * valence, "agreeableness": 0.3 * valence}


def drift(
    big_five: BigFive,
    experiences: Sequence[Experience],
    *,
    rate: float = 0.002,
    bound: float = 0.1,
    origin: BigFive,
) -> tuple[BigFive, list[DriftRecord]]:
    """Drift traits a little for each experience, within ``bound`` of ``origin``.

    Args:
        big_five: Current traits.
        experiences: What happened, oldest first.
        rate: Size of one step (per unit weight of :data:`TRAIT_PUSHES`); a rule's push is
            scaled by ``0.5 + 0.5 * |valence|``.
        bound: Maximum distance of any trait from ``origin``.
        origin: The card's traits, the anchor of the window.

    Returns:
        The drifted traits and one :class:`DriftRecord` per actual change (a trait pinned at
        its bound is not logged again). If ``big_five`` starts outside the window it is first
        pulled back in (logged with cause ``"bound"``).

    Raises:
        ValueError: If ``rate`` or ``bound`` is negative or not finite.
    """
    if not (math.isfinite(rate) and rate >= 0 and math.isfinite(bound) and bound >= 0):
        raise ValueError("rate and bound must be finite and non-negative")
    anchor = origin.as_dict()
    current = big_five.as_dict()
    records: list[DriftRecord] = []

    def window(trait: str, value: float) -> float:
        low = max(0.0, anchor[trait] - bound)
        high = min(1.0, anchor[trait] + bound)
        return min(high, max(low, value))

    def move(trait: str, new: float, cause: str) -> None:
        old = current[trait]
        new = window(trait, new)
        if new != old:
            current[trait] = new
            records.append(DriftRecord(trait=trait, old=old, new=new, cause=cause))

    for trait in _TRAITS:
        move(trait, current[trait], "bound")
    for exp in experiences:
        name = str(exp.act).strip().lower()
        valence = max(-1.0, min(1.0, exp.valence)) if math.isfinite(exp.valence) else 0.0
        rule = TRAIT_PUSHES.get((name, exp.as_target))
        pushes = ({t: w * (0.5 + 0.5 * abs(valence)) for t, w in rule.items()} if rule
                  else _generic(valence, exp.as_target))
        cause = f"{name} ({'received' if exp.as_target else 'done'})"
        for trait in _TRAITS:
            if trait in pushes:
                move(trait, current[trait] + rate * pushes[trait], cause)
    return BigFive(**current), records
