"""Measuring retrieval: the production recall path over a labelled set, on a temporary store.

``personae memory eval --memories M.jsonl --queries Q.jsonl --k 10 --out R.jsonl`` runs this.
Each line of M is ``{"id", "owner", "text", "time"}`` (ISO time; optional ``"importance"``
1-10, else ``DEFAULT_IMPORTANCE``), each line of Q ``{"id", "owner", "text", "time"}``; each
line written to R is ``{"query_id", "memory_ids"}``, best first.

Every owner becomes a character of one scratch ecosystem in a fresh database (SQLite in a
temporary directory unless another URL is given, which must be an empty scratch database);
the memories are stored through ``MemoryStore.add_many`` (so the lexical index is written as
in production) with vectors from the configured embedder (in batches), accessed last when they
were created. Each query is answered by ``engine.services.recall.recall`` with the configured
weights at the query's time, seeing only memories created at or before it, in a unit of work
that is rolled back: a query's recall leaves no trace for the next.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from engine.adapters.sql.database import Database
from engine.adapters.sql.uow import UnitOfWorkFactory
from engine.errors import InvalidInput
from engine.memory import Memory, RetrievalWeights
from engine.personas import Character
from engine.ports import Embedder
from engine.services.recall import recall

__all__ = [
    "DEFAULT_IMPORTANCE",
    "EvalItem",
    "read_items",
    "evaluate",
    "recall_at",
]

log = logging.getLogger(__name__)

#: Importance of a memory whose line gives none (the heuristic's base for a plain remark).
DEFAULT_IMPORTANCE = 2.0
#: Texts per embedder call while loading.
EMBED_BATCH = 64
#: Memories per insert while loading.
STORE_BATCH = 2000


@dataclass(frozen=True)
class EvalItem:
    """One line of a memories or queries file."""

    id: str
    owner: str
    text: str
    time: datetime
    importance: float | None = None


def read_items(path: Path, what: str) -> list[EvalItem]:
    """Parse a JSON-lines file of memories or queries.

    Raises:
        InvalidInput: A line that is not a JSON object with string ``id``, ``owner`` and
            ``text`` and an ISO ``time`` (naive times are taken as UTC), or an importance
            outside 1-10, or a repeated id: the message names the file and the line.
    """
    items: list[EvalItem] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(f"cannot read the {what} file {path}: {exc.strerror}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{where}: not JSON ({exc.msg})") from exc
        item = _item(raw, where)
        if item.id in seen:
            raise InvalidInput(f"{where}: the id {item.id!r} appears twice")
        seen.add(item.id)
        items.append(item)
    return items


def _item(raw: Any, where: str) -> EvalItem:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: each line must be a JSON object")
    missing = [k for k in ("id", "owner", "text", "time") if k not in raw]
    if missing:
        raise InvalidInput(f"{where}: missing {', '.join(missing)}")
    ident, owner, text = (raw["id"], raw["owner"], raw["text"])
    if not isinstance(text, str):
        raise InvalidInput(f"{where}: 'text' must be a string")
    try:
        when = datetime.fromisoformat(str(raw["time"]).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(f"{where}: 'time' is not an ISO time: {raw['time']!r}") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    importance = raw.get("importance")
    if importance is not None:
        if isinstance(importance, bool) or not isinstance(importance, int | float) or not (
            1 <= float(importance) <= 10
        ):
            raise InvalidInput(f"{where}: 'importance' must be a number from 1 to 10")
        importance = float(importance)
    return EvalItem(str(ident), str(owner), text, when, importance)


def evaluate(
    memories: Iterable[EvalItem],
    queries: Iterable[EvalItem],
    *,
    embedder: Embedder,
    k: int,
    weights: RetrievalWeights,
    database_url: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Iterator[tuple[str, list[str]]]:
    """Load the memories into a scratch store, then yield ``(query id, memory ids)`` per query.

    Args:
        memories: The memories, any owners.
        queries: The queries; a query whose owner has no memories gets an empty answer.
        embedder: The configured embedder (as production uses it).
        k: How many memory ids per query.
        weights: The retrieval weights (as the ecosystem would use them).
        database_url: A scratch database to use instead of a temporary SQLite file; it is
            migrated and must hold no other ecosystem called ``eval``.
        progress: Called with (phase, done, total) while loading and querying.
    """
    memory_items = list(memories)
    query_items = list(queries)
    with tempfile.TemporaryDirectory(prefix="personae-eval-") as scratch:
        url = database_url or f"sqlite:///{Path(scratch) / 'eval.db'}"
        database = Database(url)
        try:
            database.migrate()
            uow = UnitOfWorkFactory(database.engine)
            owners, ids = _load(uow, embedder, memory_items, progress)
            for n, query in enumerate(query_items, start=1):
                owner_id = owners.get(query.owner)
                found: list[str] = []
                if owner_id is not None:
                    with uow() as work:  # never committed: each query sees the same store
                        best = recall(
                            work, embedder, owner_id=owner_id, query=query.text,
                            now=query.time, k=k, weights=weights,
                            before=query.time + timedelta(microseconds=1),
                        )
                    found = [ids[m.id or 0] for m in best]
                if progress:
                    progress("query", n, len(query_items))
                yield query.id, found
        finally:
            database.dispose()


def _load(
    uow: UnitOfWorkFactory,
    embedder: Embedder,
    items: list[EvalItem],
    progress: Callable[[str, int, int], None] | None,
) -> tuple[dict[str, int], dict[int, str]]:
    """Store the memories; returns owner name -> character id and memory id -> given id."""
    now = datetime.now(UTC)
    owners: dict[str, int] = {}
    with uow() as work:
        ecosystem = work.spaces.ensure_ecosystem("eval", "eval", "retrieval evaluation", now)
        for name in dict.fromkeys(item.owner for item in items):
            owners[name] = work.participants.add_character(
                ecosystem.id, Character(name=name), now)
        work.commit()
    ids: dict[int, str] = {}
    done = 0
    for start in range(0, len(items), STORE_BATCH):
        chunk = items[start : start + STORE_BATCH]
        vectors: list[list[float]] = []
        for at in range(0, len(chunk), EMBED_BATCH):
            vectors.extend(embedder.embed([i.text for i in chunk[at : at + EMBED_BATCH]]))
        stored = [
            Memory(ecosystem.id, owners[i.owner], i.text,
                   i.importance if i.importance is not None else DEFAULT_IMPORTANCE,
                   i.time, i.time, embedding=vector)
            for i, vector in zip(chunk, vectors, strict=True)
        ]
        with uow() as work:
            work.memories.add_many(stored)
            work.commit()
        ids.update({m.id or 0: i.id for m, i in zip(stored, chunk, strict=True)})
        done += len(chunk)
        if progress:
            progress("load", done, len(items))
    log.info("loaded %d memories of %d owners", len(items), len(owners))
    return owners, ids


def recall_at(
    results: dict[str, list[str]], answers: dict[str, list[str]], k: int
) -> float:
    """Mean over answered queries of the share of their evidence found in the top ``k``."""
    scored = [
        len(set(results.get(q, [])[:k]) & set(evidence)) / len(set(evidence))
        for q, evidence in answers.items() if evidence
    ]
    return sum(scored) / len(scored) if scored else 0.0
