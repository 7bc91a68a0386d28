"""Ports: the small interfaces through which the engine reaches everything outside it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from engine.clock import Clock
from engine.messages import OutgoingMessage
from engine.rendering.request import RenderRequest

__all__ = [
    "LanguageModel",
    "Renderer",
    "Embedder",
    "Outbox",
    "JobQueue",
    "EventStream",
    "Clock",
    "ChatMessage",
]

ChatMessage = dict[str, str]


class LanguageModel(Protocol):
    """A chat-completion model. Raises ``engine.errors.ModelUnavailable`` when it cannot answer."""

    name: str

    def complete(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float = 0.8
    ) -> str: ...


class Renderer(Protocol):
    """Turns one decided act into the words a character says."""

    name: str

    def render(self, request: RenderRequest) -> str: ...


class Embedder(Protocol):
    """Text to fixed-size vectors (``dim`` floats each)."""

    dim: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


class Outbox(Protocol):
    """Delivers a message as a character; returns the platform's message id."""

    def deliver(self, message: OutgoingMessage) -> str: ...


class JobQueue(Protocol):
    """Schedules slow work on workers: rendering intents, embedding and consolidating memories,
    posting notices."""

    def enqueue_render(self, intent_id: int, delay_s: float = 0.0, priority: bool = False
                       ) -> None:
        """Queue the intent's render job (``priority``: on the queue workers serve first, for
        tiers with priority processing)."""
        ...

    def cancel_render(self, intent_id: int) -> None:
        """Drop the render job of an intent if it is still waiting (e.g. its data was erased)."""
        ...

    def enqueue_embedding(self, ecosystem_id: int | None) -> None:
        """Queue embedding of pending memories (None = every ecosystem); at most one such job
        per ecosystem waits or runs at a time."""
        ...

    def enqueue_consolidation(self, ecosystem_id: int) -> None:
        """Queue memory consolidation of the ecosystem's due characters; at most one such job
        per ecosystem waits or runs at a time."""
        ...

    def enqueue_notice(self, event_id: int) -> None:
        """Queue the posting of a notice (a SYSTEM event for the channel's members) on its
        platform (``engine.services.notices.deliver_notice``: posted once however often the
        job runs)."""
        ...


class EventStream(Protocol):
    """The real-time stream of recorded events, one channel per ecosystem."""

    def publish(self, ecosystem_id: int, payload: dict[str, Any]) -> None: ...
