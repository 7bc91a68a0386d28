"""Storage of an ecosystem's Enterprise settings: its own model endpoint (the key encrypted by
the service before it gets here) and its white-label name and avatar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import enterprise_settings

__all__ = ["EnterpriseRow", "EnterpriseStore"]


@dataclass(frozen=True)
class EnterpriseRow:
    ecosystem_id: int
    model_base_url: str | None = None
    model_name: str | None = None
    model_key_encrypted: str | None = None
    brand_name: str | None = None
    brand_avatar_url: str | None = None
    updated_by: str = ""
    updated_at: datetime | None = None

    @property
    def empty(self) -> bool:
        return not (self.model_base_url or self.brand_name or self.brand_avatar_url)


class EnterpriseStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, ecosystem_id: int) -> EnterpriseRow | None:
        row = self.conn.execute(select(enterprise_settings).where(
            enterprise_settings.c.ecosystem_id == ecosystem_id)).first()
        return EnterpriseRow(**row._mapping) if row is not None else None

    def save(self, ecosystem_id: int, now: datetime, by: str, **values: Any) -> EnterpriseRow:
        """Set the given columns (others kept); a row left with nothing set is removed."""
        values = {**values, "updated_by": by[:120], "updated_at": now}
        done = self.conn.execute(update(enterprise_settings).where(
            enterprise_settings.c.ecosystem_id == ecosystem_id).values(**values)).rowcount
        if not done:
            self.conn.execute(enterprise_settings.insert().values(
                ecosystem_id=ecosystem_id, **values))
        row = self.get(ecosystem_id)
        assert row is not None
        if row.empty:
            self.conn.execute(delete(enterprise_settings).where(
                enterprise_settings.c.ecosystem_id == ecosystem_id))
        return row
