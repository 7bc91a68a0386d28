"""Running the real ``PersonaeBot`` against the fake Discord (REST + gateway) in a test.

``asyncio.run(scenario(...))`` with ``async with running_bot(container, fake) as bot``; waits
use ``eventually`` (a deadline, never a fixed sleep).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from bots.discord.app import PersonaeBot
from bots.discord.dedicated import CharacterBot
from bots.discord.intake import Intake, find
from engine.cards import load_card_file
from engine.content import bundled_cast
from engine.messages import Event, EventKind
from engine.services import setup
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_gateway import user_payload
from workers.bootstrap import Container

__all__ = ["MEMBER", "avatar_of", "cast_channel", "eventually", "events_in", "intake_of",
           "running_bot", "run"]

T = TypeVar("T")
FAST = {"guild_ready_timeout": 0.05}
MEMBER = user_payload("770000000000000077", "mary_k", global_name="Mary King")
CARDS = {load_card_file(p).name: p for p in bundled_cast()}


def run(coro: Awaitable[T], timeout: float = 40.0) -> T:
    return asyncio.run(asyncio.wait_for(coro, timeout))  # type: ignore[arg-type]


async def eventually(check: Callable[[], Any], *, timeout: float = 10.0,
                     what: str = "condition") -> Any:
    """Poll ``check`` (sync; run in a thread so database reads do not block the bot) until
    it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = await asyncio.to_thread(check)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


async def _no_wait(*_: object, **__: object) -> None:
    """discord.py waits 5 s before identifying again (Discord's identify limit); the fake has
    no such limit."""


@contextlib.asynccontextmanager
async def running_bot(container: Container, fake: FakeDiscord, *,
                      extensions: Iterable[str] = ("bots.discord.intake",),
                      character_tokens: Mapping[str, str] | None = None,
                      **options: Any) -> AsyncIterator[PersonaeBot]:
    """A connected ``PersonaeBot`` (and its characters' bots), closed afterwards."""
    bot = PersonaeBot(container, extensions=tuple(extensions),
                      character_tokens=character_tokens or {}, character_options=FAST,
                      **{**FAST, **options})
    bot.before_identify_hook = _no_wait  # type: ignore[method-assign]
    await bot.login(fake.token)
    saved = CharacterBot.before_identify_hook
    CharacterBot.before_identify_hook = _no_wait  # type: ignore[assignment,method-assign]
    task = asyncio.create_task(bot.connect())
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        for client in bot.dedicated:
            await asyncio.wait_for(client.wait_until_ready(), 10)
        yield bot
    finally:
        CharacterBot.before_identify_hook = saved  # type: ignore[method-assign]
        await bot.close()
        await asyncio.wait_for(task, 10)


def intake_of(bot: PersonaeBot) -> Intake:
    return find(bot)


def avatar_of(name: str) -> str:
    return f"https://cdn.example/avatars/{name.lower().replace(' ', '_')}.png"


def cast_channel(container: Container, guild_id: str, channel_id: str,
                 names: Iterable[str] = ("Elizabeth Bennet", "Fitzwilliam Darcy"),
                 ) -> dict[str, int]:
    """Characters of the bundled cast (with avatars, ``avatar_of``) moved into a Discord
    channel; name → character id."""
    deps = container.deps
    ecosystem, (channel,) = setup.open_space(deps, "discord", guild_id, [channel_id])
    known = {c.name: c.id for c in setup.list_characters(deps, ecosystem.id)}
    ids = {}
    for name in names:
        cid = known.get(name)
        if cid is None:
            card = load_card_file(CARDS[name])
            card.persona = dataclasses.replace(card.persona, avatar_url=avatar_of(name))
            cid = setup.add_character(deps, ecosystem.id, card)
        setup.add_to_cast(deps, channel.id, cid)
        ids[name] = int(cid or 0)
    return ids


def events_in(container: Container, guild_id: str, channel_id: str | None = None
              ) -> list[Event]:
    """The message events of a guild's ecosystem (of one channel, by Discord id)."""
    with container.deps.uow() as uow:
        ecosystem = uow.spaces.find_ecosystem("discord", guild_id)
        if ecosystem is None:
            return []
        wanted = None
        if channel_id is not None:
            channel = uow.spaces.find_channel(ecosystem.id, channel_id)
            if channel is None:
                return []
            wanted = channel.id
        return [e for e in uow.events.all(ecosystem.id) if e.kind is EventKind.MESSAGE
                and (wanted is None or e.channel_id == wanted)]
