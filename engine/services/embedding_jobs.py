"""Embedding memories in the background, in batches.

Perceiving writes memories without embeddings (embedding is slow, perceiving must not be);
this job fills them in, oldest first, so recall finds them by meaning. Rendering still embeds a
speaker's few pending memories itself, so a late job never makes a character forgetful.
"""

from __future__ import annotations

import logging

from engine.adapters.sql.uow import UnitOfWork
from engine.errors import ModelUnavailable
from engine.memory import Memory
from engine.services.deps import Deps

__all__ = ["embed_pending", "has_pending"]

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
        with deps.uow() as uow:
            for memory, vector in zip(pending, vectors, strict=True):
                # A memory forgotten meanwhile is simply not there to update.
                uow.memories.set_embedding(memory.id or 0, vector)
            uow.commit()
        done += len(pending)
    if done:
        log.info("embedded %d memories (ecosystem %s)", done,
                 "all" if ecosystem_id is None else ecosystem_id)
    return done


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
