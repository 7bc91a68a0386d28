"""The ``LanguageModel`` port over any OpenAI-compatible chat endpoint.

Works with OpenAI itself and with local servers that speak the same protocol (Ollama, vLLM,
llama.cpp server). Retries are ours, not the client's (``max_retries=0`` on the client), so the
policy is explicit and bounded (``engine.adapters.openai_retry``): timeouts, connection errors,
429 and 5xx are retried with a small jittered exponential backoff; other 4xx are not. Every
failure leaves this module as ``engine.errors.ModelUnavailable``: no ``openai`` exception reaches
the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import openai

from engine.adapters.openai_retry import RetryPolicy
from engine.errors import ModelUnavailable

if TYPE_CHECKING:
    from engine.ports import ChatMessage
    from engine.settings import Settings

__all__ = ["OpenAIChatModel", "DEFAULT_ENDPOINT"]

logger = logging.getLogger(__name__)

#: What the client talks to when no base URL is configured (shown in error messages).
DEFAULT_ENDPOINT = "https://api.openai.com/v1"


class OpenAIChatModel:
    """A chat model behind an OpenAI-compatible endpoint, with bounded retries.

    Args:
        base_url: Endpoint such as ``http://127.0.0.1:11434/v1``; None = the client's default
            (``OPENAI_BASE_URL`` or OpenAI itself).
        api_key: The key; local servers usually need none ("not-needed" is sent).
        model: Model name sent with each request.
        timeout_s: Timeout of one request (seconds).
        max_retries: Retries after the first attempt (0 = one attempt only).
        backoff_base_s: First backoff step; grows exponentially, with full jitter.
        backoff_max_s: Cap of one backoff wait.
        max_retry_after_s: A 429's ``Retry-After`` up to this long is waited out exactly; a longer
            one ends the retries at once (waiting less would only be refused again, and a render
            job should not block for long).
    """

    def __init__(
        self,
        base_url: str | None,
        api_key: str | None,
        model: str,
        timeout_s: float,
        max_retries: int,
        *,
        backoff_base_s: float = 0.2,
        backoff_max_s: float = 2.0,
        max_retry_after_s: float = 5.0,
    ) -> None:
        self.name = f"model:{model}"
        self.model = model
        self.timeout_s = float(timeout_s)
        self.max_retries = max(0, int(max_retries))
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            timeout=self.timeout_s,
            max_retries=0,
        )
        self.endpoint = str(self._client.base_url).rstrip("/") or DEFAULT_ENDPOINT
        self._retry = RetryPolicy(
            f"model {model!r}", self.endpoint, self.max_retries,
            backoff_base_s=backoff_base_s, backoff_max_s=backoff_max_s,
            max_retry_after_s=max_retry_after_s, logger=logger,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIChatModel:
        """Builds the model from the ``llm_*`` settings."""
        return cls(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key,
            model=settings.llm_model,
            timeout_s=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
        )

    def __repr__(self) -> str:
        return f"OpenAIChatModel(endpoint={self.endpoint!r}, model={self.model!r})"

    # -- the port ---------------------------------------------------------------------------

    def complete(
        self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float = 0.8
    ) -> str:
        """Returns the model's reply text.

        Args:
            messages: Chat messages (``{"role": ..., "content": ...}``).
            max_tokens: Reply length cap in tokens.
            temperature: Sampling temperature.

        Raises:
            ModelUnavailable: The endpoint failed after the bounded retries, refused the request
                (4xx), or answered with no text.
        """
        payload: list[Any] = [dict(m) for m in messages]
        response = self._retry.call(
            self._client.chat.completions.create,
            model=self.model,
            messages=payload,
            max_tokens=max_tokens,
            temperature=temperature,
        )

        content: str | None = None
        finish: object = "no choices"
        try:  # lenient servers may send odd shapes: treat any of them as "no text"
            if response.choices:
                finish = response.choices[0].finish_reason
                content = response.choices[0].message.content
        except (AttributeError, IndexError, TypeError):
            content = None
        if not isinstance(content, str) or not content.strip():
            message = (
                f"model {self.model!r} at {self.endpoint} returned no text "
                f"(finish_reason={finish})"
            )
            logger.error("%s", message)
            raise ModelUnavailable(message)
        return content
