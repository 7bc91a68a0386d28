"""Which Discord channels have a cast, which webhooks and bot users are ours: a small cache.

Intake asks for every gateway message whether its channel has a cast; joining a big server must
not store (or even look up) every message of every channel. The answer comes from a snapshot
of the platform's channels read in three small queries and kept for ``ttl_s`` seconds (10 by
default); ``invalidate()`` drops it at once (the slash commands that change a cast call it, so
a new cast channel is heard immediately; a cast changed elsewhere — the command line, another
bot process — is seen within the TTL). A snapshot costs a few bytes per channel.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from engine.adapters.sql.tables import channel_cast, channels, ecosystems
from engine.services.deps import Deps

__all__ = ["CastIndex", "CastSnapshot", "read_snapshot"]

log = logging.getLogger(__name__)

Runner = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class CastSnapshot:
    #: (guild id, channel id) of every channel (or thread, or DM) with at least one character.
    cast: frozenset[tuple[str, str]] = frozenset()
    #: (guild id, channel id) of every channel the engine has a row for, cast or not.
    known: frozenset[tuple[str, str]] = frozenset()
    #: Ids of the webhooks we post through.
    webhooks: frozenset[str] = frozenset()
    #: Discord user id → character id, for characters with their own bot.
    accounts: dict[str, int] = field(default_factory=dict)
    taken_at: float = float("-inf")


def read_snapshot(deps: Deps, platform: str) -> CastSnapshot:
    """Read the snapshot (blocking: run it off the event loop)."""
    with deps.uow() as uow:
        conn = uow.spaces.conn
        on_platform = ecosystems.c.platform == platform
        known_rows = conn.execute(
            select(ecosystems.c.external_id, channels.c.external_id)
            .join(channels, channels.c.ecosystem_id == ecosystems.c.id).where(on_platform))
        cast_rows = conn.execute(
            select(ecosystems.c.external_id, channels.c.external_id).distinct()
            .join(channels, channels.c.ecosystem_id == ecosystems.c.id)
            .join(channel_cast, channel_cast.c.channel_id == channels.c.id).where(on_platform))
        return CastSnapshot(
            cast=frozenset((str(r[0]), str(r[1])) for r in cast_rows),
            known=frozenset((str(r[0]), str(r[1])) for r in known_rows),
            webhooks=frozenset(uow.links.webhook_ids()),
            accounts=uow.links.accounts(platform),
            taken_at=time.monotonic())


class CastIndex:
    """The current snapshot, refreshed when older than ``ttl_s`` (one refresh at a time)."""

    def __init__(self, deps: Deps, platform: str, run: Runner, *, ttl_s: float = 10.0) -> None:
        self._deps, self._platform, self._run = deps, platform, run
        self.ttl_s = ttl_s
        self._snapshot = CastSnapshot()
        self._lock: asyncio.Lock | None = None
        self.refreshes = 0

    def invalidate(self) -> None:
        """Forget the snapshot: the next question reads the database again."""
        self._snapshot = CastSnapshot(taken_at=float("-inf"))

    def peek(self) -> CastSnapshot:
        """The snapshot as it is, fresh or not (never blocks)."""
        return self._snapshot

    async def current(self) -> CastSnapshot:
        if time.monotonic() - self._snapshot.taken_at < self.ttl_s:
            return self._snapshot
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if time.monotonic() - self._snapshot.taken_at >= self.ttl_s:
                self._snapshot = await self._run(read_snapshot, self._deps, self._platform)
                self.refreshes += 1
        return self._snapshot

    def note_cast(self, space_id: str, channel_id: str) -> None:
        """Record at once that a channel now has a cast (a thread that just took its parent's)."""
        s = self._snapshot
        key = (space_id, channel_id)
        self._snapshot = CastSnapshot(s.cast | {key}, s.known | {key}, s.webhooks, s.accounts,
                                      s.taken_at)
