"""Slash commands through the real discord.py against the fake Discord: a bot with the command
Cogs, and the interactions a member's client would send.

``CommandBot`` logs the real ``PersonaeBot`` in (REST only: commands need no gateway
connection), caches the fake's guild as GUILD_CREATE would (plus any roles a test gives it),
publishes the commands, and injects INTERACTION_CREATE payloads built on the fake's
``make_interaction`` (which registers them, so the 3-second deadline is enforced): slash
commands with any option type and their resolved data (channels, roles, attachments),
autocomplete (type 4), button and select clicks (type 3) and modal submissions (type 5).
``invoke`` waits until discord.py has finished handling the interaction.

A tiny CDN on 127.0.0.1 serves attachments (``serve``), counting downloads.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import discord
from aiohttp import web

from bots.discord.app import EXTENSIONS, PersonaeBot
from tests.fakes.discord_api import FakeDiscord, PostedMessage
from workers.bootstrap import Container

__all__ = ["COMMAND_COGS", "CommandBot", "FakeCdn", "command_bot", "opt", "MANAGE_GUILD",
           "ADMINISTRATOR"]

#: The command extensions (everything but the gateway intake).
COMMAND_COGS = tuple(e for e in EXTENSIONS if ".cogs." in e)
MANAGE_GUILD = str(1 << 5)
ADMINISTRATOR = str(1 << 3)
_HANDLERS = ("CommandTree-invoker", "discord-ui-view-dispatch", "discord-ui-modal-dispatch",
             "discord.py: ")
_ids = itertools.count(1)


def opt(name: str, value: Any, kind: int | None = None, **extra: Any) -> dict[str, Any]:
    """One option: 3 string, 4 integer, 5 boolean, 7 channel, 8 role, 11 attachment (the
    kind is guessed for str, int and bool)."""
    if kind is None:
        kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
    return {"name": name, "type": kind, "value": value, **extra}


class FakeCdn:
    """Attachments served on 127.0.0.1; ``downloads`` counts the GETs of each file."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.downloads: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/attachments/{name}", self._get)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _get(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.downloads[name] = self.downloads.get(name, 0) + 1
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name], content_type="application/json")

    def serve(self, name: str, data: bytes, *, size: int | None = None) -> dict[str, Any]:
        """An attachment's resolved data (``size``: what Discord reports, default the real
        size)."""
        self.files[name] = data
        attachment_id = str(10**17 + next(_ids))
        return {"id": attachment_id, "filename": name, "size": len(data) if size is None else size,
                "url": f"{self.base}/attachments/{name}",
                "proxy_url": f"{self.base}/attachments/{name}",
                "content_type": "application/json"}


