"""Consolidation's knowledge step: what a character just learned about participants (facts
members stated about themselves, an impression of each) merged with what it already knew, one
live piece of knowledge per (subject, slot) — updated, never duplicated, citations kept
(``plan_knowledge``). The facts and impressions themselves come from ``engine.knowledge``; the
rest of consolidation is ``engine.consolidation``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.consolidation import MAX_CITATIONS, Witnessed, cite
from engine.knowledge import (
    ACT_TRAITS,
    IMPRESSION_SLOT,
    extract_facts,
    slot_of,
    template_impression,
)

__all__ = [
    "FACT_MIN_IMPORTANCE",
    "IMPRESSION_IMPORTANCE",
    "IMPRESSION_MIN_ACTS",
    "Known",
    "Learned",
    "KnowledgeChange",
    "learn_facts",
    "learn_impressions",
    "plan_knowledge",
]

#: What someone says about themselves is remembered at least this well.
FACT_MIN_IMPORTANCE = 5.0
#: The importance of an impression of someone.
IMPRESSION_IMPORTANCE = 5.0
#: Acts seen before a character forms a (template) impression of someone.
IMPRESSION_MIN_ACTS = 2


@dataclass(frozen=True)
class Known:
    """A stored, live piece of knowledge of a character about a subject."""

    memory_id: int
    subject_id: int
    text: str
    cited_ids: tuple[int, ...] = ()
    importance: float = FACT_MIN_IMPORTANCE


@dataclass(frozen=True)
class Learned:
    """A piece of knowledge just drawn from memories, before it is merged with what was known."""

    subject_id: int
    slot: str
    text: str
    cited_ids: tuple[int, ...]
    importance: float


@dataclass(frozen=True)
class KnowledgeChange:
    """What to store for one (subject, slot).

    ``memory_id`` set: the live knowledge already says ``text``; only ``cited_ids`` are added.
    Otherwise a new knowledge memory says ``text`` citing ``cited_ids`` (the old version's
    citations included), and ``replaces`` (if set) is the old version, to archive.
    """

    subject_id: int
    text: str
    cited_ids: tuple[int, ...]
    importance: float
    memory_id: int | None = None
    replaces: int | None = None


def learn_facts(
    window: Sequence[Witnessed], owner_id: int, names: Mapping[int, str] | None = None
) -> list[Learned]:
    """The facts members stated about themselves in the observations (oldest first), each
    citing the observation it came from.

    Only humans' words count: characters' lines are generated, and would turn improvisation
    into "facts". Facts start with the speaker's current name (``names``; else the name they
    spoke under).
    """
    learned = []
    for w in sorted(window, key=lambda w: w.memory.id or 0):
        if not w.speaker_is_human or w.speaker_id is None or w.speaker_id == owner_id:
            continue
        name = (names or {}).get(w.speaker_id, w.speaker_name)
        for fact in extract_facts(w.body, w.speaker_id, name):
            learned.append(Learned(
                w.speaker_id, fact.slot, fact.text, cite([w.memory]),
                max(FACT_MIN_IMPORTANCE, w.memory.importance)))
    return learned


def learn_impressions(
    seen: Mapping[int, Sequence[Witnessed]], names: Mapping[int, str]
) -> list[Learned]:
    """A template impression of each subject from the acts they were seen performing.

    Args:
        seen: For each subject, the observations of them speaking (the new ones and those
            their current impression already cites).
        names: Each subject's name.

    Returns:
        One impression per subject seen performing at least ``IMPRESSION_MIN_ACTS`` acts
        that suggest a trait, citing the observations it was drawn from.
    """
    learned = []
    for subject, observed in sorted(seen.items()):
        spoken = [w for w in observed if w.speaker_id == subject]
        if sum(1 for w in spoken if w.act in ACT_TRAITS) < IMPRESSION_MIN_ACTS:
            continue
        text = template_impression(names[subject], [w.act for w in spoken])
        if text is not None:
            learned.append(Learned(subject, IMPRESSION_SLOT, text,
                                   cite([w.memory for w in spoken]), IMPRESSION_IMPORTANCE))
    return learned


def plan_knowledge(
    known: Sequence[Known], learned: Sequence[Learned], names: Mapping[int, str]
) -> list[KnowledgeChange]:
    """Merge what was just learned into what was known, one live piece per (subject, slot).

    A slot learned twice keeps the later text with both citations. A slot already known with
    the same text only gains citations; with another text, a new version replaces it and keeps
    its citations (and the higher importance). Stored knowledge whose slot cannot be read
    (``engine.knowledge.slot_of``) is left as it is.
    """
    merged: dict[tuple[int, str], Learned] = {}
    for item in learned:
        key = (item.subject_id, item.slot)
        previous = merged.get(key)
        if previous is not None:
            item = Learned(item.subject_id, item.slot, item.text,
                           _union(previous.cited_ids, item.cited_ids),
                           max(previous.importance, item.importance))
        merged[key] = item
    stored: dict[tuple[int, str], Known] = {}
    for k in known:
        slot = slot_of(k.text, names.get(k.subject_id, ""))
        if slot is not None:
            stored.setdefault((k.subject_id, slot), k)
    changes: list[KnowledgeChange] = []
    for key, item in merged.items():
        old = stored.get(key)
        if old is None:
            changes.append(KnowledgeChange(item.subject_id, item.text, item.cited_ids,
                                           item.importance))
        elif old.text == item.text:
            if not set(item.cited_ids) <= set(old.cited_ids):
                changes.append(KnowledgeChange(item.subject_id, item.text, item.cited_ids,
                                               max(old.importance, item.importance),
                                               memory_id=old.memory_id))
        else:
            changes.append(KnowledgeChange(
                item.subject_id, item.text, _union(old.cited_ids, item.cited_ids),
                max(old.importance, item.importance), replaces=old.memory_id))
    return changes


def _union(*groups: Sequence[int]) -> tuple[int, ...]:
    return tuple(sorted({i for g in groups for i in g})[-MAX_CITATIONS:])
