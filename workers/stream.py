"""The real-time event stream: every recorded event as JSON on ``ecosystem:{id}``."""

from __future__ import annotations

import json
import logging
from typing import Any

import redis

__all__ = ["RedisEventStream", "channel_name"]

log = logging.getLogger(__name__)


def channel_name(ecosystem_id: int) -> str:
    return f"ecosystem:{ecosystem_id}"


class RedisEventStream:
    """Publishes on Redis pub/sub. A Redis outage is logged, never fatal: the log is the truth."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def publish(self, ecosystem_id: int, payload: dict[str, Any]) -> None:
        try:
            self.client.publish(channel_name(ecosystem_id), json.dumps(payload, default=str))
        except redis.RedisError as exc:
            log.warning("event stream unavailable, event %s not streamed: %s",
                        payload.get("id"), exc)
