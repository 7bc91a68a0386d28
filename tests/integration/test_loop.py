"""The whole loop on both backends: embedded (SQLite + fakeredis) and real PostgreSQL + Redis.

Time is simulated (ManualClock) and jobs run on RQ's SimpleWorker in this process, so every
assertion is about behaviour, never about timing.
"""

from __future__ import annotations

import json

import pytest

from bots.console.community import ConsoleCommunity
from engine.errors import InvalidInput
from engine.messages import IncomingMessage, ParticipantKind
from engine.services.render import render_intent
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker
from workers.stream import channel_name


def _open(container: Container) -> tuple[ConsoleCommunity, EmbeddedWorker]:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    return community, EmbeddedWorker(container)


def _drain(community: ConsoleCommunity, worker: EmbeddedWorker, limit: int = 50) -> None:
    """Run queued render jobs one by one, moving simulated time to each one's due time."""
    from bots.console.simulation import Simulation

    clock = community.deps.clock
    sim = Simulation(community, clock, worker)  # type: ignore[arg-type]
    for _ in range(limit):
        if worker.pending() == 0:
            return
        sim.advance_to_next_job()
        worker.run_pending(max_jobs=1)


def test_addressed_character_answers_in_character(container: Container) -> None:
    community, worker = _open(container)
    result = community.say("@Darcy, do you dance at all, sir?")
    assert result.addressed == ["Fitzwilliam Darcy"]
    assert [i.reason for i in result.intents][0] == "addressed"
    _drain(community, worker, limit=1)
    messages = community.messages()
    assert messages[0].author_name == "Mary" and messages[0].author_kind is ParticipantKind.HUMAN
    reply = messages[1]
    assert reply.author_name == "Fitzwilliam Darcy"
    assert reply.author_kind is ParticipantKind.CHARACTER
    assert reply.target_id == messages[0].author_id
    assert reply.in_reply_to == messages[0].id
    assert reply.text.strip()


def test_replayed_platform_message_is_stored_once(container: Container) -> None:
    community, _ = _open(container)
    message = IncomingMessage(
        platform="console", space_id="local", channel_id="drawing-room", author_id="u1",
        author_name="Kitty", text="Hello Jane!", message_id="same-id",
    )
    from engine.services.ingest import ingest

    first = ingest(community.deps, message)
    second = ingest(community.deps, message)
    assert not first.duplicate and second.duplicate
    assert second.event_id == first.event_id
    assert second.intents == []
    with community.deps.uow() as uow:
        keys = [e.idempotency_key for e in uow.events.all(community.ecosystem.id)]
    assert keys.count(message.idempotency_key) == 1


def test_reply_chain_between_characters_stops_at_its_bound(
    make_container: object,
) -> None:
    container = make_container(max_chain=3, cooldown_s=0.0)  # type: ignore[operator]
    community, worker = _open(container)
    community.say("@Elizabeth, what do you make of Mr. Darcy?")
    _drain(community, worker, limit=100)
    messages = community.messages()
    depths = [e.chain_depth for e in messages if e.author_kind is ParticipantKind.CHARACTER]
    assert depths, "somebody should have answered"
    assert max(depths) <= 3
    with community.deps.uow() as uow:
        assert uow.intents.pending(community.ecosystem.id) == []


def test_only_characters_present_witness(container: Container) -> None:
    community, worker = _open(container)
    from engine.services import setup

    # A second channel where only Lydia lives.
    eco, chans = setup.open_space(community.deps, "console", "local", ["garden"])
    lydia = setup.find_character(community.deps, eco.id, "Lydia Bennet")
    setup.add_to_cast(community.deps, chans[0].id, lydia.id or 0)
    from engine.services.ingest import ingest

    ingest(community.deps, IncomingMessage(
        platform="console", space_id="local", channel_id="garden", author_id="member",
        author_name="Mary", text="The officers arrive at dawn, Lydia.", message_id="g1",
    ))
    with community.deps.uow() as uow:
        cast = uow.participants.cast_of(community.channel.id)
        owners = {m.id: uow.memories.recent_for(m.id, 50) for m in cast}
    garden_memories = {cid: [m for m in mems if "officers arrive" in m.text]
                       for cid, mems in owners.items()}
    assert garden_memories[lydia.id or 0], "Lydia was there and remembers"
    assert all(not mems for cid, mems in garden_memories.items() if cid != lydia.id)


