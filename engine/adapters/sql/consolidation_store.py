"""Stored consolidation: reflections and knowledge with their citations, consolidation marks,
memory summaries and fading (filled in by the consolidation work)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

__all__ = ["ConsolidationStore"]


class ConsolidationStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
