"""Read-only queries behind the memory browser (filled in by the memory-browser work)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

__all__ = ["MemoryBrowserStore"]


class MemoryBrowserStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
