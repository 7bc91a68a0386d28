"""Characters as the engine sees them: a Character Card V2 plus our ``personae`` extension.

The card fields keep their Card V2 names (``first_mes``, ``mes_example`` ...) so cards from the
community import as they are and ours export back (see ``engine.cards``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["BigFive", "SpeechStyle", "Persona", "Character", "AUTONOMY_LEVELS", "address_form"]

#: 0 = speaks only when addressed, 1 = also joins conversations, 2 = also starts them,
#: 3 = restless: starts them often.
AUTONOMY_LEVELS = (0, 1, 2, 3)


def _unit(value: float) -> float:
    return min(1.0, max(0.0, float(value)))


@dataclass(frozen=True)
class BigFive:
    """Big Five traits, each in [0, 1] (0.5 = population average)."""

    openness: float = 0.5
    conscientiousness: float = 0.5
    extraversion: float = 0.5
    agreeableness: float = 0.5
    neuroticism: float = 0.5

    def __post_init__(self) -> None:
        for name in ("openness", "conscientiousness", "extraversion", "agreeableness",
                     "neuroticism"):
            object.__setattr__(self, name, _unit(getattr(self, name)))

    def as_dict(self) -> dict[str, float]:
        return {
            "openness": self.openness,
            "conscientiousness": self.conscientiousness,
            "extraversion": self.extraversion,
            "agreeableness": self.agreeableness,
            "neuroticism": self.neuroticism,
        }


@dataclass(frozen=True)
class SpeechStyle:
    """How a character talks, for the offline renderer and the prompt.

    Attributes:
        formality: 0 (casual) to 1 (ceremonious).
        catchphrases: Phrases the character is fond of.
        interjections: Short openers ("Indeed,", "La!").
        quirks: Free-text notes on diction for the model prompt.
        lines: Lines in the character's voice keyed by act name (``"greet"``, ``"tease"``...),
            with ``{{user}}``/``{{char}}`` placeholders, for the offline renderer.
    """

    formality: float = 0.5
    catchphrases: tuple[str, ...] = ()
    interjections: tuple[str, ...] = ()
    quirks: str = ""
    lines: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Persona:
    """Our extension of a card (``data.extensions.personae``)."""

    big_five: BigFive = field(default_factory=BigFive)
    values: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    talkativeness: float = 0.5
    autonomy_level: int = 2
    social_energy: float = 0.7
    speech: SpeechStyle = field(default_factory=SpeechStyle)
    aliases: tuple[str, ...] = ()
    avatar_url: str | None = None


@dataclass
class Character:
    """A character living in one ecosystem (``id`` is its participant id once stored)."""

    name: str
    description: str = ""
    personality: str = ""
    scenario: str = ""
    first_mes: str = ""
    mes_example: str = ""
    alternate_greetings: list[str] = field(default_factory=list)
    system_prompt: str = ""
    post_history_instructions: str = ""
    creator_notes: str = ""
    tags: list[str] = field(default_factory=list)
    creator: str = ""
    character_version: str = ""
    persona: Persona = field(default_factory=Persona)
    #: Every card field we do not model (unknown ``data`` keys, other extensions, top-level
    #: keys): kept verbatim so an exported card equals the imported one.
    card_extra: dict[str, Any] = field(default_factory=dict)
    memory_summary: str = ""
    status: str = "active"
    id: int | None = None
    ecosystem_id: int | None = None
    last_spoke_at: datetime | None = None

    @property
    def short_name(self) -> str:
        """The name used in casual address ("Elizabeth" for "Elizabeth Bennet")."""
        return self.name.split()[0] if self.name.split() else self.name

    def names(self) -> tuple[str, ...]:
        """Every name the character answers to, longest first (for matching)."""
        options = {self.name, *self.persona.aliases}
        return tuple(sorted((n for n in options if n.strip()), key=len, reverse=True))


_TITLES = ("Mr.", "Mr ", "Mrs.", "Mrs ", "Miss ", "Lady ", "Sir ", "Colonel ", "Captain ")


def address_form(name: str, aliases: tuple[str, ...], formal: bool) -> str:
    """How a speaker addresses someone: "Mr. Darcy" when formal, "Darcy" or "Lizzy" when not.

    Formal speakers use the first titled alias, casual ones the first untitled alias; without
    aliases, the full name (formal) or the first name (casual).
    """
    titled = [a for a in aliases if a.startswith(_TITLES)]
    plain = [a for a in aliases if not a.startswith(_TITLES)]
    if formal:
        return titled[0] if titled else name
    if plain:
        return plain[0]
    return name.split()[0] if name.split() else name
