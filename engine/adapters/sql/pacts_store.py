"""Stored confidences (secrets told), alliances and conflicts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import alliances, confidences, conflicts
from engine.social.alliances import Alliance
from engine.social.confidences import Confidence
from engine.social.conflicts import Conflict

__all__ = ["PactStore"]

# Asked on every message (is the speaker someone's confidant?): built once.
_CONFIDENCES_WITH = (
    select(confidences)
    .where(confidences.c.confidant_id.in_(bindparam("ids", expanding=True))
           | confidences.c.owner_id.in_(bindparam("ids", expanding=True)))
    .order_by(confidences.c.id)
)


class PactStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- confidences ---------------------------------------------------------------------------
    def add_confidence(self, ecosystem_id: int, c: Confidence) -> int:
        result = self.conn.execute(confidences.insert().values(
            ecosystem_id=ecosystem_id, owner_id=c.owner_id, confidant_id=c.confidant_id,
            subject=c.subject[:500], event_id=c.event_id, status=c.status, told_at=c.told_at,
        ))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def confidences_with(self, participant_ids: Sequence[int]) -> list[Confidence]:
        """Every confidence whose owner or confidant is among ``participant_ids``."""
        if not participant_ids:
            return []
        rows = self.conn.execute(_CONFIDENCES_WITH, {"ids": list(participant_ids)})
        return [_confidence(r) for r in rows]

    def mark_revealed(self, c: Confidence) -> None:
        self.conn.execute(update(confidences).where(confidences.c.id == c.id).values(
            status="revealed", revealed_by=c.revealed_by, revealed_to=list(c.revealed_to),
            revealed_at=c.revealed_at,
        ))

    # -- alliances -----------------------------------------------------------------------------
    def alliances(self, ecosystem_id: int, *, live_only: bool = True) -> list[Alliance]:
        stmt = select(alliances).where(alliances.c.ecosystem_id == ecosystem_id)
        if live_only:
            stmt = stmt.where(alliances.c.status != "dissolved")
        return [_alliance(r) for r in self.conn.execute(stmt.order_by(alliances.c.id))]

    def save_alliance(self, ecosystem_id: int, a: Alliance, now: datetime) -> int:
        values = {
            "members": sorted(a.members), "against": sorted(a.against), "purpose": a.purpose,
            "strength": a.strength, "status": a.status, "history": list(a.history),
            "updated_at": now,
        }
        if a.id is None:
            result = self.conn.execute(alliances.insert().values(
                ecosystem_id=ecosystem_id, formed_at=a.formed_at, **values))
            return int(result.inserted_primary_key[0])  # type: ignore[index]
        self.conn.execute(update(alliances).where(alliances.c.id == a.id).values(**values))
        return a.id

    # -- conflicts -----------------------------------------------------------------------------
    def conflicts(self, ecosystem_id: int, *, live_only: bool = True) -> list[Conflict]:
        stmt = select(conflicts).where(conflicts.c.ecosystem_id == ecosystem_id)
        if live_only:
            stmt = stmt.where(conflicts.c.stage != "resolved")
        return [_conflict(r) for r in self.conn.execute(stmt.order_by(conflicts.c.id))]

    def save_conflict(self, ecosystem_id: int, c: Conflict, now: datetime) -> int:
        values = {"parties": sorted(c.parties), "intensity": c.intensity, "stage": c.stage,
                  "history": list(c.history), "updated_at": c.updated_at or now}
        if c.id is None:
            result = self.conn.execute(conflicts.insert().values(
                ecosystem_id=ecosystem_id, **values))
            return int(result.inserted_primary_key[0])  # type: ignore[index]
        self.conn.execute(update(conflicts).where(conflicts.c.id == c.id).values(**values))
        return c.id


def _confidence(r: Any) -> Confidence:
    return Confidence(
        id=r.id, owner_id=r.owner_id, confidant_id=r.confidant_id, subject=r.subject,
        told_at=r.told_at, event_id=r.event_id, status=r.status, revealed_by=r.revealed_by,
        revealed_to=tuple(r.revealed_to or ()), revealed_at=r.revealed_at,
    )


def _alliance(r: Any) -> Alliance:
    return Alliance(
        id=r.id, members=frozenset(r.members), purpose=r.purpose, against=frozenset(r.against),
        formed_at=r.formed_at, strength=r.strength, status=r.status, history=tuple(r.history),
        updated_at=r.updated_at,
    )


def _conflict(r: Any) -> Conflict:
    return Conflict(parties=frozenset(r.parties), intensity=r.intensity, stage=r.stage,
                    history=tuple(r.history), updated_at=r.updated_at, id=r.id)
