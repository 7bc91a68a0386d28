"""Perceive and record: store an event once, let those present witness it, move relationships
and moods (``engine.services.social``).

Both members' messages (``ingest``) and characters' delivered lines (``render``) pass through
``perceive``, so the loop is one loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from engine.adapters.sql.uow import UnitOfWork
from engine.cast import CastMember
from engine.memory import Memory, importance_of, observation_text
from engine.messages import Event, ParticipantKind
from engine.services.goals import track_goals
from engine.services.narrative import steer
from engine.services.social import Reaction, react, record_notices

__all__ = ["Perception", "perceive", "event_payload"]

log = logging.getLogger(__name__)


@dataclass
class Perception:
    event: Event
    duplicate: bool = False
    cast: list[CastMember] = field(default_factory=list)
    witnesses: list[int] = field(default_factory=list)
    #: Notable changes stored as system events (to publish once committed).
    notices: list[Event] = field(default_factory=list)
    #: The social state read and written while perceiving (reused by the decision).
    reaction: Reaction | None = None


def perceive(
    uow: UnitOfWork, event: Event, now: datetime, cast: list[CastMember] | None = None,
    *, touch: bool = True,
) -> Perception:
    """Store ``event`` once; if new, write witnesses' memories and apply its act.

    Only characters present in the event's channel witness it. Returns ``duplicate=True``
    (and changes nothing) when its idempotency key was already stored.

    Args:
        cast: The channel's cast, if the caller already read it in this unit of work
            (saves reading it again); read from storage when None.
        touch: Set the channel's ``last_event_at`` here. False: the caller sets it later in
            this unit of work, with the decision's pacing slot in one update (``ingest``).
    """
    new_id = uow.events.append(event)
    if new_id is None:
        stored = uow.events.find_by_key(event.idempotency_key)
        return Perception(event=stored or event, duplicate=True)
    if cast is None:
        cast = uow.participants.cast_of(event.channel_id) if event.channel_id else []
    target_name = _target_name(uow, event, cast)
    text = observation_text(event.author_name, event.text, target_name)
    memories = [
        Memory(
            ecosystem_id=event.ecosystem_id,
            owner_id=member.id,
            channel_id=event.channel_id,
            text=text,
            importance=importance_of(
                event.act, event.sentiment,
                member.id in event.addressed_ids or member.id == event.target_id,
            ),
            emotional_tone=event.sentiment,
            created_at=now,
            last_accessed_at=now,
            source_event_ids=(new_id,),
        )
        for member in cast
    ]
    uow.memories.add_many(memories)
    reaction = react(uow, event, cast, now)
    settled = track_goals(uow, event, cast, now)  # goals its act achieves (engine.goals)
    beats = steer(uow, event, now)  # a member's act may turn a story's course (engine.narrative)
    if settled or beats:  # goals stored since the cast was read: deciding must read them
        cast = [replace(m, has_goals=True) for m in cast]
    system_events = [*reaction.system_events,
                     *record_notices(uow, event, reaction.notices, now)]
    if event.channel_id and touch:
        uow.spaces.touch_channel(event.channel_id, last_event_at=now)
    return Perception(event=event, cast=cast, witnesses=[m.id for m in cast],
                      notices=system_events, reaction=reaction)


def _target_name(uow: UnitOfWork, event: Event, cast: list[CastMember]) -> str | None:
    if event.target_id is None:
        return None
    for member in cast:  # usually the target is present: no query needed
        if member.id == event.target_id:
            return member.name
    names = uow.participants.names([event.target_id])
    return names[event.target_id][0] if event.target_id in names else None


def event_payload(
    event: Event, channel_external_id: str, target_name: str | None
) -> dict[str, Any]:
    """The JSON published on the ecosystem's real-time stream for one event."""
    return {
        "payload": event.payload,
        "type": "event",
        "id": event.id,
        "kind": event.kind.value,
        "ecosystem_id": event.ecosystem_id,
        "channel_id": event.channel_id,
        "channel": channel_external_id,
        "author_id": event.author_id,
        "author": event.author_name,
        "author_kind": event.author_kind.value if event.author_kind else None,
        "is_character": event.author_kind is ParticipantKind.CHARACTER,
        "text": event.text,
        "act": event.act.value if event.act else None,
        "target_id": event.target_id,
        "target": target_name,
        "chain_depth": event.chain_depth,
        "created_at": event.created_at.isoformat(),
    }
