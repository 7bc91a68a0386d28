"""Forgetting on request: a member deletes their own data, everywhere (``forget_member``),
or one of their messages (``forget_messages``: deleted on the platform), or changes its words
(``amend_message``: edited on the platform).

Events they wrote, every memory (and embedding) derived only from them, their relationships
and relationship history, confidences, conflicts, intents about them and any queued job for
those intents. Other members' data and the characters' own lines stay. Only members' messages
are forgotten or amended this way; a character's own post deleted by a moderator is still
something the characters said and heard.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select

from engine.adapters.sql.erasure import Erasure, erase_marketplace_member, erase_member
from engine.adapters.sql.event_erasure import amend_event, erase_events
from engine.adapters.sql.tables import events
from engine.adapters.sql.uow import UnitOfWork
from engine.errors import InvalidInput
from engine.services.deps import Deps
from engine.services.ingest import MAX_STORED_CHARS

__all__ = ["forget_member", "forget_messages", "amend_message", "Erasure"]

log = logging.getLogger(__name__)


def forget_member(deps: Deps, platform: str, space_id: str, member_external_id: str) -> Erasure:
    """Erase one member's data in one community; idempotent (nothing known → empty report)."""
    with deps.uow() as uow:
        ecosystem = uow.spaces.find_ecosystem(platform, space_id)
        if ecosystem is None:
            return Erasure()
        member = uow.participants.find_human(ecosystem.id, member_external_id)
        if member is None:  # never spoke here; may still have rated or reported packages
            gone = erase_marketplace_member(uow.spaces.conn, f"{platform}:{member_external_id}")
            uow.commit()
            return Erasure(ratings=gone[0], reports=gone[1])
        member_id, display_name = member
        report = erase_member(uow.spaces.conn, ecosystem.id, member_id, display_name)
        uow.commit()
    for intent_id in report.cancelled_intent_ids:
        deps.queue.cancel_render(intent_id)
    log.info("forgot member %s of %s:%s: %s", member_external_id, platform, space_id, report)
    return report


def _members_events(uow: UnitOfWork, platform: str, space_id: str, channel_external_id: str,
                    message_ids: Sequence[str]) -> tuple[int, list[tuple[int, str]]]:
    """The ecosystem id and (event id, text) of the members' messages among ``message_ids``
    in that channel (unknown ids, and characters' posts, are left out)."""
    ecosystem = uow.spaces.find_ecosystem(platform, space_id)
    if ecosystem is None or not message_ids:
        return 0, []
    channel = uow.spaces.find_channel(ecosystem.id, channel_external_id)
    if channel is None:
        return ecosystem.id, []
    rows = uow.spaces.conn.execute(select(events.c.id, events.c.text).where(
        events.c.channel_id == channel.id, events.c.author_kind == "human",
        events.c.external_id.in_([str(m) for m in message_ids]))).all()
    return ecosystem.id, [(int(r.id), str(r.text)) for r in rows]


def forget_messages(deps: Deps, platform: str, space_id: str, channel_external_id: str,
                    message_ids: Sequence[str]) -> Erasure:
    """Forget members' messages deleted on the platform; idempotent (an unknown or already
    forgotten id is nothing to do)."""
    with deps.uow() as uow:
        eco, found = _members_events(uow, platform, space_id, channel_external_id, message_ids)
        if not found:
            return Erasure()
        report = erase_events(uow.spaces.conn, eco, [event_id for event_id, _ in found])
        uow.commit()
    for intent_id in report.cancelled_intent_ids:
        deps.queue.cancel_render(intent_id)
    log.info("forgot %d deleted message(s) in %s:%s/%s: %s", len(found), platform, space_id,
             channel_external_id, report)
    return report


def amend_message(deps: Deps, platform: str, space_id: str, channel_external_id: str,
                  message_id: str, text: str) -> int:
    """A member edited a message: it and the memories made of it take the new words (what
    was felt and done on reading the first words stays). Returns the memories changed.

    Raises:
        InvalidInput: The new text is over the stored limit (nothing changed).
    """
    if len(text) > MAX_STORED_CHARS:
        raise InvalidInput(f"That edit is {len(text):,} characters; the limit is "
                           f"{MAX_STORED_CHARS:,}. The message keeps its earlier words.")
    if not text.strip():
        return 0
    with deps.uow() as uow:
        _, found = _members_events(uow, platform, space_id, channel_external_id, [message_id])
        if not found:
            return 0
        (event_id, old_text), = found
        if old_text == text:
            return 0
        changed = amend_event(uow.spaces.conn, event_id, old_text, text)
        uow.commit()
    return changed
