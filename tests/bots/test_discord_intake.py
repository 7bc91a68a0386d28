"""Intake: which Discord messages enter the engine, and as what.

The translation and classification are tested as pure functions; the rest through the real
discord.py client connected to the fake gateway (tests/fakes/discord_gateway.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

import engine.services.ingest as ingest_module
from bots.discord.incoming import AuthorKind, Origin, classify, to_incoming
from engine.adapters.sql.tables import memories
from engine.errors import ServiceUnavailable
from tests.bots.discord_harness import (
    MEMBER,
    cast_channel,
    events_in,
    eventually,
    intake_of,
    run,
    running_bot,
)
from tests.fakes.discord_gateway import FakeGateway, user_payload
from workers.bootstrap import Container

SENT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _message(**over: Any) -> SimpleNamespace:
    author = SimpleNamespace(id=42, name="mary_k", display_name="Mary King", bot=False,
                             system=False)
    base: dict[str, Any] = dict(
        id=1001, content="Good morning, Elizabeth!", author=author, webhook_id=None,
        application_id=None, channel=SimpleNamespace(id=555), reference=None, mentions=[],
        created_at=SENT)
    base.update(over)
    return SimpleNamespace(**base)


ORIGIN = Origin(bot_user_id=1, application_id=1, webhook_ids=frozenset({"900"}),
                account_user_ids=frozenset({"77"}))


def test_to_incoming_translates_a_member_message() -> None:
    msg = _message(reference=SimpleNamespace(message_id=999),
                   mentions=[SimpleNamespace(id=77), SimpleNamespace(id=42),
                             SimpleNamespace(id=77)])
    incoming = to_incoming(msg, space_id="123", accounts={"77": 5})
    assert incoming.platform == "discord" and incoming.space_id == "123"
    assert incoming.channel_id == "555" and incoming.message_id == "1001"
    assert incoming.author_id == "42" and incoming.author_name == "Mary King"
    assert incoming.text == "Good morning, Elizabeth!"
    assert incoming.reply_to_message_id == "999"
    assert incoming.mentioned_character_ids == (5,)  # a character's own bot, once
    assert incoming.sent_at == SENT
    assert incoming.idempotency_key == "discord:123:1001"


def test_untrusted_messages_address_nobody_by_reply_or_mention() -> None:
    msg = _message(reference=SimpleNamespace(message_id=999), mentions=[SimpleNamespace(id=77)])
    incoming = to_incoming(msg, space_id="123", accounts={"77": 5}, trusted=False)
    assert incoming.reply_to_message_id is None and incoming.mentioned_character_ids == ()
    assert incoming.text == msg.content  # still read and witnessed


@pytest.mark.parametrize(("over", "kind"), [
    ({}, AuthorKind.MEMBER),
    ({"author": SimpleNamespace(id=1, name="Personae", bot=True)}, AuthorKind.OURS),
    ({"webhook_id": 900}, AuthorKind.OURS),  # our webhook, by its stored id
    ({"webhook_id": 901, "application_id": 1}, AuthorKind.OURS),  # ours, not stored yet
    ({"webhook_id": 902}, AuthorKind.OTHER_BOT),  # another integration (PluralKit...)
    ({"author": SimpleNamespace(id=77, name="Lizzy", bot=True)}, AuthorKind.OURS),
    ({"author": SimpleNamespace(id=3, name="OtherBot", bot=True)}, AuthorKind.OTHER_BOT),
])
def test_classify(over: dict[str, Any], kind: AuthorKind) -> None:
    assert classify(_message(**over), ORIGIN) is kind


# ---------------------------------------------------------------- through the gateway


def test_member_message_in_a_cast_channel_is_stored(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    c, fake = make_container(), fake_gateway.api
    cast_channel(c, fake.guild_id, fake.channel_id)

    async def scenario() -> None:
        async with running_bot(c, fake) as bot:
            sent = fake_gateway.message_create(fake.channel_id, "Good morning, Elizabeth!",
                                               author=MEMBER)
            await eventually(lambda: intake_of(bot).results, what="the ingested message")
            (event,) = events_in(c, fake.guild_id, fake.channel_id)
            assert event.external_id == sent["id"] and event.author_name == "Mary King"
            assert event.text == "Good morning, Elizabeth!"
            result = intake_of(bot).results[-1]
            assert result.addressed == ["Elizabeth Bennet"] and result.intents

    run(scenario())


def test_a_deleted_message_is_forgotten_and_an_edited_one_remembered_anew(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    c, fake = make_container(), fake_gateway.api
    cast_channel(c, fake.guild_id, fake.channel_id)

    async def scenario() -> None:
        async with running_bot(c, fake) as bot:
            secret = fake_gateway.message_create(
                fake.channel_id, "Elizabeth, I keep a parrot called Zanzibar.", author=MEMBER)
            plan = fake_gateway.message_create(
                fake.channel_id, "Elizabeth, I am moving to Lisbon.", author=MEMBER)
            await eventually(lambda: len(events_in(c, fake.guild_id, fake.channel_id)) == 2,
                             what="both messages stored")
            intake = intake_of(bot)

            fake_gateway.dispatch("MESSAGE_DELETE", {
                "id": secret["id"], "channel_id": fake.channel_id,
                "guild_id": fake.guild_id}, guild_id=fake.guild_id)
            await eventually(lambda: intake.outcomes.get("forgotten"), what="the deletion")
            assert [e.text for e in events_in(c, fake.guild_id, fake.channel_id)] == [
                "Elizabeth, I am moving to Lisbon."]

            edited = fake_gateway.message_payload(
                fake.channel_id, "Elizabeth, I am moving to Porto.", author=MEMBER,
                message_id=plan["id"])
            fake_gateway.dispatch("MESSAGE_UPDATE", edited, guild_id=fake.guild_id)
            await eventually(lambda: intake.outcomes.get("edited"), what="the edit")
            assert [e.text for e in events_in(c, fake.guild_id, fake.channel_id)] == [
                "Elizabeth, I am moving to Porto."]
            # A delete in a channel the engine does not know reads nothing.
            fake_gateway.dispatch("MESSAGE_DELETE", {
                "id": "1", "channel_id": "999999", "guild_id": fake.guild_id},
                guild_id=fake.guild_id)
        with c.database.engine.connect() as conn:
            texts = conn.execute(select(memories.c.text)).scalars().all()
        assert texts and not any("Zanzibar" in t or "Lisbon" in t for t in texts)
        assert any("Porto" in t for t in texts)

    run(scenario())


def test_a_channel_without_cast_is_ignored_and_not_stored(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    c, fake = make_container(), fake_gateway.api
    cast_channel(c, fake.guild_id, fake.channel_id)
    lobby = fake.add_channel("lobby")  # exists before the bot connects: in GUILD_CREATE

    async def scenario() -> None:
        async with running_bot(c, fake) as bot:
            fake_gateway.message_create(lobby, "Elizabeth, are you there?", author=MEMBER)
            fake_gateway.message_create(fake.channel_id, "Hello all.", author=MEMBER)
            await eventually(lambda: intake_of(bot).outcomes.get("ingested"))
            assert intake_of(bot).outcomes["not_cast"] == 1

    run(scenario())
    with c.deps.uow() as uow:
        ecosystem = uow.spaces.find_ecosystem("discord", fake.guild_id)
        assert ecosystem is not None
        assert uow.spaces.find_channel(ecosystem.id, lobby) is None  # no row, no event
    assert [e.text for e in events_in(c, fake.guild_id)] == ["Hello all."]


def test_a_new_cast_is_heard_after_invalidate(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    c, fake = make_container(), fake_gateway.api

    async def scenario() -> None:
        async with running_bot(c, fake) as bot:
            fake_gateway.message_create(fake.channel_id, "Anyone?", author=MEMBER)
            await eventually(lambda: intake_of(bot).outcomes.get("not_cast"))
            cast_channel(c, fake.guild_id, fake.channel_id)
            bot.cast_index.invalidate()  # what /cast add does
            fake_gateway.message_create(fake.channel_id, "Anyone now?", author=MEMBER)
            await eventually(lambda: events_in(c, fake.guild_id))

    run(scenario())


def test_a_cast_changed_elsewhere_is_heard_within_the_ttl(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    c, fake = make_container(), fake_gateway.api

    async def scenario() -> None:
        async with running_bot(c, fake) as bot:
            bot.cast_index.ttl_s = 0.2
            fake_gateway.message_create(fake.channel_id, "Anyone?", author=MEMBER)
            await eventually(lambda: intake_of(bot).outcomes.get("not_cast"))
            cast_channel(c, fake.guild_id, fake.channel_id)  # e.g. by the command line
            await eventually(lambda: time.monotonic() - bot.cast_index.peek().taken_at > 0.2)
            fake_gateway.message_create(fake.channel_id, "Anyone now?", author=MEMBER)
            await eventually(lambda: intake_of(bot).results)

    run(scenario())


def test_a_new_member_writing_in_two_channels_at_once_is_stored_whole(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    """Both channels' first messages register the member at the same moment: the loser of
    that race is retried, nothing is lost, and each channel keeps Discord's order."""
    c, fake = make_container(), fake_gateway.api
    other = fake.add_channel("garden")
    cast_channel(c, fake.guild_id, fake.channel_id)
    cast_channel(c, fake.guild_id, other)

    async def scenario() -> None:
        async with running_bot(c, fake) as bot:
            for i in range(5):
                for channel in (fake.channel_id, other):
                    fake_gateway.message_create(channel, f"Line {i}.", author=MEMBER)
            await eventually(lambda: intake_of(bot).outcomes.get("ingested") == 10)
            assert "failed" not in intake_of(bot).outcomes

    run(scenario())
    for channel in (fake.channel_id, other):
        assert [e.text for e in events_in(c, fake.guild_id, channel)] == [
            f"Line {i}." for i in range(5)]


