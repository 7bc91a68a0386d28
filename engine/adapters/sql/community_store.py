"""What running a community needs beyond the core repositories: where a character lives,
naming channels, and dropping channel settings.

Bound to a unit of work's connection: ``CommunityStore(uow.spaces.conn)``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.spaces import Channel, _channel
from engine.adapters.sql.tables import channel_cast, channels, characters

__all__ = ["CommunityStore"]


class CommunityStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def channels_of(self, character_id: int) -> list[Channel]:
        """The channels a character lives in, oldest first."""
        rows = self.conn.execute(
            select(channels)
            .join(channel_cast, channel_cast.c.channel_id == channels.c.id)
            .where(channel_cast.c.character_id == character_id)
            .order_by(channels.c.id)
        )
        return [_channel(r) for r in rows]

    def character_names(self, ecosystem_id: int) -> list[str]:
        """Every character's name in an ecosystem (names only: cheap enough per keystroke)."""
        rows = self.conn.execute(select(characters.c.name)
                                 .where(characters.c.ecosystem_id == ecosystem_id)
                                 .order_by(characters.c.name))
        return [r.name for r in rows]

    def rename_channel(self, channel_id: int, name: str) -> None:
        self.conn.execute(update(channels).where(channels.c.id == channel_id).values(name=name))

    def drop_channel_settings(self, channel_id: int, keys: Iterable[str]) -> bool:
        """Remove ``keys`` from a channel's settings; True if any was there."""
        row = self.conn.execute(
            select(channels.c.settings).where(channels.c.id == channel_id)).first()
        if row is None:
            return False
        current = dict(row.settings or {})
        dropped = [k for k in keys if k in current]
        if dropped:
            for key in dropped:
                del current[key]
            self.conn.execute(update(channels).where(channels.c.id == channel_id)
                              .values(settings=current))
        return bool(dropped)
