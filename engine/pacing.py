"""A channel's own pace and quiet hours, as the autonomy policy honours them.

Both live in the channel's settings (read with the channel on every decision, so honouring
them costs no query):

``pace_s``
    The fewest seconds between two character posts in the channel, replacing
    ``PERSONAE_CHANNEL_MIN_INTERVAL_S`` there. Absent (or 0): the configured default.
``quiet_hours``
    ``{"start": "23:00", "end": "07:00", "tz": "Europe/Paris"}``. During quiet hours characters
    start no conversation and nobody chimes in unasked; a character addressed by name still
    answers (a member talking to it should not be ignored). ``start`` is inside the quiet
    hours, ``end`` is not; when ``start`` is after ``end`` they span midnight.

Pure: no storage, no clock of its own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.autonomy import Damping
from engine.errors import InvalidInput

__all__ = [
    "PACE_KEY",
    "QUIET_HOURS_KEY",
    "MAX_PACE_S",
    "QuietHours",
    "channel_damping",
    "channel_pace",
    "is_quiet",
]

PACE_KEY = "pace_s"
QUIET_HOURS_KEY = "quiet_hours"
#: The slowest pace a channel can be given (one post an hour).
MAX_PACE_S = 3600

_CLOCK = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*$")


def _parse_clock(value: str, what: str) -> time:
    match = _CLOCK.match(value or "")
    hour = int(match.group(1)) if match else -1
    minute = int(match.group(2) or 0) if match else -1
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InvalidInput(f"The {what} of quiet hours must be a time like 23:00 or 7:30, "
                           f"not '{value}'.")
    return time(hour, minute)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip() or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"Unknown time zone '{name}'; use a name like UTC, Europe/Paris or "
                           "America/New_York.") from exc


@dataclass(frozen=True)
class QuietHours:
    """A daily span of local time (``tz``, an IANA zone name) when characters keep quiet."""

    start: time
    end: time
    tz: str = "UTC"

    @classmethod
    def parse(cls, start: str, end: str, tz: str = "UTC") -> QuietHours:
        """Quiet hours from "HH:MM" texts and a zone name.

        Raises:
            InvalidInput: A malformed time, an unknown zone, or a start equal to the end.
        """
        first, last = _parse_clock(start, "start"), _parse_clock(end, "end")
        if first == last:
            raise InvalidInput("Quiet hours need a start different from their end.")
        zone = _zone(tz)
        return cls(first, last, zone.key)

    @classmethod
    def from_settings(cls, value: Any) -> QuietHours | None:
        """The stored quiet hours, or None when unset or unreadable (never raises)."""
        if not isinstance(value, Mapping):
            return None
        try:
            return cls.parse(str(value.get("start", "")), str(value.get("end", "")),
                             str(value.get("tz", "UTC")))
        except InvalidInput:
            return None

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M"),
                "tz": self.tz}

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (naive means UTC) falls in the quiet hours."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(ZoneInfo(self.tz)).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def describe(self) -> str:
        d = self.as_dict()
        return f"{d['start']}–{d['end']} ({self.tz})"


def channel_pace(settings: Mapping[str, Any]) -> float | None:
    """The channel's own pace in seconds, or None (the default applies)."""
    value = settings.get(PACE_KEY)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value <= 0:
        return None
    return float(min(value, MAX_PACE_S))


def channel_damping(base: Damping, settings: Mapping[str, Any]) -> Damping:
    """``base`` with the channel's pace, if it has one."""
    pace = channel_pace(settings)
    return base if pace is None else replace(base, channel_min_interval_s=pace)


def is_quiet(settings: Mapping[str, Any], now: datetime) -> bool:
    """Whether the channel is in its quiet hours at ``now``."""
    quiet = QuietHours.from_settings(settings.get(QUIET_HOURS_KEY))
    return quiet is not None and quiet.contains(now)
