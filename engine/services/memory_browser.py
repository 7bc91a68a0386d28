"""The memory browser: what a character remembers, for members, the CLI and the bots' commands.

Read-only services over one character's memories, each returning plain dataclasses:

* ``search`` — text search (every term, or "quoted phrase", must occur, ignoring case), or
  ``semantic=True``: what the character would recall for the query, through the very recall
  that builds prompts (``engine.services.recall.recall``), in a unit of work that is never
  committed, so browsing never marks a memory as accessed.
* ``top`` — the most important memories; ``knowledge`` — semantic knowledge, by subject.
* ``reflections`` — the consolidation view: each reflection or piece of knowledge with the
  memories it was drawn from; ``memory_detail`` — one memory, what it cites and what cites it.
* ``associations`` — per participant: how many memories, their average emotional tone, the
  most positive and the most negative.
* ``overview`` — the memory summary, counts per kind, the top memories and latest reflections.

Archived (faded) memories are hidden unless ``include_archived``. Characters are named by
name, alias, a word of their name ("Darcy") or id: ``resolve_character``
(``engine.services.character_refs``, re-exported here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from engine.adapters.sql.memory_browser_store import (
    ORDERS,
    AssociationRow,
    MemoryCounts,
    MemoryFilter,
    MemoryRow,
    Order,
)
from engine.adapters.sql.uow import UnitOfWork
from engine.errors import InvalidInput, ModelUnavailable, NotFound, ServiceUnavailable
from engine.memory import RetrievalWeights
from engine.services.character_refs import (
    CharacterRef,
    resolve_character,
    resolve_in,
    split_character,
)
from engine.services.deps import Deps
from engine.services.recall import recall

__all__ = [
    "KINDS",
    "MAX_LIMIT",
    "CONSOLIDATED",
    "CharacterRef",
    "MemoryPage",
    "Reflection",
    "ConsolidationView",
    "MemoryDetail",
    "Association",
    "AssociationsView",
    "Overview",
    "MemoryRow",
    "resolve_character",
    "split_character",
    "parse_terms",
    "search",
    "top",
    "knowledge",
    "reflections",
    "memory_detail",
    "associations",
    "overview",
]

#: The kinds of memory: what was witnessed, insights drawn from it, knowledge about someone.
KINDS: tuple[str, ...] = ("observation", "reflection", "knowledge")
#: Consolidated memories: they cite what they were drawn from.
CONSOLIDATED: tuple[str, ...] = ("reflection", "knowledge")
#: The largest page any browser call returns.
MAX_LIMIT = 200
#: A filtered semantic search asks recall for this many times the page (up to MAX_RECALL),
#: since the filters are applied to what recall returns.
SEMANTIC_OVERFETCH = 4
MAX_RECALL = 400
#: A semantic search embeds at most this many not-yet-embedded memories of the character
#: (in its uncommitted unit of work), ``EMBED_BATCH`` per embedder call.
EMBED_PENDING = 256
EMBED_BATCH = 64

_TERM = re.compile(r'"([^"]+)"|(\S+)')


@dataclass(frozen=True)
class MemoryPage:
    """One page of memories.

    Attributes:
        total: How many match in all (None in semantic mode: recall ranks, it does not count).
        cited_by: For memories of the page cited by reflections/knowledge: how many cite them.
    """

    character: CharacterRef
    mode: str
    query: str
    memories: list[MemoryRow]
    total: int | None
    offset: int
    limit: int
    cited_by: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Reflection:
    """A reflection or piece of knowledge, with the memories it was drawn from."""

    memory: MemoryRow
    cited: list[MemoryRow]


@dataclass(frozen=True)
class ConsolidationView:
    character: CharacterRef
    reflections: list[Reflection]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class MemoryDetail:
    """One memory, the memories it cites (if consolidated) and the ones citing it."""

    character: CharacterRef
    memory: MemoryRow
    cites: list[MemoryRow]
    cited_by: list[MemoryRow]


@dataclass(frozen=True)
class Association:
    """How the character's memories about or with one participant feel."""

    participant_id: int
    name: str
    participant_kind: str
    memories: int
    mean_tone: float
    most_positive: MemoryRow | None
    most_negative: MemoryRow | None


