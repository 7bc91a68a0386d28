"""Forgetting on request: a member deletes their own data, everywhere.

Events they wrote, every memory (and embedding) derived only from them, their relationships
and relationship history, confidences, conflicts, intents about them and any queued job for
those intents. Other members' data and the characters' own lines stay.
"""

from __future__ import annotations

import logging

from engine.adapters.sql.erasure import Erasure, erase_marketplace_member, erase_member
from engine.services.deps import Deps

__all__ = ["forget_member", "Erasure"]

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
