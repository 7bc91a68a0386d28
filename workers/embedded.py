"""The embedded worker: RQ's ``SimpleWorker`` in this process (fakeredis cannot fork)."""

from __future__ import annotations

import logging
import threading
import time

from rq import SimpleWorker
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from workers.bootstrap import Container

__all__ = ["EmbeddedWorker"]

log = logging.getLogger(__name__)


class _ThreadWorker(SimpleWorker):
    """A SimpleWorker that may run off the main thread (signals belong to the main one)."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        return None


class EmbeddedWorker:
    """Runs queued jobs in this process, on demand or in a background thread."""

    def __init__(self, c: Container) -> None:
        self.container = c
        # One process owns the queue here, so this scheduler keeps its registries for good
        # (a fresh `with_scheduler` per burst would wait on the previous one's lock).
        self.scheduler = RQScheduler(c.queues, connection=c.redis, logging_level="WARNING")
        self.scheduler.acquire_locks()
        self.scheduler.prepare_registries()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_pending(self, max_jobs: int | None = None) -> None:
        """Run jobs until the queue is empty (or ``max_jobs`` ran), due scheduled ones too."""
        self.scheduler.enqueue_scheduled_jobs()
        if self.pending() == 0:
            return
        # A fresh worker per burst: RQ refuses to register the same worker name twice. It
        # serves the priority queue first.
        worker = _ThreadWorker(self.container.queues, connection=self.container.redis)
        worker.work(burst=True, max_jobs=max_jobs, logging_level="WARNING")

    def pending(self) -> int:
        return sum(len(q) for q in self.container.queues)

    def start(self, interval_s: float = 0.25, checkpoint_every_s: float = 10.0) -> None:
        def loop() -> None:
            last_checkpoint = time.monotonic()
            while not self._stop.is_set():
                try:
                    self.run_pending()
                    if time.monotonic() - last_checkpoint >= checkpoint_every_s:
                        self.container.database.checkpoint()
                        last_checkpoint = time.monotonic()
                except Exception:  # noqa: BLE001 - keep the community alive; log it
                    log.exception("embedded worker iteration failed")
                self._stop.wait(interval_s)

        self._thread = threading.Thread(target=loop, name="personae-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
