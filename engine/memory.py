"""Episodic memory: what a character witnessed, how much it mattered, and how to recall it.

Retrieval follows Generative Agents (Park et al., 2023): score = recency + importance +
relevance, each normalised to [0, 1], with recency decaying by ``RECENCY_DECAY`` per hour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from engine.acts import Act

__all__ = [
    "Memory",
    "RetrievalWeights",
    "importance_of",
    "observation_text",
    "rank",
    "cosine",
    "first_person",
    "RECENCY_DECAY",
]

#: Recency multiplier per hour since last access (Generative Agents use 0.99 per game hour).
RECENCY_DECAY = 0.99
MEMORY_TEXT_LIMIT = 600

_WEIGHTY_ACTS = {
    Act.CONFIDE: 4.0,
    Act.THREATEN: 4.0,
    Act.INSULT: 3.0,
    Act.FLIRT: 2.5,
    Act.APOLOGISE: 2.0,
    Act.PRAISE: 1.5,
    Act.HELP: 1.5,
}


@dataclass
class Memory:
    """One memory of one character."""

    ecosystem_id: int
    owner_id: int
    text: str
    importance: float
    created_at: datetime
    last_accessed_at: datetime
    channel_id: int | None = None
    kind: str = "observation"
    emotional_tone: float = 0.0
    embedding: list[float] | None = None
    source_event_ids: tuple[int, ...] = ()
    id: int | None = None


@dataclass(frozen=True)
class RetrievalWeights:
    recency: float = 1.0
    importance: float = 1.0
    relevance: float = 1.0


def importance_of(act: Act | None, sentiment: float, addressed_to_owner: bool) -> float:
    """Heuristic importance in [1, 10] when no model rates it.

    Base 2; weighty acts (confidences, threats, insults, flirting) add up to 4; strong
    sentiment adds up to 2; being addressed personally adds 2.
    """
    score = 2.0 + _WEIGHTY_ACTS.get(act, 0.0) if act else 2.0
    score += 2.0 * min(1.0, abs(sentiment))
    if addressed_to_owner:
        score += 2.0
    return max(1.0, min(10.0, score))


def observation_text(author: str, text: str, target: str | None) -> str:
    """What a witness remembers of a message (clipped; the event log keeps it whole)."""
    body = " ".join(text.split())
    if len(body) > MEMORY_TEXT_LIMIT:
        body = body[: MEMORY_TEXT_LIMIT - 1].rstrip() + "…"
    if target:
        return f"{author} said to {target}: {body}"
    return f"{author} said: {body}"


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    if na == 0 or nb == 0:
        return 0.0
    return dot / (na * nb)


def rank(
    memories: Sequence[Memory],
    query_embedding: Sequence[float] | None,
    now: datetime,
    k: int,
    weights: RetrievalWeights = RetrievalWeights(),  # noqa: B008 - frozen, safe default
) -> list[Memory]:
    """The ``k`` best memories for a query, best first (ties: newer first).

    Each component is min-max normalised over the candidates, as in Generative Agents, so
    that no single signal dominates because of its scale.
    """
    if not memories or k <= 0:
        return []
    recency = [
        RECENCY_DECAY ** max(0.0, (now - m.last_accessed_at).total_seconds() / 3600.0)
        for m in memories
    ]
    importance = [m.importance for m in memories]
    relevance = [
        cosine(query_embedding, m.embedding)
        if query_embedding is not None and m.embedding is not None else 0.0
        for m in memories
    ]
    parts = (_normalise(recency), _normalise(importance), _normalise(relevance))
    scored = [
        (
            weights.recency * parts[0][i]
            + weights.importance * parts[1][i]
            + weights.relevance * parts[2][i],
            m.created_at.timestamp(),
            m,
        )
        for i, m in enumerate(memories)
    ]
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [m for _, _, m in scored[:k]]


def _normalise(values: list[float]) -> list[float]:
    low, high = min(values), max(values)
    if high - low < 1e-12:
        return [0.0 for _ in values]
    return [(v - low) / (high - low) for v in values]


def first_person(text: str, owner_name: str) -> str:
    """Rewrite an observation from its owner's point of view ("Jane said to me: ...")."""
    if text.startswith(f"{owner_name} said"):
        text = "I said" + text[len(owner_name) + len(" said"):]
    return text.replace(f"said to {owner_name}:", "said to me:")
