"""Memories get their embeddings in a background RQ job, batched, on both backends."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bots.console.community import ConsoleCommunity
from engine.cards import load_card_file
from engine.content import bundled_cast
from engine.embedding import HashingEmbedder
from engine.errors import ModelUnavailable
from engine.messages import IncomingMessage
from engine.services import setup
from engine.services.embedding_jobs import embed_pending
from engine.services.ingest import ingest
from engine.services.initiative import tick
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker

LINES = [
    "Good evening, everyone. The rain has not stopped since noon.",
    "I hear the regiment leaves Meryton at the end of the month.",
    "Has anybody read the letter from Longbourn?",
]


class FailingEmbedder:
    """An embedder whose endpoint is down after ``ok_calls`` successful calls."""

    dim = 384

    def __init__(self, ok_calls: int = 0) -> None:
        self.ok_calls = ok_calls
        self.calls = 0
        self._inner = HashingEmbedder()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        if self.calls > self.ok_calls:
            raise ModelUnavailable("embedding model 'x' at http://127.0.0.1:9/v1 unavailable")
        return self._inner.embed(texts)


def _open(container: Container) -> ConsoleCommunity:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    for line in LINES:
        community.say(line)
    # The render jobs those lines queued are not this test's business.
    container.queue.empty()
    return community


def _memories(container: Container, ecosystem_id: int) -> dict[int, tuple[str, bool]]:
    """Every memory of the ecosystem: id -> (text, has an embedding)."""
    with container.deps.uow() as uow:
        return {
            m.id or 0: (m.text, m.embedding is not None)
            for c in uow.participants.list_characters(ecosystem_id)
            for m in uow.memories.recent_for(c.id or 0, 10_000)
        }


def _pending(container: Container, ecosystem_id: int) -> int:
    return sum(1 for _, embedded in _memories(container, ecosystem_id).values() if not embedded)


def test_the_job_embeds_every_pending_memory(container: Container) -> None:
    community = _open(container)
    eco = community.ecosystem.id
    before = _memories(container, eco)
    assert before and all(not embedded for _, embedded in before.values())

    container.deps.queue.enqueue_embedding(eco)
    assert container.queue.job_ids == [f"embed-{eco}"]
    EmbeddedWorker(container).run_pending()

    after = _memories(container, eco)
    assert after.keys() == before.keys()
    assert all(embedded for _, embedded in after.values())
    with container.deps.uow() as uow:
        owner = uow.participants.list_characters(eco)[0].id or 0
        memory = uow.memories.recent_for(owner, 1)[0]
    expected = HashingEmbedder().embed([memory.text])[0]
    assert memory.embedding == pytest.approx(expected, abs=1e-6)


def test_enqueuing_twice_queues_one_job_and_a_later_one_runs_again(
    container: Container,
) -> None:
    community = _open(container)
    eco = community.ecosystem.id
    container.deps.queue.enqueue_embedding(eco)
    container.deps.queue.enqueue_embedding(eco)
    assert container.queue.job_ids == [f"embed-{eco}"]
    worker = EmbeddedWorker(container)
    worker.run_pending()
    assert _pending(container, eco) == 0

    community.say("One more thing: Mr. Collins is coming to dinner.")
    container.queue.empty()
    assert _pending(container, eco) > 0
    container.deps.queue.enqueue_embedding(eco)  # the finished job does not block a new one
    assert container.queue.job_ids == [f"embed-{eco}"]
    worker.run_pending()
    assert _pending(container, eco) == 0


def test_a_failing_embedder_leaves_memories_pending_and_nothing_else_changes(
    container: Container,
) -> None:
    community = _open(container)
    eco = community.ecosystem.id
    before = _memories(container, eco)
    with container.deps.uow() as uow:
        events_before = [(e.id, e.text) for e in uow.events.all(eco)]
    container.deps.embedder = FailingEmbedder()

    container.deps.queue.enqueue_embedding(eco)
    EmbeddedWorker(container).run_pending()

    assert _memories(container, eco) == before
    with container.deps.uow() as uow:
        assert [(e.id, e.text) for e in uow.events.all(eco)] == events_before
    assert len(container.queue) == 0

    container.deps.embedder = HashingEmbedder()  # the endpoint is back: the next run fills them
    container.deps.queue.enqueue_embedding(eco)
    EmbeddedWorker(container).run_pending()
    assert _pending(container, eco) == 0


def test_batches_done_before_a_failure_stay_done(container: Container) -> None:
    community = _open(container)
    eco = community.ecosystem.id
    total = _pending(container, eco)
    assert total > 4
    container.deps.embedder = FailingEmbedder(ok_calls=2)
    assert embed_pending(container.deps, eco, batch=2) == 4
    assert _pending(container, eco) == total - 4
    container.deps.embedder = HashingEmbedder()
    assert embed_pending(container.deps, eco, batch=2, limit=3) == 3
    assert embed_pending(container.deps, eco) == total - 7
    assert embed_pending(container.deps, eco) == 0


def test_oldest_memories_are_embedded_first(container: Container) -> None:
    community = _open(container)
    eco = community.ecosystem.id
    ids = sorted(_memories(container, eco))
    assert embed_pending(container.deps, eco, batch=2, limit=5) == 5
    embedded = {i for i, (_, done) in _memories(container, eco).items() if done}
    assert embedded == set(ids[:5])


def test_an_ecosystem_job_leaves_other_ecosystems_alone(container: Container) -> None:
    community = _open(container)
    eco = community.ecosystem.id
    other, (hall,) = setup.open_space(container.deps, "console", "elsewhere", ["hall"])
    character = load_card_file(next(iter(bundled_cast())))
    cid = setup.add_character(container.deps, other.id, character)
    setup.add_to_cast(container.deps, hall.id, cid)
    ingest(container.deps, IncomingMessage(
        platform="console", space_id="elsewhere", channel_id="hall", author_id="kitty",
        author_name="Kitty", text="Is anybody here?", message_id="e1",
    ))
    container.queue.empty()
    assert _pending(container, other.id) > 0

    embed_pending(container.deps, eco)
    assert _pending(container, eco) == 0
    assert _pending(container, other.id) > 0
    embed_pending(container.deps)  # None: every ecosystem
    assert _pending(container, other.id) == 0


def test_the_tick_queues_embedding_only_when_memories_wait(container: Container) -> None:
    community = _open(container)
    eco = community.ecosystem.id
    tick(container.deps, eco)
    assert f"embed-{eco}" in container.queue.job_ids
    embed_pending(container.deps, eco)
    container.queue.empty()
    tick(container.deps, eco)
    assert f"embed-{eco}" not in container.queue.job_ids
