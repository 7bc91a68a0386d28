"""SQLite's in-process vector cache never answers from stale vectors.

Whatever changes a character's memories (this process or another connection, the store or
plain SQL, erasure, a transaction that rolls back), the next exact search sees the database as
it is. Each check compares with a brute-force search computed from the database itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from engine.adapters.sql.database import Database
from engine.adapters.sql.uow import UnitOfWorkFactory
from engine.adapters.sql.vector_cache import VECTOR_CACHE, VectorCache
from engine.memory import Memory
from engine.personas import Character

DIM = 384
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Database, UnitOfWorkFactory, int, int]]:
    database = Database(f"sqlite:///{tmp_path / 'cache.db'}")
    database.migrate()
    uow = UnitOfWorkFactory(database.engine)
    with uow() as work:
        eco = work.spaces.ensure_ecosystem("console", "cache", "cache", T0)
        owner = work.participants.add_character(eco.id, Character(name="Owner"), T0)
        rng = np.random.default_rng(3)
        work.memories.add_many([
            Memory(eco.id, owner, f"memory {i}", 3.0, T0 + timedelta(hours=i),
                   T0 + timedelta(hours=i), embedding=[float(x) for x in rng.standard_normal(DIM)])
            for i in range(60)
        ])
        work.commit()
    yield database, uow, eco.id, owner
    database.dispose()


def _exact(database: Database, owner: int, query: np.ndarray, k: int) -> list[int]:
    """Brute force from what the database holds now."""
    with database.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT id, embedding FROM memories WHERE owner_id = :o AND archived = 0 "
            "AND embedding IS NOT NULL"), {"o": owner}).all()
    ids = np.array([r[0] for r in rows])
    matrix = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows]).astype(np.float64)
    sims = matrix @ query / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    order = sorted(range(len(ids)), key=lambda i: (-sims[i], -ids[i]))
    return [int(ids[i]) for i in order[:k]]


def _search(uow: UnitOfWorkFactory, owner: int, query: np.ndarray, k: int) -> list[int]:
    with uow() as work:
        return [m.id or 0 for m in work.memories.nearest(owner, list(query), k)]


def test_every_kind_of_change_is_seen(
    store: tuple[Database, UnitOfWorkFactory, int, int],
) -> None:
    database, uow, eco, owner = store
    rng = np.random.default_rng(9)
    query = rng.standard_normal(DIM)
    assert _search(uow, owner, query, 5) == _exact(database, owner, query, 5)
    best = _exact(database, owner, query, 1)[0]

    def other_connection(sql: str, **params: object) -> None:
        with database.engine.begin() as conn:  # not through the store: triggers must notice
            conn.execute(text(sql), params)

    # Archived, re-embedded, deleted, inserted: each time the answer follows the database.
    other_connection("UPDATE memories SET archived = 1 WHERE id = :i", i=best)
    assert best not in _search(uow, owner, query, 5)
    assert _search(uow, owner, query, 5) == _exact(database, owner, query, 5)
    target = _exact(database, owner, query, 1)[0]
    other_connection("UPDATE memories SET embedding = :v WHERE id = :i",
                     v=np.asarray(-query, dtype=np.float32).tobytes(), i=target)
    assert target not in _search(uow, owner, query, 5)
    other_connection("DELETE FROM memories WHERE id = :i", i=_exact(database, owner, query, 1)[0])
    assert _search(uow, owner, query, 5) == _exact(database, owner, query, 5)
    with uow() as work:
        work.memories.add_many([Memory(eco, owner, "new", 3.0, T0, T0,
                                       embedding=[float(x) for x in query])])
        work.commit()
        newest = work.memories.recent_for(owner, 1)
    assert _search(uow, owner, query, 1)[0] in {m.id for m in newest} | {
        _exact(database, owner, query, 1)[0]}
    assert _search(uow, owner, query, 5) == _exact(database, owner, query, 5)


def test_a_rolled_back_change_leaves_no_stale_copy(
    store: tuple[Database, UnitOfWorkFactory, int, int],
) -> None:
    database, uow, eco, owner = store
    query = np.random.default_rng(5).standard_normal(DIM)
    victim = _exact(database, owner, query, 1)[0]
    with uow() as work:
        work.memories.set_embedding(victim, [float(x) for x in -query])
        # Searched inside the transaction: the cache now holds the uncommitted vectors.
        assert victim not in [m.id for m in work.memories.nearest(owner, list(query), 3)]
        # rolled back on leaving
    assert _search(uow, owner, query, 3) == _exact(database, owner, query, 3)
    assert _search(uow, owner, query, 1) == [victim]


def test_memory_use_is_bounded(store: tuple[Database, UnitOfWorkFactory, int, int]) -> None:
    database, uow, eco, owner = store
    roomy, tiny = VectorCache(), VectorCache(max_bytes=1)  # tiny: smaller than any entry
    with uow() as work:
        conn = work.memories.conn
        first = roomy.get(conn, owner, DIM)
        assert roomy.get(conn, owner, DIM) is first and len(first.ids) == 60
        once = tiny.get(conn, owner, DIM)
        again = tiny.get(conn, owner, DIM)
    assert once is not again and tiny._bytes == 0  # nothing kept, answers still right
    assert np.array_equal(once.ids, again.ids)
    VECTOR_CACHE.clear()
