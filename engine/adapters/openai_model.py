"""The ``LanguageModel`` port over any OpenAI-compatible chat endpoint.

Works with OpenAI itself and with local servers that speak the same protocol (Ollama, vLLM,
llama.cpp server). Retries are ours, not the client's (``max_retries=0`` on the client), so the
policy is explicit and bounded: timeouts, connection errors, 429 and 5xx are retried with a small
jittered exponential backoff; other 4xx are not. Every failure leaves this module as
``engine.errors.ModelUnavailable``: no ``openai`` exception reaches the engine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import openai
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from engine.errors import ModelUnavailable

if TYPE_CHECKING:
    from engine.ports import ChatMessage
    from engine.settings import Settings

__all__ = ["OpenAIChatModel", "DEFAULT_ENDPOINT"]

logger = logging.getLogger(__name__)

#: What the client talks to when no base URL is configured (shown in error messages).
DEFAULT_ENDPOINT = "https://api.openai.com/v1"


def _retry_after_s(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms`` / ``Retry-After``), if any."""
    if not isinstance(exc, openai.APIStatusError):
        return None
    headers = exc.response.headers
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # Retry-After may also be an HTTP date.
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _is_retryable(exc: BaseException) -> bool:
    """Timeouts, connection errors, 429 and 5xx are worth another try; other 4xx are not."""
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return False


def _describe(exc: BaseException) -> str:
    """A short, secret-free description of a client error for logs and messages."""
    if isinstance(exc, openai.APITimeoutError):
        return "request timed out"
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        return f"connection error ({cause.__class__.__name__})" if cause else "connection error"
    if isinstance(exc, openai.APIStatusError):
        message = exc.message
        if isinstance(exc.body, dict) and isinstance(exc.body.get("message"), str):
            message = exc.body["message"]
        return f"HTTP {exc.status_code}: {message[:200]}"
    return f"{exc.__class__.__name__}: {str(exc)[:200]}"


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
        self._max_retry_after_s = max_retry_after_s
        self._backoff = wait_random_exponential(multiplier=backoff_base_s, max=backoff_max_s)
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            timeout=self.timeout_s,
            max_retries=0,
        )
        self.endpoint = str(self._client.base_url).rstrip("/") or DEFAULT_ENDPOINT

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

    # -- retry policy -------------------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if exc is not None:
            retry_after = _retry_after_s(exc)
            if retry_after is not None and retry_after <= self._max_retry_after_s:
                return retry_after
        return float(self._backoff(state))

    def _stop(self, state: RetryCallState) -> bool:
        if stop_after_attempt(self.max_retries + 1)(state):
            return True
        exc = state.outcome.exception() if state.outcome else None
        if exc is not None:
            retry_after = _retry_after_s(exc)
            if retry_after is not None and retry_after > self._max_retry_after_s:
                logger.warning(
                    "%s asked to wait %.1fs (> %.1fs): not retrying",
                    self.endpoint, retry_after, self._max_retry_after_s,
                )
                return True
        return False

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        logger.warning(
            "model %s at %s failed (attempt %d/%d): %s; retrying in %.2fs",
            self.model, self.endpoint, state.attempt_number, self.max_retries + 1,
            _describe(exc) if exc else "?",
            state.next_action.sleep if state.next_action else 0.0,
        )

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
        retrying = Retrying(
            retry=retry_if_exception(_is_retryable),
            stop=self._stop,
            wait=self._wait,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        started = time.monotonic()
        try:
            response = retrying(
                self._client.chat.completions.create,
                model=self.model,
                messages=payload,
                max_tokens=max_tokens,
                temperature=temperature,
            )
        except openai.OpenAIError as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            message = (
                f"model {self.model!r} at {self.endpoint} unavailable after {attempts} "
                f"attempt(s) in {time.monotonic() - started:.1f}s: {_describe(exc)}"
            )
            logger.error("%s", message)
            raise ModelUnavailable(message) from exc

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
