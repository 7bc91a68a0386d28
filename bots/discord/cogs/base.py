"""What every command Cog shares, so that a new capability is one small Cog.

A command handler only translates: it acknowledges the interaction at once (``begin``: a
deferred, ephemeral "thinking" answer, so Discord's 3-second deadline never depends on the
database), calls one engine service off the event loop (``PersonaeCog.call``), and shows the
result (``show``: it edits the deferred answer). Errors never reach members as tracebacks:
``report_error`` turns engine errors (``UserFacingError`` and its children), failed checks and
Discord's refusals into one clear ephemeral line, and logs what is unexpected.

A new capability::

    class Scenes(PersonaeCog, commands.GroupCog, group_name="scene"):
        @app_commands.command(description="Start a scene")
        @director_only()
        @app_commands.autocomplete(character=character_autocomplete)
        async def start(self, interaction: discord.Interaction, character: str) -> None:
            await begin(interaction)
            eco = await self.ecosystem_id(interaction)
            result = await self.call(scenes.start, self.deps, eco, character)
            await show(interaction, result.text)

    async def setup(bot: PersonaeBot) -> None:
        await bot.add_cog(Scenes(bot))
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from engine.errors import ServiceUnavailable, UserFacingError
from engine.services import characters
from engine.services.community import ChannelRef
from engine.services.deps import Deps

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = [
    "PersonaeCog",
    "begin",
    "show",
    "report_error",
    "error_message",
    "character_autocomplete",
    "channel_ref",
    "target_channel",
    "ChannelOption",
    "install_error_handler",
    "forget_names",
    "cast_changed",
    "NAMES_TTL_S",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long autocompletion reuses a community's character names (they change rarely; a
#: change made through a command is seen at once).
NAMES_TTL_S = 15.0
#: Autocompletion must answer within Discord's 3 seconds too.
AUTOCOMPLETE_TIMEOUT_S = 2.0
#: Discord shows at most 25 choices.
MAX_CHOICES = 25
#: Messages go out with no mention parsed, ever.
NO_MENTIONS = discord.AllowedMentions.none()

_UNAVAILABLE = ("Personae cannot reach its storage right now; nothing was changed. "
                "Try again in a minute.")
_UNEXPECTED = ("Something went wrong on our side (it has been logged); nothing was "
               "changed. Try again, or tell a server admin.")


class PersonaeCog(commands.Cog):
    """A Cog of Personae commands: the bot, its engine dependencies and the helpers."""

    def __init__(self, bot: PersonaeBot) -> None:
        self.bot = bot

    @property
    def deps(self) -> Deps:
        return self.bot.deps

    async def call(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a blocking engine call off the gateway's event loop."""
        return await self.bot.run_engine(fn, *args, **kwargs)

    async def ecosystem_id(self, interaction: discord.Interaction) -> int:
        """The community of the interaction's server (created on first use)."""
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        name = interaction.guild.name if interaction.guild and interaction.guild.name else ""
        ecosystem = await self.call(self.bot.ecosystem_of, interaction.guild_id, name)
        return ecosystem.id


# -- answering ----------------------------------------------------------------------------------


