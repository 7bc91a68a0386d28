"""The media store: images by the SHA-256 of their bytes (``media``, migration 0015).

Content-addressed, so ``put`` of bytes already stored changes nothing; rows are never updated
or deleted by the marketplace (an image may be shared by many installs)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import media

__all__ = ["MediaItem", "MediaStore"]


@dataclass(frozen=True)
class MediaItem:
    sha256: str
    content_type: str
    data: bytes
    size: int
    created_at: datetime


class MediaStore:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def put(self, data: bytes, content_type: str, now: datetime) -> str:
        """Store bytes once; returns their SHA-256 (hex). Bytes already stored are kept as
        they are."""
        sha = hashlib.sha256(data).hexdigest()
        insert: Any = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        self.conn.execute(insert(media).values(
            sha256=sha, content_type=content_type, bytes=data, size=len(data), created_at=now
        ).on_conflict_do_nothing(index_elements=[media.c.sha256]))
        return sha

    def get(self, sha256: str) -> MediaItem | None:
        row = self.conn.execute(select(media).where(media.c.sha256 == sha256)).first()
        if row is None:
            return None
        return MediaItem(row.sha256, row.content_type, bytes(row.bytes), int(row.size),
                         row.created_at)

    def content_type(self, sha256: str) -> str | None:
        """The stored type, without reading the bytes (None when unknown)."""
        value = self.conn.execute(select(media.c.content_type)
                                  .where(media.c.sha256 == sha256)).scalar()
        return str(value) if value is not None else None
