"""The bot process: one ``PersonaeBot`` holding the container; features are extensions.

The bot only translates: a gateway event becomes an engine call run off the event loop
(``run_engine``), and slow work (rendering, embedding) is queued for the RQ workers, so a slow
model never blocks the gateway.

Beside it, in the same event loop, each character given its own bot token
(``PERSONAE_DISCORD_CHARACTER_TOKENS``) runs as its own ``CharacterBot`` (dedicated-bot mode,
``bots.discord.dedicated``); they start when the main bot connects and stop with it.

``on_ready`` fires again after every fresh IDENTIFY (an invalidated session, a shard
restarting): work that must happen once per process is registered with ``once_ready`` and runs
on the first ``on_ready`` only (again on a later one only if it failed).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import aiohttp
import discord
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from bots.discord.cast_index import CastIndex
from bots.discord.dedicated import CharacterBot
from engine.adapters.sql.spaces import Ecosystem
from engine.services import setup
from engine.services.deps import Deps
from workers.bootstrap import Container

__all__ = ["PersonaeBot", "EXTENSIONS", "PLATFORM", "intents", "use_api_base"]

log = logging.getLogger(__name__)

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
    "bots.discord.cogs.story",
    "bots.discord.cogs.scenario",
    "bots.discord.cogs.marketplace",
    "bots.discord.cogs.billing",
    "bots.discord.cogs.enterprise",
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


def use_api_base(base: str | None) -> None:
    """Point discord.py's REST calls at ``base`` (``PERSONAE_DISCORD_API_BASE``; None: Discord)."""
    if base:
        discord.http.Route.BASE = base.rstrip("/")


class PersonaeBot(commands.AutoShardedBot):
    """The one bot of a Personae deployment (sharded automatically as guilds grow)."""

    def __init__(self, container: Container, *, extensions: Sequence[str] = EXTENSIONS,
                 character_tokens: Mapping[str, str] | None = None,
                 character_options: Mapping[str, Any] | None = None,
                 **options: Any) -> None:
        options.setdefault("intents", intents())
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        super().__init__(command_prefix=commands.when_mentioned, help_command=None, **options)
        self.container = container
        self.extension_names = tuple(extensions)
        self.cast_index = CastIndex(container.deps, PLATFORM, self.run_engine)
        #: Character name → bot token (dedicated-bot mode); default: from the settings.
        self.character_tokens = dict(container.settings.discord_character_tokens
                                     if character_tokens is None else character_tokens)
        self.character_options = dict(character_options or {})
        self.dedicated: list[CharacterBot] = []
        self._dedicated_tasks: list[asyncio.Task[None]] = []
        self._ready_work: dict[str, Callable[[], Awaitable[object]]] = {}
        self._ready_done: set[str] = set()
        self.ready_count = 0
        self.once_ready("read the cast index", self.cast_index.current)

    @property
    def deps(self) -> Deps:
        return self.container.deps

    # ------------------------------------------------------------------ lifecycle

    async def setup_hook(self) -> None:
        for name in self.extension_names:
            await self.load_extension(name)

    async def login(self, token: str) -> None:
        use_api_base(self.container.settings.discord_api_base)
        await super().login(token)
        if self.container.settings.discord_api_base:
            # Not Discord's own API: plain clients (the characters' bots) and sessions that
            # identify again must use the gateway it names, not Discord's default.
            _, url, _ = await self.http.get_bot_gateway()
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    async def connect(self, *, reconnect: bool = True) -> None:
        await self.start_characters()
        await super().connect(reconnect=reconnect)

    async def close(self) -> None:
        for client in self.dedicated:
            await client.close()
        for task in self._dedicated_tasks:
            task.cancel()
        await asyncio.gather(*self._dedicated_tasks, return_exceptions=True)
        self._dedicated_tasks.clear()
        intake = self.get_cog("Intake")
        if intake is not None:
            await intake.pending.close()  # type: ignore[attr-defined]
        await super().close()

    async def start_characters(self) -> None:
        """Log in every character's own bot and connect it (a rejected token is logged, and
        that character keeps posting through the webhook)."""
        if self.dedicated:
            return
        for name, token in self.character_tokens.items():
            client = CharacterBot(self, name, **self.character_options)
            try:
                await client.login(token)
            except discord.LoginFailure:
                log.error("character %r: Discord rejected its bot token (401); it will post "
                          "through the webhook only", name)
                await client.close()
                continue
            except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
                log.error("character %r: its bot could not log in (%s)", name, exc)
                await client.close()
                continue
            self.dedicated.append(client)
            self._dedicated_tasks.append(asyncio.create_task(self._keep_connected(client)))

    @staticmethod
    async def _keep_connected(client: CharacterBot) -> None:
        try:
            await client.connect()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - one character's bot must not stop the others
            log.exception("character %r: its bot stopped", client.character_name)

    # ----------------------------------------------------------------- on_ready

    def once_ready(self, name: str, work: Callable[[], Awaitable[object]]) -> None:
        """Run ``work`` on the first ``on_ready`` of this process (e.g. syncing commands);
        registered after it, it runs on the next one."""
        self._ready_work[name] = work

    async def on_ready(self) -> None:
        self.ready_count += 1
        log.info("connected as %s to %d guild(s) (ready #%d)", self.user, len(self.guilds),
                 self.ready_count)
        for name, work in list(self._ready_work.items()):
            if name in self._ready_done:
                continue
            self._ready_done.add(name)
            try:
                await work()
            except Exception:  # noqa: BLE001 - retried on the next on_ready
                self._ready_done.discard(name)
                log.exception("on_ready work %r failed; it will run again on the next ready",
                              name)

    # ------------------------------------------------------------------- engine

    async def run_engine(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a (blocking, database-bound) engine call in a thread, off the gateway loop."""
        return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))

    def ecosystem_of(self, guild_id: int | str, name: str = "") -> Ecosystem:
        """The ecosystem of a guild (created on first use). Blocking: call via ``run_engine``."""
        ecosystem, _ = setup.open_space(self.deps, PLATFORM, str(guild_id), [], name=name)
        return ecosystem
