"""`personae discord` and `personae discord invite` as a user runs them (a subprocess against
the fake Discord on 127.0.0.1), and the bot process (``serve``) answering a member in the
embedded mode, where it renders replies itself."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord
import pytest
from typer.testing import CliRunner, Result

from bots.cli.main import app
from bots.discord.app import PersonaeBot
from bots.discord.process import LoginRefused, serve
from engine.settings import Settings
from tests.bots.discord_harness import MEMBER, cast_channel, eventually, intake_of, run
from tests.fakes.discord_gateway import FakeGateway
from workers.bootstrap import build, install

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "123456789012345678"
TOKEN = base64.b64encode(CLIENT_ID.encode()).decode().rstrip("=") + ".GhJkLm.signature"


def personae(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("PERSONAE_DISCORD_TOKEN", "DISCORD_TOKEN")}
    base.update(PERSONAE_DATABASE_URL=f"sqlite:///{tmp_path}/discord.db",
                PERSONAE_REDIS_URL="fakeredis://", **env)
    return subprocess.run([sys.executable, "-m", "bots.cli.main", "discord", *args], cwd=ROOT,
                          env=base, capture_output=True, text=True, timeout=60)


def test_without_a_token_it_says_so_in_one_line(tmp_path: Path) -> None:
    done = personae(tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "PERSONAE_DISCORD_TOKEN" in line and "Traceback" not in done.stderr


def test_a_rejected_token_is_one_clear_line(tmp_path: Path, fake_gateway: FakeGateway) -> None:
    bad = personae(tmp_path, PERSONAE_DISCORD_TOKEN="not-the-token",
                   PERSONAE_DISCORD_API_BASE=fake_gateway.api.api_base)
    assert bad.returncode == 4, bad.stderr
    assert "Traceback" not in bad.stderr and "voice" not in bad.stderr
    last = bad.stderr.strip().splitlines()[-1]
    assert last.startswith("error: Discord refused the bot token (401 Unauthorized)")


def test_a_missing_message_content_intent_is_named(tmp_path: Path,
                                                   fake_gateway: FakeGateway) -> None:
    fake_gateway.privileged_intents = False  # Discord closes the gateway with 4014
    settings = Settings(database_url=f"sqlite:///{tmp_path}/bot.db", redis_url="fakeredis://",
                        queue_name=f"q-{uuid.uuid4().hex[:8]}",
                        discord_token=fake_gateway.api.token,
                        discord_api_base=fake_gateway.api.api_base)
    try:
        with pytest.raises(LoginRefused, match="enable it in the Developer Portal"):
            run(serve(settings, guild_ready_timeout=0.05))
    finally:
        install(None)


def invite(*args: str, token: str | None = None) -> Result:
    env = {"PERSONAE_DISCORD_TOKEN": token, "DISCORD_TOKEN": None}
    return CliRunner().invoke(app, ["discord", "invite", *args], env=env)


def test_invite_prints_exactly_the_scopes_and_permissions() -> None:
    done = invite(token=TOKEN)
    assert done.exit_code == 0, done.output
    url, *rest = done.stdout.splitlines()
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == [CLIENT_ID]  # read from the token
    assert query["scope"] == ["bot applications.commands"]
    granted = discord.Permissions(int(query["permissions"][0]))
    assert granted == discord.Permissions(
        view_channel=True, send_messages=True, send_messages_in_threads=True,
        manage_webhooks=True, read_message_history=True, attach_files=True, embed_links=True)
    listing = "\n".join(rest)
    assert f"integer {granted.value}" in listing
    for label in ("View Channels", "Send Messages in Threads", "Manage Webhooks",
                  "Read Message History", "Attach Files", "Embed Links"):
        assert label in listing

    explicit = invite("--client-id", "42")
    assert explicit.exit_code == 0 and "client_id=42&" in explicit.stdout
    garbled = invite(token="garbled")
    assert garbled.exit_code == 2 and "--client-id" in garbled.stderr


def test_the_bot_process_answers_in_the_embedded_mode(tmp_path: Path,
                                                      fake_gateway: FakeGateway) -> None:
    fake = fake_gateway.api
    settings = Settings(database_url=f"sqlite:///{tmp_path}/bot.db", redis_url="fakeredis://",
                        queue_name=f"q-{uuid.uuid4().hex[:8]}",  # fakeredis is per process
                        discord_token=fake.token, discord_api_base=fake.api_base)
    seed = build(settings)
    cast_channel(seed, fake.guild_id, fake.channel_id)
    seed.close()
    started: list[PersonaeBot] = []

    async def scenario() -> None:
        serving = asyncio.create_task(serve(settings, on_start=started.append,
                                            guild_ready_timeout=0.05))
        # A bool, not the list itself: the list may fill between the check and its test.
        await eventually(lambda: bool(started) and started[0].ready_count > 0, what="the bot")
        bot = started[0]
        fake_gateway.message_create(fake.channel_id, "Elizabeth, good morning!", author=MEMBER)
        await eventually(lambda: intake_of(bot).results, what="the member's message")
        await eventually(lambda: any(m.username == "Elizabeth Bennet"
                                     for m in fake.posted(fake.channel_id)),
                         timeout=20, what="Elizabeth's reply, rendered in the process")
        await bot.close()
        await asyncio.wait_for(serving, 10)

    try:
        run(scenario())
    finally:
        install(None)
