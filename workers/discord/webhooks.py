"""One bot-owned webhook per Discord channel: found, created, remembered, forgotten, executed.

``Webhooks.obtain`` returns the channel's webhook: the one stored in ``channel_webhooks``
(``uow.links``), else a webhook this bot already owns in the channel (``GET
/channels/{id}/webhooks``: an earlier install, or a row lost), else a new one (``POST
/channels/{id}/webhooks``, named "Personae"). Discord allows 15 webhooks per channel, so
workers never race to create: a Redis lock per channel makes one of them create it while the
others wait and then read it from the database. Threads and forum posts have no webhooks of
their own: callers pass the parent channel and post with ``thread_id``.

``send`` executes the webhook through discord.py's ``SyncWebhook`` with the character's name
and avatar, ``allowed_mentions`` none (always: if it is omitted Discord parses @everyone and
roles) and ``wait=True`` (Discord answers with the message, whose id we return).

Errors from Discord are discord.py's ``HTTPException`` family (``send``) or ``DiscordRejected``
(``obtain``); the outbox decides what they mean. Redis unreachable while locking raises
``PacingUnavailable``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import discord
import redis
import requests

from engine.adapters.sql.uow import UnitOfWork
from engine.clock import Clock
from workers.discord.errors import DeliveryError, PacingUnavailable
from workers.discord.http import BotRest

__all__ = ["Hook", "Webhooks", "WEBHOOK_NAME"]

log = logging.getLogger(__name__)

WEBHOOK_NAME = "Personae"
NO_MENTIONS = discord.AllowedMentions.none()


@dataclass(frozen=True)
class Hook:
    id: str
    token: str


class Webhooks:
    """See the module docstring.

    Args:
        uow: Opens a unit of work.
        bot: The bot-token REST client (None: no token, so no webhook can be created).
        client: Redis, for the per-channel creation lock.
        clock: Stamps stored webhooks.
        session: This thread's ``requests`` session for discord.py.
    """

    def __init__(self, uow: Callable[[], UnitOfWork], bot: BotRest | None, client: redis.Redis,
                 clock: Clock, session: Callable[[], requests.Session]) -> None:
        self.uow, self.bot, self.client, self.clock = uow, bot, client, clock
        self.session = session
        self._me: str | None = None

    def stored(self, uow: UnitOfWork, channel_row_id: int) -> Hook | None:
        found = uow.links.webhook(channel_row_id)
        return Hook(found.webhook_id, found.token) if found else None

    def obtain(self, channel_row_id: int, channel_external_id: str) -> Hook:
        """The channel's webhook, found or created (see the module docstring).

        Raises:
            DiscordRejected: Listing or creating failed (403 50013 without Manage Webhooks,
                400 30007 at 15 webhooks, 400 50024 on a thread...).
            PacingUnavailable: Redis is down (the lock cannot be taken).
        """
        with self._creation_lock(channel_external_id):
            with self.uow() as uow:
                hook = self.stored(uow, channel_row_id)
            if hook is not None:  # another worker created it while we waited
                return hook
            if self.bot is None:
                raise DeliveryError("No Discord bot token (PERSONAE_DISCORD_TOKEN): "
                                        "cannot create the channel's webhook.")
            hook = self._ours_in(channel_external_id) or self._create(channel_external_id)
            with self.uow() as uow:
                uow.links.save_webhook(channel_row_id, hook.id, hook.token, self.clock.now())
                uow.commit()
            log.info("discord: webhook %s now posts in channel %s", hook.id, channel_external_id)
            return hook

    def forget(self, channel_row_id: int, hook: Hook) -> None:
        """Drop a webhook Discord no longer knows (deleted by a moderator)."""
        with self.uow() as uow:
            uow.links.forget_webhook(channel_row_id, hook.id)
            uow.commit()

    def send(self, hook: Hook, content: str, *, username: str, avatar_url: str | None,
             thread_id: str | None) -> str:
        """Execute the webhook; the new message's id. Raises discord.py's ``HTTPException``
        family for error answers (see ``DiscordSession`` for 429s)."""
        webhook = discord.SyncWebhook.partial(int(hook.id), hook.token, session=self.session())
        extra: dict[str, Any] = {}
        if avatar_url:
            extra["avatar_url"] = avatar_url
        if thread_id:
            extra["thread"] = discord.Object(int(thread_id))
        message = webhook.send(content, username=username, allowed_mentions=NO_MENTIONS,
                               wait=True, **extra)
        return str(message.id)

    # -- internals ---------------------------------------------------------------------------

    @contextmanager
    def _creation_lock(self, channel_external_id: str) -> Any:
        lock = self.client.lock(f"personae:discord:webhook-lock:{channel_external_id}",
                                timeout=30, blocking_timeout=35)
        try:
            acquired = lock.acquire()
        except redis.RedisError as exc:
            raise PacingUnavailable(f"Cannot coordinate webhook creation: Redis is unavailable "
                                    f"({exc}). Nothing was posted.") from exc
        if not acquired:
            raise PacingUnavailable(f"Timed out waiting for another worker to create the "
                                    f"webhook of channel {channel_external_id}.")
        try:
            yield
        finally:
            try:
                lock.release()
            except redis.RedisError:  # expired or Redis gone: the timeout frees it anyway
                pass

    def _bot_id(self) -> str:
        assert self.bot is not None
        if self._me is None:
            self._me = str(self.bot.request("GET", "/users/@me")["id"])
        return self._me

    def _ours_in(self, channel_external_id: str) -> Hook | None:
        assert self.bot is not None
        hooks = self.bot.request("GET", f"/channels/{channel_external_id}/webhooks") or []
        if not hooks:
            return None
        me = self._bot_id()
        for h in hooks:
            owner = (h.get("user") or {}).get("id")
            if h.get("type") == 1 and h.get("token") and me in (
                    str(h.get("application_id")), str(owner)):
                return Hook(str(h["id"]), str(h["token"]))
        return None

    def _create(self, channel_external_id: str) -> Hook:
        assert self.bot is not None
        h = self.bot.request("POST", f"/channels/{channel_external_id}/webhooks",
                             {"name": WEBHOOK_NAME})
        return Hook(str(h["id"]), str(h["token"]))
