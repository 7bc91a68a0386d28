"""What delivering to Discord can fail with. Every message says what happened and what to do.

``engine.services.render`` catches any exception from an outbox and marks the intent failed
with its message, so these messages end up on the intent and in the worker log.
"""

from __future__ import annotations

__all__ = [
    "DeliveryError",
    "ChannelBlocked",
    "PacingUnavailable",
    "ChannelBacklogged",
    "RateLimited",
    "DiscordRejected",
]


class DeliveryError(Exception):
    """Delivering a message to Discord failed; nothing more will be tried for it."""


class ChannelBlocked(DeliveryError):
    """The bot lacks a permission in the channel: deliveries there fail fast (no request is
    sent) until the cool-off passes or ``/personae setup`` clears ``delivery_blocked``."""


class PacingUnavailable(DeliveryError):
    """Redis, which paces every worker's posts, cannot be reached: nothing was posted (posting
    unpaced would risk 429s and, in numbers, an IP ban)."""


class ChannelBacklogged(DeliveryError):
    """The channel already has so many posts scheduled that this one would wait too long."""


class RateLimited(DeliveryError):
    """Discord answered 429 with a ``Retry-After`` longer than we are willing to wait, or kept
    answering 429 after bounded retries."""


class DiscordRejected(DeliveryError):
    """Discord refused the request (any other 4xx, or 5xx after retries).

    Attributes:
        status: The HTTP status.
        code: Discord's JSON error code (0 when there was none).
    """

    def __init__(self, message: str, status: int, code: int) -> None:
        super().__init__(message)
        self.status, self.code = status, code
