"""What delivering to Slack can fail with. Every message says what happened and what to do.

``engine.services.render`` catches any exception from an outbox and marks the intent failed
with its message: these messages end up on the intent and in the worker log.
"""

from __future__ import annotations

__all__ = ["SlackDeliveryError", "ChannelUnavailable", "NoSlackToken"]


class SlackDeliveryError(Exception):
    """Slack refused the post (after the bounded rate-limit retries); nothing more is tried."""


class ChannelUnavailable(SlackDeliveryError):
    """The app cannot post in the channel (removed from it, archived, deleted). The channel is
    marked blocked: later deliveries there fail at once, with no request, until the app is
    invited back or ``/personae setup`` runs again."""


class NoSlackToken(SlackDeliveryError):
    """No bot token for the workspace (not installed, or uninstalled)."""
