"""Stored social state: relationship history, moods, first impressions, drift, and the
ecosystem's social version (the key of cached analytics)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import (
    ecosystems,
    moods,
    personality_drift,
    relationship_changes,
    relationships,
)
from engine.social.dynamics import ChangeRecord
from engine.social.emotions import Mood

__all__ = ["SocialStore"]

# Statements on the per-message path, built once with bound parameters: building one from
# literals costs several times more than executing it (see benchmarks/ingest_decide.py).
_INSERT_CHANGE = relationship_changes.insert()
_BUMP_VERSION = (
    update(ecosystems).where(ecosystems.c.id == bindparam("b_ecosystem_id"))
    .values(social_version=ecosystems.c.social_version + 1)
)
_SET_BASELINE = update(relationships).where(
    relationships.c.source_id == bindparam("b_source_id"),
    relationships.c.target_id == bindparam("b_target_id"),
)
_MOODS = select(moods).where(moods.c.character_id.in_(bindparam("ids", expanding=True)))


def _mood_upsert(insert: Any) -> Any:
    """One statement whether or not the character has a stored mood yet."""
    stmt = insert(moods)
    return stmt.on_conflict_do_update(
        index_elements=[moods.c.character_id],
        set_={c: stmt.excluded[c] for c in ("valence", "arousal", "emotions", "updated_at")},
    )


_SAVE_MOOD = {"postgresql": _mood_upsert(pg_insert), "sqlite": _mood_upsert(sqlite_insert)}


class SocialStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- relationship history -----------------------------------------------------------------
    def record_change(self, ecosystem_id: int, change: ChangeRecord, event_id: int | None,
                      *, bump: bool = True) -> None:
        """Store one change; ``bump=False`` when the caller bumps the version once itself."""
        self.conn.execute(
            _INSERT_CHANGE,
            dict(
                ecosystem_id=ecosystem_id, source_id=change.source_id,
                target_id=change.target_id, event_id=event_id, act=change.act,
                cause=change.cause[:1000], deltas=change.deltas, old_label=change.old_label,
                new_label=change.new_label, created_at=change.at,
            ),
        )
        if bump:
            self.bump_version(ecosystem_id)

    def bump_version(self, ecosystem_id: int) -> None:
        """Relationships changed: cached analytics of this ecosystem are stale."""
        self.conn.execute(_BUMP_VERSION, {"b_ecosystem_id": ecosystem_id})

    def history(self, a: int, b: int, limit: int = 200) -> list[ChangeRecord]:
        """Changes of how ``a`` sees ``b`` and ``b`` sees ``a``, oldest first."""
        rows = self.conn.execute(
            select(relationship_changes)
            .where(or_(
                (relationship_changes.c.source_id == a) & (relationship_changes.c.target_id == b),
                (relationship_changes.c.source_id == b) & (relationship_changes.c.target_id == a),
            ))
            .order_by(relationship_changes.c.id.desc()).limit(limit)
        ).all()
        return [_change(r) for r in reversed(rows)]

    def changes_since(self, ecosystem_id: int, after_id: int, limit: int = 5000
                      ) -> list[tuple[int, ChangeRecord]]:
        rows = self.conn.execute(
            select(relationship_changes)
            .where(relationship_changes.c.ecosystem_id == ecosystem_id,
                   relationship_changes.c.id > after_id)
            .order_by(relationship_changes.c.id).limit(limit)
        )
        return [(r.id, _change(r)) for r in rows]

    def last_change_id(self, ecosystem_id: int) -> int:
        value = self.conn.execute(
            select(func.max(relationship_changes.c.id))
            .where(relationship_changes.c.ecosystem_id == ecosystem_id)
        ).scalar()
        return int(value or 0)

    def version(self, ecosystem_id: int) -> int:
        value = self.conn.execute(
            select(ecosystems.c.social_version).where(ecosystems.c.id == ecosystem_id)
        ).scalar()
        return int(value or 0)

    # -- first impressions ---------------------------------------------------------------------
    def set_baseline(self, source_id: int, target_id: int, baseline: dict[str, float]) -> None:
        self.conn.execute(
            _SET_BASELINE,
            {"b_source_id": source_id, "b_target_id": target_id, "baseline": baseline},
        )

    def baselines(self, ecosystem_id: int) -> dict[tuple[int, int], dict[str, float]]:
        rows = self.conn.execute(
            select(relationships.c.source_id, relationships.c.target_id, relationships.c.baseline)
            .where(relationships.c.ecosystem_id == ecosystem_id,
                   relationships.c.baseline.is_not(None))
        )
        return {(r.source_id, r.target_id): dict(r.baseline) for r in rows}

    # -- moods ---------------------------------------------------------------------------------
    def moods(self, character_ids: Sequence[int]) -> dict[int, tuple[Mood, datetime]]:
        if not character_ids:
            return {}
        rows = self.conn.execute(_MOODS, {"ids": list(character_ids)})
        return {
            r.character_id: (
                Mood.from_dict({"valence": r.valence, "arousal": r.arousal, **r.emotions}),
                r.updated_at,
            )
            for r in rows
        }

    def save_mood(self, character_id: int, mood: Mood, now: datetime) -> None:
        self.save_moods({character_id: mood}, now)

    def save_moods(self, new_moods: dict[int, Mood], now: datetime) -> None:
        """Upsert several moods in one statement."""
        if not new_moods:
            return
        rows = []
        for character_id, mood in new_moods.items():
            values = mood.as_dict()
            rows.append({
                "character_id": character_id, "valence": values["valence"],
                "arousal": values["arousal"], "updated_at": now,
                "emotions": {k: v for k, v in values.items() if k not in ("valence", "arousal")},
            })
        stmt = _SAVE_MOOD["postgresql" if self.conn.dialect.name == "postgresql" else "sqlite"]
        self.conn.execute(stmt, rows)

    # -- personality drift ---------------------------------------------------------------------
    def log_drift(self, character_id: int, trait: str, old: float, new: float, cause: str,
                  now: datetime) -> None:
        self.conn.execute(personality_drift.insert().values(
            character_id=character_id, trait=trait, old=old, new=new, cause=cause[:500],
            created_at=now,
        ))

    def drift_log(self, character_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            select(personality_drift).where(personality_drift.c.character_id == character_id)
            .order_by(personality_drift.c.id)
        )
        return [dict(r._mapping) for r in rows]


def _change(row: Any) -> ChangeRecord:
    return ChangeRecord(
        source_id=row.source_id, target_id=row.target_id, act=row.act or "",
        cause=row.cause, deltas=dict(row.deltas or {}), old_label=row.old_label,
        new_label=row.new_label, at=row.created_at,
    )
