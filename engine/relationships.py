"""Directed relationships between participants: how ``source`` sees ``target``.

The value type only; how acts move it, how it fades and how it is labelled live in
``engine.social`` (``dynamics``, ``labels``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Relationship", "clamp"]


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
