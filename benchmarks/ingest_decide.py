"""Ingest → decision latency per member message, no model involved.

One command, one table per backend::

    .venv/bin/python benchmarks/ingest_decide.py                 # both backends, defaults
    .venv/bin/python benchmarks/ingest_decide.py --backend sqlite --runs 3

A community of ``--characters`` characters spread evenly over ``--channels`` channels (10 per
channel by default) receives ``--messages`` member messages in random channels (seeded). Each
message goes through ``engine.services.ingest.ingest`` exactly as a front door calls it: the
event is stored once, every character present writes a memory, relationships and moods move,
the autonomy policy decides, intents are stored and render jobs are queued, and the event is
published on the real-time stream. Only that call is timed (``time.perf_counter_ns``).

Untimed housekeeping keeps the state realistic: every ``--flush-every`` messages the pending
intents are marked ``skipped`` and the render queue is emptied (no worker runs here), so
characters do not stay "busy" forever and Redis does not grow without bound. The manual clock
moves 1-5 s between messages so cooldowns and channel pacing see time pass.

Besides the latency percentiles, each run reports the CPU time spent inside ``ingest`` (wall
time far above it is waiting: round trips, or other processes on the core), on the services
backend the CPU time of the PostgreSQL processes serving the run's connections (from
``/proc``), the SQL statements per message, and a calibration loop (a fixed pure-Python
workload) so that a run on a busy or slow machine can be told from a slower engine.

The process pins itself to CPU 0. The embedded backend (SQLite file + fakeredis) then runs
entirely on that core; for the services backend the PostgreSQL and Redis servers are separate
processes started before pinning (as they would be separate services in production).

Each run builds a fresh database; the table shows every run and the median of the runs (the
machine is noisy). A separate, untimed cProfile pass on each backend lists the engine
functions with the largest cumulative time and the own time by area (SQLAlchemy, driver, queue,
regular expressions ...), to guide optimisation.

This is a benchmark, not a test: nothing here asserts, and it never runs under pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
import _bench  # noqa: E402 - puts the repository on sys.path
import _profiling  # noqa: E402
from _backends import Backend, open_backends, pin_to_cpu0  # noqa: E402

_bench.setup(cpu=None)  # pinned in main(), which reports it

from _ingest_community import (  # noqa: E402, I001
    build_community,
    housekeeping,
    make_messages,
)
from sqlalchemy import event  # noqa: E402

from engine.services.ingest import ingest  # noqa: E402

TARGET_P95_MS = 5.0

# ---------------------------------------------------------------------------------------------
# Backends
# ---------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    latencies_ns: list[int]
    #: The same calls minus the time spent handing render jobs to the queue: the latency
    #: until the decision is stored and committed.
    decision_ns: list[int] = field(default_factory=list)
    cpu_ns: int = 0
    intents: int = 0
    calibration_ms: float = 0.0
    addressed: int = 0
    statements: int = 0
    #: CPU time of the database server processes serving the run (PostgreSQL), in ns.
    server_cpu_ns: int = 0

    @property
    def ms(self) -> list[float]:
        return [n / 1e6 for n in self.latencies_ns]


class TimedQueue:
    """Wraps the job queue to measure how long handing over render jobs takes."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.ns = 0

    def enqueue_render(self, intent_id: int, delay_s: float = 0.0, priority: bool = False
                       ) -> None:
        t0 = time.perf_counter_ns()
        self.inner.enqueue_render(intent_id, delay_s)  # type: ignore[attr-defined]
        self.ns += time.perf_counter_ns() - t0

    def cancel_render(self, intent_id: int) -> None:
        self.inner.cancel_render(intent_id)  # type: ignore[attr-defined]

    def enqueue_embedding(self, ecosystem_id: int | None) -> None:
        self.inner.enqueue_embedding(ecosystem_id)  # type: ignore[attr-defined]

    def enqueue_consolidation(self, ecosystem_id: int) -> None:
        self.inner.enqueue_consolidation(ecosystem_id)  # type: ignore[attr-defined]

    def enqueue_notice(self, event_id: int) -> None:
        self.inner.enqueue_notice(event_id)  # type: ignore[attr-defined]


@dataclass
class Options:
    characters: int
    channels: int
    messages: int
    runs: int
    warmup: int
    flush_every: int
    profile_messages: int
    backends: list[str] = field(default_factory=list)


