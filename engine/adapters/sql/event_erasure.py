"""Forgetting or amending single messages: a member deleted or edited what they wrote.

A deleted message goes with everything that exists only because of it: the memories whose
every source it was (observations of it), insights and knowledge drawn only from those, its
place in story timelines, confidences made in it, relationship changes it caused (the
relationship itself stays: how the characters feel now is theirs), notices it caused, and the
pending replies to it. Characters' own answers stay (they are the characters' words).

An edited message keeps its place; its text, and the text of the memories made of it, become
the new words (their embeddings go, to be made again, and their index entries are rebuilt).
What the characters felt and did when they read the first words stays as it happened.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.erasure import (
    DERIVED_KINDS,
    Erasure,
    _chunks,
    _derived_owners,
    _recompose_summaries,
    _with_derived,
)
from engine.adapters.sql.lexical_index import LexicalIndex
from engine.adapters.sql.tables import (
    events,
    intents,
    memories,
    memory_sources,
)
from engine.memory import observation_body

__all__ = ["erase_events", "amend_event"]


def erase_events(conn: Connection, ecosystem_id: int, event_ids: Sequence[int]) -> Erasure:
    """Remove these events of the ecosystem and what exists only because of them."""
    report = Erasure()
    doomed_events = sorted({int(i) for i in event_ids})
    if not doomed_events:
        return report
    sourced = select(memory_sources.c.memory_id).where(
        memory_sources.c.event_id.in_(bindparam("ev", expanding=True)))
    other = select(memory_sources.c.memory_id).where(
        memory_sources.c.event_id.not_in(bindparam("ev", expanding=True)))
    doomed = {int(r[0]) for r in conn.execute(sourced.except_(other), {"ev": doomed_events})}
    doomed = _with_derived(conn, doomed)
    touched = _derived_owners(conn, doomed)
    touched.update(int(i) for i in conn.execute(
        select(memories.c.owner_id).distinct().where(
            memories.c.id.in_(sorted(doomed) or [-1]))).scalars())
    for chunk in _chunks(doomed):
        report.derived += conn.execute(
            select(func.count()).select_from(memories)
            .where(memories.c.id.in_(chunk), memories.c.kind.in_(DERIVED_KINDS))).scalar_one()
        report.memories += conn.execute(delete(memories).where(memories.c.id.in_(chunk))).rowcount
    cancelled = [int(r.id) for r in conn.execute(
        select(intents.c.id).where(intents.c.ecosystem_id == ecosystem_id,
                                   intents.c.status.in_(("pending", "rendering")),
                                   intents.c.trigger_event_id.in_(doomed_events)))]
    report.cancelled_intent_ids = cancelled
    report.intents = conn.execute(
        delete(intents).where(intents.c.id.in_(cancelled or [-1]))).rowcount
    conn.execute(update(intents).where(intents.c.trigger_event_id.in_(doomed_events))
                 .values(trigger_event_id=None))
    notices = [int(r.id) for r in conn.execute(
        select(events.c.id, events.c.payload).where(events.c.ecosystem_id == ecosystem_id,
                                                    events.c.kind == "system"))
        if (r.payload or {}).get("cause_event_id") in doomed_events]
    conn.execute(update(events).where(events.c.in_reply_to.in_(doomed_events))
                 .values(in_reply_to=None))
    conn.execute(delete(events).where(events.c.id.in_(notices or [-1])))
    # Timeline entries, confidences and relationship changes cascade with their event.
    report.events = conn.execute(delete(events).where(
        events.c.ecosystem_id == ecosystem_id, events.c.id.in_(doomed_events))).rowcount
    report.summaries = _recompose_summaries(conn, touched, "")
    return report


def amend_event(conn: Connection, event_id: int, old_text: str, new_text: str) -> int:
    """Give the event its new text, and the memories made of it the new words; returns how
    many memories changed."""
    conn.execute(update(events).where(events.c.id == event_id).values(text=new_text))
    made = [int(i) for i in conn.execute(select(memory_sources.c.memory_id).where(
        memory_sources.c.event_id == event_id)).scalars()]
    old_body, new_body = observation_body(old_text), observation_body(new_text)
    if not made or not old_body or old_body == new_body:
        return 0
    changed = 0
    for chunk in _chunks(made):
        changed += conn.execute(
            update(memories).where(memories.c.id.in_(chunk),
                                   memories.c.text.contains(old_body, autoescape=True))
            .values(text=func.replace(memories.c.text, old_body, new_body), embedding=None)
        ).rowcount
        LexicalIndex(conn).reindex(chunk)
    return changed
