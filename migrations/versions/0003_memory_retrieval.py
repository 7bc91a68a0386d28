"""memory retrieval: an index for the most important memories, room for in-place updates

Recall asks for each character's most important memories (an index on owner and importance
makes that a lookup), and touches ``last_accessed_at`` of what it returns: on PostgreSQL a
fillfactor below 100 lets those updates stay on the same page (HOT updates), so the HNSW index
is not rewritten on every recall.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("memories", schema=None) as batch_op:
        batch_op.create_index("ix_memories_owner_id_importance", ["owner_id", "importance"],
                              unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE memories SET (fillfactor = 80)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE memories RESET (fillfactor)")
    with op.batch_alter_table("memories", schema=None) as batch_op:
        batch_op.drop_index("ix_memories_owner_id_importance")
