"""The Discord bot process: the container, the bot (and the characters' own bots), and — in
the embedded mode, where the queue lives in this process — the worker and the scheduler tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import discord

from bots.discord.app import PersonaeBot
from engine.errors import ServiceUnavailable
from engine.services.initiative import tick
from engine.settings import Settings
from workers.bootstrap import Container, build, install

__all__ = ["LoginRefused", "serve"]

log = logging.getLogger(__name__)

TICK_INTERVAL_S = 5.0


class LoginRefused(Exception):
    """Discord would not let the bot in; the message says what to fix."""


BAD_TOKEN = ("Discord refused the bot token (401 Unauthorized): copy it again from the "
             "Developer Portal (Bot → Reset Token) into PERSONAE_DISCORD_TOKEN")
NO_INTENT = ("Discord refused the Message Content intent: enable it in the Developer Portal "
             "(Bot → Privileged Gateway Intents → Message Content Intent), then start again")


@contextlib.asynccontextmanager
async def _embedded_work(bot: PersonaeBot) -> AsyncIterator[None]:
    """With fakeredis nobody else can see the queue: render jobs and ticks run here."""
    if not bot.container.settings.embedded:
        yield
        return
    from workers.embedded import EmbeddedWorker

    worker = EmbeddedWorker(bot.container)
    worker.start()

    async def ticks() -> None:
        while True:
            await asyncio.sleep(TICK_INTERVAL_S)
            try:
                await bot.run_engine(tick, bot.deps)
            except Exception:  # noqa: BLE001 - the next tick tries again
                log.exception("scheduler tick failed")

    task = asyncio.create_task(ticks())
    log.info("embedded mode: replies are rendered in this process")
    try:
        yield
    finally:
        task.cancel()
        worker.stop()


async def serve(settings: Settings, *, container: Container | None = None,
                on_start: Callable[[PersonaeBot], object] | None = None,
                **bot_options: Any) -> None:
    """Run the bot until it is closed.

    Raises:
        LoginRefused: A rejected token or a missing privileged intent (clear message).
        ServiceUnavailable: The database, Redis or Discord's API is unreachable.
    """
    token = settings.discord_token
    if not token:
        raise LoginRefused("no Discord bot token (PERSONAE_DISCORD_TOKEN)")
    c = container or build(settings)
    install(c)
    bot = PersonaeBot(c, **bot_options)
    try:
        async with bot, _embedded_work(bot):
            try:
                await bot.login(token)
            except discord.LoginFailure as exc:
                raise LoginRefused(BAD_TOKEN) from exc
            except (aiohttp.ClientError, OSError) as exc:
                raise ServiceUnavailable(
                    f"Discord's API is unreachable at {discord.http.Route.BASE}: {exc}") from exc
            if on_start is not None:
                on_start(bot)
            try:
                await bot.connect()
            except discord.PrivilegedIntentsRequired as exc:
                raise LoginRefused(NO_INTENT) from exc
    finally:
        if container is None:
            c.close()
