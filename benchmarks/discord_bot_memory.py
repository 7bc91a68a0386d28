"""Memory of the Discord bot process with a big cast: 1,000 characters over 200 channels.

One command, one table::

    .venv/bin/python benchmarks/discord_bot_memory.py                     # PostgreSQL + Redis
    .venv/bin/python benchmarks/discord_bot_memory.py --database sqlite   # a SQLite file

The process measured is this one, and it is only the bot, as in production: the fake Discord
(REST + gateway, tests/fakes/) runs in a child process, the database (PostgreSQL + pgvector, or
a SQLite file) and Redis (a real ``redis-server``: the bot queues render jobs there, it never
renders) outside it. A second child seeds the database first: one server, ``--channels``
channels (200), ``--characters`` characters (1,000; the bundled cards under numbered names, an
equal share living in each channel).

Then the real ``PersonaeBot`` with every extension (intake and the slash-command Cogs) logs in,
connects over the gateway (GUILD_CREATE with the 200 channels), reads every character once and
keeps them (what a /character list or the autocomplete caches hold at most), and ingests
``--messages`` member messages (2,000, spread over the channels, a third of them naming a
character, so replies are decided and queued) dispatched in bursts of ``--burst`` (200).

RSS is read from /proc/self/status (VmRSS; VmHWM is the peak) after each stage; the target is
under 300 MB after the messages. Also printed: ingest throughput through the gateway.

This is a benchmark, not a test: nothing here asserts, and it never runs under pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import dataclasses
import gc
import multiprocessing
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import _bench  # noqa: E402 - puts the repository on sys.path

_bench.setup(cpu=None)  # the fake and the database run beside it

STATUS = Path("/proc/self/status")


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory (or ``VmHWM``, its peak) in MB."""
    for line in STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------ the fake, a child process


def fake_main(conn: Connection, channels: int) -> None:
    """Serve the fake Discord; answer ("messages", [(channel, text, author index)]) and
    ("stop",) on ``conn``."""
    from tests.fakes.discord_api import FakeDiscord
    from tests.fakes.discord_gateway import user_payload

    with FakeDiscord() as fake:
        ids = [fake.channel_id] + [fake.add_channel(f"room-{i:03d}") for i in range(1, channels)]
        conn.send({"api_base": fake.api_base, "gateway": fake.gateway.url, "token": fake.token,
                   "guild_id": fake.guild_id, "channel_ids": ids})
        members = [user_payload(str(880_000_000_000_000_000 + i), f"member{i}",
                                global_name=f"Member {i}") for i in range(50)]
        while True:
            command = conn.recv()
            if command[0] == "stop":
                return
            for channel_id, text, author in command[1]:
                fake.gateway.message_create(channel_id, text, author=members[author])
            conn.send(len(command[1]))


# ------------------------------------------------------------- seeding, another child process


