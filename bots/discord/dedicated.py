"""Dedicated-bot mode: a character with its own bot token runs as its own Discord bot user.

Each ``CharacterBot`` is a ``discord.Client`` in the main bot's process and event loop
(``PersonaeBot.start_characters``). It:

* shows that it is an AI persona: its presence reads "AI character · Personae";
* links its bot user to the character on its first ``on_ready``
  (``uow.links.link_account``), so that native @mentions of it — which the main bot reads in
  cast channels — address the character; the character is found by name among the ecosystems
  of the guilds this bot is in (the first match, where the main bot is too, if the name is
  ambiguous). A character that does not exist yet is linked on a later ready or DM;
* takes its DMs: a DM is an engine channel of the character's ecosystem with that character
  alone in its cast (``channels.open_dm``); the main bot ignores DMs.

It reads nothing else: guild messages reach the engine once, through the main bot, whose
intake skips this bot's own posts. Its intents are Guilds and Direct Messages (DM content is
delivered without the privileged Message Content intent).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bots.discord.channels import open_dm
from bots.discord.incoming import PLATFORM, channel_name, to_incoming
from bots.discord.intake import Submission, find

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["ACTIVITY", "CharacterBot", "character_intents", "link_character"]

log = logging.getLogger(__name__)

#: What a character's bot shows as its status: it is an AI persona, not a member.
ACTIVITY = "AI character · Personae"


def character_intents() -> discord.Intents:
    value = discord.Intents.none()
    value.guilds = True
    value.dm_messages = True
    return value


def link_character(deps: Any, name: str, guild_ids: list[str], user_id: str) -> int | None:
    """Link the bot user ``user_id`` to the character called ``name`` in the first of
    ``guild_ids`` whose ecosystem has one; returns its id (None: no such character yet).
    Blocking (database)."""
    now = deps.clock.now()
    with deps.uow() as uow:
        found = []
        for guild_id in guild_ids:
            ecosystem = uow.spaces.find_ecosystem(PLATFORM, guild_id)
            character = (uow.participants.find_character(ecosystem.id, name)
                         if ecosystem is not None else None)
            if character is not None and character.id is not None:
                found.append((guild_id, character.id))
        if not found:
            return None
        if len(found) > 1:
            log.warning("character bot %r: several servers have a character of that name "
                        "(%s); linked to the one in guild %s", name,
                        ", ".join(g for g, _ in found), found[0][0])
        character_id = found[0][1]
        if uow.links.account_of(character_id, PLATFORM) != user_id:
            uow.links.link_account(character_id, PLATFORM, user_id, now)
            uow.commit()
        return character_id


class CharacterBot(discord.Client):
    """One character's own bot user."""

    def __init__(self, owner: PersonaeBot, character_name: str, **options: Any) -> None:
        options.setdefault("intents", character_intents())
        options.setdefault("activity", discord.CustomActivity(name=ACTIVITY))
        options.setdefault("status", discord.Status.online)
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        super().__init__(**options)
        self.owner = owner
        self.character_name = character_name
        self.character_id: int | None = None
        self.ready_count = 0
        self.link_attempts = 0

    async def on_ready(self) -> None:
        self.ready_count += 1
        if self.character_id is None:  # linked once per process; a later ready changes nothing
            await self.link()

    async def link(self) -> int | None:
        """Link this bot user to its character (now, if the character exists)."""
        assert self.user is not None
        self.link_attempts += 1
        main_guilds = {g.id for g in self.owner.guilds}
        guild_ids = [str(g.id) for g in sorted(self.guilds, key=lambda g: g.id not in main_guilds)]
        character_id = await self.owner.run_engine(
            link_character, self.owner.deps, self.character_name, guild_ids, str(self.user.id))
        if character_id is None:
            log.warning("character bot %s: no character named %r in its %d server(s) yet; it "
                        "will be linked when one exists", self.user, self.character_name,
                        len(guild_ids))
            return None
        self.character_id = character_id
        self.owner.cast_index.invalidate()  # its @mentions address the character from now on
        log.info("character bot %s is %r (character %d)", self.user, self.character_name,
                 character_id)
        return character_id

    async def on_message(self, message: discord.Message) -> None:
        if message.guild is not None or self.user is None or message.author.id == self.user.id:
            return
        if message.author.bot or not (message.content or "").strip():
            return
        if self.character_id is None and await self.link() is None:
            log.info("DM to %s ignored: its character does not exist yet", self.user)
            return
        assert self.character_id is not None
        name = channel_name(message.channel)
        space_id = await self.owner.run_engine(
            open_dm, self.owner.deps, self.character_id, str(message.channel.id), name,
            str(self.user.id))
        if space_id is None:
            return
        incoming = to_incoming(message, space_id=space_id, accounts={})
        await find(self.owner).deliver(Submission(incoming, name))
