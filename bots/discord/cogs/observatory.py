"""``/observatory``: what is going on — active characters and their moods, relationships,
ongoing conversations, notable changes (plus alliances, conflicts and who is influential).
Open to everyone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bots.discord.cogs.base import PersonaeCog, begin, install_error_handler, show
from bots.discord.embeds import observatory_embed
from engine.services.observatory import observatory

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Observatory", "setup"]


class Observatory(PersonaeCog):
    """The community at a glance."""

    @app_commands.command(name="observatory", description="What the cast is up to right now")
    @app_commands.guild_only()
    async def observatory_command(self, interaction: discord.Interaction) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        report = await self.call(observatory, self.deps, eco)
        await show(interaction, embed=observatory_embed(report))


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Observatory(bot))
