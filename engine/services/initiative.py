"""The scheduler tick: characters start conversations in channels that went quiet, the
ecosystem reflects (``engine.services.reflect``) when that is due, memories still without an
embedding are handed to a background job (``engine.services.embedding_jobs``), and so is the
consolidation of characters who have witnessed enough since their last one
(``engine.services.consolidate``)."""

from __future__ import annotations

from engine.messages import Intent
from engine.services.consolidate import due_characters
from engine.services.decide import decide_in_quiet_channel, enqueue, requeue_stale
from engine.services.deps import Deps
from engine.services.embedding_jobs import has_pending
from engine.services.narrative import advance as advance_stories
from engine.services.notices import announce
from engine.services.reflect import reflect
from engine.services.scenarios import track as track_scenarios

__all__ = ["tick"]


def tick(deps: Deps, ecosystem_id: int | None = None) -> list[Intent]:
    """Run autonomous initiative once over every channel (of one ecosystem, if given)."""
    now = deps.clock.now()
    created: list[Intent] = []
    with deps.uow() as uow:
        ecosystem_ids = [ecosystem_id] if ecosystem_id is not None else uow.spaces.ecosystem_ids()
        for eco in ecosystem_ids:
            for channel in uow.spaces.list_channels(eco):
                created.extend(decide_in_quiet_channel(deps, uow, channel, now))
        uow.commit()
    enqueue(deps, created, now)
    requeue_stale(deps, now)
    for eco in ecosystem_ids:
        track_scenarios(deps, eco)  # timed directions, objectives (engine.services.scenarios)
        advance_stories(deps, eco)  # beats for stalled story threads (engine.narrative)
        report = reflect(deps, eco)
        if report is not None:
            announce(deps, eco, report.announcements)
    if has_pending(deps, ecosystem_id):
        deps.queue.enqueue_embedding(ecosystem_id)
    for eco in ecosystem_ids:
        # Queued after the embedding job, so the consolidation finds its memories embedded.
        if due_characters(deps, eco):
            deps.queue.enqueue_consolidation(eco)
    return created
