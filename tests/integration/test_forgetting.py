"""Forgetting on request (both backends): a member's data is gone, everywhere; others' stays.

Everything consolidation drew from it too: insights and knowledge that cite only their
memories, knowledge about them, their name in what drew on them among other things and in
the characters' memory summaries."""

from __future__ import annotations

from sqlalchemy import func, select

from bots.console.community import ConsoleCommunity
from engine.adapters.sql.tables import (
    characters,
    confidences,
    events,
    intents,
    memories,
    memory_citations,
    memory_sources,
    memory_term_stats,
    memory_terms,
    participants,
    platform_users,
    relationship_changes,
    relationships,
    story_thread_events,
    story_threads,
)
from engine.lexical import query_terms
from engine.messages import IncomingMessage
from engine.services.consolidate import consolidate
from engine.services.forgetting import forget_member
from engine.services.ingest import ingest
from engine.services.stories import detect_stories
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker


def _count(container: Container, stmt: object) -> int:
    with container.database.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())  # type: ignore[arg-type]


def test_forget_me_removes_everything_about_the_member(container: Container) -> None:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    community.say("Lydia, a secret between us: I keep a parrot called Zanzibar.")
    community.say("Darcy, you are a vile, arrogant man, says Zanzibar's owner.")
    EmbeddedWorker(container).run_pending(max_jobs=2)  # some replies are delivered...
    community.say("@Jane, Zanzibar sends his regards.")  # ...and some are still queued
    community.say("I'm moving to Lisbon in the spring.")
    kitty_says = ("Jane, I adore your bonnet!", "I have a straw hat with ribbons.")
    for number, line in enumerate(kitty_says):
        ingest(container.deps, IncomingMessage(
            platform="console", space_id="local", channel_id="drawing-room", author_id="kitty",
            author_name="Kitty", text=line, message_id=f"k{number}"))
    with container.deps.uow() as uow:
        mary = uow.participants.find_human(community.ecosystem.id, "member")
        cast = [m.id for m in uow.participants.cast_of(community.channel.id)]
    assert mary is not None
    mary_id = mary[0]
    for character in cast:  # what they make of it all: insights, knowledge, summaries
        consolidate(container.deps, character, force=True)
    detect_stories(container.deps, community.ecosystem.id, force=True)
    queued_before = set(container.queue.job_ids)
    assert _count(container, select(func.count()).select_from(memory_terms)
                  .where(memory_terms.c.term.in_(query_terms("Zanzibar")))) > 0
    assert _count(container, select(func.count()).select_from(memories)
                  .where(memories.c.text.contains("Zanzibar"))) > 0
    assert _count(container, select(func.count()).select_from(memories)
                  .where(memories.c.subject_id == mary_id)) > 0
    assert _count(container, select(func.count()).select_from(characters)
                  .where(characters.c.memory_summary.contains("Mary"))) == len(cast)

    report = forget_member(container.deps, "console", "local", "member")

    assert report.events == 4 and report.memories > 0 and report.relationships > 0
    assert report.confidences == 1 and report.derived > 0 and report.summaries == len(cast)
    derived = memories.c.kind.in_(("reflection", "knowledge"))
    checks = {
        "events by her": select(func.count()).select_from(events)
        .where(events.c.author_id == mary_id),
        "events aimed at her": select(func.count()).select_from(events)
        .where(events.c.target_id == mary_id),
        "memories of her words": select(func.count()).select_from(memories)
        .where(memories.c.text.contains("Zanzibar") | memories.c.text.contains("Lisbon")),
        "knowledge about her": select(func.count()).select_from(memories)
        .where(memories.c.subject_id == mary_id),
        "insights and knowledge left citing nothing": select(func.count()).select_from(memories)
        .where(derived, memories.c.id.not_in(select(memory_citations.c.memory_id))),
        "citations of what is gone": select(func.count()).select_from(memory_citations)
        .where(memory_citations.c.cited_id.not_in(select(memories.c.id))),
        "summaries naming her or her words": select(func.count()).select_from(characters)
        .where(characters.c.memory_summary.contains("Mary")
               | characters.c.memory_summary.contains("Zanzibar")
               | characters.c.memory_summary.contains("Lisbon")),
        "memories naming her": select(func.count()).select_from(memories)
        .where(memories.c.text.contains("Mary")),
        "her name and words in the lexical index": select(func.count())
        .select_from(memory_terms).where(memory_terms.c.term.in_(
            query_terms("Mary Zanzibar Lisbon"))),
        "her name and words in the lexical statistics": select(func.count())
        .select_from(memory_term_stats).where(memory_term_stats.c.term.in_(
            query_terms("Mary Zanzibar Lisbon"))),
        "notices naming her": select(func.count()).select_from(events)
        .where(events.c.kind == "system", events.c.text.contains("Mary")),
        "sources": select(func.count()).select_from(memory_sources)
        .where(memory_sources.c.event_id.not_in(select(events.c.id))),
        "relationships": select(func.count()).select_from(relationships)
        .where((relationships.c.source_id == mary_id) | (relationships.c.target_id == mary_id)),
        "history": select(func.count()).select_from(relationship_changes)
        .where((relationship_changes.c.source_id == mary_id)
               | (relationship_changes.c.target_id == mary_id)),
        "confidences": select(func.count()).select_from(confidences),
        "intents about her": select(func.count()).select_from(intents)
        .where(intents.c.target_id == mary_id),
        "her events in story timelines": select(func.count()).select_from(story_thread_events)
        .where(story_thread_events.c.event_id.not_in(select(events.c.id))),
        "member row": select(func.count()).select_from(platform_users)
        .where(platform_users.c.external_id == "member"),
        "participant row": select(func.count()).select_from(participants)
        .where(participants.c.id == mary_id),
    }
    remaining = {name: _count(container, stmt) for name, stmt in checks.items()}
    assert remaining == dict.fromkeys(checks, 0)
    with container.database.engine.connect() as conn:
        casts = conn.execute(select(story_threads.c.participants)).scalars().all()
    assert all(mary_id not in cast for cast in casts), "story threads she took part in"
    # Queued jobs about her are gone; nothing else was.
    cancelled = {f"render-{i}" for i in report.cancelled_intent_ids}
    assert cancelled and cancelled <= queued_before
    assert not cancelled & set(container.queue.job_ids)
    # Kitty's words, and what the characters remember of them, are untouched.
    assert _count(container, select(func.count()).select_from(events)
                  .where(events.c.text.contains("bonnet"))) == 1
    assert _count(container, select(func.count()).select_from(memories)
                  .where(memories.c.text.contains("bonnet"))) > 0
    # What the characters learned of Kitty stays, and their summaries still say so.
    assert _count(container, select(func.count()).select_from(memories)
                  .where(memories.c.text == "Kitty has a straw hat with ribbons.")) == len(cast)
    assert _count(container, select(func.count()).select_from(characters)
                  .where(characters.c.memory_summary.contains("Kitty"))) == len(cast)
    # Forgetting is idempotent.
    again = forget_member(container.deps, "console", "local", "member")
    assert again.events == 0 and again.memories == 0


def test_forget_command(tmp_path: object) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    db = f"sqlite:///{tmp_path}/f.db"
    env = dict(os.environ, PERSONAE_DATABASE_URL=db)
    demo = subprocess.run([sys.executable, "-m", "bots.cli.main", "demo", "--turns", "4",
                           "--database-url", db, "--say", "1:Jane, you are so kind!"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=180)
    assert demo.returncode == 0, demo.stderr
    out = subprocess.run([sys.executable, "-m", "bots.cli.main", "members", "forget", "member"],
                         cwd=root, env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert "Forgot member member: 1 messages" in out.stdout
