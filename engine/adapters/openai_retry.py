"""The bounded retry policy shared by the adapters over OpenAI-compatible endpoints.

Retries are ours, not the client's (build the client with ``max_retries=0``), so the policy is
explicit and bounded: timeouts, connection errors, 429 and 5xx are retried with a small jittered
exponential backoff; other 4xx are not. A 429's ``Retry-After`` up to ``max_retry_after_s`` is
waited out exactly; a longer one ends the retries at once. Every failure leaves ``call`` as
``engine.errors.ModelUnavailable``: no ``openai`` exception reaches the engine.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import openai
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from engine.errors import ModelUnavailable

__all__ = ["RetryPolicy", "describe", "is_retryable", "retry_after_s"]

T = TypeVar("T")

_log = logging.getLogger(__name__)


def retry_after_s(exc: BaseException) -> float | None:
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


def is_retryable(exc: BaseException) -> bool:
    """Timeouts, connection errors, 429 and 5xx are worth another try; other 4xx are not."""
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return False


def describe(exc: BaseException) -> str:
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


class RetryPolicy:
    """Calls a client method with bounded retries; failures become ``ModelUnavailable``.

    Args:
        what: How messages name the callee, e.g. ``"model 'llama3'"``.
        endpoint: The endpoint's URL (shown in messages; never a key).
        max_retries: Retries after the first attempt (0 = one attempt only).
        backoff_base_s: First backoff step; grows exponentially, with full jitter.
        backoff_max_s: Cap of one backoff wait.
        max_retry_after_s: Longest ``Retry-After`` waited out; a longer one stops the retries
            (waiting less would only be refused again, and a job should not block for long).
        logger: Where retries and failures are logged (the adapter's own logger).
    """

    def __init__(
        self,
        what: str,
        endpoint: str,
        max_retries: int,
        *,
        backoff_base_s: float = 0.2,
        backoff_max_s: float = 2.0,
        max_retry_after_s: float = 5.0,
        logger: logging.Logger | None = None,
    ) -> None:
        self.what = what
        self.endpoint = endpoint
        self.max_retries = max(0, int(max_retries))
        self.max_retry_after_s = max_retry_after_s
        self._backoff = wait_random_exponential(multiplier=backoff_base_s, max=backoff_max_s)
        self._log = logger or _log

    def call(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """Returns ``fn(**kwargs)``, retried per the policy.

        Raises:
            ModelUnavailable: The endpoint failed after the bounded retries or refused the
                request (4xx); the message names the callee, the endpoint and the last error.
        """
        retrying = Retrying(
            retry=retry_if_exception(is_retryable),
            stop=self._stop,
            wait=self._wait,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        started = time.monotonic()
        try:
            return retrying(fn, **kwargs)
        except openai.OpenAIError as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            message = (
                f"{self.what} at {self.endpoint} unavailable after {attempts} "
                f"attempt(s) in {time.monotonic() - started:.1f}s: {describe(exc)}"
            )
            self._log.error("%s", message)
            raise ModelUnavailable(message) from exc

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if exc is not None:
            after = retry_after_s(exc)
            if after is not None and after <= self.max_retry_after_s:
                return after
        return float(self._backoff(state))

    def _stop(self, state: RetryCallState) -> bool:
        if stop_after_attempt(self.max_retries + 1)(state):
            return True
        exc = state.outcome.exception() if state.outcome else None
        if exc is not None:
            after = retry_after_s(exc)
            if after is not None and after > self.max_retry_after_s:
                self._log.warning(
                    "%s asked to wait %.1fs (> %.1fs): not retrying",
                    self.endpoint, after, self.max_retry_after_s,
                )
                return True
        return False

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        self._log.warning(
            "%s at %s failed (attempt %d/%d): %s; retrying in %.2fs",
            self.what, self.endpoint, state.attempt_number, self.max_retries + 1,
            describe(exc) if exc else "?",
            state.next_action.sleep if state.next_action else 0.0,
        )
