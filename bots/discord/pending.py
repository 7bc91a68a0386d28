"""Messages the engine could not take because a backing service was away, kept and retried.

When the database or Redis is unreachable, intake logs one error naming the message and keeps
it here; a retry task sends it again with backoff (1 s doubling to 60 s) until the engine takes
it. Ingestion is idempotent, so a message that was in fact stored before the failure is not
stored twice. The buffer is bounded (``capacity``, 1,000 by default): past that the oldest is
dropped with an error in the log — a longer outage loses messages, loudly. Kept in memory: a
bot process that dies while the database is away loses what it held (logged when kept).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import redis.exceptions
import sqlalchemy.exc

from engine.errors import ServiceUnavailable

__all__ = ["PendingMessages", "TRANSIENT"]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Failures that mean "try again later", not "this message is bad".
TRANSIENT: tuple[type[BaseException], ...] = (
    ServiceUnavailable,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


class PendingMessages(Generic[T]):
    def __init__(self, send: Callable[[T], Awaitable[object]], *, capacity: int = 1000,
                 first_delay_s: float = 1.0, max_delay_s: float = 60.0) -> None:
        self._send = send
        self._items: deque[T] = deque()
        self.capacity = capacity
        self.first_delay_s, self.max_delay_s = first_delay_s, max_delay_s
        self.dropped = 0
        self.retried = 0
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: T) -> None:
        """Keep ``item`` for a retry (dropping the oldest when full) and start retrying."""
        if len(self._items) >= self.capacity:
            self._items.popleft()
            self.dropped += 1
            log.error("intake retry buffer full (%d): the oldest waiting message is dropped "
                      "(%d dropped so far)", self.capacity, self.dropped)
        self._items.append(item)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._retry())

    async def _retry(self) -> None:
        delay = self.first_delay_s
        while self._items:
            await asyncio.sleep(delay)
            while self._items:
                item = self._items[0]
                try:
                    await self._send(item)
                except TRANSIENT as exc:
                    log.warning("engine still unavailable (%s); %d message(s) waiting, next "
                                "try in %.0f s", exc, len(self._items),
                                min(delay * 2, self.max_delay_s))
                    delay = min(delay * 2, self.max_delay_s)
                    break
                except Exception:  # noqa: BLE001 - a bad message must not block the others
                    log.exception("a waiting message failed for good; dropped")
                if self._items and self._items[0] is item:
                    self._items.popleft()
                    self.retried += 1
            else:
                log.info("engine back: every waiting message was taken")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        if self._items:
            log.error("shutting down with %d message(s) the engine never took",
                      len(self._items))
