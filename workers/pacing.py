"""Pacing shared by every worker through Redis: at most N posts per T seconds per key.

Each key is a **sliding log** in Redis: a list, in time order, of the posts reserved on it that
are younger than its period (older ones are dropped). One Lua script, atomic across all
workers and machines, finds the earliest time ``at`` at which one more post keeps every given
bucket within its limit, and records it there:

    at = max(now, last reservation of each bucket, N-th last reservation + T of each bucket)

Reservations are therefore in order per bucket and any interval of T seconds holds at most N of
them, so no window of the platform — fixed or sliding — counts more than N posts, provided the
posts arrive in the order and spacing they were reserved. ``margin_s`` is added to every T to
absorb the jitter between a reservation and its request arriving. The time is Redis's own
(``TIME``), so workers on machines whose clocks disagree still agree.

``reserve`` returns how long to wait; the caller sleeps that long, then posts. A reservation
whose post never happens wastes a slot (harmless: pacing only gets stricter), or is handed back
with ``release``.

Generic on purpose: Slack's ~1 message/s per channel is one bucket per channel; Discord's
per-webhook and per-channel limits are two buckets reserved together.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import redis

__all__ = ["Rate", "Pacer", "Reservation", "PacingUnavailable", "Backlogged"]

# KEYS: the buckets. ARGV: limit_1, period_ms_1, ..., limit_n, period_ms_n.
# Returns {wait_ms, at_ms}; the reservation is recorded on every bucket.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local at = now
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  -- Entries older than one period constrain nothing any more (every new post is >= now).
  -- Younger ones are all kept (not just the last N): after a ``release`` took one out, the
  -- N-th last must still be the real one.
  while true do
    local head = redis.call('LINDEX', key, 0)
    if not head or tonumber(head) > now - period then break end
    redis.call('LPOP', key)
  end
  local last = redis.call('LINDEX', key, -1)
  if last and tonumber(last) > at then at = tonumber(last) end
  if redis.call('LLEN', key) >= limit then
    local allowed = tonumber(redis.call('LINDEX', key, -limit)) + period
    if allowed > at then at = allowed end
  end
end
local stamp = string.format('%d', at)
for i, key in ipairs(KEYS) do
  local period = tonumber(ARGV[2 * i])
  redis.call('RPUSH', key, stamp)
  redis.call('PEXPIRE', key, at - now + period + 1000)
end
return {at - now, stamp}
"""

_RELEASE = """
for _, key in ipairs(KEYS) do redis.call('LREM', key, -1, ARGV[1]) end
return 1
"""

# Moves a reservation to the time its post actually went out (now), when that is later, and
# keeps the list in order. ARGV[1]: the reserved stamp.
_CONFIRM = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local stamp = tonumber(ARGV[1])
if now <= stamp then return 0 end
local unpack = unpack or table.unpack
for _, key in ipairs(KEYS) do
  local items = redis.call('LRANGE', key, 0, -1)
  for j = #items, 1, -1 do
    if tonumber(items[j]) == stamp then
      items[j] = string.format('%d', now)
      table.sort(items, function(a, b) return tonumber(a) < tonumber(b) end)
      local ttl = redis.call('PTTL', key)
      redis.call('DEL', key)
      redis.call('RPUSH', key, unpack(items))
      if ttl > 0 then redis.call('PEXPIRE', key, ttl + now - stamp) end
      break
    end
  end
end
return 1
"""


class PacingUnavailable(Exception):
    """Redis cannot be reached: nothing may be posted unpaced."""


class Backlogged(Exception):
    """The next free slot is further away than a worker should sleep."""


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` posts per ``per_s`` seconds."""

    limit: int
    per_s: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"5/2"`` → 5 posts per 2 s.

        Raises:
            ValueError: Not two positive numbers separated by ``/`` (N an integer >= 1).
        """
        try:
            n, _, t = str(text).partition("/")
            limit, per = int(n.strip()), float(t.strip())
        except ValueError:
            raise ValueError(f"rate {text!r} is not 'posts/seconds', e.g. '1/1'") from None
        if limit < 1 or not per > 0 or not math.isfinite(per):
            raise ValueError(f"rate {text!r} needs at least 1 post per a positive time")
        return cls(limit, per)

    def __str__(self) -> str:
        return f"{self.limit}/{self.per_s:g}"


@dataclass(frozen=True)
class Reservation:
    wait_s: float
    keys: tuple[str, ...]
    stamp: str


class Pacer:
    """Reserves post times on buckets of Redis keys (see the module docstring).

    Args:
        client: Redis (real, or fakeredis with the ``lua`` extra).
        prefix: Namespace of the keys (e.g. ``personae:slack:pace``).
        margin_s: Added to each period against request jitter.
        max_wait_s: A reservation further away than this is handed back and raises
            ``Backlogged``.
        sleep: Injected for tests.
    """

    def __init__(self, client: redis.Redis, prefix: str, *, margin_s: float = 0.05,
                 max_wait_s: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client, self.prefix = client, prefix
        self.margin_s, self.max_wait_s = margin_s, max_wait_s
        self._sleep = sleep
        self._reserve = client.register_script(_RESERVE)
        self._release = client.register_script(_RELEASE)
        self._confirm = client.register_script(_CONFIRM)

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def reserve(self, buckets: Sequence[tuple[str, Rate]]) -> Reservation:
        """Reserve one post on every ``(name, rate)`` bucket at once.

        Raises:
            PacingUnavailable: Redis cannot be reached.
            Backlogged: The post would have to wait more than ``max_wait_s``.
        """
        keys = [self.key(name) for name, _ in buckets]
        args: list[int] = []
        for _, rate in buckets:
            args += [rate.limit, math.ceil((rate.per_s + self.margin_s) * 1000)]
        try:
            wait_ms, stamp = self._reserve(keys=keys, args=args)
        except redis.RedisError as exc:
            raise PacingUnavailable(
                f"Cannot pace posts: Redis is unavailable ({exc}). Nothing was posted; check "
                "PERSONAE_REDIS_URL and that Redis is running.") from exc
        reservation = Reservation(int(wait_ms) / 1000, tuple(keys), _text(stamp))
        if reservation.wait_s > self.max_wait_s:
            self.release(reservation)
            raise Backlogged(
                f"{buckets[-1][0]} has {reservation.wait_s:.0f} s of posts scheduled already "
                f"(limit {buckets[-1][1]}); this one was dropped rather than held longer.")
        return reservation

    def release(self, reservation: Reservation) -> None:
        """Give a reservation back (best effort: a lost one only makes pacing stricter)."""
        try:
            self._release(keys=list(reservation.keys), args=[reservation.stamp])
        except redis.RedisError:
            pass

    def confirm(self, reservation: Reservation) -> None:
        """Record that the reserved post went out only now (call it once the platform has
        answered). A post that left late — a busy machine, a slow connection — would otherwise
        open the platform's window later than its reservation says, and the post reserved a
        period after it could land inside that window: later reservations are made from the
        real time instead. Best effort, like ``release``."""
        try:
            self._confirm(keys=list(reservation.keys), args=[reservation.stamp])
        except redis.RedisError:
            pass

    def wait_turn(self, name: str, rate: Rate) -> float:
        """Reserve one post on bucket ``name``, then sleep until it is due; returns the wait."""
        reservation = self.reserve([(name, rate)])
        if reservation.wait_s > 0:
            self._sleep(reservation.wait_s)
        return reservation.wait_s


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
