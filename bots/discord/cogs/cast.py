"""``/cast add|remove|list``: who lives in a channel (this one unless another is named).

A character lives in a channel when it witnesses what is said there and may speak there.
Adding one makes the channel a cast channel. Listing is open to everyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.checks import director_only
from bots.discord.cogs.base import (
    ChannelOption,
    PersonaeCog,
    begin,
    cast_changed,
    character_autocomplete,
    install_error_handler,
    show,
    target_channel,
)
from bots.discord.embeds import cast_embed, channel_label, plain
from engine.services import casting

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Cast", "setup"]

@app_commands.guild_only()
class Cast(PersonaeCog, commands.GroupCog, group_name="cast",
           group_description="Who lives in a channel"):
    """Move characters in and out of channels."""

    @app_commands.command(description="Move a character into this channel (or another)")
    @app_commands.describe(character="The character", channel="Another channel than this one")
    @app_commands.autocomplete(character=character_autocomplete)
    @director_only()
    async def add(self, interaction: discord.Interaction, character: str,
                  channel: ChannelOption | None = None) -> None:
        await begin(interaction)
        where = target_channel(interaction, channel)
        eco = await self.ecosystem_id(interaction)
        change = await self.call(casting.add_to_channel, self.deps, eco, where, character)
        cast_changed(self.bot, interaction.guild_id)
        label = channel_label(where.external_id)
        said = "now lives in" if change.changed else "already lived in"
        await show(interaction, f"**{plain(change.character)}** {said} {label}.",
                   embed=cast_embed(label, change.cast))

    @app_commands.command(description="Move a character out of this channel (or another)")
    @app_commands.describe(character="The character", channel="Another channel than this one")
    @app_commands.autocomplete(character=character_autocomplete)
    @director_only()
    async def remove(self, interaction: discord.Interaction, character: str,
                     channel: ChannelOption | None = None) -> None:
        await begin(interaction)
        where = target_channel(interaction, channel)
        eco = await self.ecosystem_id(interaction)
        change = await self.call(casting.remove_from_channel, self.deps, eco, where,
                                 character)
        cast_changed(self.bot, interaction.guild_id)
        label = channel_label(where.external_id)
        said = ("left" if change.changed else "did not live in")
        await show(interaction, f"**{plain(change.character)}** {said} {label} "
                                "(memories and relationships stay).",
                   embed=cast_embed(label, change.cast))

    @app_commands.command(name="list", description="Who lives in this channel (or another)")
    @app_commands.describe(channel="Another channel than this one")
    async def list_(self, interaction: discord.Interaction,
                    channel: ChannelOption | None = None) -> None:
        await begin(interaction)
        where = target_channel(interaction, channel)
        eco = await self.ecosystem_id(interaction)
        cast = await self.call(casting.cast_of_channel, self.deps, eco, where.external_id)
        await show(interaction, embed=cast_embed(channel_label(where.external_id), cast))


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Cast(bot))
