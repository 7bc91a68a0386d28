"""End to end on the fake Discord: a member's message arrives over the real gateway socket,
the bot ingests it, a worker renders the reply and the ``DiscordOutbox`` delivers it through
the channel's webhook (or the character's own bot); the gateway echoes it back and the bot
leaves it alone. Waits have deadlines, never fixed sleeps.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from bots.discord.dedicated import ACTIVITY
from engine.clock import SystemClock
from engine.messages import ParticipantKind
from tests.bots.discord_harness import (
    MEMBER,
    avatar_of,
    cast_channel,
    events_in,
    eventually,
    intake_of,
    run,
    running_bot,
)
from tests.fakes.discord_api import FakeDiscord, PostedMessage
from tests.fakes.discord_gateway import FakeGateway
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker


def _container(make_container: Callable[..., Container], fake: FakeDiscord,
               **settings: Any) -> Container:
    c = make_container(clock=SystemClock(), discord_token=fake.token,
                       discord_api_base=fake.api_base, **settings)
    assert "discord" in c.deps.outboxes  # build() registered the DiscordOutbox
    return c


async def _render(worker: EmbeddedWorker) -> None:
    """Run the queued render jobs (in a thread: the outbox posts to the fake over HTTP)."""
    await asyncio.to_thread(worker.run_pending)


def _posts_by(fake: FakeDiscord, channel_id: str, name: str) -> list[PostedMessage]:
    return [m for m in fake.posted(channel_id) if m.username == name]


def test_member_mentions_a_character_and_the_reply_comes_through_the_webhook(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    fake = fake_gateway.api
    c = _container(make_container, fake)
    cast_channel(c, fake.guild_id, fake.channel_id)
    worker = EmbeddedWorker(c)

    async def scenario() -> PostedMessage:
        async with running_bot(c, fake) as bot:
            intake = intake_of(bot)
            asked = fake_gateway.message_create(
                fake.channel_id, "Elizabeth, what do you make of Mr. Darcy?", author=MEMBER)
            await eventually(lambda: intake.results, what="the member's message")
            assert intake.results[0].addressed == ["Elizabeth Bennet"]
            await _render(worker)
            (post, *_) = await eventually(
                lambda: _posts_by(fake, fake.channel_id, "Elizabeth Bennet"),
                what="Elizabeth's reply")
            assert post.kind == "webhook" and post.avatar_url == avatar_of("Elizabeth Bennet")
            assert post.allowed_mentions is not None
            assert post.allowed_mentions["parse"] == [] and not post.mention_everyone
            # The gateway echoed every post of ours; none was taken for a member's message.
            posted = len(fake.posted(fake.channel_id))
            await eventually(lambda: intake.outcomes.get("ours", 0) >= posted,
                             what="the echoes of our posts")
            assert intake.outcomes["ingested"] == 1

            # A reply to her post (no name in it) addresses her.
            fake_gateway.message_create(fake.channel_id, "I could not agree more.",
                                        author=MEMBER, reply_to=post.id)
            await eventually(lambda: len(intake.results) == 2, what="the reply")
            assert intake.results[1].addressed == ["Elizabeth Bennet"]
            assert asked["id"] == events_in(c, fake.guild_id)[0].external_id
            return post

    post = run(scenario())
    log = events_in(c, fake.guild_id, fake.channel_id)
    member, reply = log[0], next(e for e in log if e.external_id == post.id)
    assert member.author_kind is ParticipantKind.HUMAN and member.author_name == "Mary King"
    assert reply.author_kind is ParticipantKind.CHARACTER
    assert reply.author_name == "Elizabeth Bennet" and reply.text == post.content
    assert log[-1].text == "I could not agree more." and log[-1].in_reply_to == reply.id
    # Every event is one message: a member's or a delivered post, never an echo.
    members = [e for e in log if e.author_kind is ParticipantKind.HUMAN]
    assert len(members) == 2
    assert len(log) - len(members) == len(fake.posted(fake.channel_id))


def test_a_characters_own_bot_is_mentioned_natively_and_answers_as_itself(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    """Dedicated-bot mode: Darcy runs as his own bot user beside the main bot."""
    fake = fake_gateway.api
    token, darcy = fake.add_bot("Fitzwilliam Darcy")
    tokens = {"Fitzwilliam Darcy": token}
    c = _container(make_container, fake, discord_character_tokens=tokens)
    ids = cast_channel(c, fake.guild_id, fake.channel_id)
    worker = EmbeddedWorker(c)

    async def scenario() -> None:
        async with running_bot(c, fake, character_tokens=tokens) as bot:
            (client,) = bot.dedicated
            await eventually(lambda: client.character_id, what="Darcy's bot linked")
            assert client.character_id == ids["Fitzwilliam Darcy"]
            assert ACTIVITY in json.dumps(fake_gateway.presences[darcy["id"]],
                                          ensure_ascii=False)  # visibly an AI persona
            intake = intake_of(bot)
            fake_gateway.message_create(fake.channel_id, f"<@{darcy['id']}> do you dance?",
                                        author=MEMBER, mentions=[darcy])
            await eventually(lambda: intake.results, what="the mention")
            assert intake.results[0].addressed == ["Fitzwilliam Darcy"]
            await _render(worker)
            (post, *_) = await eventually(
                lambda: _posts_by(fake, fake.channel_id, "Fitzwilliam Darcy"),
                what="Darcy's answer")
            assert post.kind == "bot" and post.author_id == darcy["id"]  # as himself
            posted = len(fake.posted(fake.channel_id))
            await eventually(lambda: intake.outcomes.get("ours", 0) >= posted)
            assert intake.outcomes["ingested"] == 1

            # A second READY of his bot (a fresh session) does not link him again.
            fake_gateway.invalidate(darcy["id"])
            await eventually(lambda: client.ready_count == 2, what="Darcy's second ready")
            assert client.link_attempts == 1

            # A DM to his bot: a channel of its own where only he listens.
            dm = fake_gateway.dm(darcy["id"], MEMBER, "Mr. Darcy, a private word.")
            await eventually(lambda: len(intake.results) == 2, what="the DM")
            assert intake.results[1].addressed == ["Fitzwilliam Darcy"]
            with c.deps.uow() as uow:
                ecosystem = uow.spaces.find_ecosystem("discord", fake.guild_id)
                assert ecosystem is not None
                channel = uow.spaces.find_channel(ecosystem.id, dm["channel_id"])
                assert channel is not None and channel.settings["dm"] is True
                assert [m.name for m in uow.participants.cast_of(channel.id)] == [
                    "Fitzwilliam Darcy"]

    run(scenario())
