"""Discord delivery under Discord's real limits: 429s from our own pacing, latency, throughput.

One command, one table::

    .venv/bin/python benchmarks/discord_delivery.py               # defaults, about 2.5 minutes
    .venv/bin/python benchmarks/discord_delivery.py --runs 3 --redis-url redis://127.0.0.1:6379/0

``--characters`` characters (1,000) are spread evenly over ``--channels`` channels (200) of one
Discord server served by the fake Discord REST API (tests/fakes/discord_api.py) on 127.0.0.1,
enforcing Discord's limits as fixed windows: 5 posts / 2 s per webhook and 30 posts / 60 s per
channel, answering 429 beyond them. ``--processes`` worker processes (2) with ``--threads``
threads each (48) deliver through ``DiscordOutbox`` exactly as RQ workers do (discord.py's
``SyncWebhook``, the channel's webhook found or created on first use and stored in the
database, pacing shared by every process through one real Redis: a ``redis-server`` started on
a free port, or ``--redis-url``). Jobs are dealt round-robin to the processes, so every channel
is paced by several processes at once. The database is a SQLite file (WAL) shared by them.

The load, per run (each post is wanted at a due time; the channel's characters take turns):
  - **bursts** on most channels: ``--burst`` (8) posts wanted at the same instant, at a random
    time in the first ``--burst-window`` s (20) — more than the webhook's 5 per 2 s, so its
    limit binds — then
    ``--posts`` − ``--burst`` (4) more at random times until ``--spread`` (25 s);
  - **hot channels**: ``--hot`` (10) of them get ``--hot-posts`` (36) posts, one every
    ``--spread`` / 36 s — more than 30 in a minute, so the channel limit binds and the last
    posts wait for the minute to pass (a run lasts a little over 60 s because of them).
The default is 190 × 12 + 10 × 36 = 2,640 posts per run.

Measured: posts delivered, 429s served by the fake (target 0: our pacing keeps under the
limits), 429s the clients saw, failed deliveries, delivery latency from the due time to
``deliver`` returning (waiting for a free worker thread, for the pacing slot, the webhook
creation on a channel's first post, the HTTP round trip) — p50/p95/p99 for all posts and p50
for the posts that had to wait for a limit (those wanted while their channel was over it) —
and throughput (posts / s from the first due time to the last delivery). Each run starts from
a fresh fake, database and Redis keys; the table shows every run and the median.

This is a benchmark, not a test: nothing here asserts, and it never runs under pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import queue
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import _bench  # noqa: E402 - puts the repository on sys.path

_bench.setup(cpu=None)  # several processes: not pinned

from engine.adapters.sql.database import Database  # noqa: E402
from engine.adapters.sql.uow import UnitOfWorkFactory  # noqa: E402
from engine.clock import utcnow  # noqa: E402
from engine.messages import OutgoingMessage  # noqa: E402
from engine.settings import Settings  # noqa: E402
from tests.fakes.discord_api import FakeDiscord  # noqa: E402
from workers.discord.outbox import DiscordOutbox  # noqa: E402
from workers.discord.pacing import Reservation  # noqa: E402
from workers.redis_conn import connect  # noqa: E402

COLUMNS = ("posts", "fake 429s", "webhook 429s", "channel 429s", "failed", "p50 s", "p95 s",
           "p99 s", "paced %", "channel-held p50 s", "overhead p50 s", "overhead p95 s",
           "peak posts/s", "wall s")
FREE, WEBHOOK, CHANNEL = "free", "webhook", "channel"  # what a post was wanted into


@dataclass(frozen=True)
class Job:
    due: float  # seconds after the run's start
    channel: str
    character: str
    text: str
    held: str  # FREE, or the limit its channel was already at when it was wanted


@dataclass(frozen=True)
class WorkerConfig:
    database_url: str
    redis_url: str
    api_base: str
    token: str
    ecosystem_id: int
    threads: int
    start_at: float  # time.time() of the run's start, shared by the processes


def make_load(opts: argparse.Namespace, channels: list[str], rng: random.Random) -> list[Job]:
    per_channel = max(1, opts.characters // len(channels))
    jobs: list[Job] = []
    for index, channel in enumerate(channels):
        cast = [f"Character {index * per_channel + k:04d}" for k in range(per_channel)]
        if index < opts.hot:
            dues = [i * opts.spread / opts.hot_posts for i in range(opts.hot_posts)]
            held = [CHANNEL if i >= 30 else FREE for i in range(opts.hot_posts)]
        else:
            burst_at = rng.uniform(0, opts.burst_window)
            dues = [burst_at] * opts.burst + sorted(
                rng.uniform(burst_at, opts.spread) for _ in range(opts.posts - opts.burst))
            held = ([WEBHOOK if i >= 5 else FREE for i in range(opts.burst)]
                    + [FREE] * (opts.posts - opts.burst))
        for i, (due, was_held) in enumerate(zip(dues, held, strict=True)):
            text = f"Post {i} in channel {index}: " + " ".join(rng.choices(WORDS, k=12)) + "."
            jobs.append(Job(due, channel, cast[i % len(cast)], text, was_held))
    jobs.sort(key=lambda j: j.due)
    return jobs


WORDS = ("the ball", "Netherfield", "a letter", "Mr. Collins", "the militia", "Pemberley",
         "a walk", "the rain", "Meryton", "a fine evening", "pride", "prejudice")


Result = tuple[float, float, str, float]  # latency, delivered at, held, pacing wait


def worker_main(config: WorkerConfig, jobs: list[Job]) -> tuple[list[Result], list[str], int]:
    """One worker process: ``config.threads`` threads delivering ``jobs`` at their due times.
    Returns (latency, delivered at, held, pacing wait) per post, the errors, and the 429s its
    clients saw."""
    settings = Settings(database_url=config.database_url, redis_url=config.redis_url,
                        discord_token=config.token, discord_api_base=config.api_base)
    database = Database(config.database_url)
    outbox = DiscordOutbox(settings, UnitOfWorkFactory(database.engine),
                           connect(config.redis_url))
    ready: queue.Queue[Job | None] = queue.Queue()
    results: list[Result] = []
    errors: list[str] = []
    lock = threading.Lock()
    waited = threading.local()
    wait_turn = outbox.pacer.wait_turn

    def timed_wait_turn(channel_id: str, webhook_id: str | None = None) -> Reservation:
        turn = wait_turn(channel_id, webhook_id)
        waited.total += turn.wait_s
        return turn

    outbox.pacer.wait_turn = timed_wait_turn  # type: ignore[method-assign]

    def feed() -> None:
        for job in jobs:
            delay = config.start_at + job.due - time.time()
            if delay > 0:
                time.sleep(delay)
            ready.put(job)
        for _ in range(config.threads):
            ready.put(None)

    def work() -> None:
        while (job := ready.get()) is not None:
            message = OutgoingMessage(
                ecosystem_id=config.ecosystem_id, channel_external_id=job.channel,
                character_name=job.character, text=job.text,
                avatar_url=f"https://cdn.example/avatars/{job.character[-4:]}.png")
            waited.total = 0.0
            try:
                outbox.deliver(message)
            except Exception as exc:  # noqa: BLE001 - counted and shown
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            done = time.time() - config.start_at
            with lock:
                results.append((done - job.due, done, job.held, waited.total))

    threads = [threading.Thread(target=work) for _ in range(config.threads)]
    for t in threads:
        t.start()
    feed()
    for t in threads:
        t.join()
    database.dispose()
    return results, errors, outbox.rate_limits.count


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def one_run(opts: argparse.Namespace, redis_url: str, run: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="personae-discord-bench-"))
    database_url = f"sqlite:///{tmp}/bench.db"
    try:
        with FakeDiscord() as fake:  # Discord's limits: 5 / 2 s per webhook, 30 / 60 s channel
            channels = [fake.add_channel(f"room-{i}") for i in range(opts.channels)]
            database = Database(database_url)
            database.migrate()
            uow = UnitOfWorkFactory(database.engine)
            with uow() as u:
                now = utcnow()
                eco = u.spaces.ensure_ecosystem("discord", fake.guild_id, "Bench", now)
                for i, ch in enumerate(channels):
                    u.spaces.ensure_channel(eco.id, ch, f"room-{i}", now)
                u.commit()
            database.dispose()
            connect(redis_url).flushdb()
            jobs = make_load(opts, channels, random.Random(opts.seed + run))
            start_at = time.time() + 3.0  # the processes start and connect meanwhile
            config = WorkerConfig(database_url, redis_url, fake.api_base, fake.token, eco.id,
                                  opts.threads, start_at)
            shares = [jobs[p::opts.processes] for p in range(opts.processes)]
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(opts.processes, mp_context=context) as pool:
                outcomes = list(pool.map(worker_main, [config] * opts.processes, shares))
            finished = time.time()
            results = [r for rs, _, _ in outcomes for r in rs]
            latencies = [lat for lat, _, _, _ in results]
            overheads = [lat - wait for lat, _, _, wait in results]
            channel_held = [lat for lat, _, held, _ in results if held == CHANNEL]
            errors = [e for _, errs, _ in outcomes for e in errs]
            for e in sorted(set(errors))[:3]:
                print(f"  run {run + 1} error: {e}", flush=True)
            last_due = max(j.due for j in jobs)
            return {
                "posts": float(len(fake.posted())), "fake 429s": float(len(fake.rate_limited)),
                "webhook 429s": float(sum(r["scope"] == "user" for r in fake.rate_limited)),
                "channel 429s": float(sum(r["scope"] == "shared" for r in fake.rate_limited)),
                "client 429s": float(sum(c for _, _, c in outcomes)),
                "failed": float(len(errors)),
                "p50 s": percentile(latencies, 0.50), "p95 s": percentile(latencies, 0.95),
                "p99 s": percentile(latencies, 0.99),
                "paced %": 100 * sum(1 for r in results if r[3] > 0) / max(1, len(results)),
                "channel-held p50 s": percentile(channel_held, 0.50),
                "overhead p50 s": percentile(overheads, 0.50),
                "overhead p95 s": percentile(overheads, 0.95),
                "peak posts/s": peak_rate(sorted(r[1] for r in results), 5.0),
                "wall s": finished - start_at, "last due s": last_due,
            }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def peak_rate(times: list[float], window: float) -> float:
    """The most posts delivered in any ``window`` seconds, per second."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best / window


