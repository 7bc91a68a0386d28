"""Where recall's time goes: the untimed ``--profile`` pass of ``memory_recall.py`` and
``memory_scale.py`` (timers around recall's phases, the SQL statements by kind, how the nearest
were found, one statement's plan, and a cProfile pass)."""

from __future__ import annotations

import contextlib
import cProfile
import functools
import importlib
import re
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import _profiling
from sqlalchemy import event
from sqlalchemy.engine import Engine

from engine.adapters.sql.uow import UnitOfWorkFactory
from engine.embedding import HashingEmbedder
from engine.memory import RetrievalWeights
from engine.services.recall import recall

__all__ = ["PHASES", "phase_timers", "sql_kind", "sql_timers", "searched_counter", "breakdown",
           "cprofile_report", "Probe"]

#: (owner id, "known" or "unknown", query text)
Probe = tuple[int, str, str]
#: Recalled memories per query, and the clock's step between queries (as the timed runs).
K = 10
QUERY_STEP_S = 30.0


#: (label, module, attribute path, nested): the phases of recall, wrapped with timers when the
#: function exists in this version of the engine (recall's own helpers move as it is optimised).
PHASES: tuple[tuple[str, str, str, bool], ...] = (
    ("embed the query (hashing embedder)", "", "embedder.embed", False),
    ("`MemoryStore.recall_candidates` (all candidate reads)",
     "engine.adapters.sql.memory_store", "MemoryStore.recall_candidates", False),
    ("PostgreSQL: first statement (nearest by HNSW, lexical statistics and postings, most "
     "recent and most important ids)", "engine.adapters.sql.memory_store",
     "MemoryStore._gather_pg", True),
    ("PostgreSQL: recall's statements (`_one_row`: the first one, with the candidates' fields "
     "and similarities; again only for lexical matches it did not guess)",
     "engine.adapters.sql.memory_store", "MemoryStore._one_row", True),
    ("PostgreSQL: recall's statements (`one_row`: `memory_recall_gather`, then a second one "
     "only for lexical matches it did not guess)", "engine.adapters.sql.recall_pg", "one_row",
     True),
    ("nearest ids (vector search)", "engine.adapters.sql.memory_store",
     "MemoryStore._nearest_ids", True),
    ("nearest ids (SQLite: exact, numpy over the cached vectors)",
     "engine.adapters.sql.memory_store", "MemoryStore._nearest_ids_exact", True),
    ("most recent / most important ids", "engine.adapters.sql.memory_store",
     "MemoryStore._top_ids", True),
    ("lexical index: BM25 over the owner's memories", "engine.adapters.sql.lexical_index",
     "LexicalIndex.matches", True),
    ("lexical index: BM25 over the owner's memories (`scores`)",
     "engine.adapters.sql.lexical_index", "LexicalIndex.scores", True),
    ("SQLite vector cache: version check, reload when stale", "engine.adapters.sql.vector_cache",
     "VectorCache.get", True),
    ("read the candidates' rows (`_rows`)", "engine.adapters.sql.memory_store",
     "MemoryStore._rows", True),
    ("read the candidates' rows (`_candidate_rows`)", "engine.adapters.sql.memory_store",
     "MemoryStore._candidate_rows", True),
    ("read the candidates' rows (`_read_candidates`)", "engine.adapters.sql.memory_store",
     "MemoryStore._read_candidates", True),
    ("`lexical_scores` (BM25 over the candidates)", "engine.services.recall", "lexical_scores",
     False),
    ("`rank`", "engine.services.recall", "rank", False),
    ("`rank_positions` (ranking the candidates)", "engine.services.recall", "rank_positions",
     False),
    ("`recalled` (the winners as memories, marked as accessed: on PostgreSQL the update "
     "returning their rows)", "engine.adapters.sql.memory_store", "MemoryStore.recalled", False),
    ("`touch` (write the access times)", "engine.adapters.sql.memory_store", "MemoryStore.touch",
     True),
)


@contextlib.contextmanager
def phase_timers(embedder: Any) -> Iterator[dict[str, list[float]]]:
    """Wrap each phase that exists with a timer (seconds per call, summed per recall)."""
    spent: dict[str, list[float]] = {}
    undo: list[Callable[[], None]] = []

    def wrap(owner: Any, attr: str, label: str) -> None:
        original = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent.setdefault(label, []).append(time.perf_counter() - t0)

        setattr(owner, attr, timed)
        undo.append(lambda: setattr(owner, attr, original))

    for label, module_name, path, _nested in PHASES:
        if path.startswith("embedder."):
            wrap(embedder, "embed", label)
            continue
        try:
            owner: Any = importlib.import_module(module_name)
        except ImportError:
            continue
        *parents, attr = path.split(".")
        for part in parents:
            owner = getattr(owner, part, None)
        if owner is None or attr not in getattr(owner, "__dict__", {}):
            continue
        wrap(owner, attr, label)
    try:
        yield spent
    finally:
        for restore in reversed(undo):
            restore()