def test_every_event_is_published_on_the_ecosystem_stream(container: Container) -> None:
    community, worker = _open(container)
    pubsub = container.redis.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel_name(community.ecosystem.id))
    community.say("Good evening, Miss Bennet!")
    _drain(community, worker, limit=3)
    received = []
    for _ in range(50):
        message = pubsub.get_message(timeout=0.1)
        if message and message["type"] == "message":
            received.append(json.loads(message["data"]))
        if len(received) >= len(community.messages()):
            break
    pubsub.close()
    stored_ids = [e.id for e in community.messages()]
    assert [p["id"] for p in received] == stored_ids
    assert received[0]["author"] == "Mary" and received[0]["is_character"] is False


def test_empty_message_is_refused_and_nothing_stored(container: Container) -> None:
    community, _ = _open(container)
    with pytest.raises(InvalidInput, match="empty"):
        community.say("   ")
    assert community.messages() == []


def test_100kb_message_is_stored_whole_and_answered(container: Container) -> None:
    community, worker = _open(container)
    text = "@Jane " + ("It was a truth universally acknowledged. " * 2500)[:100_000]
    result = community.say(text)
    assert any("stored whole" in n for n in result.notices)
    _drain(community, worker, limit=2)
    messages = community.messages()
    assert messages[0].text == text
    assert messages[1].author_name == "Jane Bennet"
    with community.deps.uow() as uow:
        memories = uow.memories.recent_for(messages[1].author_id or 0, 10)
    assert all(len(m.text) < 1000 for m in memories)


def test_unknown_mention_gets_a_clear_notice(container: Container) -> None:
    community, _ = _open(container)
    result = community.say("@Wickham where are you?")
    assert result.unknown_mentions == ["Wickham"]
    assert any("No character named 'Wickham'" in n for n in result.notices)
    assert community.messages()[0].text == "@Wickham where are you?"


def test_model_timeout_skips_the_turn_and_the_loop_goes_on(
    make_container: object, fake_openai: object
) -> None:
    from tests.fakes.openai_server import FakeOpenAI

    assert isinstance(fake_openai, FakeOpenAI)
    fake_openai.delay_s = 2.0
    container = make_container(  # type: ignore[operator]
        llm_base_url=fake_openai.base_url, llm_timeout_s=0.3, llm_max_retries=1
    )
    assert container.deps.renderer.name.startswith("model:")
    community, worker = _open(container)
    first = community.say("@Darcy, a question for you?")
    outcome = render_intent(container.deps, first.intents[0].id or 0)
    assert outcome.status == "skipped" and "model unavailable" in outcome.reason
    assert len(community.messages()) == 1  # the member's message is kept

    fake_openai.delay_s = 0.0
    fake_openai.queue_reply("I dance only when I am particularly acquainted with my partner.")
    second = community.say("@Darcy, and now?")
    outcome = render_intent(container.deps, second.intents[0].id or 0)
    assert outcome.status == "delivered"
    assert community.messages()[-1].text.startswith("I dance only")


def test_an_embedding_endpoint_that_is_down_does_not_cost_the_turn(
    make_container: object,
) -> None:
    from engine.errors import ModelUnavailable

    class DownEmbedder:
        dim = 384

        def embed(self, texts: object) -> list[list[float]]:
            raise ModelUnavailable("embeddings endpoint timed out")

    container = make_container()  # type: ignore[operator]
    container.deps.embedder = DownEmbedder()
    community, worker = _open(container)
    community.say("Jane, the officers are coming to Meryton!")
    community.say("@Jane, what do you think of that?")
    _drain(community, worker, limit=4)
    replies = [e for e in community.messages() if e.author_name == "Jane Bennet"]
    assert replies, "Jane still answers from her recent memories"
