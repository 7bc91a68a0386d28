"""Pacing of Discord posts, shared by every worker through Redis.

Discord allows about 5 posts per 2 s per webhook and about 30 per minute per channel (all
webhooks and bots of the channel together: ``discord_webhook_rate``, ``discord_channel_rate``).
A webhook post reserves a slot on two buckets at once — its webhook's and its (parent)
channel's —, a bot post on the channel's only, through the generic sliding-log pacer of
``workers.pacing`` (one atomic Lua script on Redis's clock: any interval of T seconds holds at
most N reservations, so no window of Discord's, fixed or sliding, sees more than N posts as
long as they arrive as reserved; ``margin_s`` is added to each T against request jitter).

``wait_turn`` reserves and sleeps until the reserved time; the caller then posts at once and,
once Discord has answered, calls ``confirm``: a post that went out late (a busy machine, a slow
connection) moves its entry to the real time, so posts reserved after that are spaced from when
Discord actually saw it (a late first post of a minute would otherwise let the 31st, reserved a
minute after the *reservation*, land inside Discord's window).

Bad input: a rate that is not ``"N/T"`` with N >= 1 and T > 0 raises ``ValueError`` (at
start-up, from settings). Redis unreachable raises ``PacingUnavailable`` (nothing may be
posted unpaced); a slot further away than ``max_wait_s`` is handed back and raises
``ChannelBacklogged``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis

from workers import pacing
from workers.discord.errors import ChannelBacklogged, PacingUnavailable
from workers.pacing import Rate, Reservation

__all__ = ["Rate", "Pacer", "Reservation", "PREFIX"]

PREFIX = "personae:discord:pace"


class Pacer:
    """Reserves Discord post times (see the module docstring).

    Args:
        client: Redis (real, or fakeredis with the ``lua`` extra).
        webhook_rate, channel_rate: The limits, e.g. ``Rate(5, 2)`` and ``Rate(30, 60)``.
        margin_s: Added to each period against request jitter.
        max_wait_s: The longest a worker sleeps for its turn.
        sleep: Injected for tests.
    """

    def __init__(self, client: redis.Redis, webhook_rate: Rate, channel_rate: Rate, *,
                 margin_s: float = 0.25, max_wait_s: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.webhook_rate, self.channel_rate = webhook_rate, channel_rate
        self._pacer = pacing.Pacer(client, PREFIX, margin_s=margin_s, max_wait_s=max_wait_s,
                                   sleep=sleep)
        self._sleep = sleep

    @staticmethod
    def buckets(channel_id: str, webhook_id: str | None) -> list[str]:
        """Bucket names; the ``{channel}`` hash tag keeps one channel's buckets in one Redis
        Cluster slot (the script touches them together)."""
        channel = f"{{{channel_id}}}:channel"
        return [channel] if webhook_id is None else [
            f"{{{channel_id}}}:webhook:{webhook_id}", channel]

    @classmethod
    def keys(cls, channel_id: str, webhook_id: str | None) -> list[str]:
        return [f"{PREFIX}:{name}" for name in cls.buckets(channel_id, webhook_id)]

    def reserve(self, channel_id: str, webhook_id: str | None = None) -> Reservation:
        """Reserve the next post to ``channel_id`` (the parent channel for a thread) through
        ``webhook_id`` (None: a bot post, which only counts against the channel).

        Raises:
            PacingUnavailable: Redis cannot be reached.
            ChannelBacklogged: The post would have to wait more than ``max_wait_s``.
        """
        names = self.buckets(channel_id, webhook_id)
        rates = [self.webhook_rate, self.channel_rate] if webhook_id else [self.channel_rate]
        try:
            return self._pacer.reserve(list(zip(names, rates, strict=True)))
        except pacing.PacingUnavailable as exc:
            raise PacingUnavailable(
                f"Cannot pace Discord posts: Redis is unavailable ({exc.__cause__ or exc}). "
                "Nothing was posted; check PERSONAE_REDIS_URL and that Redis is running."
            ) from exc
        except pacing.Backlogged as exc:
            raise ChannelBacklogged(
                f"Discord channel {channel_id} has too many posts scheduled already (limit "
                f"{self.channel_rate} per channel): {exc}") from exc

    def release(self, reservation: Reservation) -> None:
        self._pacer.release(reservation)

    def confirm(self, reservation: Reservation) -> None:
        """The post went out (Discord answered): see the module docstring. Best effort."""
        self._pacer.confirm(reservation)

    def wait_turn(self, channel_id: str, webhook_id: str | None = None) -> Reservation:
        """Reserve, then sleep until the reserved time (``wait_s`` seconds)."""
        reservation = self.reserve(channel_id, webhook_id)
        if reservation.wait_s > 0:
            self._sleep(reservation.wait_s)
        return reservation
