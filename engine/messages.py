"""Platform-neutral messages in, stored events, and intents out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from engine.acts import Act

__all__ = [
    "IncomingMessage",
    "Event",
    "EventKind",
    "ParticipantKind",
    "Intent",
    "IntentStatus",
    "OutgoingMessage",
]


class ParticipantKind(StrEnum):
    CHARACTER = "character"
    HUMAN = "human"


class EventKind(StrEnum):
    MESSAGE = "message"
    SYSTEM = "system"


class IntentStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class IncomingMessage:
    """What a front door hands the engine for one platform message.

    Attributes:
        platform: ``console``, ``discord`` or ``slack``.
        space_id: The platform space (guild, team, console community).
        channel_id: Platform channel id.
        author_id: Platform user id of the member who wrote it.
        author_name: Display name of that member.
        text: The message text, as written.
        message_id: Platform message id; with the platform it is the idempotency key.
        reply_to_message_id: Platform id of the message this one replies to, if any.
        mentioned_character_ids: Characters the platform resolved as @mentioned.
        sent_at: When the platform says it was sent (defaults to the clock).
    """

    platform: str
    space_id: str
    channel_id: str
    author_id: str
    author_name: str
    text: str
    message_id: str
    reply_to_message_id: str | None = None
    mentioned_character_ids: tuple[int, ...] = ()
    sent_at: datetime | None = None

    @property
    def idempotency_key(self) -> str:
        return f"{self.platform}:{self.space_id}:{self.message_id}"


@dataclass
class Event:
    """One entry of the append-only event log."""

    ecosystem_id: int
    channel_id: int | None
    kind: EventKind
    idempotency_key: str
    created_at: datetime
    author_id: int | None = None
    author_kind: ParticipantKind | None = None
    author_name: str = ""
    text: str = ""
    act: Act | None = None
    target_id: int | None = None
    addressed_ids: tuple[int, ...] = ()
    sentiment: float = 0.0
    chain_depth: int = 0
    in_reply_to: int | None = None
    external_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass
class Intent:
    """A decision that a character will perform an act; rendered by one worker job."""

    ecosystem_id: int
    channel_id: int
    character_id: int
    act: Act
    reason: str
    due_at: datetime
    target_id: int | None = None
    trigger_event_id: int | None = None
    chain_depth: int = 0
    status: IntentStatus = IntentStatus.PENDING
    id: int | None = None
    result_event_id: int | None = None
    error: str = ""


@dataclass(frozen=True)
class OutgoingMessage:
    """What an ``Outbox`` delivers: one message as one character."""

    ecosystem_id: int
    channel_external_id: str
    character_name: str
    text: str
    avatar_url: str | None = None
    reply_to_external_id: str | None = None
    #: The character speaking (dedicated-bot mode posts as its own bot user).
    character_id: int | None = None
    #: Set when the channel is a thread: the parent channel whose webhook posts into it.
    parent_channel_external_id: str | None = None
    #: The app's own post (a notice in the brand's name), never a character's: no character's
    #: dedicated bot posts it, even if a character bears the same name.
    from_app: bool = False
