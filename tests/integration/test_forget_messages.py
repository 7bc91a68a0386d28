"""A member deletes or edits one message on the platform: the engine forgets it, or remembers
the new words, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.adapters.sql.tables import (
    confidences,
    events,
    intents,
    memories,
    memory_citations,
    memory_sources,
    memory_term_stats,
    memory_terms,
)
from engine.cards import parse_card
from engine.errors import InvalidInput
from engine.lexical import query_terms
from engine.messages import Event, EventKind, IncomingMessage, ParticipantKind
from engine.services.consolidate import consolidate
from engine.services.forgetting import amend_message, forget_messages
from engine.services.ingest import MAX_STORED_CHARS, ingest
from engine.services.setup import add_character, add_to_cast, open_space
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker


def _count(container: Container, stmt: object) -> int:
    with container.database.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())  # type: ignore[arg-type]


def _say(container: Container, text: str, message_id: str, author: str = "mary",
         name: str = "Mary") -> None:
    ingest(container.deps, IncomingMessage(
        platform="discord", space_id="g1", channel_id="parlour", author_id=author,
        author_name=name, text=text, message_id=message_id))


@pytest.fixture
def parlour(container: Container) -> list[int]:
    eco, (channel,) = open_space(container.deps, "discord", "g1", ["parlour"])
    ids = []
    for name in ("Jane Bennet", "Elizabeth Bennet"):
        cid = add_character(container.deps, eco.id, parse_card({
            "name": name, "description": "A Bennet sister.", "personality": "kind",
            "first_mes": "Good day."}))
        add_to_cast(container.deps, channel.id, cid)
        ids.append(cid)
    return ids


def report_eco(container: Container) -> int:
    with container.deps.uow() as uow:
        eco = uow.spaces.find_ecosystem("discord", "g1")
    assert eco is not None
    return eco.id


def _memories_with(container: Container, word: str) -> int:
    return _count(container, select(func.count()).select_from(memories)
                  .where(memories.c.text.contains(word)))


def test_a_deleted_message_is_forgotten_with_what_came_only_from_it(
        container: Container, parlour: list[int]) -> None:
    _say(container, "Jane, a secret between us: I keep a parrot called Zanzibar.", "m1")
    _say(container, "Elizabeth, I am moving to Lisbon in the spring.", "m2")
    _say(container, "I have a straw hat with ribbons.", "m3", author="kitty", name="Kitty")
    EmbeddedWorker(container).run_pending(max_jobs=1)  # one reply delivered, others queued
    for character in parlour:  # insights and knowledge drawn from it all
        consolidate(container.deps, character, force=True)
    assert _memories_with(container, "Zanzibar") > 0
    assert _count(container, select(func.count()).select_from(confidences)) == 1
    queued = set(container.queue.job_ids)
    with container.database.engine.connect() as conn:
        (secret,) = conn.execute(select(events.c.id).where(events.c.external_id == "m1")
                                 ).scalars()
        pending = conn.execute(select(intents.c.id).where(
            intents.c.trigger_event_id == secret, intents.c.status == "pending")).scalars().all()

    report = forget_messages(container.deps, "discord", "g1", "parlour", ["m1", "unknown"])

    assert report.events == 1 and report.memories > 0
    assert set(report.cancelled_intent_ids) == set(pending)
    assert not {f"render-{i}" for i in pending} & set(container.queue.job_ids)
    assert {f"render-{i}" for i in pending} <= queued
    left = {
        "the event": select(func.count()).select_from(events).where(events.c.id == secret),
        "memories of it": select(func.count()).select_from(memories)
        .where(memories.c.text.contains("Zanzibar")),
        "its words in the lexical index": select(func.count()).select_from(memory_terms)
        .where(memory_terms.c.term.in_(query_terms("Zanzibar parrot"))),
        "its words in the statistics": select(func.count()).select_from(memory_term_stats)
        .where(memory_term_stats.c.term.in_(query_terms("Zanzibar parrot"))),
        "the confidence made in it": select(func.count()).select_from(confidences),
        "sources pointing at nothing": select(func.count()).select_from(memory_sources)
        .where(memory_sources.c.event_id.not_in(select(events.c.id))),
        "citations of what is gone": select(func.count()).select_from(memory_citations)
        .where(memory_citations.c.cited_id.not_in(select(memories.c.id))),
    }
    assert {name: _count(container, stmt) for name, stmt in left.items()} == dict.fromkeys(
        left, 0)
    # Her other message, and Kitty's, are remembered as before.
    assert _memories_with(container, "Lisbon") > 0 and _memories_with(container, "ribbons") > 0
    # Deleting again, or a character's own post (a moderator deleted it), changes nothing.
    assert forget_messages(container.deps, "discord", "g1", "parlour", ["m1"]).events == 0
    with container.deps.uow() as uow:
        channel = uow.spaces.find_channel(report_eco(container), "parlour")
        assert channel is not None
        uow.events.append(Event(
            ecosystem_id=channel.ecosystem_id, channel_id=channel.id, kind=EventKind.MESSAGE,
            idempotency_key="own-post", external_id="c1", created_at=container.deps.clock.now(),
            author_id=parlour[0], author_kind=ParticipantKind.CHARACTER,
            author_name="Jane Bennet", text="Lisbon is lovely in spring."))
        uow.commit()
    assert forget_messages(container.deps, "discord", "g1", "parlour", ["c1"]).events == 0
    assert _count(container, select(func.count()).select_from(events)
                  .where(events.c.external_id == "c1")) == 1


def test_an_edited_message_is_remembered_in_its_new_words(
        container: Container, parlour: list[int]) -> None:
    _say(container, "Elizabeth, I am moving to Lisbon in the spring.", "m1")
    EmbeddedWorker(container).run_pending()
    before = _memories_with(container, "Lisbon")
    assert before == len(parlour)

    changed = amend_message(container.deps, "discord", "g1", "parlour", "m1",
                            "Elizabeth, I am moving to Porto in the spring.")

    assert changed == before
    assert _memories_with(container, "Lisbon") == 0
    assert _memories_with(container, "Porto") == before
    with container.database.engine.connect() as conn:
        text = conn.execute(select(events.c.text).where(events.c.external_id == "m1")).scalar()
        unembedded = conn.execute(select(func.count()).select_from(memories).where(
            memories.c.text.contains("Porto"), memories.c.embedding.is_(None))).scalar_one()
    assert text == "Elizabeth, I am moving to Porto in the spring."
    assert unembedded == before  # embedded again from the new words before the next recall
    assert _count(container, select(func.count()).select_from(memory_terms)
                  .where(memory_terms.c.term.in_(query_terms("Porto")))) == before
    assert _count(container, select(func.count()).select_from(memory_terms)
                  .where(memory_terms.c.term.in_(query_terms("Lisbon")))) == 0
    # An edit over the stored limit is refused and nothing changes; an unknown id is nothing.
    with pytest.raises(InvalidInput, match="keeps its earlier words"):
        amend_message(container.deps, "discord", "g1", "parlour", "m1",
                      "x" * (MAX_STORED_CHARS + 1))
    assert _memories_with(container, "Porto") == before
    assert amend_message(container.deps, "discord", "g1", "parlour", "nope", "hello") == 0
