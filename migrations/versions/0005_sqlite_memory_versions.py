"""SQLite: a version per character's memories, kept by triggers, for the in-process vector cache

On SQLite recall searches a character's vectors exactly, from a copy kept in process memory
(``engine.adapters.sql.vector_cache``). These triggers give each character a new random
version whenever one of its memories is inserted or deleted or has its embedding, archived
flag, creation time or owner changed, so a stale copy is never used, whoever changed the data.
PostgreSQL searches with its HNSW index and needs none of this.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BUMP = ("INSERT INTO memory_versions (owner_id, version) VALUES ({who}, random()) "
         "ON CONFLICT (owner_id) DO UPDATE SET version = random();")

TRIGGERS = {
    "memories_version_insert": f"AFTER INSERT ON memories BEGIN {_BUMP.format(who='NEW.owner_id')} END",
    "memories_version_delete": f"AFTER DELETE ON memories BEGIN {_BUMP.format(who='OLD.owner_id')} END",
    "memories_version_update": (
        "AFTER UPDATE OF embedding, archived, created_at, owner_id ON memories BEGIN "
        f"{_BUMP.format(who='NEW.owner_id')} {_BUMP.format(who='OLD.owner_id')} END"
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE memory_versions (owner_id INTEGER PRIMARY KEY, "
               "version INTEGER NOT NULL)")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE memory_versions")
