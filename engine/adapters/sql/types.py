"""Column types that differ between PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
from pgvector.sqlalchemy import Vector
from sqlalchemy import JSON, DateTime, LargeBinary, Text
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["Embedding", "JsonDoc", "SearchVector", "UtcDateTime", "EMBEDDING_DIM"]

#: Width of every stored embedding (all-MiniLM-L6-v2 and the hashing embedder both give 384).
EMBEDDING_DIM = 384


class Embedding(TypeDecorator[list[float]]):
    """A vector: pgvector ``vector(dim)`` on PostgreSQL, packed float32 bytes on SQLite."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, dim: int = EMBEDDING_DIM) -> None:
        super().__init__()
        self.dim = dim

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Vector(self.dim))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return [float(x) for x in value]  # Vector's own bind processor formats it
        return np.asarray(value, dtype=np.float32).tobytes()

    def process_result_value(self, value: Any, dialect: Dialect) -> list[float] | None:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return [float(x) for x in value]  # already parsed by Vector's result processor
        return [float(x) for x in np.frombuffer(value, dtype=np.float32)]


JsonDoc = JSON().with_variant(JSONB(), "postgresql")
#: A text-search vector on PostgreSQL (``tsvector``); plain text (unused) on SQLite.
SearchVector = Text().with_variant(TSVECTOR(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