def _process_cpu_ns(pid: int) -> int | None:
    """CPU time (user + system) of a local process, from ``/proc`` (None where unreadable)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = int(fields[11]) + int(fields[12])
    return ticks * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


class ServerCpu:
    """CPU time of the PostgreSQL backend processes that serve the engine's connections: each
    one's time when first checked out, and at the end (the server runs on this machine)."""

    def __init__(self) -> None:
        self.start: dict[int, int] = {}

    def checkout(self, dbapi_conn: object, _record: object, _proxy: object) -> None:
        pid = getattr(getattr(dbapi_conn, "info", None), "backend_pid", None)
        if isinstance(pid, int) and pid not in self.start:
            now = _process_cpu_ns(pid)
            if now is not None:
                self.start[pid] = now

    def used_ns(self) -> int:
        return sum(max(0, (_process_cpu_ns(pid) or start) - start)
                   for pid, start in self.start.items())


def timed_run(backend: Backend, opts: Options, run: int) -> RunResult:
    url, cleanup = backend.fresh_database()
    community = build_community(url, backend.redis_url, opts.characters, opts.channels)
    try:
        deps = community.container.deps
        statements = [0]
        counting = [False]

        def count(*_: object) -> None:
            if counting[0]:
                statements[0] += 1

        timed_queue = TimedQueue(deps.queue)
        deps.queue = timed_queue
        warm = make_messages(community, opts.warmup, seed=10_000 + run, prefix=f"w{run}")
        for msg, step in warm:
            community.clock.advance(step)
            ingest(deps, msg)
        housekeeping(community)
        engine = community.container.database.engine
        event.listen(engine, "before_cursor_execute", count)
        server = ServerCpu()
        event.listen(engine, "checkout", server.checkout)

        result = RunResult([], calibration_ms=_profiling.calibration_ms())
        batch = make_messages(community, opts.messages, seed=run, prefix=f"r{run}")
        gc.collect()
        for i, (msg, step) in enumerate(batch):
            if i and i % opts.flush_every == 0:
                housekeeping(community)  # untimed
            community.clock.advance(step)
            counting[0] = True
            c0 = time.thread_time_ns()
            q0 = timed_queue.ns
            t0 = time.perf_counter_ns()
            out = ingest(deps, msg)
            elapsed = time.perf_counter_ns() - t0
            result.latencies_ns.append(elapsed)
            result.decision_ns.append(elapsed - (timed_queue.ns - q0))
            result.cpu_ns += time.thread_time_ns() - c0
            counting[0] = False
            result.intents += len(out.intents)
            result.addressed += bool(out.addressed)
        result.server_cpu_ns = server.used_ns()
        event.remove(engine, "checkout", server.checkout)
        event.remove(engine, "before_cursor_execute", count)
        result.statements = statements[0]
        return result
    finally:
        community.container.close()
        cleanup()


def profile_run(backend: Backend, opts: Options) -> str:
    if opts.profile_messages <= 0:  # pstats cannot read an empty profile
        return "Profile: skipped (--profile-messages 0)."
    url, cleanup = backend.fresh_database()
    community = build_community(url, backend.redis_url, opts.characters, opts.channels)
    try:
        deps = community.container.deps
        for msg, step in make_messages(community, opts.warmup, seed=20_000, prefix="pw"):
            community.clock.advance(step)
            ingest(deps, msg)
        housekeeping(community)
        batch = make_messages(community, opts.profile_messages, seed=20_001, prefix="p")
        profiler = cProfile.Profile()
        for i, (msg, step) in enumerate(batch):
            if i and i % opts.flush_every == 0:
                housekeeping(community)
            community.clock.advance(step)
            profiler.enable()
            ingest(deps, msg)
            profiler.disable()
        return _profiling.format_profile(profiler, len(batch))
    finally:
        community.container.close()
        cleanup()


COLUMNS = ("messages", "decision p50 ms", "decision p95 ms", "p50 ms", "p95 ms", "p99 ms",
           "mean ms", "msg/s", "CPU ms/msg", "server CPU ms/msg")


def summarise(result: RunResult) -> dict[str, float]:
    ms = sorted(result.ms)
    decision = sorted(n / 1e6 for n in result.decision_ns)
    mean = statistics.fmean(ms)
    return {
        "messages": float(len(ms)),
        "decision p50 ms": _profiling.percentile(decision, 50),
        "decision p95 ms": _profiling.percentile(decision, 95),
        "p50 ms": _profiling.percentile(ms, 50),
        "p95 ms": _profiling.percentile(ms, 95),
        "p99 ms": _profiling.percentile(ms, 99),
        "mean ms": mean,
        "msg/s": 1000.0 / mean,
        "CPU ms/msg": result.cpu_ns / 1e6 / len(ms),
        "server CPU ms/msg": result.server_cpu_ns / 1e6 / len(ms),
    }


def table(rows: list[tuple[str, dict[str, float]]]) -> str:
    out = ["| run | " + " | ".join(COLUMNS) + " |", "|---|" + "---:|" * len(COLUMNS)]
    for label, row in rows:
        cells = [
            f"{row[c]:.0f}" if c in ("messages", "msg/s") else f"{row[c]:.2f}" for c in COLUMNS
        ]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def machine() -> str:
    return _bench.machine()