@dataclass
class CommandBot:
    bot: PersonaeBot
    fake: FakeDiscord
    cdn: FakeCdn
    #: Every interaction injected, by id (to check each was acknowledged).
    injected: list[str] = field(default_factory=list)

    # -- payloads ---------------------------------------------------------------------------

    def _base(self, *, user_id: str, permissions: str, roles: Iterable[str],
              channel_id: str | None) -> dict[str, Any]:
        payload = self.fake.make_interaction("_", channel_id=channel_id, user_id=user_id,
                                             permissions=permissions)
        payload["member"]["roles"] = list(roles)
        self.injected.append(payload["id"])
        return payload

    def command(self, path: str, options: Iterable[dict[str, Any]] = (), *,
                resolved: Mapping[str, Any] | None = None, user_id: str = "770000000000000077",
                permissions: str = "0", roles: Iterable[str] = (),
                channel_id: str | None = None, autocomplete: bool = False) -> dict[str, Any]:
        """A slash command ("character create"), or its autocompletion (mark the focused
        option with ``focused=True``)."""
        payload = self._base(user_id=user_id, permissions=permissions, roles=roles,
                             channel_id=channel_id)
        name, *subs = path.split()
        opts = list(options)
        for sub in reversed(subs):
            opts = [{"name": sub, "type": 1, "options": opts}]
        found = [c for c in self.fake.commands() if c["name"] == name]
        payload["type"] = 4 if autocomplete else 2
        payload["data"] = {"id": found[0]["id"] if found else "1", "name": name, "type": 1,
                           "options": opts, **({"resolved": dict(resolved)} if resolved else {})}
        return payload

    def click(self, message: PostedMessage, custom_id: str, *, component_type: int = 2,
              values: list[str] | None = None, resolved: Mapping[str, Any] | None = None,
              user_id: str = "770000000000000077", permissions: str = "0") -> dict[str, Any]:
        """A button (2) or select (8: channels) used on ``message``."""
        payload = self._base(user_id=user_id, permissions=permissions, roles=(),
                             channel_id=message.channel_id)
        payload["type"] = 3
        payload["message"] = self.fake._message_json(message)
        payload["data"] = {"custom_id": custom_id, "component_type": component_type,
                           **({"values": values} if values is not None else {}),
                           **({"resolved": dict(resolved)} if resolved else {})}
        return payload

    def submit(self, modal_custom_id: str, values: Mapping[str, str], *,
               user_id: str = "770000000000000077", permissions: str = "0",
               roles: Iterable[str] = ()) -> dict[str, Any]:
        """A modal submitted with ``values`` by the text inputs' custom ids."""
        payload = self._base(user_id=user_id, permissions=permissions, roles=roles,
                             channel_id=None)
        payload["type"] = 5
        payload["data"] = {"custom_id": modal_custom_id, "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
            for key, value in values.items()]}
        return payload

    def channel_resolved(self, *channel_ids: str) -> dict[str, Any]:
        return {"channels": {cid: {"id": cid, "type": 0, "name": self.fake.channels[cid]["name"],
                                   "permissions": "0", "guild_id": self.fake.guild_id}
                             for cid in channel_ids}}

    # -- running ----------------------------------------------------------------------------

    async def invoke(self, payload: dict[str, Any], timeout: float = 10.0) -> None:
        """Inject the interaction and wait until discord.py finished handling it."""
        current = asyncio.current_task()
        before = {t for t in asyncio.all_tasks() if t is not current}
        self.bot._connection.parse_interaction_create(payload)  # the gateway's dispatch
        deadline = time.monotonic() + timeout
        await asyncio.sleep(0)
        while True:
            pending = [t for t in asyncio.all_tasks() if t is not current and t not in before
                       and not t.done() and t.get_name().startswith(_HANDLERS)]
            if not pending:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"interaction {payload['id']} still handled after "
                                     f"{timeout} s: {pending}")
            await asyncio.wait(pending, timeout=max(0.0, deadline - time.monotonic()))

    def callbacks(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        return [c for c in self.fake.interaction_callbacks
                if c["interaction_id"] == payload["id"]]

    def answer(self, payload: dict[str, Any]) -> PostedMessage:
        """The interaction's answer as it stands (its original message, edits applied)."""
        found = [m for m in self.fake.posted() if m.interaction_id == payload["id"]]
        assert found, f"interaction {payload['id']} has no message"
        return found[0]

    def text(self, payload: dict[str, Any]) -> str:
        """The answer's content and embeds, as one text."""
        msg = self.answer(payload)
        parts = [msg.content]
        for embed in msg.embeds:
            parts += [embed.get("title") or "", embed.get("description") or "",
                      (embed.get("author") or {}).get("name", ""),
                      (embed.get("footer") or {}).get("text", "")]
            for f in embed.get("fields", []):
                parts += [f["name"], f["value"]]
        return "\n".join(p for p in parts if p)

    def custom_ids(self, payload: dict[str, Any]) -> list[str]:
        """The custom ids of the components on the interaction's answer."""
        msg = self.answer(payload)
        return [c["custom_id"] for row in msg.components for c in row.get("components", [])
                if "custom_id" in c]

    def modal(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The modal the interaction was answered with (callback type 9)."""
        [callback] = self.callbacks(payload)
        assert callback["type"] == 9, callback
        return dict(callback["data"])

    def all_acknowledged_in_time(self) -> bool:
        """Every injected interaction got exactly one accepted acknowledgement."""
        acked = [c["interaction_id"] for c in self.fake.interaction_callbacks]
        statuses = [r.status for r in self.fake.requests if r.route.endswith("/callback")]
        return sorted(acked) == sorted(self.injected) and all(s < 300 for s in statuses)


def guild_payload(fake: FakeDiscord, roles: Mapping[str, str]) -> dict[str, Any]:
    """The fake guild as GUILD_CREATE carries it, with extra roles (id → name)."""
    payload = fake.gateway.guild_payload(fake.guild_id)
    payload["roles"] = [*payload["roles"], *(
        {"id": rid, "name": name, "color": 0, "hoist": False, "position": i + 1,
         "permissions": "0", "managed": False, "mentionable": False, "flags": 0}
        for i, (rid, name) in enumerate(roles.items()))]
    return payload


@contextlib.asynccontextmanager
async def command_bot(container: Container, fake: FakeDiscord, *,
                      roles: Mapping[str, str] | None = None,
                      extensions: Iterable[str] = COMMAND_COGS) -> AsyncIterator[CommandBot]:
    """A logged-in ``PersonaeBot`` with the command Cogs, its commands published to the fake
    and the fake's guild cached (with ``roles``: id → name)."""
    bot = PersonaeBot(container, extensions=tuple(extensions))
    cdn = FakeCdn()
    await cdn.start()
    try:
        await bot.login(fake.token)
        bot._connection._add_guild_from_data(guild_payload(fake, roles or {}))  # GUILD_CREATE
        await bot.tree.sync()
        yield CommandBot(bot, fake, cdn)
    finally:
        await bot.close()
        await cdn.stop()


def run(coro: Any, timeout: float = 30.0) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout))


def first_text_input_ids(modal: Mapping[str, Any]) -> list[str]:
    return [c["custom_id"] for row in modal["components"] for c in row["components"]]


def is_ephemeral(msg: PostedMessage) -> bool:
    return bool(msg.flags & discord.MessageFlags.ephemeral.flag)
