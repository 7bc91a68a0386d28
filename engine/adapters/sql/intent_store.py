"""Stored intents: what a character will do, until a worker renders and delivers it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from engine.acts import Act
from engine.adapters.sql.tables import intents
from engine.messages import Intent, IntentStatus

__all__ = ["IntentStore"]

# Statements on the per-message path, built once with bound parameters.
_INSERT = intents.insert()
_BUSY_IN = select(intents.c.character_id).where(
    intents.c.channel_id == bindparam("channel_id"),
    intents.c.status.in_((IntentStatus.PENDING.value, "rendering")),
)


class IntentStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, intent: Intent, now: datetime) -> int:
        result = self.conn.execute(
            _INSERT,
            dict(
                ecosystem_id=intent.ecosystem_id, channel_id=intent.channel_id,
                character_id=intent.character_id, act=intent.act.value,
                target_id=intent.target_id, reason=intent.reason,
                trigger_event_id=intent.trigger_event_id, chain_depth=intent.chain_depth,
                due_at=intent.due_at, status=intent.status.value, created_at=now,
            ),
        )
        intent.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return intent.id

    def get(self, intent_id: int) -> Intent | None:
        row = self.conn.execute(select(intents).where(intents.c.id == intent_id)).first()
        return _intent(row) if row is not None else None

    def claim(self, intent_id: int) -> bool:
        """Mark a pending intent as being rendered; False if another worker already did."""
        result = self.conn.execute(
            update(intents)
            .where(intents.c.id == intent_id, intents.c.status == IntentStatus.PENDING.value)
            .values(status="rendering")
        )
        return result.rowcount == 1

    def finish(
        self, intent_id: int, status: IntentStatus, *, result_event_id: int | None = None,
        error: str = "",
    ) -> None:
        self.conn.execute(
            update(intents).where(intents.c.id == intent_id).values(
                status=status.value, result_event_id=result_event_id, error=error[:2000]
            )
        )

    def busy_in(self, channel_id: int) -> frozenset[int]:
        """Characters with an intent not yet finished in this channel."""
        rows = self.conn.execute(_BUSY_IN, {"channel_id": channel_id})
        return frozenset(r.character_id for r in rows)

    def pending(self, ecosystem_id: int | None = None) -> list[Intent]:
        stmt = select(intents).where(intents.c.status == IntentStatus.PENDING.value)
        if ecosystem_id is not None:
            stmt = stmt.where(intents.c.ecosystem_id == ecosystem_id)
        return [_intent(r) for r in self.conn.execute(stmt.order_by(intents.c.due_at))]

    def count_by_status(self, ecosystem_id: int) -> dict[str, int]:
        rows = self.conn.execute(
            select(intents.c.status, func.count()).where(intents.c.ecosystem_id == ecosystem_id)
            .group_by(intents.c.status)
        )
        return {r[0]: int(r[1]) for r in rows}


def _intent(row: Any) -> Intent:
    return Intent(
        id=row.id, ecosystem_id=row.ecosystem_id, channel_id=row.channel_id,
        character_id=row.character_id, act=Act(row.act), target_id=row.target_id,
        reason=row.reason, trigger_event_id=row.trigger_event_id, chain_depth=row.chain_depth,
        due_at=row.due_at, status=IntentStatus(row.status) if row.status != "rendering"
        else IntentStatus.PENDING, result_event_id=row.result_event_id, error=row.error,
    )
