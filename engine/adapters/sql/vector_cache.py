"""Each character's memory vectors kept in process memory, for exact search on SQLite.

On SQLite recall compares the query with every vector of the character (exact search, the
same answers as PostgreSQL's index). Reading 10,000 vectors of 1.5 KB from the file for every
recall costs tens of milliseconds; comparing them in memory, about one. So the vectors of a
character are read once and kept here, as one float32 matrix with their ids, creation times
and archived flags (recall filters those in numpy).

Freshness: migration 0005 gives SQLite a table ``memory_versions`` whose row for a character
triggers set to a new random number whenever one of its memories is inserted, deleted, or has
its embedding, archived flag, creation time or owner changed, whoever does it (any process,
any code path: erasure included). A cached entry is used only while that number is unchanged,
read in the same transaction as the search. A random number, not a counter: a transaction
that changes memories and rolls back must not leave a version that a later, different change
could repeat.

Memory use is bounded (``MAX_BYTES``, least recently used characters dropped first).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from engine.memory import posix_micros

__all__ = ["OwnerVectors", "VectorCache", "MAX_BYTES", "VECTOR_CACHE", "micros"]

#: Upper bound on the cached vectors of one process: 512 MiB hold 384-float vectors of about
#: 33 characters with 10,000 memories each, or 340 with 1,000.
MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class OwnerVectors:
    """One character's embedded memories, in id order."""

    version: int
    ids: np.ndarray  # int64
    matrix: np.ndarray  # float32, one row per memory
    norms: np.ndarray  # float32 row norms
    created: np.ndarray  # int64 POSIX microseconds
    archived: np.ndarray  # bool

    @property
    def nbytes(self) -> int:
        return int(self.ids.nbytes + self.matrix.nbytes + self.norms.nbytes
                   + self.created.nbytes + self.archived.nbytes)

    def rows_of(self, ids: list[int]) -> np.ndarray:
        """Positions of ``ids`` in this entry (-1 for an id it does not hold)."""
        wanted = np.asarray(ids, dtype=np.int64)
        pos = np.searchsorted(self.ids, wanted)
        pos = np.clip(pos, 0, max(0, len(self.ids) - 1))
        found = (len(self.ids) > 0) & (self.ids[pos] == wanted) if len(self.ids) else (
            np.zeros(len(wanted), dtype=bool))
        return np.where(found, pos, -1)


class VectorCache:
    """Per database engine, per character: the current ``OwnerVectors``."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[Engine, OrderedDict[int, OwnerVectors]] = (
            weakref.WeakKeyDictionary())
        self._bytes = 0

    @staticmethod
    def version(conn: Connection, owner_id: int) -> int:
        """The character's memory version, read in ``conn``'s transaction (0: never changed)."""
        result = conn.exec_driver_sql(  # plain SQL: recall runs it every time
            "SELECT version FROM memory_versions WHERE owner_id = ?", (owner_id,))
        try:
            row = result.cursor.fetchone()
        finally:
            result.close()
        return int(row[0]) if row is not None else 0

    def get(self, conn: Connection, owner_id: int, dim: int) -> OwnerVectors:
        """The character's vectors of width ``dim``, from memory if still current."""
        version = self.version(conn, owner_id)
        with self._lock:
            per_engine = self._entries.get(conn.engine)
            entry = per_engine.get(owner_id) if per_engine is not None else None
            if entry is not None and entry.version == version and entry.matrix.shape[1] == dim:
                per_engine.move_to_end(owner_id)  # type: ignore[union-attr]
                return entry
        entry = self._load(conn, owner_id, version, dim)
        with self._lock:
            per_engine = self._entries.setdefault(conn.engine, OrderedDict())
            old = per_engine.pop(owner_id, None)
            self._bytes -= old.nbytes if old is not None else 0
            per_engine[owner_id] = entry
            self._bytes += entry.nbytes
            self._evict()
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries = weakref.WeakKeyDictionary()
            self._bytes = 0

    def _evict(self) -> None:
        while self._bytes > self.max_bytes:
            victim = next((d for d in self._entries.values() if d), None)
            if victim is None:
                return
            _, dropped = victim.popitem(last=False)  # the least recently used of an engine
            self._bytes -= dropped.nbytes

    @staticmethod
    def _load(conn: Connection, owner_id: int, version: int, dim: int) -> OwnerVectors:
        result = conn.execute(text(
            "SELECT id, embedding, created_at, archived FROM memories "
            "WHERE owner_id = :o AND embedding IS NOT NULL ORDER BY id"), {"o": owner_id})
        try:
            fetched = result.cursor.fetchall()  # plain driver rows: no per-row processing
        finally:
            result.close()
        width = 4 * dim
        rows = [r for r in fetched if r[1] is not None and len(r[1]) == width]
        n = len(rows)
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(n, dim)
        return OwnerVectors(
            version=version,
            ids=np.fromiter((r[0] for r in rows), dtype=np.int64, count=n),
            matrix=matrix,
            norms=np.sqrt(np.einsum("ij,ij->i", matrix, matrix)),
            created=np.fromiter((micros(r[2]) for r in rows), dtype=np.int64, count=n),
            archived=np.fromiter((bool(r[3]) for r in rows), dtype=bool, count=n),
        )


def micros(stored: object) -> int:
    """POSIX microseconds of a time (a ``UtcDateTime`` as SQLite keeps it: ISO text in UTC)."""
    return posix_micros(stored if isinstance(stored, datetime)
                        else datetime.fromisoformat(str(stored)))


#: The process's cache (one per process: workers and the console share nothing else).
VECTOR_CACHE = VectorCache()
