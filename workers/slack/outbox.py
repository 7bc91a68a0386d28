"""The Slack ``Outbox``: a character's line as ``chat.postMessage(username=, icon_url=)``.

Per channel, posts are paced through Redis (``workers.pacing``, shared by every worker) under
``PERSONAE_SLACK_CHANNEL_RATE``; a 429 that still happens is retried after its ``Retry-After``
by slack_sdk's ``RateLimitErrorRetryHandler`` (bounded). A channel the app cannot post in
(``not_in_channel``, ``channel_not_found``, archived) is marked blocked and refused at once
from then on: no retry loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from engine.adapters.sql.uow import UnitOfWorkFactory
from engine.clock import Clock
from engine.messages import OutgoingMessage
from workers.pacing import Pacer, Rate
from workers.slack import blocking
from workers.slack.errors import ChannelUnavailable, NoSlackToken, SlackDeliveryError
from workers.slack.threads import ThreadMap

__all__ = ["SlackOutbox", "make_web_client", "escape", "BLOCKING_ERRORS", "PACE_PREFIX"]

log = logging.getLogger(__name__)

PACE_PREFIX = "personae:slack:pace"
#: Slack errors meaning "this channel is closed to the app" (retrying cannot help).
BLOCKING_ERRORS = {
    "not_in_channel": "the app was removed from it (or never invited)",
    "channel_not_found": "it does not exist, or the app cannot see it",
    "is_archived": "it is archived",
    "restricted_action": "posting there is restricted by the workspace",
}
#: Longest display name Slack shows for a post's ``username``.
MAX_USERNAME = 80
RATE_LIMIT_RETRIES = 3


def make_web_client(token: str | None, api_base: str | None = None) -> WebClient:
    """A ``WebClient`` that waits out 429s (``Retry-After``) and connection blips, bounded."""
    kwargs: dict[str, object] = {}
    if api_base:
        kwargs["base_url"] = api_base.rstrip("/") + "/"
    return WebClient(
        token=token,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1),
                        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
        **kwargs,  # type: ignore[arg-type]
    )


def escape(text: str) -> str:
    """Slack's control characters escaped: a character's words never ping ``<!channel>`` or
    anyone, nor turn into links it did not mean."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackOutbox:
    """Delivers ``OutgoingMessage``s to Slack; returns the post's ``ts``.

    Args:
        tokens: The bot token of an ecosystem's workspace (raises ``NoSlackToken``).
        pacer: Redis-backed pacing shared by the workers.
        rate: Posts per channel (``PERSONAE_SLACK_CHANNEL_RATE``).
        uow: The unit of work, to mark channels blocked and read the mark.
        clock: For the time a channel got blocked.
        threads: Where threaded messages' parents are recorded.
        api_base: The Web API base URL (tests: a fake on 127.0.0.1).
    """

    def __init__(self, tokens: Callable[[int], str], *, pacer: Pacer, rate: Rate,
                 uow: UnitOfWorkFactory, clock: Clock, threads: ThreadMap,
                 api_base: str | None = None) -> None:
        self.tokens, self.pacer, self.rate = tokens, pacer, rate
        self.uow, self.clock, self.threads, self.api_base = uow, clock, threads, api_base
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def client(self, token: str) -> WebClient:
        with self._lock:
            if token not in self._clients:
                self._clients[token] = make_web_client(token, self.api_base)
            return self._clients[token]

    def deliver(self, message: OutgoingMessage) -> str:
        channel = message.channel_external_id
        reason = blocking.blocked_reason(self.uow, message.ecosystem_id, channel)
        if reason:
            raise ChannelUnavailable(_blocked_text(channel, reason))
        token = self.tokens(message.ecosystem_id)
        if not token:
            raise NoSlackToken("No Slack bot token for this workspace: set "
                               "PERSONAE_SLACK_BOT_TOKEN, or install the app again.")
        thread_ts = None
        if message.reply_to_external_id:
            thread_ts = self.threads.thread_of(channel, message.reply_to_external_id)
        self.pacer.wait_turn(channel, self.rate)
        try:
            response = self.client(token).chat_postMessage(
                channel=channel,
                text=escape(message.text),
                username=message.character_name[:MAX_USERNAME],
                icon_url=message.avatar_url or None,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", "") if exc.response else "")
            if error in BLOCKING_ERRORS:
                text = _blocked_text(channel, f"{error}: {BLOCKING_ERRORS[error]}")
                blocking.block(self.uow, message.ecosystem_id, channel,
                                      f"{error}: {BLOCKING_ERRORS[error]}", self.clock.now())
                log.warning("%s", text)
                raise ChannelUnavailable(text) from exc
            status = exc.response.status_code if exc.response is not None else 0
            raise SlackDeliveryError(
                f"Slack refused the post to channel {channel} ({status} {error or exc}).") from exc
        ts = str(response["ts"])
        if thread_ts:
            self.threads.remember(channel, ts, thread_ts)
        return ts


def _blocked_text(channel: str, reason: str) -> str:
    return (f"Personae cannot post in Slack channel <#{channel}> ({reason}). Invite the app "
            "back with `/invite @Personae` there (or run `/personae setup` again); until then "
            "nothing is sent to that channel.")