@dataclass(frozen=True)
class AssociationsView:
    character: CharacterRef
    associations: list[Association]


@dataclass(frozen=True)
class Overview:
    """A character's memory at a glance."""

    character: CharacterRef
    summary: str
    counts: MemoryCounts
    consolidated_at: datetime | None
    top: list[MemoryRow]
    reflections: list[Reflection]


# -- searching -----------------------------------------------------------------------------


def parse_terms(query: str) -> tuple[str, ...]:
    """Words of a query; a "quoted phrase" stays one term."""
    return tuple(m.group(1) or m.group(2) for m in _TERM.finditer(query) if
                 (m.group(1) or m.group(2)).strip())


def search(
    deps: Deps,
    ecosystem_id: int,
    character: str | int,
    query: str,
    *,
    semantic: bool = False,
    kinds: tuple[str, ...] = (),
    channel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    include_archived: bool = False,
    order: Order = "newest",
    limit: int = 20,
    offset: int = 0,
) -> MemoryPage:
    """Search a character's memories.

    Args:
        query: Text mode: every term must occur in the memory (case-insensitive; an empty
            query lists everything). Semantic mode: what the character is asked to recall.
        semantic: Rank by recall (recency + importance + relevance + lexical match), as when
            the character speaks; only active memories, and nothing is marked as accessed.
            Memories the embedding job has not reached yet are embedded for this search only
            (up to ``EMBED_PENDING``; nothing is stored).
        kinds: Only these kinds (see ``KINDS``); empty = all.
        channel: Only memories of this channel (its platform id or name).
        since, until: Created in ``[since, until)`` (a time without a zone is UTC).
        include_archived: Faded memories too (text mode only).
        order: Text mode: "newest", "oldest" or "importance".
        limit, offset: The page.
    """
    _check_page(limit, offset)
    if order not in ORDERS:
        raise InvalidInput(f"Order by one of {', '.join(ORDERS)}, not '{order}'.")
    with deps.uow() as uow:
        ref = resolve_in(uow, ecosystem_id, character)
        where = MemoryFilter(
            owner_id=ref.id, terms=() if semantic else parse_terms(query),
            kinds=_kinds(kinds), channel_id=_channel_id(uow, ecosystem_id, channel),
            since=_utc(since), until=_utc(until), include_archived=include_archived,
        )
        if not semantic:
            rows = uow.browser.search(where, order=order, limit=limit, offset=offset)
            return _page(uow, ref, "text", query, rows, uow.browser.count(where), offset,
                         limit)
        ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
        weights = RetrievalWeights.of_ecosystem(ecosystem.settings if ecosystem else {})
    rows = _recall_rows(deps, ref, query, where, weights, limit, offset)
    with deps.uow() as uow:
        return _page(uow, ref, "semantic", query, rows, None, offset, limit)


def _recall_rows(
    deps: Deps, ref: CharacterRef, query: str, where: MemoryFilter, weights: RetrievalWeights,
    limit: int, offset: int,
) -> list[MemoryRow]:
    """A page of what recall brings up for ``query`` (with the community's retrieval
    weights, as when the character speaks), filtered, in recall's order."""
    if not query.strip():
        raise InvalidInput("A semantic search needs something to recall: give a query.")
    if where.include_archived:
        raise InvalidInput("A semantic search sees only active memories, as recall does; "
                           "search the text to include archived ones.")
    filtered = bool(where.kinds or where.channel_id is not None or where.since or where.until)
    k = offset + limit
    if filtered:
        k = min(MAX_RECALL, max(k, k * SEMANTIC_OVERFETCH))
    try:
        # Never committed: recall's "accessed now" marks, and the vectors of memories the
        # embedding job has not reached yet (computed so that they can be found by meaning),
        # are rolled back on leaving.
        with deps.uow() as uow:
            _embed_pending(deps, uow, ref.id)
            recalled = recall(uow, deps.embedder, owner_id=ref.id, query=query,
                              now=deps.clock.now(), k=k, weights=weights)
    except ModelUnavailable as exc:
        raise ServiceUnavailable(
            "The embedding model is unavailable, so a semantic search cannot run now; "
            "search the text instead."
        ) from exc
    ids = [m.id for m in recalled if m.id is not None]
    with deps.uow() as uow:
        rows = uow.browser.rows_by_id(ref.id, ids)
    kept = [rows[i] for i in ids if i in rows and _passes(rows[i], where)]
    return kept[offset : offset + limit]


