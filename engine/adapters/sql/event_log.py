"""The append-only event log: every message in and out, once (unique idempotency key)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from engine.acts import Act
from engine.adapters.sql.tables import events
from engine.messages import Event, EventKind, ParticipantKind

__all__ = ["EventLog"]

# Built once with bound parameters (building from literals costs more than executing).
_APPEND = {
    dialect: insert(events)
    .on_conflict_do_nothing(index_elements=["idempotency_key"])
    .returning(events.c.id)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_BY_KEY = select(events).where(events.c.idempotency_key == bindparam("idempotency_key"))


class EventLog:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(self, event: Event) -> int | None:
        """Store ``event``; return its id, or None if its idempotency key was already stored."""
        values = {
            "ecosystem_id": event.ecosystem_id,
            "channel_id": event.channel_id,
            "kind": event.kind.value,
            "idempotency_key": event.idempotency_key,
            "external_id": event.external_id,
            "author_id": event.author_id,
            "author_kind": event.author_kind.value if event.author_kind else None,
            "author_name": event.author_name,
            "text": event.text,
            "act": event.act.value if event.act else None,
            "target_id": event.target_id,
            "addressed_ids": list(event.addressed_ids),
            "sentiment": event.sentiment,
            "chain_depth": event.chain_depth,
            "in_reply_to": event.in_reply_to,
            "payload": event.payload,
            "created_at": event.created_at,
        }
        stmt = _APPEND["postgresql" if self.conn.dialect.name == "postgresql" else "sqlite"]
        new_id = self.conn.execute(stmt, values).scalar()
        if new_id is None:
            return None
        event.id = int(new_id)
        return event.id

    def find_by_key(self, idempotency_key: str) -> Event | None:
        row = self.conn.execute(_BY_KEY, {"idempotency_key": idempotency_key}).first()
        return _event(row) if row is not None else None

    def get(self, event_id: int) -> Event | None:
        row = self.conn.execute(select(events).where(events.c.id == event_id)).first()
        return _event(row) if row is not None else None

    def find_external(self, channel_id: int, external_id: str) -> Event | None:
        row = self.conn.execute(
            select(events).where(
                events.c.channel_id == channel_id, events.c.external_id == external_id
            )
        ).first()
        return _event(row) if row is not None else None

    def recent(self, channel_id: int, limit: int) -> list[Event]:
        """The last ``limit`` messages of a channel, oldest first."""
        rows = self.conn.execute(
            select(events)
            .where(events.c.channel_id == channel_id, events.c.kind == EventKind.MESSAGE.value)
            .order_by(events.c.id.desc())
            .limit(limit)
        ).all()
        return [_event(r) for r in reversed(rows)]

    def all(self, ecosystem_id: int) -> list[Event]:
        rows = self.conn.execute(
            select(events).where(events.c.ecosystem_id == ecosystem_id).order_by(events.c.id)
        )
        return [_event(r) for r in rows]

    def claim_external(self, event_id: int, claim: str, stale_claim_before: str) -> bool:
        """Mark an event of ours as being posted by ``claim`` (``claim:<UTC time>:<token>``,
        ``engine.services.notices``) unless it carries a platform id already or a live claim
        (one of the same form at or after ``stale_claim_before`` is live). One caller wins."""
        result = self.conn.execute(
            update(events)
            .where(events.c.id == event_id,
                   or_(events.c.external_id.is_(None),
                       and_(events.c.external_id.like("claim:%"),
                            events.c.external_id < stale_claim_before)))
            .values(external_id=claim))
        return bool(result.rowcount == 1)

    def settle_external(self, event_id: int, claim: str, external_id: str | None) -> bool:
        """Replace our ``claim`` with the posted message's id (None: give the claim up);
        False when the claim was taken over meanwhile."""
        result = self.conn.execute(
            update(events)
            .where(events.c.id == event_id, events.c.external_id == claim)
            .values(external_id=external_id))
        return bool(result.rowcount == 1)

    def count(self, ecosystem_id: int | None = None) -> int:
        stmt = select(func.count()).select_from(events)
        if ecosystem_id is not None:
            stmt = stmt.where(events.c.ecosystem_id == ecosystem_id)
        return int(self.conn.execute(stmt).scalar_one())


def _event(row: Any) -> Event:
    return Event(
        id=row.id,
        ecosystem_id=row.ecosystem_id,
        channel_id=row.channel_id,
        kind=EventKind(row.kind),
        idempotency_key=row.idempotency_key,
        external_id=row.external_id,
        author_id=row.author_id,
        author_kind=ParticipantKind(row.author_kind) if row.author_kind else None,
        author_name=row.author_name,
        text=row.text,
        act=Act(row.act) if row.act else None,
        target_id=row.target_id,
        addressed_ids=tuple(row.addressed_ids or ()),
        sentiment=row.sentiment,
        chain_depth=row.chain_depth,
        in_reply_to=row.in_reply_to,
        payload=dict(row.payload or {}),
        created_at=row.created_at,
    )
