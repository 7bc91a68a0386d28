"""Erasing one member's data, everywhere it is stored (a "forget me" request).

Kept in one place so that every table that can hold a member's data is visibly handled:
adding a table that stores member data means adding a line here (and to its test).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import (
    confidences,
    conflicts,
    ecosystems,
    events,
    intents,
    memories,
    memory_sources,
    participants,
    platform_users,
    relationship_changes,
    relationships,
)

__all__ = ["Erasure", "erase_member"]


@dataclass
class Erasure:
    """What was removed for one member (counts), and the intents whose jobs must go too."""

    events: int = 0
    memories: int = 0
    relationships: int = 0
    changes: int = 0
    confidences: int = 0
    conflicts: int = 0
    intents: int = 0
    redacted: int = 0
    cancelled_intent_ids: list[int] = field(default_factory=list)


def erase_member(conn: Connection, ecosystem_id: int, member_id: int, display_name: str
                 ) -> Erasure:
    """Remove the member's events, every memory derived only from them (embeddings with them),
    their relationships and their history, their confidences and conflicts, intents about
    them, and the member row itself. Characters' own lines that answered the member stay,
    unlinked from them and with the member's name redacted from the memories they left.
    """
    report = Erasure()
    own_events = [r.id for r in conn.execute(
        select(events.c.id).where(events.c.ecosystem_id == ecosystem_id,
                                  events.c.author_id == member_id))]
    if own_events:
        # Memories whose every source is one of the member's events (observations of what
        # they said, reflections citing only them) go; others only lose those sources.
        sourced = select(memory_sources.c.memory_id).where(
            memory_sources.c.event_id.in_(bindparam("ev", expanding=True)))
        other = select(memory_sources.c.memory_id).where(
            memory_sources.c.event_id.not_in(bindparam("ev", expanding=True)))
        doomed = [r[0] for r in conn.execute(
            sourced.except_(other), {"ev": own_events})]
        if doomed:
            report.memories = conn.execute(
                delete(memories).where(memories.c.id.in_(doomed))).rowcount
    cancelled = [r.id for r in conn.execute(
        select(intents.c.id).where(
            intents.c.ecosystem_id == ecosystem_id,
            intents.c.status.in_(("pending", "rendering")),
            or_(intents.c.target_id == member_id,
                intents.c.trigger_event_id.in_(own_events or [-1])),
        ))]
    report.cancelled_intent_ids = cancelled
    report.intents = conn.execute(
        delete(intents).where(intents.c.id.in_(cancelled or [-1]))).rowcount
    conn.execute(update(intents).where(intents.c.target_id == member_id).values(target_id=None))
    report.changes = conn.execute(delete(relationship_changes).where(or_(
        relationship_changes.c.source_id == member_id,
        relationship_changes.c.target_id == member_id))).rowcount
    report.relationships = conn.execute(delete(relationships).where(or_(
        relationships.c.source_id == member_id,
        relationships.c.target_id == member_id))).rowcount
    report.confidences = conn.execute(delete(confidences).where(or_(
        confidences.c.owner_id == member_id, confidences.c.confidant_id == member_id))
    ).rowcount
    for row in conn.execute(select(conflicts.c.id, conflicts.c.parties)
                            .where(conflicts.c.ecosystem_id == ecosystem_id)):
        if member_id in (row.parties or []):
            report.conflicts += conn.execute(
                delete(conflicts).where(conflicts.c.id == row.id)).rowcount
    # Characters' replies to the member stay (they are the characters' words), but no longer
    # point at the member or name them, nor do the memories they left.
    replies = [r.id for r in conn.execute(
        select(events.c.id).where(events.c.ecosystem_id == ecosystem_id,
                                  events.c.target_id == member_id))]
    if replies and display_name:
        conn.execute(update(events).where(events.c.id.in_(replies))
                     .values(text=func.replace(events.c.text, display_name, "someone")))
        remembered = select(memory_sources.c.memory_id).where(
            memory_sources.c.event_id.in_(replies))
        report.redacted = conn.execute(
            update(memories).where(memories.c.id.in_(remembered))
            .values(text=func.replace(memories.c.text, display_name, "someone"),
                    embedding=None)
        ).rowcount
    conn.execute(update(events).where(events.c.target_id == member_id).values(target_id=None))
    # Notable changes about the member ("Jane now counts Mary as a friend") go with them.
    notices = [r.id for r in conn.execute(
        select(events.c.id, events.c.payload).where(events.c.ecosystem_id == ecosystem_id,
                                                    events.c.kind == "system"))
        if member_id in ((r.payload or {}).get("source_id"), (r.payload or {}).get("target_id"))
        or (r.payload or {}).get("cause_event_id") in own_events]
    conn.execute(delete(events).where(events.c.id.in_(notices or [-1])))
    report.events = conn.execute(
        delete(events).where(events.c.id.in_(own_events or [-1]))).rowcount
    conn.execute(delete(platform_users).where(platform_users.c.id == member_id))
    conn.execute(delete(participants).where(participants.c.id == member_id))
    conn.execute(update(ecosystems).where(ecosystems.c.id == ecosystem_id)
                 .values(social_version=ecosystems.c.social_version + 1))
    return report
