"""Channels where the bot lost a permission: marked once, reported once, then left alone.

When Discord answers 403 (50013 Missing Permissions, 50001 Missing Access) to creating, listing
or executing a channel's webhook, or to a bot post — or 400 30007 (15 webhooks already) or 50024
(no webhooks on this channel type) — the engine channel's settings (of the channel the message
was for: the thread, for a thread) get

    "delivery_blocked": {"reason": "...", "code": 50013, "since": ISO, "at": ISO}

(``since``: first failure of this episode; ``at``: the latest, ``since`` when absent — the
same key and ``reason``/``since`` as ``engine.services.delivery_health``, which Slack uses).
While ``at`` is younger than the cool-off (10 minutes by default) every delivery to the channel
— and to its threads — fails at once with ``ChannelBlocked``, without a request to Discord:
Discord bans an IP after 10,000 invalid (401/403/429) requests in 10 minutes, so a lost
permission must not become a retry storm. After the cool-off one delivery tries again; a new
refusal renews ``at`` (same episode, no new report); a success clears the flag. ``/personae
setup`` clears it as well (``clear_block`` here, or ``delivery_health.unblock``: the key set to
null), which ends the episode, so a later loss is reported again.

A new episode is reported once: a SYSTEM event in the channel's log (published on the event
stream; it also shows among the Observatory's notable changes), and a message posted with the
bot token to the server's admin channel, ``admin_channel_id`` in the ecosystem settings (written
by ``/personae setup``), when one is set. Workers that hit the same 403 at the same moment agree
through a Redis key on which one reports it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis

from engine.adapters.sql.uow import UnitOfWork
from engine.messages import Event, EventKind

__all__ = ["BLOCK_KEY", "Block", "active_block", "has_block", "mark_blocked", "clear_block",
           "claim_report", "notice_text", "is_blocking", "explain", "system_event"]

log = logging.getLogger(__name__)

BLOCK_KEY = "delivery_blocked"
#: Answers that will not change until someone acts in the server (any 403 blocks too).
BLOCKING_CODES = {
    50013: "Missing Permissions",
    50001: "Missing Access",
    30007: "the channel already has Discord's maximum of 15 webhooks: delete one",
    50024: "Discord allows no webhook on this kind of channel",
}


@dataclass(frozen=True)
class Block:
    reason: str
    code: int
    since: datetime
    at: datetime

    def as_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "code": self.code, "since": self.since.isoformat(),
                "at": self.at.isoformat()}


def is_blocking(status: int, code: int) -> bool:
    return status == 403 or code in BLOCKING_CODES


def explain(action: str, status: int, code: int) -> str:
    """A reason for admins: what we tried and what Discord said."""
    meaning = BLOCKING_CODES.get(code, "refused")
    return f"Discord refused to {action} ({status}, code {code}: {meaning})"


def _read(settings: dict[str, Any]) -> Block | None:
    raw = settings.get(BLOCK_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        since = datetime.fromisoformat(raw["since"])
        at = datetime.fromisoformat(raw["at"]) if raw.get("at") else since
        return Block(str(raw.get("reason", "")), int(raw.get("code") or 0), since, at)
    except (KeyError, TypeError, ValueError):  # a hand-edited flag: not a block we can time
        log.warning("unreadable %s in channel settings: %r", BLOCK_KEY, raw)
        return None


def active_block(settings: dict[str, Any], now: datetime, cooloff: timedelta) -> Block | None:
    """The channel's block if it still holds deliveries back at ``now``."""
    block = _read(settings)
    return block if block is not None and now - block.at < cooloff else None


def has_block(settings: dict[str, Any]) -> bool:
    return settings.get(BLOCK_KEY) is not None


def mark_blocked(uow: UnitOfWork, channel_id: int, reason: str, code: int,
                 now: datetime) -> tuple[Block, bool]:
    """Record the block (not committed). Returns it and whether a new episode starts."""
    channel = uow.spaces.get_channel(channel_id)
    earlier = _read(channel.settings) if channel is not None else None
    block = Block(reason, code, earlier.since if earlier else now, now)
    uow.spaces.update_channel_settings(channel_id, {BLOCK_KEY: block.as_json()})
    return block, earlier is None


def clear_block(uow: UnitOfWork, channel_id: int) -> None:
    """Lift the block (not committed): ``/personae setup`` and a successful post do this."""
    uow.spaces.update_channel_settings(channel_id, {BLOCK_KEY: None})


def claim_report(client: redis.Redis, channel_id: int, since: datetime) -> bool:
    """True for exactly one worker per episode (Redis ``SET NX``; if Redis is down, report:
    a duplicate report beats none)."""
    try:
        key = f"personae:discord:blocked-report:{channel_id}:{since.isoformat()}"
        return bool(client.set(key, "1", nx=True, ex=7 * 24 * 3600))
    except redis.RedisError:
        return True


def notice_text(channel_external_id: str, reason: str, cooloff: timedelta) -> str:
    minutes = max(1, round(cooloff.total_seconds() / 60))
    return (f"Personae cannot post in <#{channel_external_id}>: {reason}. The characters stay "
            f"silent there (no retries) until the permission is given back; then run "
            f"/personae setup in that channel, or wait {minutes} minutes for the next attempt.")


def system_event(ecosystem_id: int, channel_id: int, channel_external_id: str, block: Block,
                 text: str) -> Event:
    return Event(
        ecosystem_id=ecosystem_id, channel_id=channel_id, kind=EventKind.SYSTEM,
        idempotency_key=f"delivery-blocked:{channel_id}:{block.since.isoformat()}",
        created_at=block.at, author_name="Personae", text=text,
        payload={"type": "delivery_blocked", "channel": channel_external_id,
                 "code": block.code, "reason": block.reason})