def _embed_pending(deps: Deps, uow: UnitOfWork, owner_id: int) -> None:
    """Give the owner's unembedded memories (up to ``EMBED_PENDING``) a vector in ``uow``."""
    pending = [m for m in uow.memories.unembedded(owner_id, EMBED_PENDING) if m.id is not None]
    for start in range(0, len(pending), EMBED_BATCH):
        batch = pending[start : start + EMBED_BATCH]
        for memory, vector in zip(batch, deps.embedder.embed([m.text for m in batch]),
                                  strict=True):
            uow.memories.set_embedding(memory.id or 0, vector)


def _passes(row: MemoryRow, where: MemoryFilter) -> bool:
    return (
        (not where.kinds or row.kind in where.kinds)
        and (where.channel_id is None or row.channel_id == where.channel_id)
        and (where.since is None or row.created_at >= where.since)
        and (where.until is None or row.created_at < where.until)
    )


def top(
    deps: Deps,
    ecosystem_id: int,
    character: str | int,
    *,
    kinds: tuple[str, ...] = (),
    include_archived: bool = False,
    limit: int = 10,
    offset: int = 0,
) -> MemoryPage:
    """A character's most important memories (ties: the newer first)."""
    _check_page(limit, offset)
    with deps.uow() as uow:
        ref = resolve_in(uow, ecosystem_id, character)
        where = MemoryFilter(owner_id=ref.id, kinds=_kinds(kinds),
                             include_archived=include_archived)
        rows = uow.browser.search(where, order="importance", limit=limit, offset=offset)
        return _page(uow, ref, "top", "", rows, uow.browser.count(where), offset, limit)


