"""The RQ implementation of the engine's ``JobQueue`` port."""

from __future__ import annotations

import logging
from datetime import timedelta

import redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from engine.errors import ServiceUnavailable

__all__ = ["RQJobQueue"]

log = logging.getLogger(__name__)

RENDER_JOB = "workers.jobs.render"
EMBED_JOB = "workers.jobs.embed_memories"
CONSOLIDATE_JOB = "workers.jobs.consolidate_memories"
NOTICE_JOB = "workers.jobs.deliver_notice"
#: A per-ecosystem job in one of these states is still to come: another would only repeat it.
_LIVE = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


class RQJobQueue:
    """Queues one render job per intent.

    Args:
        queue: The RQ queue.
        honour_delays: Schedule jobs at their due time (``enqueue_in``); False queues them
            at once, for simulated time (the reproducible demo) where the job itself waits.
    """

    def __init__(self, queue: Queue, honour_delays: bool = True,
                 priority_queue: Queue | None = None) -> None:
        self.queue = queue
        self.honour_delays = honour_delays
        #: ``<queue>-priority``: render jobs of tiers with priority processing; workers
        #: listen to it before the normal queue.
        self.priority_queue = priority_queue

    def enqueue_render(self, intent_id: int, delay_s: float = 0.0, priority: bool = False
                       ) -> None:
        queue = self.priority_queue if priority and self.priority_queue is not None \
            else self.queue
        kwargs = {
            "job_id": f"render-{intent_id}",
            "retry": Retry(max=2, interval=[2, 10]),
            "result_ttl": 300,
            "failure_ttl": 24 * 3600,
            "description": f"render intent {intent_id}",
        }
        try:
            if self.honour_delays and delay_s > 0.05:
                queue.enqueue_in(timedelta(seconds=delay_s), RENDER_JOB, intent_id, **kwargs)
            else:
                queue.enqueue(RENDER_JOB, intent_id, **kwargs)
        except redis.RedisError as exc:
            # The intent stays pending in the database; `personae worker` re-queues it.
            log.error("could not queue intent %s: %s", intent_id, exc)
            raise ServiceUnavailable(f"The job queue (Redis) is unavailable: {exc}") from exc

    def cancel_render(self, intent_id: int) -> None:
        """Remove a waiting render job (queued or scheduled); a running one finds its intent
        gone and does nothing."""
        try:
            job = Job.fetch(f"render-{intent_id}", connection=self.queue.connection)
        except NoSuchJobError:
            return
        except redis.RedisError as exc:
            log.error("could not cancel the job of intent %s: %s", intent_id, exc)
            raise ServiceUnavailable(f"The job queue (Redis) is unavailable: {exc}") from exc
        job.delete(remove_from_queue=True)

    def enqueue_embedding(self, ecosystem_id: int | None) -> None:
        """Queue ``embed_memories`` for the ecosystem (None = all) unless one is waiting or
        running already (see ``_enqueue_once``)."""
        scope = "all" if ecosystem_id is None else str(ecosystem_id)
        # The memories stay pending in the database; the next tick queues them again.
        self._enqueue_once(f"embed-{scope}", EMBED_JOB, ecosystem_id,
                           f"embed memories of ecosystem {scope}")

    def enqueue_consolidation(self, ecosystem_id: int) -> None:
        """Queue ``consolidate_memories`` for the ecosystem unless one is waiting or running
        already (see ``_enqueue_once``)."""
        # Characters stay due in the database; the next tick queues them again.
        self._enqueue_once(f"consolidate-{ecosystem_id}", CONSOLIDATE_JOB, ecosystem_id,
                           f"consolidate memories of ecosystem {ecosystem_id}")

    def enqueue_notice(self, event_id: int) -> None:
        """Queue ``deliver_notice`` for a notice event (one job id per event; the job itself
        makes sure it is posted once). A failed post is retried, bounded."""
        try:
            self.queue.enqueue(
                NOTICE_JOB, event_id, job_id=f"notice-{event_id}",
                retry=Retry(max=3, interval=[5, 30, 120]), result_ttl=300,
                failure_ttl=7 * 24 * 3600, description=f"post notice {event_id}")
        except redis.RedisError as exc:
            log.error("could not queue notice %s: %s", event_id, exc)
            raise ServiceUnavailable(f"The job queue (Redis) is unavailable: {exc}") from exc

    def _enqueue_once(self, job_id: str, func: str, ecosystem_id: int | None,
                      description: str) -> None:
        """Queue ``func(ecosystem_id)`` as ``job_id`` unless that job is waiting or running:
        the job id is unique in Redis (RQ's atomic unique enqueue), and a finished or failed
        one is cleared first."""
        try:
            try:
                previous = Job.fetch(job_id, connection=self.queue.connection)
            except NoSuchJobError:
                previous = None
            if previous is not None:
                if previous.get_status(refresh=False) in _LIVE:
                    return
                previous.delete()
            self.queue.enqueue(
                func, ecosystem_id, job_id=job_id, unique=True, job_timeout=600,
                result_ttl=60, failure_ttl=3600, description=description,
            )
        except DuplicateJobError:
            return  # another process queued it between our look and our enqueue
        except redis.RedisError as exc:
            log.error("could not queue %s: %s", job_id, exc)
            raise ServiceUnavailable(f"The job queue (Redis) is unavailable: {exc}") from exc
