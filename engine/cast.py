"""The light view of a character present in a channel, enough to address it and decide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.social.compatibility import Profile

__all__ = ["CastMember"]


@dataclass(frozen=True)
class CastMember:
    id: int
    name: str
    aliases: tuple[str, ...]
    talkativeness: float
    autonomy_level: int
    social_energy: float
    status: str = "active"
    last_spoke_at: datetime | None = None
    #: Personality, values and goals (read with the cast, so deciding needs no second query).
    profile: Profile | None = None
    #: Whether it may have stored goals (``GoalStore.relevant``), read with the cast; True
    #: when unknown. Goals stored after the cast was read must set it (see ``perceive``).
    has_goals: bool = True

    @property
    def active(self) -> bool:
        return self.status == "active"

    def names(self) -> tuple[str, ...]:
        """Names it answers to, longest first."""
        return tuple(sorted({self.name, *self.aliases} - {""}, key=len, reverse=True))
