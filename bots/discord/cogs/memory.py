"""``/memory search|top|knowledge|show``: browse what a character remembers.

Memories hold members' words, so what a member may see is the engine's rule
(``engine.services.community.memory_channel_filter``):

* everyone can **search** what a character witnessed **in the channel they ask from** —
  everyone there saw it happen (answers are ephemeral: only the asker sees them);
* directors can search **every** channel (``everywhere``), and see what is drawn from all of
  them: the most important memories (``top``), knowledge about others (``knowledge``) and the
  memory overview (``show``), which may hold what was confided in channels others cannot read.

Nothing here changes a memory: even a search by meaning marks nothing as recalled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.checks import director_only, is_director
from bots.discord.cogs.base import (
    PersonaeCog,
    begin,
    character_autocomplete,
    install_error_handler,
    show,
    target_channel,
)
from bots.discord.embeds import channel_label, memory_overview_embed, memory_page_embed
from engine.services import memory_browser
from engine.services.community import search_memories

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Memory", "setup", "PAGE"]

#: Memories per answer (an embed holds about ten of them comfortably).
PAGE = 10


@app_commands.guild_only()
class Memory(PersonaeCog, commands.GroupCog, group_name="memory",
             group_description="Browse what a character remembers"):
    """The memory browser."""

    @app_commands.command(description="Search a character's memories of this channel")
    @app_commands.describe(character="The character", query="Words to look for",
                           meaning="Rank by meaning, as the character recalls",
                           everywhere="Every channel (directors)",
                           page="Which page of results")
    @app_commands.autocomplete(character=character_autocomplete)
    async def search(self, interaction: discord.Interaction, character: str, query: str,
                     meaning: bool = False, everywhere: bool = False,
                     page: app_commands.Range[int, 1, 20] = 1) -> None:
        await begin(interaction)
        here = target_channel(interaction)
        director = everywhere and await is_director(interaction)
        eco = await self.ecosystem_id(interaction)
        result, channel = await self.call(
            search_memories, self.deps, eco, character, query, is_director=director,
            everywhere=everywhere, here=here.external_id, semantic=meaning, limit=PAGE,
            offset=(page - 1) * PAGE)
        scope = ("every channel" if channel is None
                 else f"witnessed in {channel_label(here.external_id)}")
        await show(interaction, embed=memory_page_embed(result, scope))

    @app_commands.command(description="A character's most important memories (directors)")
    @app_commands.describe(character="The character")
    @app_commands.autocomplete(character=character_autocomplete)
    @director_only()
    async def top(self, interaction: discord.Interaction, character: str) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        result = await self.call(memory_browser.top, self.deps, eco, character, limit=PAGE)
        await show(interaction, embed=memory_page_embed(result, "every channel"))

    @app_commands.command(description="What a character knows about the others (directors)")
    @app_commands.describe(character="The character", about="Only about this character or member")
    @app_commands.autocomplete(character=character_autocomplete, about=character_autocomplete)
    @director_only()
    async def knowledge(self, interaction: discord.Interaction, character: str,
                        about: str | None = None) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        result = await self.call(memory_browser.knowledge, self.deps, eco, character,
                                 about=about, limit=PAGE)
        await show(interaction, embed=memory_page_embed(result, "every channel"))

    @app_commands.command(name="show",
                          description="A character's memory at a glance (directors)")
    @app_commands.describe(character="The character")
    @app_commands.autocomplete(character=character_autocomplete)
    @director_only()
    async def show_(self, interaction: discord.Interaction, character: str) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        overview = await self.call(memory_browser.overview, self.deps, eco, character)
        await show(interaction, embed=memory_overview_embed(overview))


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Memory(bot))