def knowledge(
    deps: Deps,
    ecosystem_id: int,
    character: str | int,
    *,
    about: str | None = None,
    include_archived: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> MemoryPage:
    """What a character knows (kind "knowledge"), about one participant or everyone.

    Ordered by importance. ``about`` names a character or a member of the community.
    """
    _check_page(limit, offset)
    with deps.uow() as uow:
        ref = resolve_in(uow, ecosystem_id, character)
        subject, name = _participant(uow, ecosystem_id, about) if about else (None, "")
        where = MemoryFilter(owner_id=ref.id, kinds=("knowledge",), subject_id=subject,
                             include_archived=include_archived)
        rows = uow.browser.search(where, order="importance", limit=limit, offset=offset)
        return _page(uow, ref, "knowledge", name, rows, uow.browser.count(where),
                     offset, limit)


# -- consolidation ---------------------------------------------------------------------------


def reflections(
    deps: Deps,
    ecosystem_id: int,
    character: str | int,
    *,
    kinds: tuple[str, ...] = CONSOLIDATED,
    include_archived: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> ConsolidationView:
    """The consolidation view: reflections/knowledge, newest first, each with its sources."""
    _check_page(limit, offset)
    wanted = _kinds(kinds) or CONSOLIDATED
    with deps.uow() as uow:
        ref = resolve_in(uow, ecosystem_id, character)
        where = MemoryFilter(owner_id=ref.id, kinds=wanted, include_archived=include_archived)
        rows = uow.browser.search(where, order="newest", limit=limit, offset=offset)
        cited = uow.browser.citations([r.id for r in rows])
        return ConsolidationView(
            ref, [Reflection(r, cited.get(r.id, [])) for r in rows],
            uow.browser.count(where), offset, limit,
        )


def memory_detail(
    deps: Deps, ecosystem_id: int, character: str | int, memory_id: int
) -> MemoryDetail:
    """One of the character's memories: what it cites and which reflections cite it."""
    with deps.uow() as uow:
        ref = resolve_in(uow, ecosystem_id, character)
        row = uow.browser.get(ref.id, memory_id)
        if row is None:
            raise NotFound(f"{ref.name} has no memory #{memory_id}.")
        cites = uow.browser.citations([memory_id]).get(memory_id, [])
        return MemoryDetail(ref, row, cites, uow.browser.cited_by(memory_id))


# -- feelings and the whole picture ------------------------------------------------------------


def associations(
    deps: Deps,
    ecosystem_id: int,
    character: str | int,
    *,
    include_archived: bool = False,
    limit: int = 20,
) -> AssociationsView:
    """The emotional associations of a character's memories, per participant.

    A memory is about or with someone when they wrote or were addressed in its source message,
    or when it is knowledge about them. Most remembered participants first.
    """
    _check_page(limit, 0)
    with deps.uow() as uow:
        ref = resolve_in(uow, ecosystem_id, character)
        found = uow.browser.associations(ref.id, include_archived=include_archived,
                                         limit=limit)
        rows = uow.browser.rows_by_id(ref.id, [i for a in found for i in _extreme_ids(a)])
    return AssociationsView(ref, [
        Association(
            a.participant_id, a.name, a.participant_kind, a.memories, a.mean_tone,
            rows.get(a.most_positive_id) if a.most_positive_id is not None else None,
            rows.get(a.most_negative_id) if a.most_negative_id is not None else None,
        )
        for a in found
    ])


def _extreme_ids(a: AssociationRow) -> list[int]:
    return [i for i in (a.most_positive_id, a.most_negative_id) if i is not None]


def overview(
    deps: Deps, ecosystem_id: int, character: str | int, *, top_k: int = 5,
    latest_reflections: int = 3,
) -> Overview:
    """The memory summary, counts per kind, the top memories and the latest reflections."""
    with deps.uow() as uow:
        ref = resolve_in(uow, ecosystem_id, character)
        state = uow.browser.state(ref.id)
        best = uow.browser.search(MemoryFilter(owner_id=ref.id), order="importance",
                                  limit=top_k)
        latest = uow.browser.search(MemoryFilter(owner_id=ref.id, kinds=CONSOLIDATED),
                                    order="newest", limit=latest_reflections)
        cited = uow.browser.citations([r.id for r in latest])
        return Overview(
            ref, state.memory_summary if state else "", uow.browser.counts(ref.id),
            state.consolidated_at if state else None, best,
            [Reflection(r, cited.get(r.id, [])) for r in latest],
        )


# -- helpers -------------------------------------------------------------------------------------


def _page(
    uow: UnitOfWork, ref: CharacterRef, mode: str, query: str, rows: list[MemoryRow],
    total: int | None, offset: int, limit: int,
) -> MemoryPage:
    cited = uow.browser.citation_counts([r.id for r in rows])
    return MemoryPage(ref, mode, query, rows, total, offset, limit, cited)


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"Show between 1 and {MAX_LIMIT} memories at a time, not {limit}.")
    if offset < 0:
        raise InvalidInput("The offset cannot be negative.")


def _kinds(kinds: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise InvalidInput(
            f"Unknown memory kind '{unknown[0]}'; the kinds are {', '.join(KINDS)}."
        )
    return tuple(dict.fromkeys(kinds))


def _utc(moment: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC (as stored times are)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _channel_id(uow: UnitOfWork, ecosystem_id: int, channel: str | None) -> int | None:
    if channel is None or not channel.strip():
        return None
    wanted = channel.strip().lstrip("#").casefold()
    for c in uow.spaces.list_channels(ecosystem_id):
        if wanted in (c.external_id.casefold(), c.name.casefold()):
            return c.id
    raise NotFound(f"No channel '{channel}' in this community.")


def _participant(uow: UnitOfWork, ecosystem_id: int, name: str) -> tuple[int, str]:
    """(id, name) of a character (as ``resolve_character`` names them) or a member."""
    try:
        ref = resolve_in(uow, ecosystem_id, name)
    except NotFound:
        human = uow.participants.find_human_by_name(ecosystem_id, name)
        if human is None:
            raise NotFound(f"Nobody called '{name}' in this community.") from None
        return human
    return ref.id, ref.name
