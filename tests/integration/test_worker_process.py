"""The production shape: a real `personae worker` process renders jobs from real Redis into
real PostgreSQL, while this process only ingests (the bot process never renders)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bots.console.community import ConsoleCommunity
from engine.messages import ParticipantKind
from engine.settings import Settings
from workers.bootstrap import build

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.services
def test_worker_process_renders_queued_intents(settings_for: Callable[..., Settings]) -> None:
    settings = settings_for("services")
    container = build(settings, honour_delays=False)
    container.redis.flushdb()
    community = ConsoleCommunity(container, member_name="Kitty")
    community.open()
    result = community.say("@Lydia, have you seen the officers?")
    assert len(container.queue) == len(result.intents) >= 1

    env = dict(os.environ, PERSONAE_DATABASE_URL=settings.database_url,
               PERSONAE_REDIS_URL=settings.redis_url, PERSONAE_QUEUE_NAME=settings.queue_name,
               PERSONAE_MAX_CHAIN="0")
    worker = subprocess.run([sys.executable, "-m", "bots.cli.main", "worker", "--burst"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert worker.returncode == 0, worker.stderr
    replies = [e for e in community.messages() if e.author_kind is ParticipantKind.CHARACTER]
    assert replies and replies[0].author_name == "Lydia Bennet"
    with container.deps.uow() as uow:
        counts = uow.intents.count_by_status(community.ecosystem.id)
    assert counts.get("delivered", 0) >= 1 and counts.get("pending", 0) == 0
    container.close()