_SQL_KINDS = (
    ("memory_recall_gather", "gather: `memory_recall_gather` (nearest by HNSW or exactly, most "
     "recent, most important, lexical statistics and postings, the candidates' fields)"),
    ("set_config", "SET LOCAL hnsw.iterative_scan / ef_search"),
    ("FROM memory_versions", "vector cache: the owner's memory version (SQLite)"),
    ("SELECT id, embedding, created_at, archived FROM memories",
     "vector cache: reload the owner's vectors (SQLite)"),
    ("FROM memory_term_stats WHERE owner_id = ? AND term IN",
     "lexical statistics (memory_term_stats)"),
    ("memory_terms", "lexical index (memory_terms)"),
    ("UPDATE memories SET last_accessed_at", "touch: UPDATE last_accessed_at"),
    ("vector_send", "read candidate rows (text, vector)"),
    ("SELECT id, ecosystem_id, owner_id, channel_id", "read candidate rows (text, vector)"),
    ("ORDER BY memories.created_at DESC", "most recent ids"),
    ("ORDER BY memories.importance DESC", "most important ids"),
)
#: The two nearest-neighbour statements of PostgreSQL (see ``MemoryStore._nearest_ids_pg``).
NEAREST_INDEXED = ("nearest: ORDER BY distance LIMIT (HNSW iterative scan, or planner's choice; on "
                   "PostgreSQL with the lexical, most recent and most important ids)")
NEAREST_EXACT = "nearest: exact fallback (distance + 0, no HNSW)"
_VECTOR_LITERAL = re.compile(r"'\[[-0-9.,e ]*\]'")


def sql_kind(statement: str) -> str:
    """A short name for one of recall's statements."""
    flat = " ".join(statement.split())
    if "memory_recall_gather" in flat:
        return _SQL_KINDS[0][1]
    if "FROM memories AS m WHERE m.id = ANY" in flat:
        return "records of the lexical matches the first statement did not read"
    if "<=>" in flat:
        return NEAREST_EXACT if re.search(r"\) \+ (0|%\()", flat) else NEAREST_INDEXED
    if flat.startswith("SELECT NULL::bytea"):
        return "ids without a vector (lexical, most recent, most important)"
    for marker, label in _SQL_KINDS:
        if marker in flat:
            return label
    if flat.startswith("SELECT memories.id, memories.embedding"):
        return "nearest: read the owner's vectors (exact, numpy)"
    if "AS embedding_raw" in flat or flat.startswith("SELECT memories.id, memories.ecosystem_id"):
        return "read candidate rows (text, vector)"
    return flat[:70]


@dataclass
class SqlLog:
    """Time inside the driver's ``execute`` per kind of statement, and the first PostgreSQL
    nearest-neighbour statement (with the settings statement before it) for EXPLAIN."""

    spent: dict[str, list[float]] = field(default_factory=dict)
    sample: list[tuple[str, Any]] = field(default_factory=list)


@contextlib.contextmanager
def sql_timers(engine: Engine) -> Iterator[SqlLog]:
    log = SqlLog()
    started: list[float] = []
    last_settings: list[tuple[str, Any]] = []

    def before(*_: object) -> None:
        started.append(time.perf_counter())

    def after(_conn: object, _cursor: object, statement: str, params: Any, *_: object) -> None:
        kind = sql_kind(statement)
        log.spent.setdefault(kind, []).append(time.perf_counter() - started.pop())
        if kind.startswith("SET LOCAL"):
            last_settings[:] = [(statement, params)]
        elif kind in (NEAREST_INDEXED, _SQL_KINDS[0][1]) and not log.sample:
            log.sample = [*last_settings, (statement, params)]

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


@contextlib.contextmanager
def searched_counter() -> Iterator[dict[str, int]]:
    """How recall found the nearest (``RecallPool.searched``: ``hnsw``, ``exact`` ...), counted."""
    from engine.adapters.sql.memory_store import MemoryStore

    counts: dict[str, int] = {}
    original = MemoryStore.recall_candidates

    @functools.wraps(original)
    def counted(self: MemoryStore, *args: Any, **kwargs: Any) -> Any:
        pool = original(self, *args, **kwargs)
        way = getattr(pool, "searched", "not reported")
        counts[way] = counts.get(way, 0) + 1
        return pool

    MemoryStore.recall_candidates = counted  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        MemoryStore.recall_candidates = original  # type: ignore[method-assign]


