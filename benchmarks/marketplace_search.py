"""Marketplace search over 100,000 listings: latency of a mix of text, tag and genre queries
sorted by rating or popularity, paged, on PostgreSQL (the target) and SQLite (the fallback).

One command::

    .venv/bin/python benchmarks/marketplace_search.py               # both backends
    .venv/bin/python benchmarks/marketplace_search.py --backends postgres --listings 100000

A seeded catalogue (names and descriptions drawn from a Zipf-weighted vocabulary, 1-5 tags,
12 genres, ratings and installs) is bulk-loaded through the schema the migrations build. Each
run times ``--queries`` searches through the unit of work and ``MarketplaceStore.search``
(connection from the pool, SQL, rows to ``Listing``s): a fixed mix of text (one or two words,
prefix-matched), tag, genre, text + genre, tag + popularity, min-rating and plain browsing, on
pages 1-3 of 10. Target (issue #8): p95 < 50 ms on PostgreSQL, the median of the runs.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import _bench  # noqa: E402 - pins the core and fixes sys.path first

_bench.setup()

from _backends import open_backends  # noqa: E402
from sqlalchemy import text  # noqa: E402

from engine.adapters.sql.database import Database  # noqa: E402
from engine.adapters.sql.tables import package_tags, packages  # noqa: E402
from engine.adapters.sql.uow import UnitOfWork  # noqa: E402
from engine.marketplace.limits import GENRES  # noqa: E402
from engine.marketplace.search import SearchQuery, bayesian_score, search_words  # noqa: E402

TARGET_P95_MS = 50.0
_SYLLABLES = ("ka", "lo", "ri", "mn", "ve", "th", "sa", "qu", "dor", "el", "an", "is", "ur",
              "bel", "cor", "ny", "fa", "mir", "tor", "gal")


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < size:
        words.setdefault("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return list(words)


def catalogue(n: int, seed: int = 8) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                               list[str], list[str]]:
    rng = random.Random(seed)
    vocab = vocabulary(4000, rng)
    weights = [1 / (rank + 1) for rank in range(len(vocab))]  # Zipf: a few very common words
    tags = vocabulary(300, random.Random(seed + 1))
    tag_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(tags))]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows, tag_rows = [], []
    for i in range(1, n + 1):
        name = " ".join(rng.choices(vocab, weights, k=rng.randint(2, 4))).title()
        description = " ".join(rng.choices(vocab, weights, k=rng.randint(15, 40)))
        mine = list(dict.fromkeys(rng.choices(tags, tag_weights, k=rng.randint(1, 5))))
        count = int(rng.paretovariate(1.2)) - 1 if rng.random() < 0.6 else 0
        total = sum(rng.randint(1, 5) for _ in range(min(count, 500)))
        total = total if count <= 500 else int(total * count / 500)
        when = start + timedelta(minutes=i)
        rows.append({
            "id": i, "share_code": f"B{i:08d}", "kind": rng.choice(("character", "cast",
                                                                     "scenario")),
            "name": name[:120], "slug": f"bench-{i}", "description": description, "tags": mine,
            "genre": rng.choice(GENRES), "visibility": "public" if rng.random() < 0.9
            else "unlisted", "status": "active" if rng.random() < 0.99 else "taken_down",
            "premium": False, "price_cents": 0, "creator_key": f"bench:{i % 5000}",
            "creator_name": f"Creator {i % 5000}", "latest_version": "1.0.0",
            "search_text": " ".join(search_words(name, description, " ".join(mine))),
            "install_count": int(rng.paretovariate(1.1)) - 1, "rating_count": count,
            "rating_sum": total, "rating_score": bayesian_score(total, count),
            "takedown_reason": "", "created_at": when, "updated_at": when,
        })
        tag_rows.extend({"package_id": i, "tag": t} for t in mine)
    return rows, tag_rows, vocab, tags


def load(database: Database, rows: list[dict[str, Any]], tag_rows: list[dict[str, Any]]
         ) -> float:
    start = time.perf_counter()
    with database.engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(packages.insert(), rows[i : i + 5000])
        for i in range(0, len(tag_rows), 10000):
            conn.execute(package_tags.insert(), tag_rows[i : i + 10000])
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('packages', 'id'), "
                              "(SELECT max(id) FROM packages))"))
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("VACUUM ANALYZE packages"))
            conn.execute(text("VACUUM ANALYZE package_tags"))
        else:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - start


def query_mix(count: int, vocab: list[str], tags: list[str], seed: int = 9) -> list[SearchQuery]:
    rng = random.Random(seed)
    common, rare = vocab[:40], vocab[40:1500]
    out: list[SearchQuery] = []
    for i in range(count):
        page = rng.choice((1, 1, 1, 2, 3))
        sort = rng.choice(("rating", "rating", "popular"))
        kind = i % 8
        if kind == 0:
            q = SearchQuery(text=rng.choice(common), sort=sort, page=page)
        elif kind == 1:
            q = SearchQuery(text=rng.choice(rare), sort=sort, page=page)
        elif kind == 2:
            q = SearchQuery(text=f"{rng.choice(common)} {rng.choice(rare)[:3]}", sort=sort)
        elif kind == 3:
            q = SearchQuery(tag=rng.choice(tags[:60]), sort=sort, page=page)
        elif kind == 4:
            q = SearchQuery(genre=rng.choice(GENRES), sort=sort, page=page)
        elif kind == 5:
            q = SearchQuery(text=rng.choice(rare), genre=rng.choice(GENRES), sort=sort)
        elif kind == 6:
            q = SearchQuery(tag=rng.choice(tags[:100]), genre=rng.choice(GENRES),
                            sort="popular", min_rating=3.5)
        else:
            q = SearchQuery(sort=sort, page=page)
        out.append(q)
    return out


def run(database: Database, queries: list[SearchQuery]) -> tuple[dict[str, float], int]:
    times, found = [], 0
    gc.collect()
    for q in queries:
        start = time.perf_counter()
        with UnitOfWork(database.engine) as uow:
            listings, _ = uow.marketplace.search(q)
        times.append((time.perf_counter() - start) * 1000)
        found += len(listings)
    times.sort()
    pick = lambda p: times[min(len(times) - 1, int(p * len(times)))]  # noqa: E731
    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99),
            "mean": statistics.fmean(times), "max": times[-1]}, found


COLUMNS = ("p50", "p95", "p99", "mean", "max")


def render(table: list[tuple[str, dict[str, float]]]) -> str:
    lines = ["| run | " + " | ".join(f"{c} ms" for c in COLUMNS) + " |",
             "|---|" + "---:|" * len(COLUMNS)]
    lines += [f"| {name} | " + " | ".join(f"{r[c]:.2f}" for c in COLUMNS) + " |"
              for name, r in table]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--strict", action="store_true", help="fail if a backend is missing")
    args = parser.parse_args()
    load_before = _bench.load_average()
    print(f"Machine: {_bench.machine()}; {_bench.revision()}")
    rows, tag_rows, vocab, tags = catalogue(args.listings)
    queries = query_mix(args.queries, vocab, tags)
    print(f"Catalogue: {len(rows):,} listings, {len(tag_rows):,} tags; {len(queries)} queries "
          f"per run, {args.runs} runs (after one warm-up run)\n")
    with contextlib.ExitStack() as stack:
        backends, skipped = open_backends(stack, args.backends.split(","), args.strict)
        for line in skipped:
            print(f"- {line}")
        for backend in backends:
            url, cleanup = backend.fresh_database()
            database = Database(url)
            try:
                database.migrate()
                seconds = load(database, rows, tag_rows)
                run(database, queries)  # warm-up: caches, plans, pool
                results = []
                for number in range(1, args.runs + 1):
                    stats, found = run(database, queries)
                    results.append((f"run {number}", stats))
                print(f"### {backend.label}\n\nloaded in {seconds:.1f} s; "
                      f"{found / len(queries):.1f} listings per page on average\n")
                median = _bench.print_runs(results, COLUMNS, render, load_before)
                verdict = "meets" if median["p95"] < TARGET_P95_MS else "MISSES"
                print(f"- p95 {median['p95']:.2f} ms {verdict} the {TARGET_P95_MS:.0f} ms "
                      f"target ({backend.name})\n")
            finally:
                database.dispose()
                cleanup()


if __name__ == "__main__":
    main()
