"""Pacing of Discord posts, shared by every worker through Redis.

Discord allows about 5 posts per 2 s per webhook and about 30 per minute per channel (all
webhooks and bots of the channel together). Each limit is a **sliding log** in Redis: a list
of the times of the last N posts reserved on that bucket. One Lua script, atomic across all
workers and machines, finds the earliest time ``at`` at which one more post keeps every bucket
within its limit, and records it:

    at = max(now, last reservation of each bucket, N-th last reservation + T of each bucket)

Reservations are therefore in order per bucket and any interval of T seconds holds at most N of
them, so no window of the server — fixed or sliding, wherever it starts — can count more than N
posts, provided posts reach Discord in the order and spacing they were reserved. ``margin_s``
is added to every T to absorb the jitter between a reservation and its request arriving (a
thread scheduled late, a slow connection). The time is Redis's own (``TIME``), so workers on
machines whose clocks disagree still agree.

``reserve`` returns how long to wait; the caller sleeps that long and then posts. A reservation
whose post never happens wastes a slot, which is harmless (it only makes pacing stricter).

Bad input: a rate that is not ``"N/T"`` with N >= 1 and T > 0 raises ``ValueError`` (at
start-up, from settings). Redis unreachable or failing raises ``PacingUnavailable``: nothing
must be posted unpaced.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from workers.discord.errors import ChannelBacklogged, PacingUnavailable

__all__ = ["Rate", "Pacer", "Reservation"]

PREFIX = "personae:discord:pace"

# KEYS: the buckets. ARGV: limit_1, period_ms_1, ..., limit_n, period_ms_n.
# Returns {wait_ms, at_ms}: the reservation is recorded on every bucket.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local at = now
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local last = redis.call('LINDEX', key, -1)
  if last and tonumber(last) > at then at = tonumber(last) end
  if redis.call('LLEN', key) >= limit then
    local allowed = tonumber(redis.call('LINDEX', key, -limit)) + period
    if allowed > at then at = allowed end
  end
end
local stamp = string.format('%d', at)
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  redis.call('RPUSH', key, stamp)
  redis.call('LTRIM', key, -limit, -1)
  redis.call('PEXPIRE', key, at - now + period + 1000)
end
return {at - now, stamp}
"""

# Cancels a reservation (one entry with that stamp on each bucket). Removing an entry only
# ever loosens the constraint on *later* reservations by exactly the post that will not happen.
_RELEASE = """
for _, key in ipairs(KEYS) do redis.call('LREM', key, -1, ARGV[1]) end
return 1
"""


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
            raise ValueError(f"rate {text!r} is not 'posts/seconds', e.g. '5/2'") from None
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
    """Reserves post times on a webhook's and a channel's buckets (see the module docstring).

    Args:
        client: Redis (real, or fakeredis with the ``lua`` extra).
        webhook_rate, channel_rate: The limits, e.g. ``Rate(5, 2)`` and ``Rate(30, 60)``.
        margin_s: Added to each period against request jitter.
        max_wait_s: A reservation further away than this is cancelled and raises
            ``ChannelBacklogged`` (a worker should not sleep for minutes).
        sleep: Injected for tests.
    """

    def __init__(self, client: redis.Redis, webhook_rate: Rate, channel_rate: Rate, *,
                 margin_s: float = 0.25, max_wait_s: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.webhook_rate, self.channel_rate = webhook_rate, channel_rate
        self.margin_s, self.max_wait_s = margin_s, max_wait_s
        self._sleep = sleep
        self._reserve = client.register_script(_RESERVE)
        self._release = client.register_script(_RELEASE)

    @staticmethod
    def keys(channel_id: str, webhook_id: str | None) -> tuple[str, ...]:
        """Bucket keys; the ``{channel}`` hash tag keeps one channel's buckets in one Redis
        Cluster slot (the script touches them together)."""
        channel = f"{PREFIX}:{{{channel_id}}}:channel"
        if webhook_id is None:
            return (channel,)
        return (f"{PREFIX}:{{{channel_id}}}:webhook:{webhook_id}", channel)

    def reserve(self, channel_id: str, webhook_id: str | None = None) -> Reservation:
        """Reserve the next post to ``channel_id`` (the parent channel for a thread), through
        ``webhook_id`` (None: a bot post, which only counts against the channel).

        Raises:
            PacingUnavailable: Redis cannot be reached.
            ChannelBacklogged: The post would have to wait more than ``max_wait_s``.
        """
        keys = self.keys(channel_id, webhook_id)
        rates = ([self.webhook_rate] if webhook_id is not None else []) + [self.channel_rate]
        args: list[int] = []
        for rate in rates:
            args += [rate.limit, math.ceil((rate.per_s + self.margin_s) * 1000)]
        try:
            wait_ms, stamp = self._reserve(keys=list(keys), args=args)
        except redis.RedisError as exc:
            raise PacingUnavailable(
                f"Cannot pace Discord posts: Redis is unavailable ({exc}). Nothing was posted; "
                "check PERSONAE_REDIS_URL and that Redis is running.") from exc
        reservation = Reservation(int(wait_ms) / 1000, keys, _text(stamp))
        if reservation.wait_s > self.max_wait_s:
            self.release(reservation)
            raise ChannelBacklogged(
                f"Discord channel {channel_id} has {reservation.wait_s:.0f} s of posts "
                f"scheduled already (limit {self.channel_rate} per channel); this one was "
                "dropped rather than held longer.")
        return reservation

    def release(self, reservation: Reservation) -> None:
        """Give a reservation back (best effort: a lost one only makes pacing stricter)."""
        try:
            self._release(keys=list(reservation.keys), args=[reservation.stamp])
        except redis.RedisError:
            pass

    def wait_turn(self, channel_id: str, webhook_id: str | None = None) -> float:
        """Reserve, then sleep until the reserved time. Returns the seconds slept."""
        reservation = self.reserve(channel_id, webhook_id)
        if reservation.wait_s > 0:
            self._sleep(reservation.wait_s)
        return reservation.wait_s


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
