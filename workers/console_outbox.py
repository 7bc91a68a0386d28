"""The console outbox: the console community has no remote platform, so delivering is naming.

The message itself is recorded by the engine and reaches the terminal through the event stream.
"""

from __future__ import annotations

import itertools
import threading

from engine.messages import OutgoingMessage

__all__ = ["ConsoleOutbox"]


class ConsoleOutbox:
    #: The console shows notices from the event stream: none are posted through it
    #: (``engine.services.notices``).
    posts_notices = False

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.delivered: list[OutgoingMessage] = []

    def deliver(self, message: OutgoingMessage) -> str:
        with self._lock:
            self.delivered.append(message)
            return f"console-{next(self._ids)}"
