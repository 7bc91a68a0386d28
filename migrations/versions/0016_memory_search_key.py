"""PostgreSQL: the HNSW index of memories on a per-character search key

Recall searches one character's memories by meaning (HNSW, with the owner filter and iterative
scans). With the index on the embeddings, a character's nearest memories are mixed in the graph
with everybody else's, and the filtered scan reads and discards the others: at 10,000 memories
beside 9,000 of other characters, a third of the scanned rows. The index is now on a search
key, ``memory_search_key(embedding, owner_id)``: the unit vector followed by one coordinate,
4 x the owner's id, compared by Euclidean distance. Within one owner that distance orders like
the cosine distance (for unit vectors ``|a - b|^2 = 2 - 2 cos``, and the owner coordinates
cancel exactly); between two owners it is at least 4, more than any distance within one owner
(at most 2), so the graph keeps each character's memories together. The index keeps its name;
queries order by ``memory_search_key(...)::vector(DIM + 1) <-> memory_search_key(query, owner)``
(``engine.adapters.sql.memory_store``) and still choose the nearest by cosine distance.

Rebuilding the index takes a while on a large table (the 1,000,000-memory benchmark database:
minutes); nothing else changes. SQLite searches exactly and has no such index.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from engine.adapters.sql.types import EMBEDDING_DIM

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY_FUNCTION = (
    "CREATE FUNCTION memory_search_key(embedding vector, owner_id integer) RETURNS vector "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "RETURN l2_normalize(embedding) || ARRAY[owner_id * 4.0]::real[]::vector"
)
_HNSW = "USING hnsw ({key}) WITH (m = 16, ef_construction = 64)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_KEY_FUNCTION)
    op.execute("DROP INDEX ix_memories_embedding_hnsw")
    key = f"(memory_search_key(embedding, owner_id)::vector({EMBEDDING_DIM + 1})) vector_l2_ops"
    op.execute("CREATE INDEX ix_memories_embedding_hnsw ON memories " + _HNSW.format(key=key))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_memories_embedding_hnsw")
    op.execute("CREATE INDEX ix_memories_embedding_hnsw ON memories "
               + _HNSW.format(key="embedding vector_cosine_ops"))
    op.execute("DROP FUNCTION memory_search_key(vector, integer)")