def sql_table(log: SqlLog, n: int) -> list[str]:
    lines = [
        "SQL statements by kind (time inside the driver's `execute`: on PostgreSQL the whole "
        "round trip; on SQLite only the first step, the other rows are stepped while fetching, "
        "which counts in the phases, not here):",
        "",
        "| statement | per recall | ms/recall | ms/statement |",
        "|---|---:|---:|---:|",
    ]
    for kind, times in sorted(log.spent.items(), key=lambda kv: -sum(kv[1])):
        lines.append(f"| {kind} | {len(times) / n:.2f} | {sum(times) * 1e3 / n:.3f} | "
                     f"{statistics.fmean(times) * 1e3:.3f} |")
    return lines


def explain_sample(engine: Engine, log: SqlLog) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the first recall's nearest-neighbour statement, under the
    same transaction-local settings (PostgreSQL only)."""
    if engine.dialect.name != "postgresql" or not log.sample:
        return []
    *settings, (statement, params) = log.sample
    with engine.connect() as conn:
        conn.begin()
        for stmt, p in settings:
            conn.exec_driver_sql(stmt, p)
        plan = [r[0] for r in conn.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, params)]
        conn.rollback()
    plan = [_VECTOR_LITERAL.sub("'[384 floats]'", line) for line in plan]
    return ["Plan of the first recall's nearest-neighbour statement (EXPLAIN ANALYZE, BUFFERS):",
            "", "```", *plan, "```"]


def breakdown(
    uow: UnitOfWorkFactory, engine: Engine, probes: list[Probe], start: datetime,
    *, phases_too: bool = True,
) -> str:
    """Untimed pass: phases of recall (with ``phases_too``), SQL statements by kind and the
    plan of one nearest-neighbour statement on PostgreSQL."""
    embedder = HashingEmbedder(384)
    weights = RetrievalWeights()
    n = len(probes)
    now = start
    total = 0.0
    with contextlib.ExitStack() as stack:
        phases = stack.enter_context(phase_timers(embedder)) if phases_too else {}
        sql = stack.enter_context(sql_timers(engine))
        searched = stack.enter_context(searched_counter())
        for owner_id, _kind, query in probes:
            now += timedelta(seconds=QUERY_STEP_S)
            with uow() as work:
                t0 = time.perf_counter()
                recall(work, embedder, owner_id=owner_id, query=query, now=now, k=K,
                       weights=weights)
                total += time.perf_counter() - t0
                work.commit()
    lines: list[str] = []
    if phases_too:
        lines += [
            f"Phases of `recall` ({n} queries, timers around each function; untimed pass, the "
            f"timers add a little). Total {total * 1e3 / n:.2f} ms/recall.",
            "",
            "| phase | calls/recall | ms/recall | % of recall |",
            "|---|---:|---:|---:|",
        ]
        top_level = 0.0
        for label, _module, _path, nested in PHASES:
            if label not in phases:
                continue
            s = sum(phases[label])
            if not nested:
                top_level += s
            name = f"&nbsp;&nbsp;↳ {label}" if nested else label
            lines.append(f"| {name} | {len(phases[label]) / n:.1f} | {s * 1e3 / n:.3f} | "
                         f"{100 * s / total:.0f}% |")
        rest = total - top_level
        lines.append(f"| rest of `recall` (glue, building `Memory` objects ...) | | "
                     f"{rest * 1e3 / n:.3f} | {100 * rest / total:.0f}% |")
        missing = [label for label, *_ in PHASES if label not in phases]
        if missing:
            lines += ["", "Not in this version of the engine (not timed): " + "; ".join(missing)]
        lines.append("")
    lines += sql_table(sql, n)
    lines += ["", "How the nearest were found (`RecallPool.searched`): " + ", ".join(
        f"{way} {count}" for way, count in sorted(searched.items()))]
    plan = explain_sample(engine, sql)
    if plan:
        lines += ["", *plan]
    return "\n".join(lines)


def cprofile_report(uow: UnitOfWorkFactory, probes: list[Probe], start: datetime) -> str:
    embedder = HashingEmbedder(384)
    weights = RetrievalWeights()
    now = start
    profiler = cProfile.Profile()
    for owner_id, _kind, query in probes:
        now += timedelta(seconds=QUERY_STEP_S)
        with uow() as work:
            profiler.enable()
            recall(work, embedder, owner_id=owner_id, query=query, now=now, k=K,
                   weights=weights)
            profiler.disable()
            work.commit()
    return _profiling.format_profile(profiler, len(probes), top=15, unit="recall",
                                     whole="recall")
