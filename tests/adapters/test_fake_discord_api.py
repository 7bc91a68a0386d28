"""The fake Discord REST API, exercised through the real discord.py client (``Route.BASE``
points at the fake for the test): persona posts through webhooks, the limits and errors the
Discord front door has to live with, command sync and interactions."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.http import Route

from tests.fakes.discord_api import FakeDiscord

T = TypeVar("T")
NONE = discord.AllowedMentions.none()
AVATAR = "https://cdn.example/avatars/ada.png"


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 30))  # type: ignore[arg-type]


async def with_client(fake: FakeDiscord, body: Callable[[discord.Client], Awaitable[T]]) -> T:
    """Log a REST-only client in (no gateway), run ``body``, close the client."""
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(fake.token)
        return await body(client)
    finally:
        await client.close()


async def fetch_text(client: discord.Client, channel_id: str) -> discord.TextChannel:
    channel = await client.fetch_channel(int(channel_id))
    assert isinstance(channel, discord.TextChannel)
    return channel


async def send_via_url(fake: FakeDiscord, webhook_id: str, *sends: dict[str, Any]) -> list[Any]:
    async with aiohttp.ClientSession() as session:
        hook = discord.Webhook.from_url(fake.webhook_url(webhook_id), session=session)
        return [await hook.send(wait=True, allowed_mentions=NONE, **kw) for kw in sends]


def test_fixture_points_discord_py_at_the_fake(fake_discord: FakeDiscord) -> None:
    assert Route.BASE == fake_discord.api_base
    assert Route.BASE.startswith("http://127.0.0.1:")


def test_login_reads_the_bot_and_its_application(fake_discord: FakeDiscord) -> None:
    async def body(client: discord.Client) -> None:
        assert client.user is not None and client.user.name == fake_discord.bot_name
        assert client.application_id == int(fake_discord.app_id)

    run(with_client(fake_discord, body))
    assert fake_discord.route_counts["GET /users/@me"] == 1
    assert fake_discord.route_counts["GET /oauth2/applications/@me"] == 1
    assert fake_discord.requests[0].authorization == f"Bot {fake_discord.token}"

    async def wrong_token() -> None:
        client = discord.Client(intents=discord.Intents.none())
        try:
            await client.login("not-the-token")
        finally:
            await client.close()

    with pytest.raises(discord.LoginFailure):
        run(wrong_token())
    assert fake_discord.invalid_requests == 1


def test_persona_posts_through_a_bot_owned_webhook(fake_discord: FakeDiscord) -> None:
    async def body(client: discord.Client) -> tuple[discord.Webhook, discord.WebhookMessage]:
        channel = await fetch_text(client, fake_discord.channel_id)
        hook = await channel.create_webhook(name="Personae")
        msg = await hook.send("Hello from Ada @everyone", username="Ada (AI persona)",
                              avatar_url=AVATAR, allowed_mentions=NONE, wait=True)
        await hook.send("Bob forgot allowed_mentions @everyone", username="Bob (AI persona)")
        assert [h.id for h in await channel.webhooks()] == [hook.id]
        return hook, msg

    hook, msg = run(with_client(fake_discord, body))
    assert msg.author.name == "Ada (AI persona)" and msg.webhook_id == hook.id
    assert msg.content == "Hello from Ada @everyone"
    ada, bob = fake_discord.posted(fake_discord.channel_id)
    assert (ada.kind, ada.username, ada.avatar_url) == ("webhook", "Ada (AI persona)", AVATAR)
    assert ada.allowed_mentions == {"parse": []} and not ada.mention_everyone
    # Without allowed_mentions Discord parses @everyone: the fake shows the ping happening.
    assert bob.allowed_mentions is None and bob.mention_everyone
    assert [w["name"] for w in fake_discord.webhooks_in(fake_discord.channel_id)] == ["Personae"]
    assert fake_discord.webhooks[str(hook.id)]["application_id"] == fake_discord.app_id


def test_thread_posts_and_files_through_one_parent_webhook(fake_discord: FakeDiscord) -> None:
    thread = fake_discord.add_thread(fake_discord.channel_id, "Ada's salon")
    hook = fake_discord.add_webhook(fake_discord.channel_id, "Personae", by_bot=True)
    png = discord.File(io.BytesIO(b"\x89PNG fake"), "graph.png")
    in_thread, with_file = run(send_via_url(
        fake_discord, hook["id"],
        {"content": "In the thread", "username": "Ada", "thread": discord.Object(int(thread))},
        {"content": "The graph", "username": "Ada", "file": png}))
    assert in_thread.channel.id == int(thread)
    posted_thread = fake_discord.posted(thread)
    assert [(m.content, m.thread_id) for m in posted_thread] == [("In the thread", thread)]
    assert with_file.attachments[0].filename == "graph.png"
    assert fake_discord.posted(fake_discord.channel_id)[0].files == ["graph.png"]
    execute = "POST /webhooks/{webhook_id}/{token}"
    executes = [r for r in fake_discord.requests if r.route == execute]
    assert executes[0].query["thread_id"] == thread and executes[0].query["wait"] == "1"
    assert executes[1].files == ["graph.png"] and executes[1].json["username"] == "Ada"

    # A thread under another channel is not reachable through this webhook.
    elsewhere = fake_discord.add_thread(fake_discord.add_channel("other"), "elsewhere")
    with pytest.raises(discord.NotFound) as err:
        run(send_via_url(fake_discord, hook["id"],
                         {"content": "x", "thread": discord.Object(int(elsewhere))}))
    assert err.value.code == 10003


def test_content_over_2000_characters_is_refused(fake_discord: FakeDiscord) -> None:
    hook = fake_discord.add_webhook(fake_discord.channel_id, by_bot=True)
    run(send_via_url(fake_discord, hook["id"], {"content": "a" * 2000, "username": "Ada"}))
    with pytest.raises(discord.HTTPException) as err:
        run(send_via_url(fake_discord, hook["id"], {"content": "a" * 2001, "username": "Ada"}))
    assert (err.value.status, err.value.code) == (400, 50035)
    assert "content" in err.value.text
    assert [len(m.content) for m in fake_discord.posted()] == [2000]


@pytest.mark.parametrize("username", ["Discord Helper", "Clyde", "x" * 81])
def test_reserved_or_overlong_usernames_are_refused(fake_discord: FakeDiscord,
                                                    username: str) -> None:
    hook = fake_discord.add_webhook(fake_discord.channel_id, by_bot=True)
    with pytest.raises(discord.HTTPException) as err:
        run(send_via_url(fake_discord, hook["id"], {"content": "hi", "username": username}))
    assert (err.value.status, err.value.code) == (400, 50035)
    assert "username" in err.value.text
    assert fake_discord.posted() == []


def test_the_sixteenth_webhook_of_a_channel_is_refused(fake_discord: FakeDiscord) -> None:
    for i in range(14):
        fake_discord.add_webhook(fake_discord.channel_id, f"integration {i}")

    async def body(client: discord.Client) -> None:
        channel = await fetch_text(client, fake_discord.channel_id)
        await channel.create_webhook(name="Personae")  # the 15th
        with pytest.raises(discord.HTTPException) as err:
            await channel.create_webhook(name="Personae 2")
        assert (err.value.status, err.value.code) == (400, 30007)
        assert len(await channel.webhooks()) == 15

    run(with_client(fake_discord, body))
    assert len(fake_discord.webhooks_in(fake_discord.channel_id)) == 15


def test_missing_manage_webhooks_surfaces_as_forbidden(fake_discord: FakeDiscord) -> None:
    locked = fake_discord.add_channel("locked", manage_webhooks=False)

    async def body(client: discord.Client) -> None:
        channel = await fetch_text(client, locked)
        for call in (channel.create_webhook(name="Personae"), channel.webhooks()):
            with pytest.raises(discord.Forbidden) as err:
                await call
            assert err.value.code == 50013

    run(with_client(fake_discord, body))
    assert fake_discord.webhooks_in(locked) == [] and fake_discord.invalid_requests == 2


def test_a_deleted_webhook_raises_not_found(fake_discord: FakeDiscord) -> None:
    async def body(client: discord.Client) -> None:
        hook = await (await fetch_text(client, fake_discord.channel_id)).create_webhook(name="P")
        await hook.send("before", username="Ada", allowed_mentions=NONE, wait=True)
        await hook.delete()
        with pytest.raises(discord.NotFound) as err:
            await hook.send("after", username="Ada", allowed_mentions=NONE, wait=True)
        assert err.value.code == 10015

    run(with_client(fake_discord, body))
    assert [m.content for m in fake_discord.posted()] == ["before"]
    assert len(fake_discord.deleted_webhooks) == 1


def test_shared_channel_limit_429_is_honoured_and_retried(fake_discord: FakeDiscord) -> None:
    fake_discord.channel_limit = (2, 0.6)
    ada = fake_discord.add_webhook(fake_discord.channel_id, "Ada hook", by_bot=True)
    bob = fake_discord.add_webhook(fake_discord.channel_id, "Bob hook", by_bot=True)
    run(send_via_url(fake_discord, ada["id"], {"content": "one", "username": "Ada"}))
    run(send_via_url(fake_discord, bob["id"], {"content": "two", "username": "Bob"}))
    run(send_via_url(fake_discord, ada["id"], {"content": "three", "username": "Ada"}))

    assert [m.content for m in fake_discord.posted()] == ["one", "two", "three"]
    [limited] = fake_discord.rate_limited
    assert limited["scope"] == "shared" and 0 < limited["retry_after"] <= 0.6
    refused, retried = [r for r in fake_discord.requests if r.status in (429, 200)][-2:]
    assert refused.status == 429 and retried.status == 200
    assert retried.at - refused.at >= limited["retry_after"] * 0.9  # waited as told


def test_webhook_bucket_headers_make_discord_py_wait_without_429(
        fake_discord: FakeDiscord) -> None:
    fake_discord.webhook_limit = (2, 0.5)
    hook = fake_discord.add_webhook(fake_discord.channel_id, by_bot=True)
    started = time.monotonic()
    run(send_via_url(fake_discord, hook["id"], *[{"content": str(i)} for i in range(3)]))
    assert time.monotonic() - started >= 0.4
    assert fake_discord.rate_limited == [] and len(fake_discord.posted()) == 3

    # Without the headers discord.py cannot see the bucket: it meets the 429 and retries.
    fake_discord.ratelimit_headers = False
    fake_discord.webhook_limit = (1, 0.3)
    fresh = fake_discord.add_webhook(fake_discord.channel_id, by_bot=True)
    run(send_via_url(fake_discord, fresh["id"], {"content": "a"}, {"content": "b"}))
    assert [r["scope"] for r in fake_discord.rate_limited] == ["user"]
    assert len(fake_discord.posted()) == 5


def test_a_429_without_via_is_raised_not_retried(fake_discord: FakeDiscord) -> None:
    fake_discord.via_header = False
    hook = fake_discord.add_webhook(fake_discord.channel_id, by_bot=True)
    fake_discord.fail_next(429, retry_after=0.1)
    with pytest.raises(discord.HTTPException) as err:
        run(send_via_url(fake_discord, hook["id"], {"content": "hi"}))
    assert err.value.status == 429
    assert fake_discord.posted() == []


def test_bot_route_429_is_retried_by_the_http_client(fake_discord: FakeDiscord) -> None:
    fake_discord.fail_next(429, route="POST /channels/{channel_id}/messages", retry_after=0.2)

    async def body(client: discord.Client) -> discord.Message:
        return await (await fetch_text(client, fake_discord.channel_id)).send("plain post")

    msg = run(with_client(fake_discord, body))
    assert msg.content == "plain post" and len(fake_discord.rate_limited) == 1
    [posted] = fake_discord.posted()
    assert (posted.kind, posted.username) == ("bot", fake_discord.bot_name)


def persona_tree(client: discord.Client) -> app_commands.CommandTree[discord.Client]:
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    group = app_commands.Group(name="persona", description="Persona admin",
                               default_permissions=discord.Permissions(manage_guild=True))

    @group.command(name="summon", description="Summon a persona")
    async def summon(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"{name} arrives")

    tree.add_command(group)
    return tree


def test_command_sync_to_a_guild(fake_discord: FakeDiscord) -> None:
    guild = discord.Object(int(fake_discord.guild_id))

    async def body(client: discord.Client) -> None:
        tree = persona_tree(client)
        assert await tree.sync(guild=guild) == []  # global commands are not guild commands
        tree.copy_global_to(guild=guild)
        [synced] = await tree.sync(guild=guild)
        assert synced.name == "persona" and synced.guild_id == guild.id
        [again] = await tree.sync(guild=guild)
        assert again.id == synced.id  # overwriting keeps the command's id
        assert [c.name for c in await tree.fetch_commands(guild=guild)] == ["persona"]
        with pytest.raises(discord.Forbidden) as err:
            await tree.sync(guild=discord.Object(1234567890123456789))
        assert err.value.code == 50001

    run(with_client(fake_discord, body))
    [cmd] = fake_discord.commands(fake_discord.guild_id)
    assert cmd["default_member_permissions"] == "32"
    assert cmd["options"][0]["name"] == "summon" and cmd["options"][0]["type"] == 1
    assert fake_discord.commands() == []
    assert fake_discord.route_counts[
        "PUT /applications/{app_id}/guilds/{guild_id}/commands"] == 4


def test_interaction_callback_followup_and_edit(fake_discord: FakeDiscord) -> None:
    seen: list[Any] = []

    async def body(client: discord.Client) -> None:
        tree = persona_tree(client)
        done = asyncio.Event()

        @tree.command(name="ask", description="Ask a persona")
        async def ask(interaction: discord.Interaction, persona: str, question: str) -> None:
            try:
                await interaction.response.send_message(f"{persona} thinks", ephemeral=True)
                follow = await interaction.followup.send(f"{persona}: because.", wait=True)
                edited = await interaction.edit_original_response(content="thought")
                seen.extend([interaction.channel, follow, edited])
            finally:
                done.set()

        client._connection.parse_interaction_create(  # the gateway's INTERACTION_CREATE
            fake_discord.make_interaction("ask", {"persona": "Ada", "question": "why?"}))
        await asyncio.wait_for(done.wait(), 10)

    run(with_client(fake_discord, body))
    channel, follow, edited = seen
    assert isinstance(channel, discord.TextChannel) and channel.id == int(fake_discord.channel_id)
    [callback] = fake_discord.interaction_callbacks
    assert callback["type"] == 4 and callback["data"]["flags"] == 64
    original, followup = fake_discord.posted()
    assert (original.content, original.edits, original.flags) == ("thought", 1, 64)
    assert followup.kind == "interaction" and followup.content == "Ada: because."
    assert follow.content == "Ada: because." and edited.content == "thought"


def test_late_or_repeated_acknowledgements_are_refused(fake_discord: FakeDiscord) -> None:
    errors: list[discord.HTTPException] = []

    async def body(client: discord.Client) -> None:
        tree = persona_tree(client)
        done = asyncio.Event()

        @tree.command(name="ping", description="Ping")
        async def ping(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.defer(thinking=True)
                await interaction.edit_original_response(content="pong")
                # discord.py blocks a second response locally: ask the API directly.
                url = f"{Route.BASE}/interactions/{interaction.id}/{interaction.token}/callback"
                async with aiohttp.ClientSession() as session, session.post(
                        url, json={"type": 4, "data": {"content": "again"}}) as again:
                    assert (await again.json())["code"] == 40060
            except discord.HTTPException as exc:
                errors.append(exc)
            finally:
                done.set()

        client._connection.parse_interaction_create(fake_discord.make_interaction("ping"))
        await asyncio.wait_for(done.wait(), 10)
        fake_discord.interaction_ack_s = 0.0
        done.clear()
        client._connection.parse_interaction_create(fake_discord.make_interaction("ping"))
        await asyncio.wait_for(done.wait(), 10)

    run(with_client(fake_discord, body))
    [thinking] = fake_discord.posted()
    assert thinking.content == "pong" and not thinking.flags & 128
    statuses = [r.status for r in fake_discord.requests if r.route.endswith("/callback")]
    assert statuses == [200, 400, 404]  # deferred, acknowledged twice, too late
    [late] = errors
    assert isinstance(late, discord.NotFound) and late.code == 10062
