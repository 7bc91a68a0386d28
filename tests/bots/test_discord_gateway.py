"""The fake gateway speaks the protocol the real discord.py client expects: it connects,
identifies, keeps its heartbeat, resumes after op 7 or a dropped socket (getting what it
missed), identifies again after op 9, and sees what others post."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest

from tests.bots.discord_harness import eventually, run
from tests.fakes.discord_gateway import FakeGateway, user_payload

MEMBER = user_payload("770000000000000077", "mary_k", global_name="Mary King")


class Recorder(discord.Client):
    def __init__(self, **options: Any) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(intents=intents, guild_ready_timeout=0.05, **options)
        self.messages: list[discord.Message] = []
        self.interactions: list[discord.Interaction] = []
        self.readies = 0
        self.resumed = 0

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False
                                   ) -> None:
        return None  # discord.py waits 5 s between identifies; the fake does not limit them

    async def on_ready(self) -> None:
        self.readies += 1

    async def on_resumed(self) -> None:
        self.resumed += 1

    async def on_message(self, message: discord.Message) -> None:
        self.messages.append(message)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.interactions.append(interaction)


@contextlib.asynccontextmanager
async def connected(token: str, **options: Any) -> AsyncIterator[Recorder]:
    client = Recorder(**options)
    await client.login(token)
    task = asyncio.create_task(client.connect())
    try:
        await asyncio.wait_for(client.wait_until_ready(), 10)
        yield client
    finally:
        await client.close()
        await asyncio.wait_for(task, 10)


def _ids(client: Recorder) -> list[str]:
    return [str(m.id) for m in client.messages]


def test_gateway_url_is_served_by_the_rest_fake(fake_gateway: FakeGateway) -> None:
    async def scenario() -> None:
        client = discord.Client(intents=discord.Intents.none())
        await client.login(fake_gateway.api.token)
        try:
            shards, url, limits = await client.http.get_bot_gateway()
        finally:
            await client.close()
        assert shards == 1 and url == fake_gateway.url and url.startswith("ws://127.0.0.1:")
        assert limits["remaining"] > 0

    run(scenario())


def test_client_connects_with_zlib_stream_and_sees_the_guild(fake_gateway: FakeGateway) -> None:
    fake = fake_gateway.api
    fake.add_channel("hidden", manage_webhooks=False)
    thread = fake.add_thread(fake.channel_id, "A thread")

    async def scenario() -> None:
        async with connected(fake.token, activity=discord.Game("chess")) as client:
            (guild,) = client.guilds
            assert str(guild.id) == fake.guild_id and guild.me is not None
            assert sorted(c.name for c in guild.text_channels) == ["general", "hidden"]
            assert [str(t.id) for t in guild.threads] == [thread]
            hidden = discord.utils.get(guild.text_channels, name="hidden")
            assert hidden is not None
            assert not hidden.permissions_for(guild.me).manage_webhooks
            assert hidden.permissions_for(guild.me).send_messages
            await eventually(lambda: fake_gateway.heartbeats >= 1, what="a heartbeat")
            await eventually(lambda: client.latency != float("inf"), what="its ACK")
            assert fake_gateway.presences[fake.app_id]["game"]["name"] == "chess"

    run(scenario())
    (socket,) = [r for r in fake.requests if r.path == "/gateway-ws"]
    assert socket.query["compress"] == "zlib-stream" and socket.query["v"] == "10"


def test_messages_reconnects_and_replays(fake_gateway: FakeGateway) -> None:
    fake = fake_gateway.api

    async def scenario() -> None:
        async with connected(fake.token) as client:
            first = fake_gateway.message_create(fake.channel_id, "one", author=MEMBER)
            await eventually(lambda: _ids(client) == [first["id"]])
            message = client.messages[0]
            assert message.author.display_name == "Mary King" and message.guild is not None

            fake_gateway.reconnect()  # op 7
            await eventually(lambda: client.resumed == 1, what="RESUMED")
            fake_gateway.drop()  # the socket just goes; sent meanwhile: replayed on RESUME
            second = fake_gateway.message_create(fake.channel_id, "two", author=MEMBER)
            await eventually(lambda: client.resumed == 2, what="RESUMED")
            await eventually(lambda: _ids(client) == [first["id"], second["id"]])

            fake_gateway.replay_overlap = 2  # a replay of what it already had
            fake_gateway.reconnect()
            await eventually(lambda: client.resumed == 3, what="RESUMED")
            await eventually(lambda: len(client.messages) == 4)
            assert _ids(client)[2:] == [first["id"], second["id"]]

            fake_gateway.invalidate()  # op 9: a new session, a new READY
            await eventually(lambda: client.readies == 2, what="a second READY")
            assert fake_gateway.identifies[fake.app_id] == 2

    run(scenario())


def test_posts_are_echoed_and_interactions_dispatched(fake_gateway: FakeGateway) -> None:
    fake = fake_gateway.api
    hook = fake.add_webhook(fake.channel_id, "Personae", by_bot=True)

    async def scenario() -> None:
        async with connected(fake.token) as client:
            async with aiohttp.ClientSession() as session:
                webhook = discord.Webhook.from_url(fake.webhook_url(hook["id"]),
                                                   session=session)
                sent = await webhook.send("Good day.", username="Jane Bennet", wait=True,
                                          allowed_mentions=discord.AllowedMentions.none())
            await eventually(lambda: client.messages, what="the echo")
            (echo,) = client.messages
            assert echo.id == sent.id and echo.webhook_id == int(hook["id"])
            assert echo.application_id == client.application_id
            assert echo.author.name == "Jane Bennet"

            fake_gateway.dispatch("INTERACTION_CREATE", fake.make_interaction("observatory"),
                                  guild_id=fake.guild_id)
            await eventually(lambda: client.interactions, what="the interaction")

    run(scenario())


def test_other_bots_have_their_own_users_and_dms(fake_gateway: FakeGateway) -> None:
    fake = fake_gateway.api
    token, user = fake.add_bot("Fitzwilliam Darcy")

    async def scenario() -> None:
        async with connected(token) as client, connected(fake.token) as main:
            assert client.user is not None and str(client.user.id) == user["id"]
            assert main.guilds[0].member_count == 2  # both bots are in the guild
            dm = fake_gateway.dm(user["id"], MEMBER, "A private word.")
            await eventually(lambda: client.messages, what="the DM")
            assert isinstance(client.messages[0].channel, discord.DMChannel)
            assert str(client.messages[0].channel.id) == dm["channel_id"]
            assert main.messages == []  # a DM goes to its bot only

    run(scenario())


def test_missing_privileged_intent_is_refused_like_discord(fake_gateway: FakeGateway) -> None:
    fake_gateway.privileged_intents = False

    async def scenario() -> None:
        client = Recorder()
        await client.login(fake_gateway.api.token)
        try:
            with pytest.raises(discord.PrivilegedIntentsRequired):
                await asyncio.wait_for(client.connect(), 10)
        finally:
            await client.close()

    run(scenario())
