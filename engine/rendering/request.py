"""Everything a renderer may use to voice one act."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.acts import Act
from engine.personas import Character

__all__ = ["RenderRequest", "RelationshipView"]


@dataclass(frozen=True)
class RelationshipView:
    """How the speaker sees the target (values in [-1, 1], familiarity in [0, 1])."""

    label: str = "stranger"
    affinity: float = 0.0
    trust: float = 0.0
    familiarity: float = 0.0


@dataclass(frozen=True)
class RenderRequest:
    """One act to voice.

    Attributes:
        character: The speaker.
        act: What the line must do.
        target_name: Whom it addresses (None: the room).
        target_is_human: True when the target is a community member.
        trigger_text: The message being answered, if any.
        trigger_author: Who wrote ``trigger_text``.
        relationship: How the speaker sees the target.
        memories: Retrieved memories, most relevant first.
        transcript: Recent (speaker, text) pairs, oldest first.
        channel_name: Where it is said.
        seed: Seed for every random choice of this rendering (reproducible output).
    """

    character: Character
    act: Act
    target_name: str | None = None
    target_is_human: bool = False
    trigger_text: str | None = None
    trigger_author: str | None = None
    relationship: RelationshipView = field(default_factory=RelationshipView)
    memories: tuple[str, ...] = ()
    transcript: tuple[tuple[str, str], ...] = ()
    channel_name: str = "general"
    seed: int = 0
