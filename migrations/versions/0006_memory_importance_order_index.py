"""recall's "most important" order served by one index

Recall reads a character's most important memories ordered by importance, then creation time,
then id. Heuristic importances take few distinct values, so with an index on (owner_id,
importance) alone the database sorts every memory of the top value (thousands for a long-lived
character; about 7 ms at 10,000 memories on SQLite). This index covers the whole order, so the
top rows are read straight from it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_memories_owner_id_importance", table_name="memories")
    op.create_index("ix_memories_owner_id_importance_created_at_id", "memories",
                    ["owner_id", "importance", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_memories_owner_id_importance_created_at_id", table_name="memories")
    op.create_index("ix_memories_owner_id_importance", "memories", ["owner_id", "importance"])