def seed_main(database_url: str, redis_url: str, guild_id: str, channel_ids: list[str],
              characters: int) -> list[list[str]]:
    """The server's ecosystem, its channels and characters; returns each channel's cast."""
    from engine.cards import load_card_file
    from engine.content import bundled_cast
    from engine.services import setup
    from engine.settings import Settings
    from workers.bootstrap import build

    c = build(Settings(database_url=database_url, redis_url=redis_url))
    cards = [load_card_file(p) for p in bundled_cast()]
    ecosystem, channels = setup.open_space(c.deps, "discord", guild_id, channel_ids,
                                           name="Benchmark server")
    per_channel = max(1, characters // len(channels))
    casts = []
    for index, channel in enumerate(channels):
        batch = []
        for k in range(per_channel):
            number = index * per_channel + k
            card = copy.deepcopy(cards[number % len(cards)])
            card.name = f"{card.name.split()[0]} {number:04d}"
            card.persona = dataclasses.replace(card.persona, aliases=())
            batch.append(card)
        setup.import_characters(c.deps, ecosystem.id, batch, [channel.id])
        casts.append([card.name for card in batch])
    c.close()
    return casts


# -------------------------------------------------------------------------- the bot, here


@contextlib.contextmanager
def services(database: str) -> Iterator[tuple[str, str]]:
    """(database URL, Redis URL): a throwaway redis-server, and PostgreSQL or a SQLite file."""
    from sqlalchemy import create_engine, text

    from tests.services import postgres_server, redis_server

    with redis_server() as redis_url:
        if database == "sqlite":
            tmp = tempfile.mkdtemp(prefix="personae-bench-")
            try:
                yield f"sqlite:///{tmp}/bot.db", redis_url
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            return
        with postgres_server() as admin_url:
            name = f"bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            base, _, query = admin_url.partition("?")
            url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
            try:
                yield url, redis_url
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


def make_messages(channel_ids: list[str], casts: list[list[str]], total: int
                  ) -> list[tuple[str, str, int]]:
    out = []
    for i in range(total):
        index = i % len(channel_ids)
        cast = casts[index]
        if i % 3 == 0:
            text = f"{cast[i % len(cast)]}, what do you make of the weather today?"
        else:
            text = f"Message {i}: the ball at Netherfield was crowded and the music loud."
        out.append((channel_ids[index], text, i % 50))
    return out


async def run_bot(opts: argparse.Namespace, settings: Any, fake: Connection,
                  info: dict[str, Any], casts: list[list[str]], stages: list[tuple[str, float]]
                  ) -> dict[str, float]:
    import discord
    import yarl
    from discord.gateway import DiscordWebSocket

    from bots.discord.app import PersonaeBot
    from bots.discord.intake import find
    from engine.services import setup
    from workers.bootstrap import build

    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(info["gateway"])
    discord.http.Route.BASE = info["api_base"]
    c = build(settings)
    stages.append(("container built (database, Redis)", rss_mb()))
    bot = PersonaeBot(c, guild_ready_timeout=0.2)
    await bot.login(info["token"])
    stages.append((f"logged in, {len(bot.extensions)} extensions loaded", rss_mb()))
    task = asyncio.create_task(bot.connect())
    await asyncio.wait_for(bot.wait_until_ready(), 30)
    await bot.cast_index.current()
    stages.append((f"connected: {len(bot.guilds[0].channels)} channels cached, cast index",
                   rss_mb()))
    ecosystem = await bot.run_engine(bot.ecosystem_of, info["guild_id"])
    held = await bot.run_engine(setup.list_characters, bot.deps, ecosystem.id)
    stages.append((f"{len(held):,} characters read and held", rss_mb()))

    intake = find(bot)
    messages = make_messages(info["channel_ids"], casts, opts.messages)
    started = time.perf_counter()
    for start in range(0, len(messages), opts.burst):
        batch = messages[start:start + opts.burst]
        fake.send(("messages", batch))
        await asyncio.to_thread(fake.recv)
        want = start + len(batch)
        while sum(intake.outcomes.get(k, 0) for k in ("ingested", "duplicate", "invalid",
                                                        "failed", "not_cast")) < want:
            await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - started
    gc.collect()
    stages.append((f"{opts.messages:,} messages ingested", rss_mb()))
    queued = len(c.queue) + c.queue.scheduled_job_registry.count
    await bot.close()
    await asyncio.wait_for(task, 30)
    c.close()
    del held
    return {"seconds": elapsed, "per_s": opts.messages / elapsed, "queued": queued,
            "ingested": intake.outcomes.get("ingested", 0),
            "failed": sum(intake.outcomes.get(k, 0) for k in ("invalid", "failed"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--characters", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=200)
    opts = parser.parse_args()

    load_before = _bench.load_average()
    stages: list[tuple[str, float]] = [("python started", rss_mb())]
    import discord  # noqa: F401 - measured: what the process imports

    import bots.discord.app  # noqa: F401
    from engine.settings import Settings

    stages.append(("discord.py, engine and workers imported", rss_mb()))
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    fake_process = ctx.Process(target=fake_main, args=(child, opts.channels), daemon=True)
    fake_process.start()
    info = parent.recv()
    with services(opts.database) as (database_url, redis_url):
        with ctx.Pool(1) as pool:
            casts = pool.apply(seed_main, (database_url, redis_url, info["guild_id"],
                                           info["channel_ids"], opts.characters))
        settings = Settings(database_url=database_url, redis_url=redis_url,
                            queue_name=f"bench-{uuid.uuid4().hex[:8]}",
                            discord_token=info["token"], discord_api_base=info["api_base"])
        result = asyncio.run(run_bot(opts, settings, parent, info, casts, stages))
    parent.send(("stop",))
    fake_process.join(10)

    rows = ["| stage | RSS MB | change MB |", "|---|---:|---:|"]
    previous = stages[0][1]
    for label, value in stages:
        rows.append(f"| {label} | {value:.1f} | {value - previous:+.1f} |")
        previous = value
    print(f"# Discord bot process memory: {opts.characters:,} characters, {opts.channels} "
          f"channels, {opts.messages:,} messages ({opts.database})")
    print()
    print("\n".join(rows))
    print()
    peak = max(rss_mb("VmHWM"), *(v for _, v in stages))
    print(f"- peak RSS (VmHWM): {peak:.1f} MB; target < 300 MB after the messages")
    print(f"- ingested {result['ingested']:,.0f} messages in {result['seconds']:.1f} s "
          f"({result['per_s']:.0f}/s through the gateway, bursts of {opts.burst}); "
          f"{result['failed']:.0f} failed; {result['queued']:,.0f} render jobs queued in Redis")
    print(f"- machine: {_bench.machine()}")
    print(f"- {_bench.revision(('bots', 'engine', 'workers'))}")
    print(f"- load average (1 min) before/after: {load_before} / {_bench.load_average()}")


if __name__ == "__main__":
    main()
