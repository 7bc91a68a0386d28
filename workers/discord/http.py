"""HTTP to Discord for workers: a ``requests`` session for discord.py's ``SyncWebhook``, a small
bot-token REST client, and one reading of Discord's errors.

``DiscordSession`` sends discord.py's requests to the configured API base (``discord_api_base``;
unset = discord.py's own ``Route.BASE``), puts a timeout on every request, counts the 429s it
sees and refuses to wait out a ``Retry-After`` longer than ``max_retry_after_s``: it raises
``RateLimited`` at once instead of letting discord.py sleep (discord.py itself retries shorter
429s up to five times, sleeping their ``retry_after``). It also hides ``X-RateLimit-Remaining:
0`` on successful answers: the shared Redis pacing already schedules every post of every worker
within the webhook's bucket, and discord.py would otherwise sleep until the bucket resets
*after* the post went out — holding the worker (and every thread of the process posting
through that webhook) up to 2 s for nothing (benchmarks/discord_delivery.py measured it as the
p95 of our own overhead). A 429, should one come, still reaches discord.py and is obeyed.

``BotRest`` makes the few bot-token calls delivery needs (list and create webhooks, post as a
bot) with the same bounded 429 handling, two retries on 5xx and network errors, and no retry
on anything else: a 4xx is raised as ``DiscordRejected`` carrying Discord's status and code.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import discord
import requests
from discord.http import Route

from workers.discord.errors import DiscordRejected, RateLimited

__all__ = ["DiscordSession", "BotRest", "error_of", "api_base"]

TIMEOUT_S = 15.0
USER_AGENT = f"DiscordBot (https://github.com/Rapptz/discord.py {discord.__version__}) Personae"


def api_base(configured: str | None) -> str:
    """The REST base in use: the configured one, else discord.py's (read at call time, as
    tests point ``Route.BASE`` at a fake)."""
    return (configured or Route.BASE).rstrip("/")


def _retry_after(response: requests.Response) -> float:
    try:
        body = response.json()
        return float(body.get("retry_after"))
    except (ValueError, TypeError, AttributeError):
        try:
            return float(response.headers.get("Retry-After", "1"))
        except ValueError:
            return 1.0


class RateLimitCounter:
    """429s seen by this process (for logs and the benchmark)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def add(self) -> None:
        with self._lock:
            self.count += 1


class DiscordSession(requests.Session):
    """The session discord.py's ``SyncWebhook`` sends through (see the module docstring)."""

    def __init__(self, configured_base: str | None, *, max_retry_after_s: float,
                 counter: RateLimitCounter, defer_to_pacing: bool = True) -> None:
        super().__init__()
        self.configured_base = configured_base.rstrip("/") if configured_base else None
        self.max_retry_after_s = max_retry_after_s
        self.counter = counter
        self.defer_to_pacing = defer_to_pacing
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
                ) -> requests.Response:
        method = method.decode() if isinstance(method, bytes) else method
        url = url.decode() if isinstance(url, bytes) else url
        default = Route.BASE.rstrip("/")
        if self.configured_base and url.startswith(default) and default != self.configured_base:
            url = self.configured_base + url[len(default):]
        kwargs.setdefault("timeout", TIMEOUT_S)
        response = super().request(method, url, *args, **kwargs)
        if response.status_code < 300 and self.defer_to_pacing:
            response.headers.pop("X-RateLimit-Remaining", None)
        if response.status_code == 429:
            self.counter.add()
            wait = _retry_after(response)
            if wait > self.max_retry_after_s:
                raise RateLimited(f"Discord asks to wait {wait:.1f} s (429 on {method!s} "
                                  f"{url.split('?')[0]}); not waiting that long.")
        return response


def error_of(exc: discord.HTTPException) -> DiscordRejected:
    """discord.py's exception as ours (status and Discord code kept)."""
    return DiscordRejected(f"Discord answered {exc.status} (code {exc.code}): {exc.text}",
                           exc.status, exc.code)


class BotRest:
    """Bot-token REST calls (see the module docstring).

    Args:
        token: The bot token (``Authorization: Bot …``).
        base: Returns the API base for each call.
        session: Sends the requests (thread-local in ``DiscordOutbox``).
    """

    def __init__(self, token: str, base: Callable[[], str], session: Callable[[], requests.Session],
                 *, max_retry_after_s: float, counter: RateLimitCounter,
                 rejected_cooloff_s: float = 600.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.token, self.base, self.session = token, base, session
        self.max_retry_after_s, self.counter, self._sleep = max_retry_after_s, counter, sleep
        self.rejected_cooloff_s = rejected_cooloff_s
        self._rejected_until = 0.0

    def request(self, method: str, path: str, payload: Any = None) -> Any:
        """One call; the decoded JSON answer (None when empty).

        Raises:
            RateLimited: 429 with a longer ``Retry-After`` than allowed, or three 429s.
            DiscordRejected: Any other error answer (5xx after two retries, ``status`` 0
                when Discord could not be reached at all). After a 401 (the token is wrong
                or revoked) every call fails at once, without a request, for
                ``rejected_cooloff_s``: 401s count towards Discord's IP ban.
        """
        if time.monotonic() < self._rejected_until:
            raise DiscordRejected("Discord rejected this bot token (401) a moment ago; not "
                                  "trying again yet. Check the token in the settings.", 401, 0)
        headers = {"Authorization": f"Bot {self.token}", "User-Agent": USER_AGENT}
        url = self.base() + path
        for attempt in range(3):
            try:
                response = self.session().request(method, url, json=payload, headers=headers,
                                                  timeout=TIMEOUT_S)
            except requests.RequestException as exc:
                if attempt < 2:
                    self._sleep(0.5 * (attempt + 1))
                    continue
                raise DiscordRejected(f"Discord unreachable for {method} {path}: {exc}",
                                      0, 0) from exc
            if response.status_code < 300:
                return response.json() if response.content else None
            if response.status_code == 429:
                self.counter.add()
                wait = _retry_after(response)
                if wait > self.max_retry_after_s or attempt == 2:
                    raise RateLimited(f"Discord rate-limits {method} {path} for {wait:.1f} s; "
                                      "not retrying.")
                self._sleep(wait)
                continue
            if response.status_code == 401:
                self._rejected_until = time.monotonic() + self.rejected_cooloff_s
            if response.status_code >= 500 and attempt < 2:
                self._sleep(0.5 * (attempt + 1))
                continue
            raise _rejected(method, path, response)
        raise AssertionError("unreachable")


def _rejected(method: str, path: str, response: requests.Response) -> DiscordRejected:
    try:
        body = response.json()
        code, message = int(body.get("code", 0)), str(body.get("message", ""))
    except (ValueError, TypeError, AttributeError):
        code, message = 0, response.text[:200]
    return DiscordRejected(f"Discord answered {response.status_code} (code {code}) to "
                           f"{method} {path}: {message}", response.status_code, code)
