"""Erasing one member's data, everywhere it is stored (a "forget me" request).

Kept in one place so that every table that can hold a member's data is visibly handled:
adding a table that stores member data means adding a line here (and to its test).

Consolidation derives memories from memories: reflections and knowledge cite what they were
drawn from (``memory_citations``). What was drawn only from the member's data goes with it
(transitively: an insight citing only such insights goes too), knowledge about the member goes
whoever learned it, what drew on them among other things stays with their name redacted, and
the characters' memory summaries are composed again from what remains.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.engine import Connection

from engine.adapters.sql.consolidation_store import ConsolidationStore
from engine.adapters.sql.lexical_index import LexicalIndex
from engine.adapters.sql.tables import (
    characters,
    confidences,
    conflicts,
    ecosystems,
    events,
    goals,
    intents,
    memories,
    memory_citations,
    memory_sources,
    packages,
    participants,
    platform_users,
    ratings,
    relationship_changes,
    relationships,
    reports,
    scenario_templates,
    scenarios,
    story_thread_events,
    story_threads,
)
from engine.consolidation import compose_summary
from engine.marketplace.search import bayesian_score

__all__ = ["Erasure", "erase_member", "erase_marketplace_member"]

#: Memories made from other memories (they cite them) rather than from events.
DERIVED_KINDS = ("reflection", "knowledge")
#: What the member's name becomes where it must stay (characters' own lines, their summaries).
REDACTED = "someone"
#: Ids per ``IN (...)`` (well under SQLite's bound-parameter limit).
_IN_CHUNK = 500


@dataclass
class Erasure:
    """What was removed for one member (counts), and the intents whose jobs must go too."""

    events: int = 0
    #: Every memory removed: observations of their words, and insights and knowledge drawn only
    #: from their data or about them (``derived`` of these).
    memories: int = 0
    derived: int = 0
    relationships: int = 0
    changes: int = 0
    confidences: int = 0
    conflicts: int = 0
    intents: int = 0
    #: Story threads the member took part in (removed), and timeline entries of their events.
    stories: int = 0
    story_events: int = 0
    #: Goals aimed at the member; scenario events the member directed (counted in ``events``).
    goals: int = 0
    redacted: int = 0
    #: Marketplace ratings and reviews, and reports, the member wrote.
    ratings: int = 0
    reports: int = 0
    #: Characters' memory summaries composed again without them.
    summaries: int = 0
    cancelled_intent_ids: list[int] = field(default_factory=list)


def erase_member(conn: Connection, ecosystem_id: int, member_id: int, display_name: str
                 ) -> Erasure:
    """Remove the member's events, every memory derived only from them (embeddings with them),
    knowledge about them, their relationships and their history, their confidences and
    conflicts, the story threads they took part in (and their events in other threads'
    timelines), intents about them, and the member row itself. Characters' own lines that
    answered the member stay, unlinked from them and with the member's name redacted from the
    memories they left, as from insights that drew on them and from memory summaries.
    """
    report = Erasure()
    own_events = [r.id for r in conn.execute(
        select(events.c.id).where(events.c.ecosystem_id == ecosystem_id,
                                  events.c.author_id == member_id))]
    # Scenario events the member directed are their words too (``engine.services.scenarios``).
    own_events += [r.id for r in conn.execute(
        select(events.c.id, events.c.payload).where(events.c.ecosystem_id == ecosystem_id,
                                                    events.c.kind == "system"))
        if (r.payload or {}).get("directed_by") == member_id]
    doomed: set[int] = set()
    if own_events:
        # Memories whose every source is one of the member's events (observations of what
        # they said) go; others only lose those sources.
        sourced = select(memory_sources.c.memory_id).where(
            memory_sources.c.event_id.in_(bindparam("ev", expanding=True)))
        other = select(memory_sources.c.memory_id).where(
            memory_sources.c.event_id.not_in(bindparam("ev", expanding=True)))
        doomed.update(r[0] for r in conn.execute(sourced.except_(other), {"ev": own_events}))
    # Knowledge about the member is theirs, whoever learned it.
    doomed.update(conn.execute(select(memories.c.id).where(
        memories.c.ecosystem_id == ecosystem_id, memories.c.subject_id == member_id)).scalars())
    doomed = _with_derived(conn, doomed)
    touched = _derived_owners(conn, doomed)
    for chunk in _chunks(doomed):
        report.derived += conn.execute(
            select(func.count()).select_from(memories)
            .where(memories.c.id.in_(chunk), memories.c.kind.in_(DERIVED_KINDS))).scalar_one()
        report.memories += conn.execute(delete(memories).where(memories.c.id.in_(chunk))).rowcount
    cancelled = [r.id for r in conn.execute(
        select(intents.c.id).where(
            intents.c.ecosystem_id == ecosystem_id,
            intents.c.status.in_(("pending", "rendering")),
            or_(intents.c.target_id == member_id,
                intents.c.trigger_event_id.in_(own_events or [-1])),
        ))]
    report.cancelled_intent_ids = cancelled
    report.intents = conn.execute(
        delete(intents).where(intents.c.id.in_(cancelled or [-1]))).rowcount
    conn.execute(update(intents).where(intents.c.target_id == member_id).values(target_id=None))
    report.changes = conn.execute(delete(relationship_changes).where(or_(
        relationship_changes.c.source_id == member_id,
        relationship_changes.c.target_id == member_id))).rowcount
    report.relationships = conn.execute(delete(relationships).where(or_(
        relationships.c.source_id == member_id,
        relationships.c.target_id == member_id))).rowcount
    report.confidences = conn.execute(delete(confidences).where(or_(
        confidences.c.owner_id == member_id, confidences.c.confidant_id == member_id))
    ).rowcount
    for row in conn.execute(select(conflicts.c.id, conflicts.c.parties)
                            .where(conflicts.c.ecosystem_id == ecosystem_id)):
        if member_id in (row.parties or []):
            report.conflicts += conn.execute(
                delete(conflicts).where(conflicts.c.id == row.id)).rowcount
    _erase_stories(conn, ecosystem_id, member_id, own_events, display_name, report)
    _erase_goals_and_scenarios(conn, ecosystem_id, member_id, report)
    # Characters' replies to the member stay (they are the characters' words), but no longer
    # point at the member or name them, nor do the memories they left.
    replies = [r.id for r in conn.execute(
        select(events.c.id).where(events.c.ecosystem_id == ecosystem_id,
                                  events.c.target_id == member_id))]
    if replies and display_name:
        conn.execute(update(events).where(events.c.id.in_(replies))
                     .values(text=func.replace(events.c.text, display_name, REDACTED)))
        remembered = [int(i) for i in conn.execute(
            select(memory_sources.c.memory_id).where(memory_sources.c.event_id.in_(replies))
        ).scalars()]
        report.redacted = _redact(conn, remembered, display_name)
    if display_name:
        # Insights and knowledge that drew on the member among other things stay, unnamed.
        named = [int(i) for i in conn.execute(select(memories.c.id).where(
            memories.c.ecosystem_id == ecosystem_id, memories.c.kind.in_(DERIVED_KINDS),
            memories.c.text.contains(display_name, autoescape=True))).scalars()]
        report.redacted += _redact(conn, named, display_name)
        touched |= _derived_owners(conn, named)
        touched.update(conn.execute(select(characters.c.id).where(
            characters.c.ecosystem_id == ecosystem_id,
            characters.c.memory_summary.contains(display_name, autoescape=True))).scalars())
    report.summaries = _recompose_summaries(conn, touched, display_name)
    conn.execute(update(events).where(events.c.target_id == member_id).values(target_id=None))
    # Notable changes about the member ("Jane now counts Mary as a friend") go with them.
    notices = [r.id for r in conn.execute(
        select(events.c.id, events.c.payload).where(events.c.ecosystem_id == ecosystem_id,
                                                    events.c.kind == "system"))
        if member_id in ((r.payload or {}).get("source_id"), (r.payload or {}).get("target_id"))
        or (r.payload or {}).get("cause_event_id") in own_events]
    conn.execute(delete(events).where(events.c.id.in_(notices or [-1])))
    report.events = conn.execute(
        delete(events).where(events.c.id.in_(own_events or [-1]))).rowcount
    _erase_marketplace(conn, ecosystem_id, member_id, report)
    conn.execute(delete(platform_users).where(platform_users.c.id == member_id))
    conn.execute(delete(participants).where(participants.c.id == member_id))
    conn.execute(update(ecosystems).where(ecosystems.c.id == ecosystem_id)
                 .values(social_version=ecosystems.c.social_version + 1))
    return report


def _erase_stories(conn: Connection, ecosystem_id: int, member_id: int, own_events: list[int],
                   display_name: str, report: Erasure) -> None:
    """Story threads the member took part in go (the story is theirs too); their events leave
    every other thread's timeline; their name leaves the titles, summaries and predictions of
    the threads that stay."""
    for row in conn.execute(select(story_threads.c.id, story_threads.c.participants)
                            .where(story_threads.c.ecosystem_id == ecosystem_id)):
        if member_id in (row.participants or []):
            report.stories += conn.execute(
                delete(story_threads).where(story_threads.c.id == row.id)).rowcount
    for chunk in _chunks(own_events):
        report.story_events += conn.execute(delete(story_thread_events).where(
            story_thread_events.c.event_id.in_(chunk))).rowcount
    if not display_name:
        return
    threads = select(story_threads.c.id).where(story_threads.c.ecosystem_id == ecosystem_id)
    conn.execute(update(story_thread_events).where(
        story_thread_events.c.thread_id.in_(threads),
        story_thread_events.c.summary.contains(display_name, autoescape=True))
        .values(summary=func.replace(story_thread_events.c.summary, display_name, REDACTED)))
    for kept in conn.execute(select(story_threads.c.id, story_threads.c.title,
                                    story_threads.c.predictions)
                             .where(story_threads.c.ecosystem_id == ecosystem_id)):
        predictions = [p for p in kept.predictions or []
                       if display_name not in str(p.get("text", ""))]
        if display_name in kept.title or predictions != list(kept.predictions or []):
            conn.execute(update(story_threads).where(story_threads.c.id == kept.id).values(
                title=kept.title.replace(display_name, REDACTED), predictions=predictions))


def _erase_goals_and_scenarios(conn: Connection, ecosystem_id: int, member_id: int,
                               report: Erasure) -> None:
    """Goals aimed at the member go; scenarios and templates they made stay, unattributed."""
    for row in conn.execute(select(goals.c.id, goals.c.target_ids)
                            .where(goals.c.ecosystem_id == ecosystem_id)):
        if member_id in (row.target_ids or []):
            report.goals += conn.execute(delete(goals).where(goals.c.id == row.id)).rowcount
    conn.execute(update(scenarios).where(scenarios.c.ecosystem_id == ecosystem_id,
                                         scenarios.c.created_by == member_id)
                 .values(created_by=None))
    conn.execute(update(scenario_templates).where(
        scenario_templates.c.origin_ecosystem_id == ecosystem_id,
        scenario_templates.c.created_by == member_id).values(created_by=None))


def _erase_marketplace(conn: Connection, ecosystem_id: int, member_id: int,
                      report: Erasure) -> None:
    row = conn.execute(select(ecosystems.c.platform, platform_users.c.external_id).where(
        platform_users.c.id == member_id, ecosystems.c.id == platform_users.c.ecosystem_id,
        ecosystems.c.id == ecosystem_id)).first()
    if row is not None:
        report.ratings, report.reports = erase_marketplace_member(
            conn, f"{row.platform}:{row.external_id}")


def erase_marketplace_member(conn: Connection, member_key: str) -> tuple[int, int]:
    """The marketplace names members by ``<platform>:<user id>``: their ratings, reviews and
    reports go (the packages' rating counts follow); packages they published stay,
    unattributed ("someone"). Returns (ratings, reports) removed."""
    rated = [int(i) for i in conn.execute(
        select(ratings.c.package_id).where(ratings.c.member_key == member_key)).scalars()]
    removed = conn.execute(delete(ratings).where(ratings.c.member_key == member_key)).rowcount
    for package_id in rated:
        count, total = conn.execute(
            select(func.count(), func.coalesce(func.sum(ratings.c.stars), 0))
            .where(ratings.c.package_id == package_id)).one()
        conn.execute(update(packages).where(packages.c.id == package_id).values(
            rating_count=int(count), rating_sum=int(total),
            rating_score=bayesian_score(int(total), int(count))))
    reported = conn.execute(delete(reports).where(reports.c.reporter_key == member_key)).rowcount
    conn.execute(update(packages).where(packages.c.creator_key == member_key)
                 .values(creator_key=None, creator_name=REDACTED))
    return int(removed), int(reported)


def _chunks(ids: Iterable[int]) -> list[list[int]]:
    unique = sorted(set(ids))
    return [unique[i : i + _IN_CHUNK] for i in range(0, len(unique), _IN_CHUNK)]


def _with_derived(conn: Connection, doomed: set[int]) -> set[int]:
    """``doomed`` and every memory drawn only from doomed memories, transitively (an insight
    citing only insights that go, goes)."""
    store = ConsolidationStore(conn)
    doomed = set(doomed)
    frontier = set(doomed)
    while frontier:
        citing: set[int] = set()
        for chunk in _chunks(frontier):
            citing.update(int(i) for i in conn.execute(
                select(memory_citations.c.memory_id).distinct()
                .where(memory_citations.c.cited_id.in_(chunk))).scalars())
        cites = store.citations_of(sorted(citing - doomed))
        frontier = {m for m, cited in cites.items() if set(cited) <= doomed}
        doomed |= frontier
    return doomed


def _derived_owners(conn: Connection, memory_ids: Iterable[int]) -> set[int]:
    """The characters owning these memories' reflections and knowledge."""
    owners: set[int] = set()
    for chunk in _chunks(memory_ids):
        owners.update(int(i) for i in conn.execute(
            select(memories.c.owner_id).distinct().where(
                memories.c.id.in_(chunk), memories.c.kind.in_(DERIVED_KINDS))).scalars())
    return owners


def _redact(conn: Connection, memory_ids: list[int], name: str) -> int:
    """Replace ``name`` in these memories' texts; their embeddings and index entries are of
    the old text, so the embeddings go (the embedding job makes new ones) and the lexical
    index is rebuilt for them."""
    if not name:
        return 0
    count = 0
    for chunk in _chunks(memory_ids):
        count += conn.execute(
            update(memories).where(memories.c.id.in_(chunk))
            .values(text=func.replace(memories.c.text, name, REDACTED), embedding=None)
        ).rowcount
        LexicalIndex(conn).reindex(chunk)
    return count


def _recompose_summaries(conn: Connection, owners: Iterable[int], name: str) -> int:
    """Compose these characters' memory summaries again from what they still remember."""
    store = ConsolidationStore(conn)
    count = 0
    for owner in sorted(set(owners)):
        text = compose_summary(*store.summary_inputs(owner))
        store.set_summary(owner, text.replace(name, REDACTED) if name else text)
        count += 1
    return count
