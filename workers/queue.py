"""The RQ implementation of the engine's ``JobQueue`` port."""

from __future__ import annotations

import logging
from datetime import timedelta

import redis
from rq import Queue, Retry

from engine.errors import ServiceUnavailable

__all__ = ["RQJobQueue"]

log = logging.getLogger(__name__)

RENDER_JOB = "workers.jobs.render"


class RQJobQueue:
    """Queues one render job per intent.

    Args:
        queue: The RQ queue.
        honour_delays: Schedule jobs at their due time (``enqueue_in``); False queues them
            at once, for simulated time (the reproducible demo) where the job itself waits.
    """

    def __init__(self, queue: Queue, honour_delays: bool = True) -> None:
        self.queue = queue
        self.honour_delays = honour_delays

    def enqueue_render(self, intent_id: int, delay_s: float = 0.0) -> None:
        kwargs = {
            "job_id": f"render-{intent_id}",
            "retry": Retry(max=2, interval=[2, 10]),
            "result_ttl": 300,
            "failure_ttl": 24 * 3600,
            "description": f"render intent {intent_id}",
        }
        try:
            if self.honour_delays and delay_s > 0.05:
                self.queue.enqueue_in(timedelta(seconds=delay_s), RENDER_JOB, intent_id, **kwargs)
            else:
                self.queue.enqueue(RENDER_JOB, intent_id, **kwargs)
        except redis.RedisError as exc:
            # The intent stays pending in the database; `personae worker` re-queues it.
            log.error("could not queue intent %s: %s", intent_id, exc)
            raise ServiceUnavailable(f"The job queue (Redis) is unavailable: {exc}") from exc