async def begin(interaction: discord.Interaction, *, ephemeral: bool = True) -> None:
    """Acknowledge now (a deferred "thinking" answer), before any slow work."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


async def show(interaction: discord.Interaction, content: str | None = None, *,
               embed: discord.Embed | None = None, file: discord.File | None = None,
               view: discord.ui.View | None = None) -> None:
    """Show the result: the deferred answer is edited, or (not acknowledged yet) an ephemeral
    message is sent."""
    if interaction.response.is_done():
        kwargs: dict[str, Any] = {"content": content, "allowed_mentions": NO_MENTIONS}
        if embed is not None:
            kwargs["embed"] = embed
        if file is not None:
            kwargs["attachments"] = [file]
        if view is not None:
            kwargs["view"] = view
        await interaction.edit_original_response(**kwargs)
        return
    send: dict[str, Any] = {"ephemeral": True, "allowed_mentions": NO_MENTIONS}
    if embed is not None:
        send["embed"] = embed
    if file is not None:
        send["file"] = file
    if view is not None:
        send["view"] = view
    await interaction.response.send_message(content, **send)


def error_message(error: BaseException) -> str:
    """What a member is told about ``error`` (unexpected errors are logged here)."""
    if isinstance(error, app_commands.CommandInvokeError):
        return error_message(error.original)
    if isinstance(error, ServiceUnavailable):
        log.warning("storage unavailable: %s", error)
        return _UNAVAILABLE
    if isinstance(error, UserFacingError):
        return str(error)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server, not in direct messages."
    if isinstance(error, app_commands.TransformerError):
        return f"'{error.value}' is not a valid {error.type.name} here."
    if isinstance(error, app_commands.CheckFailure | app_commands.CommandOnCooldown):
        return str(error) or "You cannot use this command here."
    if isinstance(error, discord.Forbidden):
        log.warning("Discord refused: %s", error)
        return ("Discord refused: the bot is missing a permission here "
                f"({error.text or 'Missing Permissions'}). Ask an admin to check its role.")
    if isinstance(error, discord.HTTPException):
        log.warning("Discord error: %s", error)
        return f"Discord did not accept that ({error.status}): {error.text or 'try again'}."
    log.error("unexpected error in a command", exc_info=error)
    return _UNEXPECTED


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the member what went wrong, ephemerally, however far the interaction got."""
    message = error_message(error)
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            if not interaction.response.is_done():
                await interaction.response.autocomplete([])
        elif not interaction.response.is_done():
            await interaction.response.send_message(message, ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
        elif interaction.response.type in (discord.InteractionResponseType.deferred_channel_message,
                                           discord.InteractionResponseType.channel_message):
            await interaction.edit_original_response(content=message, embed=None, view=None,
                                                     attachments=[],
                                                     allowed_mentions=NO_MENTIONS)
        else:
            await interaction.followup.send(message, ephemeral=True,
                                            allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:  # the interaction expired: nothing more to say
        log.warning("could not report an error to the member: %s", exc)


def install_error_handler(tree: app_commands.CommandTree[Any]) -> None:
    """Route every app command error to ``report_error`` (idempotent)."""
    if getattr(tree.on_error, "__personae__", False):
        return

    async def on_error(interaction: discord.Interaction,
                       error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)

    on_error.__personae__ = True  # type: ignore[attr-defined]
    tree.error(on_error)


# -- options ------------------------------------------------------------------------------------


#: A channel given as an option (no cache needed: its id and name come with the interaction).
ChannelOption = app_commands.AppCommandChannel


def channel_ref(channel: Any) -> ChannelRef:
    """The engine's reference to a Discord channel or thread (or an option's channel)."""
    return ChannelRef(str(channel.id), str(getattr(channel, "name", "") or ""))


def target_channel(interaction: discord.Interaction,
                   channel: ChannelOption | None = None) -> ChannelRef:
    """The channel an option names, else the one the command was used in."""
    target = channel if channel is not None else interaction.channel
    if target is None:
        raise app_commands.NoPrivateMessage()
    return channel_ref(target)


_NAMES: weakref.WeakKeyDictionary[Any, dict[int, tuple[float, list[str]]]] = (
    weakref.WeakKeyDictionary())


def forget_names(bot: Any, guild_id: int | None) -> None:
    """Drop the cached names of a server's characters (after a change)."""
    if guild_id is not None:
        _NAMES.get(bot, {}).pop(guild_id, None)


def cast_changed(bot: Any, guild_id: int | None) -> None:
    """After a command changed characters or who lives where: drop the cached names, and the
    intake's index of cast channels, so the change counts at once."""
    forget_names(bot, guild_id)
    index = getattr(bot, "cast_index", None)
    if index is not None:
        index.invalidate()


async def _names(bot: PersonaeBot, guild_id: int, guild_name: str) -> list[str]:
    """The server's character names: cached for ``NAMES_TTL_S``; when the database is too
    slow to answer within Discord's deadline, the last names known (or none)."""
    cache = _NAMES.setdefault(bot, {})
    hit = cache.get(guild_id)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]

    def load() -> list[str]:
        ecosystem = bot.ecosystem_of(guild_id, guild_name)
        return characters.character_names(bot.deps, ecosystem.id)

    try:
        names = await asyncio.wait_for(bot.run_engine(load), AUTOCOMPLETE_TIMEOUT_S)
    except (TimeoutError, ServiceUnavailable) as exc:
        log.warning("character names for autocompletion unavailable: %s", exc or "timeout")
        return hit[1] if hit is not None else []
    cache[guild_id] = (time.monotonic() + NAMES_TTL_S, names)
    return names


async def character_autocomplete(interaction: discord.Interaction,
                                 current: str) -> list[app_commands.Choice[str]]:
    """Characters of this server whose names match what is typed."""
    if interaction.guild_id is None:
        return []
    guild_name = interaction.guild.name if interaction.guild and interaction.guild.name else ""
    names = await _names(interaction.client, interaction.guild_id, guild_name)  # type: ignore[arg-type]
    return [app_commands.Choice(name=n, value=n)
            for n in characters.match_names(names, current, MAX_CHOICES)]