def bench_backend(backend: Backend, opts: Options) -> tuple[dict[str, float], str]:
    print(f"\n## {backend.name}: {backend.label}\n", flush=True)
    load_before = _bench.load_average()
    rows: list[tuple[str, dict[str, float]]] = []
    extra: list[str] = []
    for run in range(1, opts.runs + 1):
        result = timed_run(backend, opts, run)
        rows.append((str(run), summarise(result)))
        n = len(result.latencies_ns)
        extra.append(
            f"run {run}: {result.addressed / n:.0%} addressed a present character, "
            f"{result.intents / n:.2f} intents/message, "
            f"{result.statements / n:.1f} SQL statements/message, "
            f"calibration {result.calibration_ms:.1f} ms"
        )
    median = _bench.print_runs(rows, COLUMNS, table, load_before, extra)
    verdict = "PASS" if median["decision p95 ms"] < TARGET_P95_MS else "FAIL"
    print(
        f"\n**{verdict}**: median decision p95 {median['decision p95 ms']:.2f} ms vs target < "
        f"{TARGET_P95_MS:.0f} ms ({backend.name}); with the render jobs queued, p95 "
        f"{median['p95 ms']:.2f} ms."
    )
    profile = profile_run(backend, opts)
    print("\n" + profile, flush=True)
    return median, verdict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--characters", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--messages", type=int, default=2000, help="timed messages per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=50, help="untimed messages per run")
    parser.add_argument("--flush-every", type=int, default=50,
                        help="untimed housekeeping every N messages")
    parser.add_argument("--profile-messages", type=int, default=300)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args(argv)
    if args.characters < 1 or args.channels < 1 or args.messages < 1 or args.runs < 1:
        parser.error("--characters, --channels, --messages and --runs must be positive")
    if args.flush_every < 1:
        parser.error("--flush-every must be positive")
    opts = Options(
        characters=args.characters, channels=args.channels, messages=args.messages,
        runs=args.runs, warmup=args.warmup, flush_every=args.flush_every,
        profile_messages=args.profile_messages,
        backends=["sqlite", "postgres"] if args.backend == "both" else [args.backend],
    )
    # Servers (PostgreSQL, Redis) are started before pinning, so they are not tied to CPU 0.
    with contextlib.ExitStack() as stack:
        backends, skipped = open_backends(stack, list(opts.backends),
                                          strict=args.backend != "both")
        pinned = pin_to_cpu0()
        per_channel = opts.characters / opts.channels
        print("# Ingest → decision latency per member message (no model)\n")
        print(f"- machine: {machine()}")
        print(f"- code: {_bench.revision()}")
        print(f"- {pinned}; database/Redis servers (services backend) are separate processes")
        print(
            f"- community: {opts.characters} characters over {opts.channels} channels "
            f"({per_channel:g} per channel); {opts.messages} timed messages per run, "
            f"{opts.runs} runs, each on a fresh database, after {opts.warmup} untimed warm-up "
            "messages"
        )
        print(
            "- messages: a member (40 distinct) writes 5-40 words in a random channel; half "
            "address a present character by @alias; the manual clock moves 1-5 s per message"
        )
        print(
            "- timed: the `ingest()` call only, all of it (read the message, store the event, "
            "witnesses' memories, relationships and moods, decide, store intents, queue render "
            "jobs, publish on the stream); `decision` columns: the same calls minus the time "
            "spent handing render jobs to RQ, i.e. until the decision is stored and committed "
            "(the issue's ingest → decision latency)"
        )
        print(
            f"- untimed housekeeping every {opts.flush_every} messages: pending intents are "
            "marked `skipped` in the database, the render queue is emptied (no worker runs) and "
            "the SQLite write-ahead log is checkpointed, as the scheduler tick does"
        )
        print(
            "- calibration: a fixed pure-Python loop takes "
            f"{_profiling.calibration_ms():.1f} ms now "
            "(printed again per run: a higher figure means a busier or slower machine)"
        )
        print("- msg/s = 1000 / mean ms: serial throughput of one process on one core")
        print(
            "- CPU ms/msg: CPU time of the benchmark thread inside `ingest()`; wall time well "
            "above it is time spent waiting (database/Redis round trips, or other processes on "
            "the same core)"
        )
        print(
            "- server CPU ms/msg: CPU time of the PostgreSQL processes serving the run's "
            "connections (from /proc; 0 for SQLite, which works inside `ingest()`)"
        )
        for line in skipped:
            print(f"- **{line}**")
        verdicts = []
        for backend in backends:
            _median, verdict = bench_backend(backend, opts)
            verdicts.append(f"{backend.name} {verdict}")
        print(f"\nTarget p95 < {TARGET_P95_MS:.0f} ms: " + ", ".join(verdicts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
