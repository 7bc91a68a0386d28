"""Relationship labels with hysteresis: entering a label is harder than staying in it.

Labels are checked in priority order (top first); the first whose rule holds wins. A label's
*stay* rule applies when it is the current label, or when the current label sits above it on
the same ladder (a cooling close friend is still a friend while ``affinity >= 0.25``); otherwise
its stricter *enter* rule applies. Between the two thresholds nothing changes, so values
hovering around a threshold never make a label flicker.

============  =============================================  ================================
label         enter                                          stay
============  =============================================  ================================
enemy         affinity <= -0.5                               affinity <= -0.35
estranged     was friend / close friend / partner and        trust < 0
              trust <= -0.3
partner       never from one view: mutual, via               romance >= 0.45, affinity >= 0.35,
              :func:`pair_labels` (both: romance >= 0.6,     trust >= 0.25
              affinity >= 0.5, trust >= 0.4)
rival         rivalry >= 0.45 and affinity < 0.4             rivalry >= 0.3, affinity < 0.5
crush         romance >= 0.4 and affinity >= 0.3             romance >= 0.3, affinity >= 0.2
close friend  affinity >= 0.6 and trust >= 0.4               affinity >= 0.45, trust >= 0.25
friend        affinity >= 0.35                               affinity >= 0.25
acquaintance  familiarity >= 0.1                             familiarity >= 0.05
stranger      otherwise                                      otherwise
============  =============================================  ================================

Ladders (a label's stay rule also serves those above it): friend ← close friend, crush,
partner; crush ← partner; rival ← enemy; acquaintance ← every label but stranger.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.relationships import Relationship

__all__ = ["LABELS", "next_label", "pair_labels", "partner_enter", "partner_stay"]

#: Every label, in priority order.
LABELS = ("enemy", "estranged", "partner", "rival", "crush", "close friend", "friend",
          "acquaintance", "stranger")

_Rule = Callable[[Relationship], bool]
_CLOSE = frozenset({"friend", "close friend", "partner"})


def partner_enter(v: Relationship) -> bool:
    """One side's half of becoming partners."""
    return v.romance >= 0.6 and v.affinity >= 0.5 and v.trust >= 0.4


def partner_stay(v: Relationship) -> bool:
    """One side's half of staying partners."""
    return v.romance >= 0.45 and v.affinity >= 0.35 and v.trust >= 0.25


_ENTER: dict[str, _Rule] = {
    "enemy": lambda v: v.affinity <= -0.5,
    "estranged": lambda v: v.trust <= -0.3,  # plus: the current label is a close one
    "partner": lambda v: False,  # only pair_labels makes partners
    "rival": lambda v: v.rivalry >= 0.45 and v.affinity < 0.4,
    "crush": lambda v: v.romance >= 0.4 and v.affinity >= 0.3,
    "close friend": lambda v: v.affinity >= 0.6 and v.trust >= 0.4,
    "friend": lambda v: v.affinity >= 0.35,
    "acquaintance": lambda v: v.familiarity >= 0.1,
    "stranger": lambda v: True,
}

_STAY: dict[str, _Rule] = {
    "enemy": lambda v: v.affinity <= -0.35,
    "estranged": lambda v: v.trust < 0,
    "partner": partner_stay,
    "rival": lambda v: v.rivalry >= 0.3 and v.affinity < 0.5,
    "crush": lambda v: v.romance >= 0.3 and v.affinity >= 0.2,
    "close friend": lambda v: v.affinity >= 0.45 and v.trust >= 0.25,
    "friend": lambda v: v.affinity >= 0.25,
    "acquaintance": lambda v: v.familiarity >= 0.05,
    "stranger": lambda v: True,
}

#: Labels whose stay rule also applies when the current label is one of the given ones.
_ABOVE: dict[str, frozenset[str]] = {
    "friend": frozenset({"close friend", "crush", "partner"}),
    "crush": frozenset({"partner"}),
    "rival": frozenset({"enemy"}),
    "acquaintance": frozenset(set(LABELS) - {"stranger"}),
}


def _plan(current: str) -> tuple[tuple[str, _Rule], ...]:
    """The rules :func:`next_label` checks, in priority order, when the label is ``current``."""
    plan: list[tuple[str, _Rule]] = []
    for label in LABELS:
        if label == current or current in _ABOVE.get(label, ()):
            plan.append((label, _STAY[label]))
        elif label == "estranged":
            if current in _CLOSE:  # only a close label can become estranged
                plan.append((label, _ENTER[label]))
        else:
            plan.append((label, _ENTER[label]))
    return tuple(plan)


#: For each current label, the (label, rule) pairs to try in order; built once, since the
#: choice of enter or stay rule depends only on the current label.
_PLANS: dict[str, tuple[tuple[str, _Rule], ...]] = {current: _plan(current) for current in _STAY}


def next_label(view: Relationship, current_label: str) -> str:
    """The label ``view`` earns given its current label (see the module table).

    Args:
        view: One directed view with its current values.
        current_label: The label it had; unknown labels count as ``"stranger"``.

    Returns:
        The new label. A single view never *becomes* ``"partner"`` (that needs both views,
        :func:`pair_labels`); it can only stay one.
    """
    for label, holds in _PLANS.get(current_label, _PLANS["stranger"]):
        if holds(view):
            return label
    return "stranger"  # pragma: no cover - the stranger rule always holds


def pair_labels(
    a_to_b: Relationship, b_to_a: Relationship, labels: tuple[str, str]
) -> tuple[str, str]:
    """Labels for both directions of a pair, making mutual crushes partners.

    Args:
        a_to_b: How A sees B.
        b_to_a: How B sees A.
        labels: Their current labels, ``(a_to_b label, b_to_a label)``.

    Returns:
        ``(a_to_b label, b_to_a label)``. Both become (or stay) ``"partner"`` when each side's
        single-view label is crush or partner and each side meets the partner rule (stay rule
        if already partners, enter rule otherwise). A partnership that is no longer mutual
        falls back to what each view earns on its own.
    """
    la, lb = next_label(a_to_b, labels[0]), next_label(b_to_a, labels[1])

    def qualifies(view: Relationship, current: str, single: str) -> bool:
        if single not in {"crush", "partner"}:
            return False
        return partner_stay(view) if current == "partner" else partner_enter(view)

    if qualifies(a_to_b, labels[0], la) and qualifies(b_to_a, labels[1], lb):
        return "partner", "partner"
    if la == "partner":
        la = next_label(a_to_b, "crush")
    if lb == "partner":
        lb = next_label(b_to_a, "crush")
    return la, lb
