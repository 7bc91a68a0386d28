"""What recall keeps of the lexical index in process memory: one character's postings of a
term at the version of its statistics (``PostingsCache``), and the BM25 computed from them
handed from recall's guess to its check (``Bm25Memo``)."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine

from engine.lexical import bm25_arrays

__all__ = ["Matches", "NO_MATCHES", "TermPostings", "PostingsCache", "POSTINGS_CACHE",
           "POSTINGS_MAX_BYTES", "Bm25Memo", "BM25_MEMO", "bm25_of"]

#: BM25 of the memories sharing a term with a query: ids ascending (int64), scores (float64).
Matches = tuple[np.ndarray, np.ndarray]
NO_MATCHES: Matches = (np.zeros(0, dtype=np.int64), np.zeros(0))

#: Upper bound on the postings a process keeps (16 bytes each: 4 million postings).
POSTINGS_MAX_BYTES = 64 * 1024 * 1024



@dataclass(frozen=True)
class TermPostings:
    """All of one character's postings of one term, at one version of its statistics."""

    version: int
    ids: np.ndarray  # int64 memory ids
    tf: np.ndarray  # float64
    length: np.ndarray  # float64 memory lengths

    @property
    def nbytes(self) -> int:
        return int(self.ids.nbytes + self.tf.nbytes + self.length.nbytes)


class PostingsCache:
    """Per database engine, per (character, term): the ``TermPostings`` last read."""

    def __init__(self, max_bytes: int = POSTINGS_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[
            Engine, OrderedDict[tuple[int, str], TermPostings]] = weakref.WeakKeyDictionary()
        self._bytes = 0

    def known(self, engine: Engine, owner_id: int, terms: Iterable[str]
              ) -> dict[str, TermPostings]:
        """Whatever is cached of these terms (at any version): the caller keeps the entries,
        so that an eviction meanwhile loses nothing."""
        with self._lock:
            per_engine = self._entries.get(engine)
            if per_engine is None:
                return {}
            return {t: e for t in terms if (e := per_engine.get((owner_id, t))) is not None}

    def get(self, engine: Engine, owner_id: int, term: str, version: int
            ) -> TermPostings | None:
        """The term's postings if cached at ``version``."""
        with self._lock:
            per_engine = self._entries.get(engine)
            entry = per_engine.get((owner_id, term)) if per_engine is not None else None
            if entry is None or per_engine is None:
                return None
            if entry.version != version:  # stale: dropped now rather than when evicted
                del per_engine[(owner_id, term)]
                self._bytes -= entry.nbytes
                return None
            per_engine.move_to_end((owner_id, term))
            return entry

    def put(self, engine: Engine, owner_id: int, term: str, entry: TermPostings) -> None:
        with self._lock:
            per_engine = self._entries.setdefault(engine, OrderedDict())
            old = per_engine.pop((owner_id, term), None)
            self._bytes -= old.nbytes if old is not None else 0
            per_engine[(owner_id, term)] = entry
            self._bytes += entry.nbytes
            while self._bytes > self.max_bytes:
                victim = next((d for d in self._entries.values() if d), None)
                if victim is None:
                    break
                _, dropped = victim.popitem(last=False)
                self._bytes -= dropped.nbytes

    def clear(self) -> None:
        with self._lock:
            self._entries = weakref.WeakKeyDictionary()
            self._bytes = 0


#: The process's cache.
POSTINGS_CACHE = PostingsCache()


class Bm25Memo:
    """The last few BM25 results per database engine, keyed by what they were computed from:
    the character, the kept terms, the statistics and the version of each term's postings (a
    version changes whenever the postings do). Recall on PostgreSQL scores the cached postings
    to guess its lexical matches before its statement, then scores what the statement says is
    current: when nothing changed in between, the second is the first (same inputs, same
    result). Only that hand-over: a few entries, no cache of results across recalls (a new
    memory changes the character's statistics anyway)."""

    def __init__(self, max_entries: int = 8) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple[Any, ...], Matches]] = (
            weakref.WeakKeyDictionary())

    def scores(self, engine: Engine, owner_id: int, kept: Sequence[str],
               postings: dict[str, TermPostings], n_docs: int, total: int) -> Matches:
        """``_bm25`` of the ``kept`` terms over ``postings``, or the same result again."""
        key = (owner_id, tuple(kept), n_docs, total,
               tuple(p.version if (p := postings.get(t)) is not None else None for t in kept))
        with self._lock:
            per_engine = self._entries.setdefault(engine, OrderedDict())
            if (hit := per_engine.get(key)) is not None:
                per_engine.move_to_end(key)
                return hit
        result = bm25_of(kept, postings, n_docs, total)
        with self._lock:
            per_engine[key] = result
            while len(per_engine) > self.max_entries:
                per_engine.popitem(last=False)
        return result

    def clear(self) -> None:
        with self._lock:
            self._entries = weakref.WeakKeyDictionary()


#: The process's hand-over of BM25 results (``Bm25Memo``).
BM25_MEMO = Bm25Memo()

def bm25_of(kept: Sequence[str], postings: dict[str, TermPostings], n_docs: int, total: int
          ) -> Matches:
    """BM25 over the kept terms' postings (a kept term has some: its statistics say so; those
    absent from ``postings`` are left out)."""
    found = [(i, postings[t]) for i, t in enumerate(kept) if t in postings]
    found = [(i, p) for i, p in found if len(p.ids)]
    if not found:
        return NO_MATCHES
    return bm25_arrays(
        np.concatenate([np.full(len(p.ids), i, dtype=np.int64) for i, p in found]),
        np.concatenate([p.ids for _, p in found]),
        np.concatenate([p.tf for _, p in found]),
        np.concatenate([p.length for _, p in found]),
        len(kept), n_docs, total / n_docs)
