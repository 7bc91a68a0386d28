"""Which Slack thread a message belongs to, shared by the app and the workers through Redis.

The engine replies to a message id (its ``ts``); Slack threads hang off the *parent's* ``ts``.
The front door records the parent of every threaded message it sees, the outbox of every
threaded post it makes, so a character answering a threaded message answers in that thread,
and one answering a top-level message answers in the channel.
"""

from __future__ import annotations

import redis

__all__ = ["ThreadMap"]

PREFIX = "personae:slack:thread"
#: Threads older than this are answered in the channel (keys expire).
TTL_S = 7 * 24 * 3600


class ThreadMap:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def remember(self, channel: str, ts: str, thread_ts: str) -> None:
        self.client.set(f"{PREFIX}:{channel}:{ts}", thread_ts, ex=TTL_S)

    def thread_of(self, channel: str, ts: str) -> str | None:
        value = self.client.get(f"{PREFIX}:{channel}:{ts}")
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)
