"""Slack retries an event it thinks we missed (``X-Slack-Retry-Num``); we act on each event
id once. The first delivery claims the id in Redis (shared by every app process) for a day."""

from __future__ import annotations

from typing import Any

import redis

__all__ = ["EventDeduplicator"]

PREFIX = "personae:slack:event"
TTL_S = 24 * 3600


class EventDeduplicator:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def seen_before(self, body: dict[str, Any]) -> bool:
        """True when this event id was claimed already (not an event: False)."""
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if body.get("type") != "event_callback" or not event_id:
            return False
        claimed = self.client.set(f"{PREFIX}:{event_id}", "1", nx=True, ex=TTL_S)
        return not claimed
