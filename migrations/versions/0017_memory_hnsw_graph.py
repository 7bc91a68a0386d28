"""PostgreSQL: the memories' HNSW graph built with ``ef_construction = 128`` (was 64)

A graph built with a wider candidate list links each memory to better neighbours, so a search
finds as many of the exact nearest while visiting fewer index tuples. On the 10,000-memory
recall benchmark: with ``ef_search`` 100 and 100 rows read, 97.3% of the exact 60 nearest for
2,260 index tuples a recall, where the graph built with 64 needed ``ef_search`` 120 and 2,550
tuples for 96.9% (``engine.adapters.sql.recall_pg``). The cost is at write time: building or
inserting into the graph does about twice the work (the 1,000,000-memory benchmark rebuilds it
in a few minutes with ``maintenance_work_mem`` large enough to hold it; with the server's
default 64 MB it takes much longer: raise it for the session that migrates a large database).
Same index name, same search key (migration 0016); SQLite has no such index.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from engine.adapters.sql.types import EMBEDDING_DIM

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = f"(memory_search_key(embedding, owner_id)::vector({EMBEDDING_DIM + 1})) vector_l2_ops"


def _rebuild(ef_construction: int) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_memories_embedding_hnsw")
    op.execute(f"CREATE INDEX ix_memories_embedding_hnsw ON memories USING hnsw ({_KEY}) "
               f"WITH (m = 16, ef_construction = {ef_construction})")


def upgrade() -> None:
    _rebuild(128)


def downgrade() -> None:
    _rebuild(64)
