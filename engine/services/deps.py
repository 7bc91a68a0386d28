"""What the use cases need from outside, gathered once by the composition root."""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from engine.adapters.sql.uow import UnitOfWorkFactory
from engine.autonomy import Damping
from engine.clock import Clock
from engine.ports import Embedder, EventStream, JobQueue, LanguageModel, Outbox, Renderer
from engine.settings import Settings

__all__ = ["Deps", "damping_from"]


def damping_from(settings: Settings) -> Damping:
    return Damping(
        max_chain=settings.max_chain,
        cooldown_s=settings.cooldown_s,
        channel_min_interval_s=settings.channel_min_interval_s,
        reply_delay_s=settings.reply_delay_s,
        idle_initiative_s=settings.idle_initiative_s,
    )


@dataclass
class Deps:
    """The engine's dependencies (ports and the unit of work)."""

    settings: Settings
    uow: UnitOfWorkFactory
    clock: Clock
    queue: JobQueue
    stream: EventStream
    renderer: Renderer
    embedder: Embedder
    outboxes: Mapping[str, Outbox] = field(default_factory=dict)
    #: The language model for work other than rendering (consolidation's insights, importance
    #: ratings); None when no model is configured (templates and heuristics instead).
    model: LanguageModel | None = None
    #: Builds a chat model for an endpoint, key and model name (an Enterprise community's own
    #: model, ``engine.services.enterprise``); None where no model can be built.
    model_factory: Callable[[str, str | None, str], LanguageModel] | None = None

    @property
    def damping(self) -> Damping:
        return damping_from(self.settings)

    def rng(self, *parts: object) -> random.Random:
        """A random generator seeded by the configured seed and ``parts`` (reproducible)."""
        return random.Random(":".join([str(self.settings.seed), *map(str, parts)]))

    def seed_for(self, *parts: object) -> int:
        key = ":".join([str(self.settings.seed), *map(str, parts)])
        return zlib.crc32(key.encode())
