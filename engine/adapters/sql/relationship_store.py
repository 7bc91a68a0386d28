"""Stored relationships (directed: how ``source`` sees ``target``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import relationships
from engine.relationships import Relationship

__all__ = ["RelationshipStore"]

_FIELDS = ("affinity", "trust", "familiarity", "romance", "rivalry", "respect", "grudge",
           "label", "interactions", "updated_at")

# Statements on the per-message path, built once with bound parameters.
_GET = select(relationships).where(
    relationships.c.source_id == bindparam("source_id"),
    relationships.c.target_id == bindparam("target_id"),
)
_TOWARD = select(relationships).where(
    relationships.c.target_id == bindparam("target_id"),
    relationships.c.source_id.in_(bindparam("source_ids", expanding=True)),
)
_AMONG = select(relationships).where(
    relationships.c.source_id.in_(bindparam("ids", expanding=True)),
    relationships.c.target_id.in_(bindparam("ids", expanding=True)),
)
_UPDATE = update(relationships).where(
    relationships.c.source_id == bindparam("b_source_id"),
    relationships.c.target_id == bindparam("b_target_id"),
)
_INSERT = relationships.insert()


def _upsert(insert: Any) -> Any:
    """Insert or update one view in one statement; ``baseline`` is only set on insert."""
    stmt = insert(relationships)
    return stmt.on_conflict_do_update(
        index_elements=[relationships.c.source_id, relationships.c.target_id],
        set_={name: stmt.excluded[name] for name in _FIELDS},
    )


_UPSERT = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}


class RelationshipStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, source_id: int, target_id: int, ecosystem_id: int) -> Relationship:
        row = self.conn.execute(
            _GET, {"source_id": source_id, "target_id": target_id}
        ).first()
        if row is None:
            return Relationship(source_id, target_id, ecosystem_id)
        return _relationship(row)

    def toward(self, target_id: int, source_ids: Sequence[int]) -> dict[int, Relationship]:
        """How each of ``source_ids`` sees ``target_id`` (only stored ones)."""
        if not source_ids:
            return {}
        rows = self.conn.execute(
            _TOWARD, {"target_id": target_id, "source_ids": list(source_ids)}
        )
        return {r.source_id: _relationship(r) for r in rows}

    def among(self, ids: Sequence[int]) -> list[Relationship]:
        if not ids:
            return []
        rows = self.conn.execute(_AMONG, {"ids": list(ids)})
        return [_relationship(r) for r in rows]

    def for_ecosystem(self, ecosystem_id: int) -> list[Relationship]:
        rows = self.conn.execute(
            select(relationships).where(relationships.c.ecosystem_id == ecosystem_id)
            .order_by(relationships.c.source_id, relationships.c.target_id)
        )
        return [_relationship(r) for r in rows]

    def upsert(self, rel: Relationship, baseline: dict[str, float] | None = None) -> None:
        """Store a view in one statement; ``baseline`` (the first impression) only if new."""
        stmt = _UPSERT["postgresql" if self.conn.dialect.name == "postgresql" else "sqlite"]
        self.conn.execute(stmt, {
            "source_id": rel.source_id, "target_id": rel.target_id,
            "ecosystem_id": rel.ecosystem_id, "baseline": baseline,
            **{name: getattr(rel, name) for name in _FIELDS},
        })

    def save(self, rel: Relationship) -> None:
        values = {name: getattr(rel, name) for name in _FIELDS}
        result = self.conn.execute(
            _UPDATE, {"b_source_id": rel.source_id, "b_target_id": rel.target_id, **values}
        )
        if result.rowcount == 0:
            self.conn.execute(
                _INSERT,
                {"source_id": rel.source_id, "target_id": rel.target_id,
                 "ecosystem_id": rel.ecosystem_id, **values},
            )


def _relationship(row: Any) -> Relationship:
    return Relationship(
        source_id=row.source_id, target_id=row.target_id, ecosystem_id=row.ecosystem_id,
        affinity=row.affinity, trust=row.trust, familiarity=row.familiarity,
        romance=row.romance, rivalry=row.rivalry, respect=row.respect, grudge=row.grudge,
        label=row.label,
        interactions=row.interactions, updated_at=row.updated_at,
    )
