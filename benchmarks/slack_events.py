"""A burst of Slack events through the HTTP endpoint: acks, duplicates, delivery pacing.

One command::

    .venv/bin/python benchmarks/slack_events.py
    .venv/bin/python benchmarks/slack_events.py --events 200 --channels 20 --clients 8

The real app (``bots.slack.app.create_app``, production settings: listeners run after the ack)
behind the real HTTP endpoint (``bots.slack.http.SlackHttpServer``) on 127.0.0.1; the fake
Slack Web API (``tests/fakes/slack_api.py``, 1 post per second per channel, 429 beyond) on
127.0.0.1; the embedded mode (SQLite + fakeredis) with one in-process RQ worker delivering
through the Slack outbox. The six bundled characters live in every channel.

``--events`` signed message events, spread round-robin over ``--channels`` channels, each
addressing a character by name, are POSTed by ``--clients`` threads as fast as they go; a tenth
more are Slack's retries of events already sent (same event id, ``X-Slack-Retry-Num``). Then
the run waits until every reply is delivered. Measured: the ack time of every request
(client side), member messages stored (must equal the distinct events), replies per trigger
(duplicates: more than one reply by a character to one message), and per channel the most
posts the fake saw in any 1-second window and the smallest gap between two posts, and how
many 429s it served.

This is a benchmark, not a test: nothing here asserts, and it never runs under pytest.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import _bench  # noqa: E402 - fixes sys.path

_bench.setup(cpu=None)

from sqlalchemy import select  # noqa: E402

from bots.slack.app import create_app  # noqa: E402
from bots.slack.http import EVENTS_PATH, SlackHttpServer  # noqa: E402
from engine.adapters.sql.tables import events as events_table  # noqa: E402
from engine.adapters.sql.tables import intents as intents_table  # noqa: E402
from engine.cards import load_card_file  # noqa: E402
from engine.content import bundled_cast  # noqa: E402
from engine.services import setup  # noqa: E402
from engine.settings import Settings  # noqa: E402
from tests.bots.slack_harness import SECRET, signed_headers  # noqa: E402
from tests.fakes.slack_api import FakeSlack  # noqa: E402
from workers.bootstrap import build, install  # noqa: E402
from workers.embedded import EmbeddedWorker  # noqa: E402

TEAM = "T0001"
ACK_TARGET_S = 3.0


def _post(url: str, body: str, retry: int | None) -> float:
    headers = signed_headers(body, "application/json", retry_num=retry)
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        assert response.status == 200, response.status
    return time.perf_counter() - started


def _payloads(n_events: int, n_channels: int, names: list[str], seed: int
              ) -> list[tuple[str, int | None]]:
    rng = random.Random(seed)
    lines = ("what do you think of the ball?", "do you dance?", "any news from town?",
             "I hear you read a great deal.", "tell me about your family.")
    bodies: list[tuple[str, int | None]] = []
    for i in range(n_events):
        channel = f"C{i % n_channels:04d}"
        name = rng.choice(names).split()[0]
        event = {"type": "message", "channel": channel, "user": f"U{i % 37:04d}",
                 "text": f"{name}, {rng.choice(lines)}", "ts": f"1700000000.{i:06d}",
                 "channel_type": "channel"}
        bodies.append((json.dumps({
            "token": "legacy", "team_id": TEAM, "api_app_id": "A0001",
            "type": "event_callback", "event_id": f"Ev{i:06d}", "event_time": 1700000000 + i,
            "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
            "event": event}), None))
    retries = [(body, 1) for body, _ in rng.sample(bodies, max(1, n_events // 10))]
    merged = bodies + retries
    # Retries come after their originals, as Slack sends them.
    merged.sort(key=lambda item: (item[1] is not None, rng.random()))
    return merged


def _pacing(fake: FakeSlack) -> tuple[int, float]:
    """Most posts in any 1-second window of one channel; the smallest gap in one channel."""
    by_channel: dict[str, list[float]] = defaultdict(list)
    for post in fake.posts:
        by_channel[post.channel].append(post.at)
    worst, gap = 0, float("inf")
    for times in by_channel.values():
        times.sort()
        for i, t in enumerate(times):
            worst = max(worst, sum(1 for u in times[i:] if u - t < 1.0))
            if i:
                gap = min(gap, t - times[i - 1])
    return worst, gap


def run(n_events: int, n_channels: int, clients: int, seed: int) -> dict[str, Any]:
    scratch = tempfile.mkdtemp(prefix="personae-slack-bench-")
    with FakeSlack() as fake:
        settings = Settings(database_url=f"sqlite:///{scratch}/bench.db",
                            redis_url="fakeredis://", queue_name=f"slack-bench-{seed}",
                            slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                            slack_api_base=fake.base_url, reply_delay_s=0.0,
                            channel_min_interval_s=0.0, seed=seed)
        container = build(settings, honour_delays=False)
        container.redis.flushdb()
        install(container)
        cards = [load_card_file(p) for p in bundled_cast()]
        channels = [f"C{i:04d}" for i in range(n_channels)]
        eco, rows = setup.open_space(container.deps, "slack", TEAM, channels)
        setup.import_characters(container.deps, eco.id, cards, [r.id for r in rows])
        server = SlackHttpServer(create_app(container), "127.0.0.1", 0).start()
        worker = EmbeddedWorker(container)
        worker.start(interval_s=0.05)
        url = f"http://127.0.0.1:{server.port}{EVENTS_PATH}"
        payloads = _payloads(n_events, n_channels, [c.name for c in cards], seed)
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            acks = list(pool.map(lambda p: _post(url, *p), payloads))
        burst_s = time.perf_counter() - started
        deadline = time.monotonic() + 600
        engine = container.database.engine
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                pending = conn.execute(select(intents_table.c.id).where(
                    intents_table.c.status == "pending")).all()
            if not pending and worker.pending() == 0 and time.perf_counter() - started > 2:
                break
            time.sleep(0.2)
        drained_s = time.perf_counter() - started
        worker.stop()
        server.stop()
        with engine.connect() as conn:
            members = conn.execute(select(events_table.c.idempotency_key).where(
                events_table.c.author_kind == "human")).all()
            delivered = conn.execute(select(
                intents_table.c.trigger_event_id, intents_table.c.character_id).where(
                intents_table.c.status == "delivered")).all()
            failed = conn.execute(select(intents_table.c.error).where(
                intents_table.c.status == "failed")).all()
        per_trigger = Counter((r.trigger_event_id, r.character_id) for r in delivered)
        worst, gap = _pacing(fake)
        acks.sort()
        result = {
            "requests": len(acks),
            "ack p50 ms": statistics.median(acks) * 1000,
            "ack p99 ms": acks[min(len(acks) - 1, int(len(acks) * 0.99))] * 1000,
            "ack max ms": acks[-1] * 1000,
            "burst s": burst_s,
            "stored": len(members),
            "distinct events": n_events,
            "replies": len(fake.posts),
            "delivered intents": len(delivered),
            "duplicate replies": sum(n - 1 for n in per_trigger.values() if n > 1),
            "failed": len(failed),
            "max posts/1 s/channel": worst,
            "min gap s": gap,
            "429s": fake.rate_limited,
            "drained s": drained_s,
        }
        container.close()
        install(None)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"Machine: {_bench.machine()}")
    print(f"Code: {_bench.revision(('bots', 'engine', 'workers'))}")
    print(f"{args.events} events over {args.channels} channels (+10 % Slack retries), "
          f"{args.clients} concurrent clients, HTTP endpoint on 127.0.0.1, embedded mode")
    load = _bench.load_average()
    r = run(args.events, args.channels, args.clients, args.seed)
    print()
    print("| measure | value | target |")
    print("|---|---|---|")
    rows = [
        ("requests (events + retries)", f"{r['requests']}", ""),
        ("ack p50 / p99 / max", f"{r['ack p50 ms']:.0f} / {r['ack p99 ms']:.0f} / "
         f"{r['ack max ms']:.0f} ms", f"p99 < {ACK_TARGET_S * 1000:.0f} ms"),
        ("burst sent in", f"{r['burst s']:.1f} s", ""),
        ("member messages stored", f"{r['stored']} of {r['distinct events']} distinct",
         "all, once"),
        ("replies posted / delivered intents", f"{r['replies']} / {r['delivered intents']}",
         "equal"),
        ("duplicate replies", f"{r['duplicate replies']}", "0"),
        ("failed deliveries", f"{r['failed']}", "0"),
        ("most posts in 1 s in one channel", f"{r['max posts/1 s/channel']}", "≤ 1"),
        ("smallest gap between posts in a channel", f"{r['min gap s']:.3f} s", "≥ 1 s"),
        ("429s served by the fake", f"{r['429s']}", "0"),
        ("all replies delivered after", f"{r['drained s']:.1f} s", ""),
    ]
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(f"- load average (1 min) before/after: {load} / {_bench.load_average()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