def test_thread_of_a_cast_channel_gets_the_parents_cast(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    c, fake = make_container(), fake_gateway.api
    cast_channel(c, fake.guild_id, fake.channel_id)
    other = fake.add_channel("off-topic")

    async def scenario() -> None:
        async with running_bot(c, fake) as bot:
            thread = fake_gateway.add_thread(fake.channel_id, "The ball at Netherfield")
            stray = fake_gateway.add_thread(other, "Not here")
            fake_gateway.message_create(stray, "Darcy?", author=MEMBER)
            fake_gateway.message_create(thread, "Mr. Darcy, will you dance?", author=MEMBER)
            await eventually(lambda: intake_of(bot).outcomes.get("ingested"))
            await eventually(lambda: intake_of(bot).outcomes.get("not_cast") == 1)
            return thread

    thread = run(scenario())
    with c.deps.uow() as uow:
        ecosystem = uow.spaces.find_ecosystem("discord", fake.guild_id)
        assert ecosystem is not None
        channel = uow.spaces.find_channel(ecosystem.id, thread)
        assert channel is not None and channel.name == "The ball at Netherfield"
        assert channel.settings["parent_external_id"] == fake.channel_id
        assert {m.name for m in uow.participants.cast_of(channel.id)} == {
            "Elizabeth Bennet", "Fitzwilliam Darcy"}


def test_our_webhook_posts_and_characters_bots_are_not_ingested_other_bots_are_untrusted(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    c, fake = make_container(), fake_gateway.api
    ids = cast_channel(c, fake.guild_id, fake.channel_id)
    stored_hook = fake.add_webhook(fake.channel_id, "Personae", by_bot=True)
    with c.deps.uow() as uow:
        channel = uow.spaces.find_space_channel("discord", fake.guild_id, fake.channel_id)
        assert channel is not None
        uow.links.save_webhook(channel[1].id, stored_hook["id"], stored_hook["token"],
                               c.deps.clock.now())
        uow.links.link_account(ids["Fitzwilliam Darcy"], "discord", "880000000000000088",
                               c.deps.clock.now())
        uow.commit()
    ours = user_payload(stored_hook["id"], "Elizabeth Bennet", bot=True)
    other_bot = user_payload("990000000000000099", "QuoteBot", bot=True)

    async def scenario() -> None:
        async with running_bot(c, fake) as bot:
            fake_gateway.message_create(fake.channel_id, "Our stored hook.", author=ours,
                                        webhook_id=stored_hook["id"])
            fake_gateway.message_create(fake.channel_id, "A hook of ours not stored yet.",
                                        author=user_payload("123", "Jane Bennet", bot=True),
                                        webhook_id="123", application_id=fake.app_id)
            fake_gateway.message_create(fake.channel_id, "Darcy's own bot speaking.",
                                        author=user_payload("880000000000000088",
                                                            "Fitzwilliam Darcy", bot=True))
            fake_gateway.message_create(fake.channel_id, "Elizabeth, do dance!", author=other_bot,
                                        mentions=[user_payload("880000000000000088", "Darcy",
                                                               bot=True)])
            await eventually(lambda: intake_of(bot).outcomes.get("ingested"))
            assert intake_of(bot).outcomes["ours"] == 3
            (result,) = intake_of(bot).results
            # Read as text (it names Elizabeth), but the @mention of Darcy's bot is not taken.
            assert result.addressed == ["Elizabeth Bennet"]

    run(scenario())
    (event,) = events_in(c, fake.guild_id)
    assert event.author_name == "QuoteBot"


def test_resume_replays_and_duplicate_events_store_once(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    c, fake = make_container(), fake_gateway.api
    cast_channel(c, fake.guild_id, fake.channel_id)

    async def scenario() -> None:
        async with running_bot(c, fake) as bot:
            first = fake_gateway.message_create(fake.channel_id, "Elizabeth, a word?",
                                                author=MEMBER)
            fake_gateway.dispatch("MESSAGE_CREATE", first, guild_id=fake.guild_id)  # again
            await eventually(lambda: intake_of(bot).outcomes.get("duplicate"))
            fake_gateway.replay_overlap = 5  # the gateway re-sends what the bot already had
            fake_gateway.drop()
            await eventually(lambda: fake_gateway.resumes[fake.app_id] >= 1, what="RESUME")
            fake_gateway.message_create(fake.channel_id, "After the resume.", author=MEMBER)
            fake_gateway.reconnect()  # op 7: resume again, replaying both messages
            await eventually(lambda: fake_gateway.resumes[fake.app_id] >= 2, what="RESUME")
            # Both messages stored (the second may still be on its way when the replayed
            # copies of the first are counted), every replayed copy seen as a duplicate.
            await eventually(lambda: intake_of(bot).outcomes.get("duplicate", 0) >= 3
                             and intake_of(bot).outcomes.get("ingested", 0) >= 2)
            assert fake_gateway.identifies[fake.app_id] == 1  # resumed, never re-identified
            assert intake_of(bot).outcomes["ingested"] == 2

    run(scenario())
    assert [e.text for e in events_in(c, fake.guild_id)] == [
        "Elizabeth, a word?", "After the resume."]


def test_on_ready_side_effects_run_once(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    c, fake = make_container(), fake_gateway.api
    runs: list[str] = []

    async def scenario() -> None:
        async with running_bot(c, fake) as bot:
            async def sync_commands() -> None:
                runs.append("sync")

            bot.once_ready("sync commands", sync_commands)
            assert bot.ready_count == 1
            fake_gateway.invalidate()  # op 9: a fresh IDENTIFY, a second READY
            await eventually(lambda: bot.ready_count == 2, what="a second on_ready")
            fake_gateway.invalidate()
            await eventually(lambda: bot.ready_count == 3, what="a third on_ready")
            assert fake_gateway.identifies[fake.app_id] == 3
            assert bot.cast_index.refreshes >= 1

    run(scenario())
    assert runs == ["sync"]  # registered after the first ready: ran on the next one only


def test_engine_errors_are_logged_and_the_message_is_retried(
        make_container: Callable[..., Container], fake_gateway: FakeGateway,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The database or Redis away: the message is logged, kept, and stored once when the
    engine is back. An oversized message is refused with a log line; the bot carries on."""
    c, fake = make_container(), fake_gateway.api
    cast_channel(c, fake.guild_id, fake.channel_id)
    real_ingest = ingest_module.ingest
    outage = {"left": 2}

    def flaky_ingest(*args: Any, **kwargs: Any) -> Any:
        if outage["left"]:
            outage["left"] -= 1
            raise ServiceUnavailable("The database is unreachable: connection refused")
        return real_ingest(*args, **kwargs)

    # Patched where intake imports it from (the extension is executed when the bot loads it).
    monkeypatch.setattr(ingest_module, "ingest", flaky_ingest)

    async def scenario() -> None:
        async with running_bot(c, fake) as bot:
            intake = intake_of(bot)
            intake.pending.first_delay_s = 0.05
            sent = fake_gateway.message_create(fake.channel_id, "Elizabeth?", author=MEMBER)
            await eventually(lambda: intake.outcomes.get("retrying"))
            assert not events_in(c, fake.guild_id)  # not stored yet, but kept
            await eventually(lambda: intake.pending.retried == 1, what="the retried message")
            assert len(intake.pending) == 0 and len(events_in(c, fake.guild_id)) == 1
            fake_gateway.message_create(fake.channel_id, "x" * 250_000, author=MEMBER)
            await eventually(lambda: intake.outcomes.get("invalid"))
            fake_gateway.message_create(fake.channel_id, "Still there?", author=MEMBER)
            await eventually(lambda: len(events_in(c, fake.guild_id)) == 2)
            return sent

    sent = run(scenario())
    assert [e.external_id for e in events_in(c, fake.guild_id)][0] == sent["id"]
    text = caplog.text
    assert f"message {sent['id']} in channel {fake.channel_id}" in text
    assert "kept for a retry" in text and "the limit is 200,000" in text


def test_dm_to_the_main_bot_is_ignored(
        make_container: Callable[..., Container], fake_gateway: FakeGateway) -> None:
    c, fake = make_container(), fake_gateway.api
    cast_channel(c, fake.guild_id, fake.channel_id)

    async def scenario() -> None:
        async with running_bot(c, fake) as bot:
            fake_gateway.dm(fake.app_id, MEMBER, "Hello bot")
            await eventually(lambda: intake_of(bot).outcomes.get("dm_ignored"))

    run(scenario())
    assert events_in(c, fake.guild_id) == []