def table(rows: list[tuple[str, dict[str, float]]]) -> str:
    out = ["| run | " + " | ".join(COLUMNS) + " |", "|---|" + "---:|" * len(COLUMNS)]
    for label, row in rows:
        cells = [f"{row[c]:.0f}" if c in ("posts", "fake 429s", "webhook 429s", "channel 429s",
                                          "failed")
                 else f"{row[c]:.2f}" for c in COLUMNS]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


@contextlib.contextmanager
def redis_for(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from tests.services import redis_server

    with redis_server() as started:
        yield started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--characters", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--burst", type=int, default=8, help="posts at once per channel")
    parser.add_argument("--burst-window", type=float, default=20.0,
                        help="the bursts start at random times in this many first seconds")
    parser.add_argument("--posts", type=int, default=12, help="posts per ordinary channel")
    parser.add_argument("--hot", type=int, default=10, help="channels over 30 posts a minute")
    parser.add_argument("--hot-posts", type=int, default=36)
    parser.add_argument("--spread", type=float, default=25.0, help="seconds the posts span")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=48, help="per process")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--redis-url", default=None, help="default: a redis-server started here")
    opts = parser.parse_args(argv)
    if min(opts.characters, opts.channels, opts.processes, opts.threads, opts.runs) < 1:
        parser.error("counts must be positive")
    if not 0 <= opts.hot <= opts.channels or not 1 <= opts.burst <= opts.posts:
        parser.error("need 0 <= --hot <= --channels and 1 <= --burst <= --posts")
    if shutil.which("redis-server") is None and not opts.redis_url:
        parser.error("redis-server is not installed: install it or pass --redis-url")

    ordinary = opts.channels - opts.hot
    total = ordinary * opts.posts + opts.hot * opts.hot_posts
    print("# Discord delivery under Discord's limits\n")
    print(f"- machine: {_bench.machine()}")
    print(f"- code: {_bench.revision(('workers', 'engine'))}")
    print(f"- load: {opts.characters} characters over {opts.channels} channels; {ordinary} "
          f"channels × {opts.posts} posts ({opts.burst} at once, at a random time in the first "
          f"{opts.burst_window:g} s; the rest by {opts.spread:g} s), {opts.hot} hot channels × "
          f"{opts.hot_posts} posts (one every {opts.spread / opts.hot_posts:.2f} s) = {total} "
          "posts per run")
    print(f"- workers: {opts.processes} processes × {opts.threads} threads, one Redis, "
          "SQLite (WAL); fake Discord: 5 / 2 s per webhook, 30 / 60 s per channel\n",
          flush=True)
    load_before = _bench.load_average()
    rows: list[tuple[str, dict[str, float]]] = []
    with redis_for(opts.redis_url) as redis_url:
        for run in range(opts.runs):
            row = one_run(opts, redis_url, run)
            rows.append((str(run + 1), row))
            print(f"run {run + 1}: {row['posts']:.0f} posts, {row['fake 429s']:.0f} 429s, "
                  f"p95 {row['p95 s']:.2f} s, {row['wall s']:.0f} s", flush=True)
    print()
    notes = [
        "latency: due time → `deliver` returned (free thread + pacing slot + webhook creation "
        "on a channel's first post + HTTP); 'paced %' = posts that slept for their slot; "
        "'channel-held' = hot-channel posts after the 30th (30 / 60 s); 'overhead' = latency "
        "minus the pacing sleep (queueing for a thread, database, Redis, HTTP, discord.py)",
        "peak posts/s: most posts delivered in any 5 s, per second",
        "a run lasts a little over a minute: the hot channels' 31st post cannot go before the "
        "first one is a minute old",
    ]
    median = _bench.print_runs(rows, COLUMNS, table, load_before, notes)
    verdict = "PASS" if median["fake 429s"] == 0 and median["failed"] == 0 else "FAIL"
    print(f"\n**{verdict}**: {median['fake 429s']:.0f} 429s served (target 0), "
          f"{median['failed']:.0f} failed deliveries.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
