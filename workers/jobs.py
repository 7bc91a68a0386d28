"""RQ jobs: thin functions that take ids, get the process's container, call one service."""

from __future__ import annotations

import logging

from engine.services.consolidate import consolidate_due
from engine.services.embedding_jobs import embed_pending
from engine.services.initiative import tick as tick_service
from engine.services.notices import deliver_notice as deliver_notice_service
from engine.services.render import render_intent
from workers.bootstrap import container

__all__ = ["consolidate_memories", "deliver_notice", "embed_memories", "render", "tick"]

log = logging.getLogger(__name__)


def render(intent_id: int) -> str:
    """Render, deliver and record one intent; returns its final status."""
    outcome = render_intent(container().deps, intent_id)
    log.info("intent %s: %s %s", intent_id, outcome.status, outcome.reason)
    return outcome.status


def tick() -> int:
    """The scheduler entry: autonomous initiative everywhere; returns intents created."""
    return len(tick_service(container().deps))


def embed_memories(ecosystem_id: int | None = None) -> int:
    """Embed the ecosystem's (None = every) pending memories, in batches; returns how many."""
    count = embed_pending(container().deps, ecosystem_id)
    log.info("ecosystem %s: %d memories embedded", ecosystem_id, count)
    return count


def consolidate_memories(ecosystem_id: int) -> int:
    """Consolidate the memories of the ecosystem's due characters; returns how many."""
    reports = consolidate_due(container().deps, ecosystem_id)
    log.info("ecosystem %s: %d characters consolidated", ecosystem_id, len(reports))
    return len(reports)


def deliver_notice(event_id: int) -> str:
    """Post a notice in its channel, once; returns what happened."""
    outcome = deliver_notice_service(container().deps, event_id)
    log.info("notice %s: %s %s", event_id, outcome.status, outcome.reason)
    return outcome.status
