"""The ``Embedder`` port over any OpenAI-compatible ``/embeddings`` endpoint.

Works with OpenAI itself and with local servers that speak the same protocol (Ollama, vLLM,
llama.cpp server, LM Studio). Vectors are always ``dim`` wide, because every stored embedding has
one width: ``text-embedding-3-*`` models are asked for ``dim`` dimensions; any other model's
longer vectors are truncated and re-normalised (exact for Matryoshka-trained models such as
``nomic-embed-text``, a loss for others, hence the warning), and shorter ones are refused. Retries
follow ``engine.adapters.openai_retry``; failures leave as ``engine.errors.ModelUnavailable``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import openai

from engine.adapters.openai_retry import RetryPolicy
from engine.errors import ModelUnavailable

if TYPE_CHECKING:
    from engine.settings import Settings

__all__ = ["OpenAIEmbedder", "MAX_BATCH", "supports_dimensions"]

logger = logging.getLogger(__name__)

#: Inputs per request (OpenAI accepts up to 2,048; smaller requests fail and retry cheaper).
MAX_BATCH = 256
#: Characters of one input sent (about 1,500-6,000 tokens: under every model's input limit).
MAX_INPUT_CHARS = 6_000
#: Characters of all inputs of one request (keeps a request well under the per-request token cap).
MAX_REQUEST_CHARS = 250_000


def supports_dimensions(model: str) -> bool:
    """Whether the model takes the ``dimensions`` parameter (OpenAI's ``text-embedding-3-*``)."""
    return "text-embedding-3" in model


class OpenAIEmbedder:
    """Texts to ``dim``-wide unit vectors from an OpenAI-compatible endpoint, in batches.

    Args:
        base_url: Endpoint such as ``http://127.0.0.1:11434/v1``; None = the client's default
            (``OPENAI_BASE_URL`` or OpenAI itself).
        api_key: The key; local servers usually need none ("not-needed" is sent).
        model: Embedding model name.
        dim: Width of the vectors returned (the stored width, 384).
        timeout_s: Timeout of one request (seconds).
        max_retries: Retries after the first attempt of each request (0 = one attempt only).
        batch_size: Inputs per request (at most ``MAX_BATCH``).
        backoff_base_s: First backoff step; grows exponentially, with full jitter.
        backoff_max_s: Cap of one backoff wait.
        max_retry_after_s: Longest ``Retry-After`` waited out; a longer one stops the retries.
    """

    def __init__(
        self,
        base_url: str | None,
        api_key: str | None,
        model: str,
        dim: int = 384,
        timeout_s: float = 20.0,
        max_retries: int = 2,
        *,
        batch_size: int = MAX_BATCH,
        backoff_base_s: float = 0.2,
        backoff_max_s: float = 2.0,
        max_retry_after_s: float = 5.0,
    ) -> None:
        if dim < 1:
            raise ValueError(f"embedding width must be positive, not {dim}")
        self.name = f"openai:{model}"
        self.model = model
        self.dim = dim
        self.timeout_s = float(timeout_s)
        self.max_retries = max(0, int(max_retries))
        self.batch_size = max(1, min(int(batch_size), MAX_BATCH))
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            timeout=self.timeout_s,
            max_retries=0,
        )
        self.endpoint = str(self._client.base_url).rstrip("/")
        self._retry = RetryPolicy(
            f"embedding model {model!r}", self.endpoint, self.max_retries,
            backoff_base_s=backoff_base_s, backoff_max_s=backoff_max_s,
            max_retry_after_s=max_retry_after_s, logger=logger,
        )
        self._warned_truncation = False

    @classmethod
    def from_settings(cls, settings: Settings, dim: int = 384) -> OpenAIEmbedder:
        """Builds the embedder from the ``embedding_*`` settings (key, timeout and retries are
        the ``llm_*`` ones; the endpoint falls back to ``llm_base_url``)."""
        return cls(
            base_url=settings.embedding_base_url or settings.llm_base_url,
            api_key=settings.llm_api_key,
            model=settings.embedding_model,
            dim=dim,
            timeout_s=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
        )

    def __repr__(self) -> str:
        return f"OpenAIEmbedder(endpoint={self.endpoint!r}, model={self.model!r}, dim={self.dim})"

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Returns one ``dim``-wide unit vector per text, in order (blank text: zero vector).

        Raises:
            ModelUnavailable: A request failed after the bounded retries, was refused (4xx), or
                came back malformed; nothing of the call is returned then.
            ValueError: The model's vectors are narrower than ``dim`` (a configuration error:
                pick another model or endpoint).
        """
        vectors: list[list[float]] = [[0.0] * self.dim for _ in texts]
        # The API refuses empty inputs; a blank text has no meaning to embed anyway.
        todo = [(i, t[:MAX_INPUT_CHARS]) for i, t in enumerate(texts) if t and t.strip()]
        for batch in self._batches(todo):
            for (index, _), vector in zip(batch, self._request([t for _, t in batch]),
                                          strict=True):
                vectors[index] = vector
        return vectors

    # -- internals ----------------------------------------------------------------------------

    def _batches(self, items: list[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
        batch: list[tuple[int, str]] = []
        chars = 0
        for item in items:
            full = len(batch) >= self.batch_size or chars + len(item[1]) > MAX_REQUEST_CHARS
            if batch and full:
                yield batch
                batch, chars = [], 0
            batch.append(item)
            chars += len(item[1])
        if batch:
            yield batch

    def _request(self, inputs: list[str]) -> list[list[float]]:
        kwargs: dict[str, Any] = {"model": self.model, "input": inputs, "encoding_format": "float"}
        if supports_dimensions(self.model):
            kwargs["dimensions"] = self.dim
        response = self._retry.call(self._client.embeddings.create, **kwargs)
        try:
            data = sorted(response.data, key=lambda d: d.index)
            raw = [list(map(float, d.embedding)) for d in data]
        except (AttributeError, TypeError, ValueError) as exc:
            raise self._malformed(f"unreadable embeddings ({exc.__class__.__name__})") from exc
        if len(raw) != len(inputs):
            raise self._malformed(f"{len(raw)} embeddings for {len(inputs)} inputs")
        return [self._fit(v) for v in raw]

    def _malformed(self, problem: str) -> ModelUnavailable:
        message = f"embedding model {self.model!r} at {self.endpoint} returned {problem}"
        logger.error("%s", message)
        return ModelUnavailable(message)

    def _fit(self, vector: list[float]) -> list[float]:
        """``vector`` as a ``dim``-wide unit vector (Matryoshka truncation when longer)."""
        width = len(vector)
        if width < self.dim:
            raise ValueError(
                f"embedding model {self.model!r} at {self.endpoint} returns {width}-d vectors, "
                f"narrower than the {self.dim}-d ones stored: choose a model with at least "
                f"{self.dim} dimensions (PERSONAE_EMBEDDING_MODEL)"
            )
        if width > self.dim:
            if not self._warned_truncation and not supports_dimensions(self.model):
                logger.warning(
                    "embedding model %r returns %d-d vectors: truncated to %d and re-normalised "
                    "(exact for Matryoshka-trained models only)", self.model, width, self.dim,
                )
                self._warned_truncation = True
            vector = vector[: self.dim]
        if not all(math.isfinite(v) for v in vector):
            raise self._malformed("a vector with non-finite values")
        norm = math.sqrt(sum(v * v for v in vector))
        return [v / norm for v in vector] if norm else vector
