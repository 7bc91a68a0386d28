"""RQ jobs: thin functions that take ids, get the process's container, call one service."""

from __future__ import annotations

import logging

from engine.services.initiative import tick as tick_service
from engine.services.render import render_intent
from workers.bootstrap import container

__all__ = ["render", "tick"]

log = logging.getLogger(__name__)


def render(intent_id: int) -> str:
    """Render, deliver and record one intent; returns its final status."""
    outcome = render_intent(container().deps, intent_id)
    log.info("intent %s: %s %s", intent_id, outcome.status, outcome.reason)
    return outcome.status


def tick() -> int:
    """The scheduler entry: autonomous initiative everywhere; returns intents created."""
    return len(tick_service(container().deps))
