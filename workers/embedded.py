"""The embedded worker: RQ's ``SimpleWorker`` in this process (fakeredis cannot fork)."""

from __future__ import annotations

import logging
import threading

from rq import SimpleWorker

from workers.bootstrap import Container

__all__ = ["EmbeddedWorker"]

log = logging.getLogger(__name__)


class EmbeddedWorker:
    """Runs queued jobs in this process, on demand or in a background thread."""

    def __init__(self, c: Container) -> None:
        self.container = c
        self.worker = SimpleWorker([c.queue], connection=c.redis)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_pending(self, max_jobs: int | None = None) -> None:
        """Run jobs until the queue is empty (or ``max_jobs`` ran), due scheduled ones too."""
        self.worker.work(burst=True, with_scheduler=True, max_jobs=max_jobs,
                         logging_level="WARNING")

    def pending(self) -> int:
        return len(self.container.queue)

    def start(self, interval_s: float = 0.25) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.run_pending()
                except Exception:  # noqa: BLE001 - keep the community alive; log it
                    log.exception("embedded worker iteration failed")
                self._stop.wait(interval_s)

        self._thread = threading.Thread(target=loop, name="personae-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
