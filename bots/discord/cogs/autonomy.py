"""``/autonomy level|pace|quiet-hours|quiet-hours-off|show``: how lively the cast is.

* ``level`` — a character's autonomy: 0 answers only when addressed, 1 joins conversations,
  2 starts them, 3 starts them often.
* ``pace`` — the fewest seconds between character posts in a channel (0: the default).
* ``quiet-hours`` — a daily span (in a time zone) when characters start nothing and only
  answer when addressed; ``everywhere`` applies it to every channel, and to those set up later.

Showing is open to everyone; changing is for directors. The rules are the engine's
(``engine.pacing``, ``engine.services.autonomy_settings``).
"""

from __future__ import annotations

import functools
import zoneinfo
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.checks import director_only
from bots.discord.cogs.base import (
    ChannelOption,
    PersonaeCog,
    begin,
    character_autocomplete,
    install_error_handler,
    show,
    target_channel,
)
from bots.discord.embeds import autonomy_embed, channel_label, plain
from engine.pacing import MAX_PACE_S, QuietHours
from engine.services import autonomy_settings
from engine.services.autonomy_settings import LEVEL_NAMES
from engine.services.characters import match_names
from engine.services.community import ChannelRef

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Autonomy", "setup"]


@functools.cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


async def zone_autocomplete(interaction: discord.Interaction,
                            current: str) -> list[app_commands.Choice[str]]:
    names = match_names(("UTC", *_zones()), current or "UTC", 25)
    return [app_commands.Choice(name=n, value=n) for n in names]


def _scope(interaction: discord.Interaction, channel: ChannelOption | None,
           everywhere: bool) -> tuple[ChannelRef | None, str]:
    if everywhere:
        return None, "every channel (and those set up later)"
    where = target_channel(interaction, channel)
    return where, channel_label(where.external_id)


@app_commands.guild_only()
class Autonomy(PersonaeCog, commands.GroupCog, group_name="autonomy",
               group_description="How lively the cast is: autonomy, pace, quiet hours"):
    """Autonomy levels, channel pace and quiet hours."""

    @app_commands.command(description="How freely a character speaks (0 to 3)")
    @app_commands.describe(character="The character",
                           level="0 answers when addressed, 1 joins in, 2 starts "
                                 "conversations, 3 often")
    @app_commands.autocomplete(character=character_autocomplete)
    @director_only()
    async def level(self, interaction: discord.Interaction, character: str,
                    level: app_commands.Range[int, 0, 3]) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        updated = await self.call(autonomy_settings.set_autonomy_level, self.deps, eco,
                                  character, level)
        await show(interaction, f"**{plain(updated.name)}** now {LEVEL_NAMES[level]} "
                                f"(autonomy {level}).")

    @app_commands.command(description="Fewest seconds between character posts in a channel")
    @app_commands.describe(seconds="Seconds between posts; 0 goes back to the default",
                           channel="Another channel than this one",
                           everywhere="Every channel, and those set up later")
    @director_only()
    async def pace(self, interaction: discord.Interaction,
                   seconds: app_commands.Range[int, 0, MAX_PACE_S],
                   channel: ChannelOption | None = None, everywhere: bool = False) -> None:
        await begin(interaction)
        where, label = _scope(interaction, channel, everywhere)
        eco = await self.ecosystem_id(interaction)
        await self.call(autonomy_settings.set_pace, self.deps, eco, where, seconds)
        said = (f"at least {seconds} s apart" if seconds else
                f"at the default pace ({self.deps.settings.channel_min_interval_s:g} s apart)")
        await show(interaction, f"Characters now post {said} in {label}.")

    @app_commands.command(name="quiet-hours",
                          description="When characters start nothing and answer only when "
                                      "addressed")
    @app_commands.describe(start="From, e.g. 23:00", end="Until, e.g. 07:00",
                           timezone="Time zone, e.g. Europe/Paris (default UTC)",
                           channel="Another channel than this one",
                           everywhere="Every channel, and those set up later")
    @app_commands.autocomplete(timezone=zone_autocomplete)
    @director_only()
    async def quiet_hours(self, interaction: discord.Interaction, start: str, end: str,
                          timezone: str = "UTC", channel: ChannelOption | None = None,
                          everywhere: bool = False) -> None:
        quiet = QuietHours.parse(start, end, timezone)  # a typo is refused at once
        await begin(interaction)
        where, label = _scope(interaction, channel, everywhere)
        eco = await self.ecosystem_id(interaction)
        await self.call(autonomy_settings.set_quiet_hours, self.deps, eco, where, quiet)
        await show(interaction, f"Quiet hours in {label}: {quiet.describe()}. Characters "
                                "start nothing then, and answer only when addressed.")

    @app_commands.command(name="quiet-hours-off", description="Lift quiet hours")
    @app_commands.describe(channel="Another channel than this one",
                           everywhere="Every channel, and those set up later")
    @director_only()
    async def quiet_hours_off(self, interaction: discord.Interaction,
                              channel: ChannelOption | None = None,
                              everywhere: bool = False) -> None:
        await begin(interaction)
        where, label = _scope(interaction, channel, everywhere)
        eco = await self.ecosystem_id(interaction)
        await self.call(autonomy_settings.set_quiet_hours, self.deps, eco, where, None)
        await show(interaction, f"No quiet hours in {label} any more.")

    @app_commands.command(description="Announce notable relationship changes and alliances")
    @app_commands.describe(on="Announce them (posted in the bot's name) or not",
                           channel="Another channel than this one",
                           everywhere="Every channel, and those set up later")
    @director_only()
    async def announcements(self, interaction: discord.Interaction, on: bool,
                            channel: ChannelOption | None = None,
                            everywhere: bool = False) -> None:
        await begin(interaction)
        where, label = _scope(interaction, channel, everywhere)
        eco = await self.ecosystem_id(interaction)
        await self.call(autonomy_settings.set_announcements, self.deps, eco, where, on)
        await show(interaction, f"Relationship changes and alliances are "
                                f"{'now' if on else 'no longer'} announced in {label}.")

    @app_commands.command(name="show",
                          description="The pace, quiet hours and autonomy in a channel")
    @app_commands.describe(channel="Another channel than this one")
    async def show_(self, interaction: discord.Interaction,
                   channel: ChannelOption | None = None) -> None:
        await begin(interaction)
        where = target_channel(interaction, channel)
        eco = await self.ecosystem_id(interaction)
        overview = await self.call(autonomy_settings.autonomy_overview, self.deps, eco,
                                   where.external_id)
        await show(interaction, embed=autonomy_embed(overview))


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Autonomy(bot))
