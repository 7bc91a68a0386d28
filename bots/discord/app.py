"""The bot process: one ``PersonaeBot`` holding the container; features are extensions.

The bot only translates: a gateway event becomes an engine call run off the event loop
(``run_engine``), and slow work (rendering, embedding) is queued for the RQ workers, so a slow
model never blocks the gateway.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import discord
from discord.ext import commands

from engine.adapters.sql.spaces import Ecosystem
from engine.services import setup
from engine.services.deps import Deps
from workers.bootstrap import Container

__all__ = ["PersonaeBot", "EXTENSIONS", "PLATFORM", "intents"]

T = TypeVar("T")

PLATFORM = "discord"

#: Every feature of the bot, one extension each (a module with ``async def setup(bot)``).
#: Later capabilities (scenarios, stories, marketplace, billing) add one line here.
EXTENSIONS: tuple[str, ...] = (
    "bots.discord.intake",
    "bots.discord.cogs.setup",
    "bots.discord.cogs.characters",
    "bots.discord.cogs.cast",
    "bots.discord.cogs.autonomy",
    "bots.discord.cogs.relationships",
    "bots.discord.cogs.observatory",
    "bots.discord.cogs.memory",
    "bots.discord.cogs.forget_me",
)


def intents() -> discord.Intents:
    """Guilds and guild messages with their content (the privileged Message Content intent
    must be enabled for the application in the developer portal)."""
    value = discord.Intents.none()
    value.guilds = True
    value.guild_messages = True
    value.message_content = True
    value.dm_messages = True
    return value


class PersonaeBot(commands.AutoShardedBot):
    """The one bot of a Personae deployment (sharded automatically as guilds grow)."""

    def __init__(self, container: Container, *, extensions: Sequence[str] = EXTENSIONS,
                 **options: Any) -> None:
        options.setdefault("intents", intents())
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        super().__init__(command_prefix=commands.when_mentioned, help_command=None, **options)
        self.container = container
        self.extension_names = tuple(extensions)

    @property
    def deps(self) -> Deps:
        return self.container.deps

    async def setup_hook(self) -> None:
        for name in self.extension_names:
            await self.load_extension(name)

    async def run_engine(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a (blocking, database-bound) engine call in a thread, off the gateway loop."""
        return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))

    def ecosystem_of(self, guild_id: int | str, name: str = "") -> Ecosystem:
        """The ecosystem of a guild (created on first use). Blocking: call via ``run_engine``."""
        ecosystem, _ = setup.open_space(self.deps, PLATFORM, str(guild_id), [], name=name)
        return ecosystem
