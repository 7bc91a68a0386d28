"""``/relationships graph|story``: the relationship graph as a PNG, or how two came to feel as
they do. Open to everyone; rendering the graph is slow work, done off the event loop after the
interaction is acknowledged."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.cogs.base import (
    PersonaeCog,
    begin,
    character_autocomplete,
    install_error_handler,
    show,
)
from bots.discord.embeds import COLOUR, DESCRIPTION_MAX, clip, plain
from engine.services import characters
from engine.services.observatory import relationship_graph, relationship_story

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Relationships", "setup", "GRAPH_FILE"]

GRAPH_FILE = "relationships.png"


@app_commands.guild_only()
class Relationships(PersonaeCog, commands.GroupCog, group_name="relationships",
                    group_description="Friendships, rivalries, alliances and romances"):
    """The relationship graph and the story between two."""

    @app_commands.command(description="The relationship graph of this server's characters")
    async def graph(self, interaction: discord.Interaction) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        png = await self.call(relationship_graph, self.deps, eco)
        embed = discord.Embed(title="Relationships", colour=COLOUR)
        embed.set_image(url=f"attachment://{GRAPH_FILE}")
        await show(interaction, embed=embed, file=discord.File(io.BytesIO(png), GRAPH_FILE))

    @app_commands.command(description="How two characters (or a character and a member) "
                                      "came to feel as they do")
    @app_commands.describe(first="A character (or a member's name)",
                           second="Another character (or a member's name)")
    @app_commands.autocomplete(first=character_autocomplete, second=character_autocomplete)
    async def story(self, interaction: discord.Interaction, first: str, second: str) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        first = await self.call(characters.canonical_name, self.deps, eco, first)
        second = await self.call(characters.canonical_name, self.deps, eco, second)
        text = await self.call(relationship_story, self.deps, eco, first, second)
        embed = discord.Embed(title=clip(f"{first} and {second}", 256),
                              description=clip(plain(text), DESCRIPTION_MAX), colour=COLOUR)
        await show(interaction, embed=embed)


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Relationships(bot))
