"""Embedding memories in the background, in batches — and rating their importance.

Perceiving writes memories without embeddings (embedding is slow, perceiving must not be);
this job fills them in, oldest first, so recall finds them by meaning. Rendering still embeds a
speaker's few pending memories itself, so a late job never makes a character forgetful.

Importance (1-10) starts as the documented heuristic (``engine.memory.importance_of``). When a
language model is configured (``deps.model``), this job also has it rate the observations of
each batch (one request per batch, each distinct text once:
``engine.consolidation_prompts.importance_messages``); a model that is unavailable or answers
something unusable leaves the heuristic ratings, and the embeddings are written all the same.
Observations a render embedded first keep their heuristic rating.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from engine.adapters.sql.uow import UnitOfWork
from engine.consolidation_prompts import (
    IMPORTANCE_MAX_TOKENS,
    importance_messages,
    parse_importance,
)
from engine.errors import ModelUnavailable
from engine.memory import Memory
from engine.ports import LanguageModel
from engine.services.deps import Deps

__all__ = ["embed_pending", "has_pending", "rate_importance"]

log = logging.getLogger(__name__)


def embed_pending(
    deps: Deps, ecosystem_id: int | None = None, batch: int = 64, limit: int = 1024
) -> int:
    """Embed memories that have no embedding yet, oldest first, ``batch`` per embedder call.

    Each batch is read, embedded outside any transaction (a remote model may take seconds), then
    written and committed on its own, so finished batches stay done whatever happens next.

    Args:
        deps: The engine's dependencies (``deps.embedder`` does the work).
        ecosystem_id: Only this ecosystem's memories; None = every ecosystem.
        batch: Memories per embedder call.
        limit: At most this many memories per run (the next run takes the rest).

    Returns:
        How many memories were embedded. When the embedder is unavailable
        (``ModelUnavailable``) the run stops there, logged; the rest stay pending for the next.
    """
    batch = max(1, batch)
    done = 0
    owners: list[int] | None = None
    while done < limit:
        size = min(batch, limit - done)
        with deps.uow() as uow:
            if ecosystem_id is not None and owners is None:
                owners = [c.id for c in uow.participants.list_characters(ecosystem_id)
                          if c.id is not None]
            pending = _oldest_unembedded(uow, owners if ecosystem_id is not None else None, size)
        if not pending:
            break
        try:
            vectors = deps.embedder.embed([m.text for m in pending])
        except ModelUnavailable as exc:
            log.warning(
                "embedding stopped after %d memories (ecosystem %s); the rest wait for the "
                "next run: %s", done, "all" if ecosystem_id is None else ecosystem_id, exc,
            )
            break
        ratings = rate_importance(deps.model, pending) if deps.model is not None else {}
        with deps.uow() as uow:
            for memory, vector in zip(pending, vectors, strict=True):
                # A memory forgotten meanwhile is simply not there to update.
                uow.memories.set_embedding(memory.id or 0, vector)
            uow.consolidation.set_importance(ratings)
            uow.commit()
        done += len(pending)
    if done:
        log.info("embedded %d memories (ecosystem %s)", done,
                 "all" if ecosystem_id is None else ecosystem_id)
    return done


def rate_importance(model: LanguageModel, items: Sequence[Memory]) -> dict[int, float]:
    """The model's importance rating of each observation among ``items`` (memory id -> 1-10).

    Each distinct text is rated once (every witness of a message remembers the same words).
    Returns {} when there is nothing to rate, or the model is unavailable or its answer is
    not one number per text (logged): the heuristic ratings then stand.
    """
    observations = [m for m in items if m.kind == "observation" and m.id is not None]
    texts = list(dict.fromkeys(m.text for m in observations))
    if not texts:
        return {}
    try:
        raw = model.complete(importance_messages(texts), max_tokens=IMPORTANCE_MAX_TOKENS,
                             temperature=0.0)
    except ModelUnavailable as exc:
        log.warning("importance stays heuristic for %d memories: %s", len(observations), exc)
        return {}
    ratings = parse_importance(raw, len(texts))
    if ratings is None:
        log.warning("importance stays heuristic for %d memories: unusable model answer %r",
                    len(observations), raw[:200])
        return {}
    by_text = dict(zip(texts, ratings, strict=True))
    return {m.id or 0: by_text[m.text] for m in observations}


def has_pending(deps: Deps, ecosystem_id: int | None = None) -> bool:
    """Whether any memory (of the ecosystem, if given) still waits for its embedding."""
    with deps.uow() as uow:
        if not uow.memories.unembedded(None, 1):
            return False  # nothing anywhere: one cheap query answers for every ecosystem
        if ecosystem_id is None:
            return True
        return any(uow.memories.unembedded(c.id, 1)
                   for c in uow.participants.list_characters(ecosystem_id) if c.id is not None)


def _oldest_unembedded(uow: UnitOfWork, owners: list[int] | None, size: int) -> list[Memory]:
    """The ``size`` oldest memories without embedding, of ``owners`` (None = anyone's)."""
    if owners is None:
        return uow.memories.unembedded(None, size)
    # Memories belong to characters, so an ecosystem's are its characters' ones: merge each
    # character's oldest and keep the oldest overall.
    merged = [m for owner in owners for m in uow.memories.unembedded(owner, size)]
    merged.sort(key=lambda m: m.id or 0)
    return merged[:size]
