"""The metadata every table of the schema belongs to, and the column types they share."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, MetaData

from engine.adapters.sql.types import UtcDateTime

__all__ = ["metadata", "BigId", "TS"]

# BigInteger ids that are still SQLite rowids (INTEGER PRIMARY KEY) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")
TS = UtcDateTime()

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
