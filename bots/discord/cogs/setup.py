"""``/personae setup``: the cast channels, the director role, where delivery problems go.

Admins only (Manage Server): setup decides who directs. Running it again lifts every channel's
blocked delivery (after an admin fixed the bot's permissions) and lets the channels be picked
anew; options left out keep their value.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.checks import admin_only
from bots.discord.cogs.base import (
    PersonaeCog,
    begin,
    cast_changed,
    channel_ref,
    install_error_handler,
    show,
)
from bots.discord.embeds import setup_embed
from bots.discord.views import CastChannelsView
from engine.services import community

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Setup", "setup", "sync_commands"]

log = logging.getLogger(__name__)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Setup(PersonaeCog, commands.GroupCog, group_name="personae",
            group_description="Set Personae up in this server"):
    """The admin's commands."""

    @app_commands.command(
        name="setup", description="Pick the cast's channels, the director role and the admin "
                                  "channel")
    @app_commands.describe(
        director_role="Members with this role may direct the cast (besides Manage Server)",
        admin_channel="Where Personae reports delivery problems (missing permissions)",
        default_director_role="Go back to the default director role name",
    )
    @admin_only()
    async def setup_command(self, interaction: discord.Interaction,
                            director_role: discord.Role | None = None,
                            admin_channel: app_commands.AppCommandChannel | None = None,
                            default_director_role: bool = False) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        options: dict[str, object] = {}
        if director_role is not None:
            options["director_role_id"] = str(director_role.id)
        elif default_director_role:
            options["director_role_id"] = None
        if admin_channel is not None:
            options["admin_channel"] = channel_ref(admin_channel)
        report = await self.call(community.configure, self.deps, eco, **options)

        async def pick(channels: list[community.ChannelRef]) -> discord.Embed:
            picked = await self.call(community.configure, self.deps, eco,
                                     cast_channels=channels)
            cast_changed(self.bot, interaction.guild_id)
            return self._summary(picked)

        view = CastChannelsView(
            interaction, current=[int(c.external_id) for c in report.settings.cast_channels
                                  if c.external_id.isdigit()], on_pick=pick)
        await show(interaction, embed=self._summary(report), view=view)

    def _summary(self, report: community.SetupReport) -> discord.Embed:
        role = report.settings.director_role_id
        label = (f"<@&{role}>" if role else
                 f"the '{self.deps.settings.discord_director_role}' role")
        return setup_embed(report, label, report.settings.admin_channel_id)


async def sync_commands(bot: PersonaeBot) -> None:
    """Publish the slash commands (a bulk overwrite: the same set again changes nothing)."""
    synced = await bot.tree.sync()
    log.info("%d slash commands synced", len(synced))


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Setup(bot))
    once_ready = getattr(bot, "once_ready", None)
    if once_ready is not None:  # on the first on_ready of the process
        once_ready("sync slash commands", lambda: sync_commands(bot))
