"""Intake: members' messages in cast channels enter the engine (``ingest``), nothing else does.

For each gateway MESSAGE_CREATE in a guild (a DM to the main bot is ignored; a character's own
bot takes its DMs, ``bots.discord.dedicated``):

1. Our own posts (the bot, our webhooks, characters' own bots) are skipped: they were recorded
   when they were sent. Other bots and integrations are untrusted input (``incoming``).
2. Only channels with a cast are read (``CastIndex``, a snapshot refreshed every few seconds):
   joining a big server stores nothing of its other channels. A thread of a cast channel
   becomes its own channel with the parent's cast on first use (``channels.open_thread``).
3. The message becomes an ``IncomingMessage`` (``incoming.to_incoming``: @mentions of
   characters' own bots resolved, the replied-to message id kept so that a reply to a
   character's post addresses it) and ``ingest`` runs in a thread, off the gateway loop; the
   render is queued for the workers.

A member who deletes a message in a channel the engine knows has it forgotten (with what
came only from it: ``forgetting.forget_messages``); one who edits it has it remembered in the
new words (``forgetting.amend_message``). Both go through the channel's lock, after the
message itself.

Gateway RESUME replays and duplicated MESSAGE_CREATEs are harmless: ``ingest`` is idempotent
on the message id. Engine errors never crash the bot: a bad message (``InvalidInput``) is
logged and skipped; when the database or Redis is away the message is logged and kept for a
retry (``pending.PendingMessages``); anything else is logged with the message's ids.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import discord
from discord.ext import commands

from bots.discord.channels import open_thread
from bots.discord.incoming import (
    AuthorKind,
    Origin,
    channel_name,
    classify,
    to_incoming,
)
from bots.discord.pending import TRANSIENT, PendingMessages
from engine.errors import InvalidInput
from engine.messages import IncomingMessage
from engine.services.forgetting import amend_message, forget_messages
from engine.services.ingest import IngestResult, ingest

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Intake", "Submission", "find", "setup"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    """One message on its way into the engine."""

    message: IncomingMessage
    channel_name: str


class Intake(commands.Cog):
    """The listener: ``on_message`` → ``ingest``."""

    def __init__(self, bot: PersonaeBot) -> None:
        self.bot = bot
        self.pending: PendingMessages[Submission] = PendingMessages(self.submit)
        #: What happened to each message seen, by outcome (for tests and the log).
        self.outcomes: dict[str, int] = {}
        self.results: list[IngestResult] = []
        self._locks: dict[str, asyncio.Lock] = {}

    async def cog_unload(self) -> None:
        await self.pending.close()

    def _count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        try:
            submission = await self.admit(message)
        except TRANSIENT as exc:  # the cast index could not be read
            log.error("message %s in channel %s not read: the engine is unavailable (%s)",
                      message.id, message.channel.id, exc)
            self._count("unavailable")
            return
        if submission is None:
            return
        await self.deliver(submission)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self._forget(payload.guild_id, payload.channel_id, [payload.message_id])

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent
                                         ) -> None:
        await self._forget(payload.guild_id, payload.channel_id, sorted(payload.message_ids))

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        content = payload.data.get("content")
        if payload.guild_id is None or not isinstance(content, str):
            return  # an embed unfurled, a pin: the words did not change
        space_id, channel_id = str(payload.guild_id), str(payload.channel_id)
        if not await self._known(space_id, channel_id):
            return
        try:
            async with self._locks.setdefault(channel_id, asyncio.Lock()):
                changed = await self.bot.run_engine(
                    amend_message, self.bot.deps, "discord", space_id, channel_id,
                    str(payload.message_id), content)
        except InvalidInput as exc:
            log.warning("edit of message %s refused: %s", payload.message_id, exc)
            self._count("edit_refused")
            return
        except Exception:  # noqa: BLE001 - an edit must never take the bot down
            log.exception("edit of message %s in channel %s not applied", payload.message_id,
                          channel_id)
            self._count("edit_failed")
            return
        self._count("edited" if changed else "edit_nothing")

    async def _known(self, space_id: str, channel_id: str) -> bool:
        try:
            snapshot = await self.bot.cast_index.current()
        except TRANSIENT as exc:
            log.error("channel %s not checked: the engine is unavailable (%s)", channel_id, exc)
            return False
        return (space_id, channel_id) in snapshot.known

    async def _forget(self, guild_id: int | None, channel: int, message_ids: list[int]) -> None:
        """Forget members' deleted messages (the engine leaves characters' posts alone)."""
        if guild_id is None:
            return
        space_id, channel_id = str(guild_id), str(channel)
        if not await self._known(space_id, channel_id):
            return
        try:
            async with self._locks.setdefault(channel_id, asyncio.Lock()):
                report = await self.bot.run_engine(
                    forget_messages, self.bot.deps, "discord", space_id, channel_id,
                    [str(m) for m in message_ids])
        except Exception:  # noqa: BLE001 - a deletion must never take the bot down
            log.exception("deleted message(s) %s in channel %s not forgotten", message_ids,
                          channel_id)
            self._count("forget_failed")
            return
        self._count("forgotten" if report.events else "forget_nothing")

    async def admit(self, message: discord.Message) -> Submission | None:
        """The submission for ``message``, or None if intake leaves it alone."""
        guild = message.guild
        if guild is None:
            self._count("dm_ignored")
            return None
        index = self.bot.cast_index
        snapshot = await index.current()
        kind = classify(message, self._origin(snapshot.webhooks, snapshot.accounts))
        if kind is AuthorKind.OURS:
            self._count("ours")
            return None
        if not (message.content or "").strip():
            self._count("empty")  # attachments or embeds only: nothing to read
            return None
        space_id, channel = str(guild.id), message.channel
        key = (space_id, str(channel.id))
        if key not in snapshot.cast:
            parent_id = getattr(channel, "parent_id", None)
            if not (isinstance(channel, discord.Thread) and parent_id is not None
                    and key not in snapshot.known
                    and (space_id, str(parent_id)) in snapshot.cast):
                self._count("not_cast")
                return None
            opened = await self.bot.run_engine(open_thread, self.bot.deps, space_id,
                                               str(channel.id), channel.name, str(parent_id))
            if not opened:
                self._count("not_cast")
                return None
            index.note_cast(space_id, str(channel.id))
        incoming = to_incoming(message, space_id=space_id, accounts=snapshot.accounts,
                               trusted=kind is AuthorKind.MEMBER)
        return Submission(incoming, channel_name(channel))

    def _origin(self, webhooks: frozenset[str], accounts: dict[str, int]) -> Origin:
        bot = self.bot
        own = {str(c.user.id) for c in bot.dedicated if c.user is not None}
        return Origin(bot.user.id if bot.user else None, bot.application_id, webhooks,
                      frozenset(accounts) | own)

    async def submit(self, submission: Submission) -> IngestResult:
        """Hand one message to the engine (raises what ``ingest`` raises).

        One message at a time per channel, in the order the gateway delivered them (the
        transcript keeps Discord's order; channels run in parallel; a new member's first
        messages in two channels at once are sorted out by ``ingest``).
        """
        lock = self._locks.setdefault(submission.message.channel_id, asyncio.Lock())
        async with lock:
            result: IngestResult = await self.bot.run_engine(
                ingest, self.bot.deps, submission.message, channel_name=submission.channel_name)
            return result

    async def deliver(self, submission: Submission) -> IngestResult | None:
        """Submit, and turn engine errors into log lines (and retries) instead of crashes."""
        msg = submission.message
        where = f"message {msg.message_id} in channel {msg.channel_id} of guild {msg.space_id}"
        try:
            result = await self.submit(submission)
        except InvalidInput as exc:
            log.warning("%s refused: %s", where, exc)
            self._count("invalid")
            return None
        except TRANSIENT as exc:
            log.error("%s not stored yet, the engine is unavailable (%s); kept for a retry "
                      "(%d waiting)", where, exc, len(self.pending) + 1)
            self.pending.add(submission)
            self._count("retrying")
            return None
        except Exception:  # noqa: BLE001 - one message must never take the bot down
            log.exception("%s could not be ingested", where)
            self._count("failed")
            return None
        self._count("duplicate" if result.duplicate else "ingested")
        if not result.duplicate:
            self.results.append(result)
            del self.results[:-100]
            log.debug("%s ingested (addressed: %s)", where, ", ".join(result.addressed) or "-")
        return result


def find(bot: commands.Bot | commands.AutoShardedBot) -> Intake:
    """The loaded intake cog of ``bot`` (``load_extension`` executes the module afresh, so its
    class is not necessarily the one imported here: looked up by name)."""
    cog = bot.get_cog("Intake")
    if cog is None:
        raise LookupError("bots.discord.intake is not loaded")
    return cast(Intake, cog)


async def setup(bot: Any) -> None:
    await bot.add_cog(Intake(bot))
