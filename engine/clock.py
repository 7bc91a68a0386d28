"""Time, as a port: the real clock in production, a manual one for tests and the demo."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "SystemClock", "ManualClock", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return utcnow()


class ManualClock:
    """A clock that moves only when told to; thread-safe, never goes backwards."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=max(0.0, seconds))
            return self._now

    def advance_to(self, moment: datetime) -> datetime:
        with self._lock:
            if moment > self._now:
                self._now = moment
            return self._now
