"""Slack channels that refuse our posts: marked blocked, refused fast, unblocked on repair.

When Slack answers ``not_in_channel`` (the app was removed), ``channel_not_found`` or
``is_archived``, the outbox marks the engine channel: the next deliveries there fail at once
without asking Slack again (no retry loop), with the same clear reason. The mark is the channel
setting ``delivery_blocked`` (``{"reason": ..., "since": ISO time}``, the key Discord's
delivery uses too); it goes when the app is invited back (``member_joined_channel`` for our bot
user: the app calls ``unblock``) or when ``/personae setup`` runs again.

Outboxes are built before a ``Deps`` exists, so these take the unit-of-work factory.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.adapters.sql.uow import UnitOfWorkFactory

__all__ = ["DELIVERY_BLOCKED_KEY", "block", "unblock", "blocked_reason", "blocked_channels"]

DELIVERY_BLOCKED_KEY = "delivery_blocked"


def block(uow: UnitOfWorkFactory, ecosystem_id: int, channel_external_id: str, reason: str,
          now: datetime) -> bool:
    """Mark the channel blocked with ``reason``; False when the channel is unknown."""
    with uow() as u:
        channel = u.spaces.find_channel(ecosystem_id, channel_external_id)
        if channel is None:
            return False
        u.spaces.update_channel_settings(
            channel.id, {DELIVERY_BLOCKED_KEY: {"reason": reason, "since": now.isoformat()}})
        u.commit()
    return True


def unblock(uow: UnitOfWorkFactory, ecosystem_id: int, channel_external_id: str) -> bool:
    """Lift the mark; True if the channel was blocked."""
    with uow() as u:
        channel = u.spaces.find_channel(ecosystem_id, channel_external_id)
        if channel is None or not channel.settings.get(DELIVERY_BLOCKED_KEY):
            return False
        u.spaces.update_channel_settings(channel.id, {DELIVERY_BLOCKED_KEY: None})
        u.commit()
    return True


def blocked_reason(uow: UnitOfWorkFactory, ecosystem_id: int,
                   channel_external_id: str) -> str | None:
    """Why deliveries to the channel are refused, or None when they are not."""
    with uow() as u:
        channel = u.spaces.find_channel(ecosystem_id, channel_external_id)
    return _reason(channel.settings.get(DELIVERY_BLOCKED_KEY)) if channel else None


def blocked_channels(uow: UnitOfWorkFactory, ecosystem_id: int) -> dict[str, str]:
    """Every blocked channel of the ecosystem: platform id → reason."""
    with uow() as u:
        channels = u.spaces.list_channels(ecosystem_id)
    found = {c.external_id: _reason(c.settings.get(DELIVERY_BLOCKED_KEY)) for c in channels}
    return {k: v for k, v in found.items() if v}


def _reason(value: Any) -> str | None:
    if not value:
        return None
    if isinstance(value, dict):
        return str(value.get("reason") or "blocked")
    return str(value)
