"""Ecosystems (a community bound to a platform space) and their channels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import channels, ecosystems

__all__ = ["Ecosystem", "Channel", "SpaceRepository"]

# Statements on the per-message path are built once with bound parameters: building a
# statement from literals costs several times more than executing it (see benchmarks/).
_FIND_ECOSYSTEM = select(ecosystems).where(
    ecosystems.c.platform == bindparam("platform"),
    ecosystems.c.external_id == bindparam("external_id"),
)
_FIND_CHANNEL = select(channels).where(
    channels.c.ecosystem_id == bindparam("ecosystem_id"),
    channels.c.external_id == bindparam("external_id"),
)
_GET_CHANNEL = select(channels).where(channels.c.id == bindparam("channel_id"))
_FIND_SPACE_CHANNEL = (
    select(
        ecosystems.c.id.label("e_id"), ecosystems.c.platform.label("e_platform"),
        ecosystems.c.external_id.label("e_external_id"), ecosystems.c.name.label("e_name"),
        ecosystems.c.settings.label("e_settings"), *channels.c,
    )
    .join(channels, channels.c.ecosystem_id == ecosystems.c.id)
    .where(
        ecosystems.c.platform == bindparam("platform"),
        ecosystems.c.external_id == bindparam("space_id"),
        channels.c.external_id == bindparam("channel_id"),
    )
)
_TOUCH_CHANNEL = update(channels).where(channels.c.id == bindparam("b_channel_id"))


@dataclass(frozen=True)
class Ecosystem:
    id: int
    platform: str
    external_id: str
    name: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Channel:
    id: int
    ecosystem_id: int
    external_id: str
    name: str
    settings: dict[str, Any] = field(default_factory=dict)
    last_event_at: datetime | None = None
    next_post_at: datetime | None = None


class SpaceRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def ensure_ecosystem(
        self, platform: str, external_id: str, name: str, now: datetime
    ) -> Ecosystem:
        found = self.find_ecosystem(platform, external_id)
        if found is not None:
            return found
        new_id = self.conn.execute(
            ecosystems.insert().values(
                platform=platform, external_id=external_id, name=name or external_id,
                settings={}, created_at=now,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        return Ecosystem(int(new_id), platform, external_id, name or external_id, {})

    def find_ecosystem(self, platform: str, external_id: str) -> Ecosystem | None:
        row = self.conn.execute(
            _FIND_ECOSYSTEM, {"platform": platform, "external_id": external_id}
        ).first()
        if row is None:
            return None
        return Ecosystem(row.id, row.platform, row.external_id, row.name, dict(row.settings))

    def find_space_channel(
        self, platform: str, space_id: str, channel_id: str
    ) -> tuple[Ecosystem, Channel] | None:
        """An existing ecosystem and one of its channels, by external ids, in one query."""
        row = self.conn.execute(
            _FIND_SPACE_CHANNEL,
            {"platform": platform, "space_id": space_id, "channel_id": channel_id},
        ).first()
        if row is None:
            return None
        ecosystem = Ecosystem(row.e_id, row.e_platform, row.e_external_id, row.e_name,
                              dict(row.e_settings))
        return ecosystem, _channel(row)

    def get_ecosystem(self, ecosystem_id: int) -> Ecosystem | None:
        row = self.conn.execute(select(ecosystems).where(ecosystems.c.id == ecosystem_id)).first()
        if row is None:
            return None
        return Ecosystem(row.id, row.platform, row.external_id, row.name, dict(row.settings))

    def ecosystem_ids(self) -> list[int]:
        return [r.id for r in self.conn.execute(select(ecosystems.c.id).order_by(ecosystems.c.id))]

    def update_ecosystem_settings(self, ecosystem_id: int, changes: dict[str, Any]) -> None:
        current = self.get_ecosystem(ecosystem_id)
        merged = {**(current.settings if current else {}), **changes}
        self.conn.execute(
            update(ecosystems).where(ecosystems.c.id == ecosystem_id).values(settings=merged)
        )

    def update_channel_settings(self, channel_id: int, changes: dict[str, Any]) -> None:
        current = self.get_channel(channel_id)
        merged = {**(current.settings if current else {}), **changes}
        self.conn.execute(update(channels).where(channels.c.id == channel_id)
                          .values(settings=merged))

    def ensure_channel(
        self, ecosystem_id: int, external_id: str, name: str, now: datetime
    ) -> Channel:
        found = self.find_channel(ecosystem_id, external_id)
        if found is not None:
            return found
        new_id = self.conn.execute(
            channels.insert().values(
                ecosystem_id=ecosystem_id, external_id=external_id, name=name or external_id,
                settings={}, created_at=now,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        return Channel(int(new_id), ecosystem_id, external_id, name or external_id)

    def find_channel(self, ecosystem_id: int, external_id: str) -> Channel | None:
        row = self.conn.execute(
            _FIND_CHANNEL, {"ecosystem_id": ecosystem_id, "external_id": external_id}
        ).first()
        return _channel(row) if row is not None else None

    def get_channel(self, channel_id: int) -> Channel | None:
        row = self.conn.execute(_GET_CHANNEL, {"channel_id": channel_id}).first()
        return _channel(row) if row is not None else None

    def list_channels(self, ecosystem_id: int) -> list[Channel]:
        rows = self.conn.execute(
            select(channels).where(channels.c.ecosystem_id == ecosystem_id).order_by(channels.c.id)
        )
        return [_channel(r) for r in rows]

    def touch_channel(
        self,
        channel_id: int,
        *,
        last_event_at: datetime | None = None,
        next_post_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {}
        if last_event_at is not None:
            values["last_event_at"] = last_event_at
        if next_post_at is not None:
            values["next_post_at"] = next_post_at
        if values:
            self.conn.execute(_TOUCH_CHANNEL, {"b_channel_id": channel_id, **values})


def _channel(row: Any) -> Channel:
    return Channel(
        row.id, row.ecosystem_id, row.external_id, row.name, dict(row.settings or {}),
        row.last_event_at, row.next_post_at,
    )
