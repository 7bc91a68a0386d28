"""The slash commands in the whole bot, connected to the fake gateway: the commands are
published on the first ``on_ready``, interactions arrive as gateway events, and a cast changed
by a command is heard by the intake at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bots.discord.app import EXTENSIONS
from engine.cards import load_card_file
from engine.services import setup
from tests.bots.discord_harness import MEMBER, events_in, eventually, intake_of, run, running_bot
from tests.bots.discord_interactions import MANAGE_GUILD, CommandBot, FakeCdn, opt
from tests.bots.test_discord_commands import CARDS
from tests.fakes.discord_gateway import FakeGateway
from workers.bootstrap import Container


@pytest.fixture
def backend() -> str:
    return "embedded"


def test_commands_through_the_gateway_and_the_cast_heard_at_once(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    c, fake = make_container(), fake_gateway.api
    ecosystem, _ = setup.open_space(c.deps, "discord", fake.guild_id, [])
    setup.add_character(c.deps, ecosystem.id, load_card_file(CARDS["Elizabeth Bennet"]))
    garden = fake.add_channel("garden")  # in GUILD_CREATE: the bot knows it from the gateway

    async def scenario() -> None:
        async with running_bot(c, fake, extensions=EXTENSIONS) as bot:
            await eventually(lambda: fake.commands(), what="commands published on ready")
            cb = CommandBot(bot, fake, FakeCdn())
            fake_gateway.message_create(garden, "Elizabeth, are you there?", author=MEMBER)
            await eventually(lambda: intake_of(bot).outcomes.get("not_cast"),
                             what="the message of a channel without cast")

            add = cb.command("cast add", [opt("character", "Elizabeth")], channel_id=garden,
                             permissions=MANAGE_GUILD)
            fake_gateway.dispatch("INTERACTION_CREATE", add, guild_id=fake.guild_id)
            await eventually(lambda: "now lives in" in cb.text(add) if any(
                m.interaction_id == add["id"] and m.edits for m in fake.posted()) else None,
                what="the /cast add answer")
            assert f"<#{garden}>" in cb.text(add)

            fake_gateway.message_create(garden, "Elizabeth, now?", author=MEMBER)
            await eventually(lambda: events_in(c, fake.guild_id, garden), timeout=5,
                             what="the message heard without waiting for the cast index")
            assert cb.all_acknowledged_in_time()

    run(scenario())
