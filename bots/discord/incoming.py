"""Who wrote a Discord message, and the ``IncomingMessage`` it becomes (pure: no I/O).

Kinds of author, and what intake does with each:

* ``ours`` — the bot itself, one of our webhooks (a character's post, recorded when it was sent)
  or a character's own bot (dedicated-bot mode): never ingested again.
* ``member`` — a person: ingested, addressed by name, @mention of a dedicated bot or a reply.
* ``other_bot`` — another bot or another integration's webhook (PluralKit proxies people's
  messages through webhooks, so these can be people too): ingested as untrusted text, read and
  witnessed like a member's, never obeyed (prefix commands ignore bots and bots cannot run
  slash commands). Their replies and @mentions do not address a character, so a chatty bot
  answering every message cannot pin a character in an endless exchange; saying a character's
  name still does, bounded by the engine's pacing and cooldowns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import discord

from engine.messages import IncomingMessage

__all__ = ["AuthorKind", "Origin", "PLATFORM", "channel_name", "classify",
           "mentioned_characters", "to_incoming"]

PLATFORM = "discord"


class AuthorKind(StrEnum):
    OURS = "ours"
    MEMBER = "member"
    OTHER_BOT = "other_bot"


@dataclass(frozen=True)
class Origin:
    """What intake knows about our own identities when it classifies an author."""

    bot_user_id: int | None
    application_id: int | None
    webhook_ids: frozenset[str]
    account_user_ids: frozenset[str]


def classify(message: Any, origin: Origin) -> AuthorKind:
    """Whose message this is (``message`` is a ``discord.Message`` or anything shaped like it)."""
    author_id = str(message.author.id)
    if origin.bot_user_id is not None and message.author.id == origin.bot_user_id:
        return AuthorKind.OURS
    if message.webhook_id is not None:
        # Discord sets application_id on the messages of application-owned webhooks: that
        # recognises our webhooks even before their row is written.
        app = getattr(message, "application_id", None)
        if (app is not None and app == origin.application_id) or (
                str(message.webhook_id) in origin.webhook_ids):
            return AuthorKind.OURS
        return AuthorKind.OTHER_BOT
    if author_id in origin.account_user_ids:
        return AuthorKind.OURS
    if getattr(message.author, "bot", False) or getattr(message.author, "system", False):
        return AuthorKind.OTHER_BOT
    return AuthorKind.MEMBER


def mentioned_characters(user_ids: Iterable[int | str], accounts: Mapping[str, int]
                         ) -> tuple[int, ...]:
    """The characters whose own bot users are @mentioned (in order, once each)."""
    found = [accounts[str(u)] for u in user_ids if str(u) in accounts]
    return tuple(dict.fromkeys(found))


def to_incoming(message: Any, *, space_id: str, accounts: Mapping[str, int],
                trusted: bool = True) -> IncomingMessage:
    """The engine's view of a guild (or DM) message.

    Args:
        message: A ``discord.Message`` (or anything with its attributes).
        space_id: The ecosystem's platform id: the guild, or for a DM the character's guild.
        accounts: Discord user id → character id, for characters with their own bot.
        trusted: False for other bots' messages: their replies and @mentions address nobody.
    """
    author = message.author
    reference = message.reference
    reply_to = reference.message_id if trusted and reference is not None else None
    mentions = [u.id for u in message.mentions] if trusted else []
    return IncomingMessage(
        platform=PLATFORM,
        space_id=space_id,
        channel_id=str(message.channel.id),
        author_id=str(author.id),
        author_name=getattr(author, "display_name", None) or str(author.name),
        text=message.content or "",
        message_id=str(message.id),
        reply_to_message_id=str(reply_to) if reply_to else None,
        mentioned_character_ids=mentioned_characters(mentions, accounts),
        sent_at=message.created_at,
    )


def channel_name(channel: Any) -> str:
    """A readable name for the engine's channel row (``#name``, or the DM's partner)."""
    if isinstance(channel, discord.DMChannel):
        recipient = channel.recipient
        return f"DM with {recipient.display_name}" if recipient else f"DM {channel.id}"
    return str(getattr(channel, "name", None) or channel.id)
