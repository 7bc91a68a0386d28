"""``DiscordOutbox``: the ``Outbox`` RQ workers deliver characters' lines to Discord with.

REST only, no gateway. For one ``OutgoingMessage``:

1. The text is split into parts of at most 2,000 characters (``split.py``); an empty text
   raises ``DeliveryError``.
2. The engine channel is read (it must belong to the message's Discord ecosystem, else
   ``DeliveryError``). A blocked channel (``blocking.py``: the bot lost a permission there, or
   in the parent of a thread) fails at once with ``ChannelBlocked`` — no request to Discord.
3. Each part is posted, in order, after waiting its turn (``pacing.py``: limits shared by every
   worker through Redis; ``PacingUnavailable`` when Redis is down — nothing is posted unpaced;
   the turn is confirmed with the real time once Discord has answered):
   - **persona mode** (default): through the channel's bot-owned webhook (``webhooks.py``) with
     the character's name (made acceptable to Discord: ``names.py``) and avatar; a thread
     through its parent's webhook with ``thread_id``. Webhook posts cannot reply to a message,
     so ``reply_to_external_id`` is not used in this mode.
   - **dedicated-bot mode**: when the character's name is in ``discord_character_tokens``, as
     that bot user (``POST /channels/{id}/messages`` with its token), replying to
     ``reply_to_external_id`` when set (``fail_if_not_exists`` false). Counts against the
     channel's limit only. A DM (channel setting ``dm``, see ``bots/discord/channels.py``)
     is always answered this way; without the character's token it raises ``DeliveryError``.
   ``allowed_mentions`` is always none: nobody is pinged by a character.
4. Returns the Discord id of the **first** part (the engine records the whole text under it; a
   reply to any later part is not resolved to the character).

Failures: a webhook deleted by a moderator (404 10015, or 401 50027 when its token changed) is
forgotten, recreated once and the part posted again; a second failure is raised. A 429 is
waited out by discord.py (or ``BotRest``) when its ``Retry-After`` is at most
``max_retry_after_s``, else ``RateLimited`` is raised. Missing permissions block the channel and
are reported once (``blocking.py``), raising ``ChannelBlocked``. Anything else raises
``DiscordRejected`` with Discord's status and code. When a later part fails after the first
was posted, the error is logged and the first part's id returned (the message is partly
visible; failing the whole delivery would record nothing of it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import discord
import redis
import requests

from engine.adapters.sql.spaces import Channel
from engine.adapters.sql.uow import UnitOfWork
from engine.clock import Clock, SystemClock
from engine.messages import OutgoingMessage
from engine.ports import EventStream
from engine.services.perceive import event_payload
from engine.settings import Settings
from workers.discord import blocking
from workers.discord.errors import ChannelBlocked, DeliveryError, DiscordRejected, RateLimited
from workers.discord.http import BotRest, DiscordSession, RateLimitCounter, api_base, error_of
from workers.discord.names import avatar_or_none, webhook_username
from workers.discord.pacing import Pacer, Rate
from workers.discord.split import split_message
from workers.discord.webhooks import Hook, Webhooks
from workers.stream import RedisEventStream

__all__ = ["DiscordOutbox"]

log = logging.getLogger(__name__)

NO_MENTIONS_JSON = {"parse": [], "replied_user": False}


@dataclass
class _Target:
    """Where one message goes, read once per delivery."""

    ecosystem_id: int
    admin_channel_id: str | None
    row: Channel  # the engine channel the message is for (a thread, for a thread)
    parent_row_id: int  # the channel whose webhook posts (the row itself unless a thread)
    parent_external_id: str
    thread_external_id: str | None
    hook: Hook | None
    recreated: bool = False


class DiscordOutbox:
    """Delivers ``OutgoingMessage``s to Discord (see the module docstring).

    Args:
        settings: ``discord_token``, ``discord_api_base``, ``discord_character_tokens``,
            ``discord_webhook_rate``, ``discord_channel_rate`` (a malformed rate raises
            ``ValueError`` here).
        uow: Opens a unit of work.
        client: Redis shared by all workers (pacing, webhook-creation locks, report claims).
        clock: For block times (the cool-off) and stored webhooks.
        stream: Where the SYSTEM notice of a blocked channel is published.
        block_cooloff_s: How long a blocked channel is left alone before one new attempt.
        max_retry_after_s: The longest ``Retry-After`` waited out.
        pacing_margin_s, max_pacing_wait_s: See ``Pacer``.
    """

    def __init__(self, settings: Settings, uow: Callable[[], UnitOfWork], client: redis.Redis, *,
                 clock: Clock | None = None, stream: EventStream | None = None,
                 block_cooloff_s: float = 600.0, max_retry_after_s: float = 30.0,
                 pacing_margin_s: float = 0.25, max_pacing_wait_s: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings, self.uow, self.client = settings, uow, client
        self.clock = clock or SystemClock()
        self.stream = stream or RedisEventStream(client)
        self.cooloff = timedelta(seconds=block_cooloff_s)
        self.max_retry_after_s = max_retry_after_s
        self.rate_limits = RateLimitCounter()  # 429s this outbox saw
        self._sleep = sleep
        self._local = threading.local()
        self._bots: dict[str, BotRest] = {}
        self._bots_lock = threading.Lock()
        self.pacer = Pacer(client, Rate.parse(settings.discord_webhook_rate),
                           Rate.parse(settings.discord_channel_rate), margin_s=pacing_margin_s,
                           max_wait_s=max_pacing_wait_s, sleep=sleep)
        main = self._bot(settings.discord_token) if settings.discord_token else None
        self.webhooks = Webhooks(uow, main, client, self.clock, self._session)

    # -- the port ----------------------------------------------------------------------------

    def deliver(self, message: OutgoingMessage) -> str:
        """Post ``message``; the Discord id of its first part (see the module docstring)."""
        parts = split_message(message.text)
        if not parts:
            raise DeliveryError("Nothing to post: the message is empty.")
        target = self._target(message)
        token = None if message.from_app else self._character_token(message.character_name)
        if token is None and target.row.settings.get("dm"):
            raise DeliveryError(
                f"{message.character_name} has no bot token of its own "
                "(PERSONAE_DISCORD_CHARACTER_TOKENS): a DM can only be answered by the bot it "
                "was sent to, and DMs have no webhooks.")
        first_id: str | None = None
        for index, part in enumerate(parts):
            try:
                if token is not None:
                    posted = self._post_as_bot(target, token, message, part, first=index == 0)
                else:
                    posted = self._post_via_webhook(target, message, part)
            except DeliveryError:
                if first_id is None:
                    raise
                log.exception("discord: part %d of %d of %s's message in %s failed; the first "
                              "part (%s) stands", index + 1, len(parts), message.character_name,
                              target.row.external_id, first_id)
                break
            first_id = first_id or posted
        if blocking.has_block(target.row.settings):  # it works again: the episode is over
            with self.uow() as uow:
                blocking.clear_block(uow, target.row.id)
                uow.commit()
        assert first_id is not None
        return first_id

    # -- reading the target ------------------------------------------------------------------

    def _target(self, message: OutgoingMessage) -> _Target:
        now = self.clock.now()
        with self.uow() as uow:
            eco = uow.spaces.get_ecosystem(message.ecosystem_id)
            if eco is None or eco.platform != "discord":
                raise DeliveryError(f"Ecosystem {message.ecosystem_id} is not a Discord server.")
            row = uow.spaces.find_channel(eco.id, message.channel_external_id)
            if row is None:
                raise DeliveryError(f"Discord channel {message.channel_external_id} is not a "
                                    f"channel of {eco.name}.")
            parent_ext = message.parent_channel_external_id
            if parent_ext and parent_ext != row.external_id:
                parent = uow.spaces.ensure_channel(eco.id, parent_ext, parent_ext, now)
                uow.commit()
                thread: str | None = row.external_id
            else:
                parent, thread = row, None
            for checked in (row, parent):
                block = blocking.active_block(checked.settings, now, self.cooloff)
                if block is not None:
                    raise ChannelBlocked(
                        f"Not posting in Discord channel {checked.external_id}: {block.reason} "
                        f"(since {block.since:%Y-%m-%d %H:%M} UTC). Give the permission back "
                        "and run /personae setup there, or wait for the next attempt at "
                        f"{block.at + self.cooloff:%H:%M} UTC.")
            admin = eco.settings.get("admin_channel_id")
            return _Target(eco.id, str(admin) if admin else None, row, parent.id,
                           parent.external_id, thread, self.webhooks.stored(uow, parent.id))

    def _character_token(self, name: str) -> str | None:
        tokens = self.settings.discord_character_tokens
        if name in tokens:
            return tokens[name]
        folded = name.casefold()
        return next((t for n, t in tokens.items() if n.casefold() == folded), None)

    # -- posting -----------------------------------------------------------------------------

    def _post_via_webhook(self, target: _Target, message: OutgoingMessage, part: str) -> str:
        hook = target.hook or self._obtain(target)
        while True:
            turn = self.pacer.wait_turn(target.parent_external_id, hook.id)
            try:
                return self.webhooks.send(
                    hook, part, username=webhook_username(message.character_name),
                    avatar_url=avatar_or_none(message.avatar_url),
                    thread_id=target.thread_external_id)
            except discord.HTTPException as exc:
                gone = (exc.status, exc.code) in ((404, 10015), (401, 50027))
                if gone and not target.recreated:
                    log.warning("discord: webhook %s of channel %s is gone (%s %s); recreating "
                                "it once", hook.id, target.parent_external_id, exc.status,
                                exc.code)
                    target.recreated = True
                    self.webhooks.forget(target.parent_row_id, hook)
                    target.hook = None
                    hook = self._obtain(target)
                    continue
                if exc.status == 429:  # one discord.py did not retry (no ``Via`` header)
                    raise RateLimited(f"Discord rate-limited the webhook post: {exc.text}"
                                      ) from exc
                raise self._failed(target, error_of(exc), "post through the channel's webhook"
                                   ) from exc
            finally:
                self.pacer.confirm(turn)

    def _obtain(self, target: _Target) -> Hook:
        try:
            target.hook = self.webhooks.obtain(target.parent_row_id, target.parent_external_id)
        except DiscordRejected as exc:
            raise self._failed(target, exc, "let the bot manage the channel's webhooks "
                                            "(Manage Webhooks)") from exc
        return target.hook

    def _post_as_bot(self, target: _Target, token: str, message: OutgoingMessage, part: str,
                     *, first: bool) -> str:
        payload: dict[str, Any] = {"content": part, "allowed_mentions": NO_MENTIONS_JSON}
        if first and message.reply_to_external_id:
            payload["message_reference"] = {"message_id": message.reply_to_external_id,
                                            "fail_if_not_exists": False}
        turn = self.pacer.wait_turn(target.parent_external_id, None)
        try:
            data = self._bot(token).request(
                "POST", f"/channels/{target.row.external_id}/messages", payload)
        except DiscordRejected as exc:
            raise self._failed(target, exc, f"let {message.character_name}'s own bot post "
                                            "(Send Messages)") from exc
        finally:
            self.pacer.confirm(turn)
        return str(data["id"])

    # -- failures ----------------------------------------------------------------------------

    def _failed(self, target: _Target, exc: DiscordRejected, action: str) -> DeliveryError:
        """The error to raise; a blocking answer blocks the channel and is reported once."""
        if not blocking.is_blocking(exc.status, exc.code):
            return exc
        reason = blocking.explain(action, exc.status, exc.code)
        now = self.clock.now()
        with self.uow() as uow:
            block, new = blocking.mark_blocked(uow, target.row.id, reason, exc.code, now)
            uow.commit()
        log.error("discord: channel %s blocked: %s", target.row.external_id, reason)
        text = blocking.notice_text(target.row.external_id, reason, self.cooloff)
        if new and blocking.claim_report(self.client, target.row.id, block.since):
            self._report(target, block, text)
        return ChannelBlocked(text)

    def _report(self, target: _Target, block: blocking.Block, text: str) -> None:
        event = blocking.system_event(target.ecosystem_id, target.row.id,
                                      target.row.external_id, block, text)
        with self.uow() as uow:
            stored = uow.events.append(event) is not None
            uow.commit()
        if stored:
            self.stream.publish(target.ecosystem_id,
                                event_payload(event, target.row.external_id, None))
        admin, bot = target.admin_channel_id, self.webhooks.bot
        if not admin or bot is None or admin == target.row.external_id:
            return
        try:
            turn = self.pacer.wait_turn(admin, None)
            try:
                bot.request("POST", f"/channels/{admin}/messages",
                            {"content": text, "allowed_mentions": NO_MENTIONS_JSON})
            finally:
                self.pacer.confirm(turn)
        except DeliveryError as exc:
            log.warning("discord: could not tell the admins in channel %s: %s", admin, exc)

    # -- plumbing ----------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        """This thread's session (``requests`` sessions are not meant to be shared)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = DiscordSession(
                self.settings.discord_api_base, max_retry_after_s=self.max_retry_after_s,
                counter=self.rate_limits)
        return session

    def _bot(self, token: str) -> BotRest:
        with self._bots_lock:
            rest = self._bots.get(token)
            if rest is None:
                rest = self._bots[token] = BotRest(
                    token, lambda: api_base(self.settings.discord_api_base), self._session,
                    max_retry_after_s=self.max_retry_after_s, counter=self.rate_limits,
                    rejected_cooloff_s=self.cooloff.total_seconds(), sleep=self._sleep)
            return rest
