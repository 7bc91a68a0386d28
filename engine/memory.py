"""Episodic memory: what a character witnessed, how much it mattered, and how to recall it.

Retrieval follows Generative Agents (Park et al., 2023): score = recency + importance +
relevance, each normalised to [0, 1], with recency decaying by ``RECENCY_DECAY`` per hour.
An optional fourth, lexical component (BM25 of the query's words, ``engine.lexical``) makes the
score hybrid: exact names and rare words count even when an embedder blurs them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import ClassVar

import numpy as np

from engine.acts import Act
from engine.errors import InvalidInput

__all__ = [
    "Memory",
    "RetrievalWeights",
    "importance_of",
    "approx_tokens",
    "within_budget",
    "observation_text",
    "observation_body",
    "rank",
    "rank_order",
    "rank_positions",
    "posix_micros",
    "cosine",
    "cosines",
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
    """How much each normalised component counts in a memory's retrieval score.

    Generative Agents weigh recency, importance and relevance equally. Measured on our
    labelled set of six-month conversations (``benchmarks/memory_quality.py``), equal weights
    find 29% of the evidence in the top 10: recency, min-max normalised over the candidates,
    buries everything older than a few days, whereas what still sits in the conversation is in
    the prompt's transcript anyway. The defaults below (chosen on that set, see the README's
    numbers) let meaning and words decide and recency and importance break near-ties:
    recall@10 0.65 with the hashing embedder and 0.79 with all-MiniLM-L6-v2 (0.29 and 0.45
    with equal weights). ``lexical`` weighs the BM25 match of the query's words; it only
    counts when ``rank`` is given lexical scores. Each ecosystem may choose its own
    (``of_ecosystem``, ``personae memory weights``).
    """

    recency: float = 0.1
    importance: float = 0.5
    relevance: float = 1.0
    lexical: float = 0.75

    #: Where an ecosystem keeps its own weights (in its settings document).
    SETTINGS_KEY: ClassVar[str] = "retrieval_weights"

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> RetrievalWeights:
        """Weights from ``{"recency": 0.5, ...}`` over the defaults.

        Raises:
            InvalidInput: An unknown name, or a value that is not a finite number >= 0.
        """
        known = {f.name for f in fields(cls)}
        chosen: dict[str, float] = {}
        for name, value in values.items():
            if name not in known:
                raise InvalidInput(
                    f"unknown retrieval weight {name!r}; known: {', '.join(sorted(known))}")
            if isinstance(value, bool) or not isinstance(value, int | float) or not (
                math.isfinite(value) and value >= 0
            ):
                raise InvalidInput(f"retrieval weight {name} must be a number >= 0, not {value!r}")
            chosen[name] = float(value)
        return replace(cls(), **chosen)

    @classmethod
    def of_ecosystem(cls, settings: Mapping[str, object]) -> RetrievalWeights:
        """An ecosystem's weights (its settings' ``retrieval_weights``), else the defaults."""
        stored = settings.get(cls.SETTINGS_KEY)
        return cls.from_mapping(stored) if isinstance(stored, Mapping) else cls()

    def as_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


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


def observation_body(text: str) -> str:
    """The words of a message as a witness remembers them (spaces folded, clipped)."""
    body = " ".join(text.split())
    if len(body) > MEMORY_TEXT_LIMIT:
        body = body[: MEMORY_TEXT_LIMIT - 1].rstrip() + "…"
    return body


def observation_text(author: str, text: str, target: str | None) -> str:
    """What a witness remembers of a message (clipped; the event log keeps it whole)."""
    body = observation_body(text)
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
    lexical: Sequence[float] | None = None,
    relevance: Sequence[float] | None = None,
) -> list[Memory]:
    """The ``k`` best memories for a query, best first.

    Each component is min-max normalised over the candidates, as in Generative Agents, so
    that no single signal dominates because of its scale. Relevance is the cosine similarity
    of the embeddings (0 for a memory without one).

    Args:
        memories: The candidates.
        query_embedding: The query's vector, or None to rank without relevance.
        now: When the recall happens (recency decays from each memory's last access).
        k: How many to return.
        weights: The weight of each component.
        lexical: Optional lexical match of each candidate with the query (for instance
            ``engine.lexical.bm25_texts(query, [m.text for m in memories])``), aligned with
            ``memories``;
            weighted by ``weights.lexical``. Without it the score has three components.
        relevance: Optional precomputed relevance of each candidate (aligned with
            ``memories``; for instance the store's cosine similarities, so that vectors need
            not be carried in the memories). When given, ``query_embedding`` is not used.

    Returns:
        At most ``k`` memories, best first; equal scores go to the newer memory (later
        ``created_at``, then larger id), so the order is deterministic.
    """
    if not memories or k <= 0:
        return []
    if lexical is not None and len(lexical) != len(memories):
        raise ValueError("lexical scores must be aligned with the memories")
    if relevance is not None and len(relevance) != len(memories):
        raise ValueError("relevance must be aligned with the memories")
    related = (
        np.asarray(relevance, dtype=np.float64) if relevance is not None
        else _relevance(memories, query_embedding)
    )
    order = rank_order(
        now, k, weights,
        importance=[float(m.importance) for m in memories],
        last_accessed=[m.last_accessed_at for m in memories],
        created=[m.created_at for m in memories],
        ids=[m.id if m.id is not None else -1 for m in memories],
        relevance=related, lexical=lexical,
    )
    return [memories[i] for i in order]


def rank_order(
    now: datetime,
    k: int,
    weights: RetrievalWeights,
    *,
    importance: Sequence[float],
    last_accessed: Sequence[datetime],
    created: Sequence[datetime],
    ids: Sequence[int],
    relevance: Sequence[float] | np.ndarray,
    lexical: Sequence[float] | np.ndarray | None = None,
) -> list[int]:
    """``rank`` over the candidates' fields given as parallel sequences: the positions of the
    best ``k``, best first (``rank_positions`` with the times as datetimes)."""
    return rank_positions(
        posix_micros(now), k, weights, importance=importance,
        accessed_us=np.fromiter((posix_micros(t) for t in last_accessed), np.int64,
                                len(last_accessed)),
        created_us=np.fromiter((posix_micros(t) for t in created), np.int64, len(created)),
        ids=ids, relevance=relevance, lexical=lexical)


def rank_positions(
    now_us: int,
    k: int,
    weights: RetrievalWeights,
    *,
    importance: Sequence[float] | np.ndarray,
    accessed_us: np.ndarray,
    created_us: np.ndarray,
    ids: Sequence[int] | np.ndarray,
    relevance: Sequence[float] | np.ndarray,
    lexical: Sequence[float] | np.ndarray | None = None,
) -> list[int]:
    """The ranking itself, over arrays (recall ranks its candidates before building any
    ``Memory``): times are POSIX microseconds (``posix_micros``), so that a store can hand
    over what its database sends. Returns the positions of the best ``k``, best first; equal
    scores go to the later creation time, then the larger id."""
    n = len(ids)
    if n == 0 or k <= 0:
        return []
    # Hours since the last access, as ``timedelta.total_seconds() / 3600`` computes them.
    idle = np.maximum(np.int64(now_us) - np.asarray(accessed_us, dtype=np.int64), 0)
    recency = RECENCY_DECAY ** ((idle / 1e6) / 3600.0)
    score = (
        weights.recency * _normalise(recency)
        + weights.importance * _normalise(np.asarray(importance, dtype=np.float64))
        + weights.relevance * _normalise(np.asarray(relevance, dtype=np.float64))
    )
    if lexical is not None:
        score = score + weights.lexical * _normalise(np.asarray(lexical, dtype=np.float64))
    # Best first: by score, then creation time, then id (all descending; ids are unique).
    order = np.lexsort((np.asarray(ids, dtype=np.int64), np.asarray(created_us, np.int64),
                        score))[::-1]
    return [int(i) for i in order[:k]]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def posix_micros(moment: datetime) -> int:
    """Microseconds since 1970-01-01 UTC, exactly (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def cosines(matrix: np.ndarray, query: Sequence[float] | np.ndarray) -> np.ndarray:
    """Cosine similarity of each row of ``matrix`` with ``query``, in float64 (0 for a zero norm).

    The one implementation used wherever retrieval computes relevance, so that equal inputs
    give bit-for-bit equal scores (the backends' parity depends on it).
    """
    m = np.asarray(matrix, dtype=np.float64)
    q = np.asarray(query, dtype=np.float64)
    norms = np.linalg.norm(m, axis=1) * float(np.linalg.norm(q))
    dots = m @ q
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(norms > 0, dots / norms, 0.0)


def _relevance(memories: Sequence[Memory], query: Sequence[float] | None) -> np.ndarray:
    """Cosine similarity of each memory's embedding with the query (0 if it has none)."""
    out = np.zeros(len(memories))
    if query is None:
        return out
    rows = [i for i, m in enumerate(memories)
            if m.embedding is not None and len(m.embedding) == len(query)]
    if rows:
        out[rows] = cosines(np.array([memories[i].embedding for i in rows]), query)
    return out


def _normalise(values: np.ndarray) -> np.ndarray:
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-12:
        return np.zeros_like(values)
    return (values - low) / (high - low)


def approx_tokens(text: str) -> int:
    """Tokens a model will count for ``text``, estimated: one per 4 bytes of UTF-8 (OpenAI's
    rule of thumb for English; exact tokenizers need their vocabularies, which may not be at
    hand offline). At least 1 for a non-empty text."""
    size = len(text.encode("utf-8"))
    return max(1, -(-size // 4)) if size else 0


def within_budget(texts: Sequence[str], budget: int) -> list[str]:
    """The longest prefix of ``texts`` (best first) whose estimated tokens fit ``budget``."""
    kept: list[str] = []
    used = 0
    for text in texts:
        cost = approx_tokens(text)
        if used + cost > budget:
            break
        kept.append(text)
        used += cost
    return kept


def first_person(text: str, owner_name: str) -> str:
    """Rewrite an observation from its owner's point of view ("Jane said to me: ...")."""
    if text.startswith(f"{owner_name} said"):
        text = "I said" + text[len(owner_name) + len(" said"):]
    return text.replace(f"said to {owner_name}:", "said to me:")
