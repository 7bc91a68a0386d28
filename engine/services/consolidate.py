"""Consolidate: a character reflects on what it witnessed (an RQ job, queued by the tick).

``consolidate`` runs the steps of ``engine.consolidation`` for one character, in three parts:

1. **Gather** (one transaction): the observations since the character's mark; unless forced,
   stop there when their summed importance is below ``PERSONAE_REFLECTION_THRESHOLD``. Archive
   what has faded (``PERSONAE_FADE_AFTER_DAYS``, ``PERSONAE_FADE_BELOW_IMPORTANCE``), ask the
   focal questions and retrieve memories for each through ``engine.services.recall`` (the one
   retrieval path), read what the character already knows.
2. **Think** (no transaction open: a model may take seconds): with a language model
   (``deps.model``), one JSON request for insights citing the retrieved memories and updated
   impressions of the people involved; without one, or when it is unavailable or answers
   something unusable, the templates. Facts members stated about themselves are read by rule
   either way.
3. **Store** (one transaction): the mark moves on (if another run moved it first, this one's
   results are dropped); insights become reflection memories, knowledge is merged by slot
   (updated, not duplicated; a replaced version is archived, its citations carried over);
   every new memory cites what it came from; the memory summary is composed again.

An embedder that is down costs relevance, not the consolidation: retrieval then ranks by
recency, importance and the lexical match, and new memories wait for the embedding job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from engine.adapters.sql.uow import UnitOfWork
from engine.consolidation import (
    MAX_INSIGHTS,
    RETRIEVE_PER_QUESTION,
    FadePolicy,
    FocalQuestion,
    Insight,
    Witnessed,
    compose_summary,
    focal_questions,
    insight_importance,
    is_due,
    template_insight,
)
from engine.consolidation_prompts import (
    REFLECTION_MAX_TOKENS,
    TEMPERATURE,
    ModelReflection,
    parse_reflection,
    reflection_messages,
)
from engine.errors import ModelUnavailable
from engine.knowledge import IMPRESSION_PREFIX, IMPRESSION_SLOT, impression_text, slot_of
from engine.knowledge_merge import (
    IMPRESSION_IMPORTANCE,
    KnowledgeChange,
    Known,
    Learned,
    learn_facts,
    learn_impressions,
    plan_knowledge,
)
from engine.memory import Memory, RetrievalWeights, first_person
from engine.ports import Embedder, LanguageModel
from engine.services import enterprise
from engine.services.deps import Deps
from engine.services.recall import recall

__all__ = ["ConsolidationReport", "consolidate", "consolidate_due", "due_characters"]

log = logging.getLogger(__name__)

#: Pending embeddings of the character filled in before retrieving (as a render does).
EMBED_BATCH = 64
EMBED_LIMIT = 256


@dataclass
class ConsolidationReport:
    """What one consolidation of one character did."""

    owner_id: int
    #: Observations considered (made since the previous consolidation) and their importance.
    considered: int = 0
    importance: float = 0.0
    questions: list[str] = field(default_factory=list)
    #: The memory ids retrieved for each question.
    retrieved: dict[str, list[int]] = field(default_factory=dict)
    #: Reflection memories written (or, when one said the same already, cited anew).
    reflections: list[int] = field(default_factory=list)
    #: Knowledge memories written or given new citations.
    knowledge: list[int] = field(default_factory=list)
    #: Knowledge versions replaced by newer ones (archived).
    superseded: list[int] = field(default_factory=list)
    #: Memories that faded (archived).
    archived: list[int] = field(default_factory=list)
    summary: str = ""
    #: Who wrote the insights: "model" or "template".
    source: str = "template"


@dataclass
class _Gathered:
    owner_id: int
    owner_name: str
    ecosystem_id: int
    through: int
    window: list[Witnessed]
    questions: list[FocalQuestion]
    retrieved: dict[str, list[Witnessed]]
    known: list[Known]
    names: dict[int, str]
    #: For each participant who spoke since the mark: what they said then, and what the
    #: current impression of them cites.
    seen: dict[int, list[Witnessed]]
    archived: list[int]


class _Directionless:
    """Stands in for an embedder that is down: zero vectors, so that recall skips the
    nearest-neighbour search and ranks by recency, importance and the lexical match."""

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [[0.0] * self.dim for _ in texts]


def due_characters(deps: Deps, ecosystem_id: int) -> list[int]:
    """The ecosystem's characters whose observations since their last consolidation reach
    the reflection threshold."""
    with deps.uow() as uow:
        return uow.consolidation.due_owners(ecosystem_id, deps.settings.reflection_threshold)


def consolidate_due(deps: Deps, ecosystem_id: int) -> list[ConsolidationReport]:
    """Consolidate every character of the ecosystem that is due (the RQ job's work)."""
    reports = []
    for owner_id in due_characters(deps, ecosystem_id):
        report = consolidate(deps, owner_id)
        if report is not None:
            reports.append(report)
    return reports


def consolidate(deps: Deps, owner_id: int, *, force: bool = False) -> ConsolidationReport | None:
    """Consolidate one character's memories.

    Args:
        deps: The engine's dependencies (``deps.model`` writes insights when set).
        owner_id: The character.
        force: Consolidate even if the importance gathered since the last time is below the
            threshold.

    Returns:
        What was done, or None when the character is unknown, not due (and not forced), or
        was consolidated by another run meanwhile.
    """
    now = deps.clock.now()
    gathered = _gather(deps, owner_id, now, force)
    if gathered is None:
        return None
    model = enterprise.model_for(deps, gathered.ecosystem_id) or deps.model
    insights, impressions, source = _think(model, gathered)
    learned = learn_facts(gathered.window, owner_id, gathered.names) + impressions
    changes = plan_knowledge(gathered.known, learned, gathered.names)
    report = ConsolidationReport(
        owner_id=owner_id, considered=len(gathered.window),
        importance=sum(w.memory.importance for w in gathered.window),
        questions=[q.text for q in gathered.questions],
        retrieved={q: [w.memory.id or 0 for w in found]
                   for q, found in gathered.retrieved.items()},
        archived=gathered.archived, source=source,
    )
    if not _store(deps, gathered, insights, changes, now, report):
        return None
    log.info("character %s consolidated %d observations: %d insights (%s), %d knowledge, "
             "%d faded", owner_id, report.considered, len(report.reflections), source,
             len(report.knowledge), len(report.archived))
    return report


# -- 1. gather ----------------------------------------------------------------------------------


def _gather(deps: Deps, owner_id: int, now: datetime, force: bool) -> _Gathered | None:
    settings = deps.settings
    policy = FadePolicy(settings.fade_after_days, settings.fade_below_importance)
    with deps.uow() as uow:
        character = uow.participants.get_character(owner_id)
        if character is None or character.ecosystem_id is None:
            return None
        through = uow.consolidation.consolidated_through(owner_id)
        window = uow.consolidation.observations_since(owner_id, through)
        weight = sum(w.memory.importance for w in window)
        if not force and not is_due(weight, settings.reflection_threshold):
            return None
        # What has faded first: it is no longer there to be recalled below.
        archived = _fade(uow, owner_id, now, policy)
        questions = focal_questions(window, owner_id, character.name)
        retrieved = _retrieve(deps, uow, owner_id, questions, now)
        known = uow.consolidation.knowledge_of(owner_id)
        speakers = {w.speaker_id for w in window
                    if w.speaker_id is not None and w.speaker_id != owner_id}
        names = {pid: name for pid, (name, _) in uow.participants.names(
            sorted(speakers | {k.subject_id for k in known})).items()}
        seen = _seen(uow, window, known, speakers & names.keys(), names)
        uow.commit()  # the archive, and the access times of what was recalled
    return _Gathered(owner_id, character.name, character.ecosystem_id, through, window,
                     questions, retrieved, known, names, seen, archived)


def _fade(uow: UnitOfWork, owner_id: int, now: datetime, policy: FadePolicy) -> list[int]:
    candidates = uow.consolidation.fading_candidates(
        owner_id, policy.cutoff(now), policy.below_importance, policy.kinds)
    if not candidates:
        return []
    cited = uow.consolidation.cited_by_live([m.id for m in candidates if m.id is not None])
    faded = policy.select(candidates, now, cited)
    uow.memories.archive(faded)
    return faded


def _retrieve(
    deps: Deps, uow: UnitOfWork, owner_id: int, questions: Sequence[FocalQuestion],
    now: datetime,
) -> dict[str, list[Witnessed]]:
    embedder: Embedder = deps.embedder
    try:
        _embed_pending(deps, uow, owner_id)
    except ModelUnavailable as exc:
        log.warning("character %s reflects without embeddings: %s", owner_id, exc)
        embedder = _Directionless(deps.embedder.dim)
    retrieved: dict[str, list[Witnessed]] = {}
    for question in questions:
        try:
            found = recall(uow, embedder, owner_id=owner_id, query=question.query, now=now,
                           k=RETRIEVE_PER_QUESTION, weights=RetrievalWeights())
        except ModelUnavailable as exc:
            log.warning("character %s reflects without embeddings: %s", owner_id, exc)
            embedder = _Directionless(deps.embedder.dim)
            found = recall(uow, embedder, owner_id=owner_id, query=question.query, now=now,
                           k=RETRIEVE_PER_QUESTION, weights=RetrievalWeights())
        retrieved[question.text] = uow.consolidation.witnessed(found)
    return retrieved


def _embed_pending(deps: Deps, uow: UnitOfWork, owner_id: int) -> None:
    """Embed the character's memories still without a vector, so retrieval finds them."""
    pending = uow.memories.unembedded(owner_id, EMBED_LIMIT)
    for start in range(0, len(pending), EMBED_BATCH):
        batch = pending[start : start + EMBED_BATCH]
        vectors = deps.embedder.embed([m.text for m in batch])
        for memory, vector in zip(batch, vectors, strict=True):
            uow.memories.set_embedding(memory.id or 0, vector)


def _seen(
    uow: UnitOfWork, window: Sequence[Witnessed], known: Sequence[Known], subjects: set[int],
    names: dict[int, str],
) -> dict[int, list[Witnessed]]:
    """What each subject was seen saying: since the mark, and in what the character's current
    impression of them cites (so an impression is drawn from all of it, not the last hour)."""
    seen: dict[int, list[Witnessed]] = {s: [w for w in window if w.speaker_id == s]
                                         for s in sorted(subjects)}
    earlier = {k.subject_id: k.cited_ids for k in known if k.subject_id in seen
               and slot_of(k.text, names.get(k.subject_id, "")) == IMPRESSION_SLOT}
    cited_ids = sorted({i for ids in earlier.values() for i in ids})
    if cited_ids:
        window_ids = {w.memory.id for w in window}
        for w in uow.consolidation.witnessed(uow.consolidation.memories(cited_ids)):
            if w.speaker_id in seen and w.memory.id not in window_ids:
                seen[w.speaker_id].append(w)
    return seen


# -- 2. think -----------------------------------------------------------------------------------


def _think(
    model: LanguageModel | None, g: _Gathered
) -> tuple[list[Insight], list[Learned], str]:
    """Insights and impressions: the model's where it gave usable ones, else the templates'."""
    templated: dict[str, Insight] = {}
    for question in g.questions:
        insight = template_insight(question, g.retrieved.get(question.text, []), g.owner_id)
        if insight is not None:
            templated.setdefault(insight.text, insight)
    impressions = learn_impressions(g.seen, g.names)
    statements = _statements(g)
    if model is None or not statements:
        return list(templated.values()), impressions, "template"
    answer = _ask(model, g, statements)
    if answer is None:
        return list(templated.values()), impressions, "template"
    insights = []
    for item in answer.insights[:MAX_INSIGHTS]:
        cited = [statements[i] for i in item.cites]
        importance = item.importance if item.importance is not None else \
            insight_importance(cited)
        insights.append(Insight(item.text, tuple(sorted(m.id or 0 for m in cited)),
                                importance))
    by_name = {name: pid for pid, name in g.names.items() if pid in g.seen}
    from_model = {
        by_name[i.name]: Learned(
            by_name[i.name], IMPRESSION_SLOT, impression_text(i.name, i.text),
            tuple(sorted(statements[c].id or 0 for c in i.cites)), IMPRESSION_IMPORTANCE)
        for i in answer.impressions if i.name in by_name
    }
    impressions = [from_model.pop(i.subject_id, i) for i in impressions] + list(
        from_model.values())
    if not insights:
        return list(templated.values()), impressions, "template"
    return insights, impressions, "model"


def _statements(g: _Gathered) -> list[Memory]:
    """The retrieved memories, each once, in the order first retrieved."""
    seen: dict[int, Memory] = {}
    for found in g.retrieved.values():
        for w in found:
            if w.memory.id is not None:
                seen.setdefault(w.memory.id, w.memory)
    return list(seen.values())


def _ask(model: LanguageModel, g: _Gathered, statements: Sequence[Memory]
         ) -> ModelReflection | None:
    prefix = {pid: IMPRESSION_PREFIX.format(name=g.names[pid]) for pid in g.seen}
    current = {k.subject_id: k.text.removeprefix(prefix[k.subject_id]) for k in g.known
               if k.subject_id in prefix and k.text.startswith(prefix[k.subject_id])}
    people = {g.names[pid]: current.get(pid, "") for pid in g.seen}
    messages = reflection_messages(
        g.owner_name, [first_person(m.text, g.owner_name) for m in statements],
        [q.text for q in g.questions], people, MAX_INSIGHTS)
    try:
        raw = model.complete(messages, max_tokens=REFLECTION_MAX_TOKENS, temperature=TEMPERATURE)
    except ModelUnavailable as exc:
        log.warning("character %s reflects with templates: %s", g.owner_id, exc)
        return None
    answer = parse_reflection(raw, len(statements), list(people))
    if answer is None:
        log.warning("character %s reflects with templates: unusable model answer %r",
                    g.owner_id, raw[:200])
    return answer


# -- 3. store -----------------------------------------------------------------------------------


def _store(
    deps: Deps, g: _Gathered, insights: Sequence[Insight], changes: Sequence[KnowledgeChange],
    now: datetime, report: ConsolidationReport,
) -> bool:
    new_texts = [i.text for i in insights] + [c.text for c in changes if c.memory_id is None]
    vectors = _embed(deps.embedder, new_texts)
    tones = {w.memory.id: w.memory.emotional_tone for found in g.retrieved.values() for w in found}
    through = max([g.through, *(w.memory.id or 0 for w in g.window)])
    with deps.uow() as uow:
        if not uow.consolidation.advance(g.owner_id, g.through, through, now):
            log.info("character %s was consolidated by another run meanwhile", g.owner_id)
            return False
        fresh: list[tuple[Memory, tuple[int, ...]]] = []
        for insight in insights:
            existing = uow.consolidation.find_reflection(g.owner_id, insight.text)
            if existing is not None:
                uow.consolidation.cite(existing, insight.cited_ids)
                uow.memories.touch([existing], now)
                report.reflections.append(existing)
                continue
            cited_tones = [tones.get(i, 0.0) for i in insight.cited_ids]
            fresh.append((Memory(
                ecosystem_id=g.ecosystem_id, owner_id=g.owner_id, kind="reflection",
                text=insight.text, importance=insight.importance,
                emotional_tone=sum(cited_tones) / len(cited_tones) if cited_tones else 0.0,
                created_at=now, last_accessed_at=now, embedding=vectors.get(insight.text),
            ), insight.cited_ids))
        uow.memories.add_many([m for m, _ in fresh])
        for memory, cited in fresh:
            uow.consolidation.cite(memory.id or 0, cited)
            report.reflections.append(memory.id or 0)
        _store_knowledge(uow, g, changes, vectors, now, report)
        report.summary = compose_summary(*uow.consolidation.summary_inputs(g.owner_id))
        uow.consolidation.set_summary(g.owner_id, report.summary)
        uow.commit()
    return True


def _store_knowledge(
    uow: UnitOfWork, g: _Gathered, changes: Sequence[KnowledgeChange],
    vectors: dict[str, list[float]], now: datetime, report: ConsolidationReport,
) -> None:
    for change in changes:
        if change.memory_id is not None:
            uow.consolidation.cite(change.memory_id, change.cited_ids)
            report.knowledge.append(change.memory_id)
            continue
        memory = Memory(
            ecosystem_id=g.ecosystem_id, owner_id=g.owner_id, kind="knowledge",
            text=change.text, importance=change.importance, created_at=now,
            last_accessed_at=now, embedding=vectors.get(change.text),
        )
        uow.memories.add_many([memory])
        uow.consolidation.set_subject([memory.id or 0], change.subject_id)
        uow.consolidation.cite(memory.id or 0, change.cited_ids)
        report.knowledge.append(memory.id or 0)
        if change.replaces is not None:
            uow.memories.archive([change.replaces])
            report.superseded.append(change.replaces)


def _embed(embedder: Embedder, texts: Sequence[str]) -> dict[str, list[float]]:
    """Vectors for new memories' texts; none when the embedder is down (the embedding job
    fills them in later)."""
    unique = list(dict.fromkeys(texts))
    if not unique:
        return {}
    try:
        return dict(zip(unique, embedder.embed(unique), strict=True))
    except ModelUnavailable as exc:
        log.warning("new reflections wait for the embedding job: %s", exc)
        return {}
