"""A fake Discord REST API (v10) on 127.0.0.1, for tests through the real discord.py client.

Point discord.py at it with ``discord.http.Route.BASE = fake.api_base`` (the ``fake_discord``
fixture does so and restores it). The server is aiohttp on its own thread and event loop, so it
serves sync tests, ``asyncio.run`` and any client loop alike. State lives in memory; every request
is recorded. JSON answers carry ``Content-Type: application/json`` exactly (discord.py parses
nothing else) and errors are Discord's bodies ``{"message", "code"[, "errors"]}``.

Implemented (paths under ``/api/v10``):
  - ``GET /users/@me``, ``GET /oauth2/applications/@me`` (all ``Client.login`` needs); bot
    routes need ``Authorization: Bot <token>`` (else 401).
  - ``GET /channels/{id}`` (text channels and threads, see ``add_channel`` / ``add_thread``),
    ``POST /channels/{id}/messages`` (403 50013 when the channel denies Send Messages).
  - Webhooks: ``GET/POST /channels/{id}/webhooks`` (at most 15 per channel: 400 30007; 403 50013
    when the channel denies Manage Webhooks; 400 50024 on a thread), ``GET/DELETE /webhooks/{id}``
    and ``/webhooks/{id}/{token}``, execute ``POST /webhooks/{id}/{token}`` (``wait``,
    ``thread_id``, JSON or multipart with ``payload_json`` + ``files[n]``, ``username``,
    ``avatar_url``, ``allowed_mentions``), ``PATCH /webhooks/{id}/{token}/messages/{id}``.
    Unknown or deleted webhook: 404 10015; wrong token: 401 50027.
  - Validation: content over 2,000 chars, more than 10 embeds, usernames outside 1-80 chars or
    containing "discord"/"clyde" (and such webhook names): 400 50035; empty message: 400 50006.
    ``mention_everyone`` is set as Discord would: only when ``allowed_mentions`` lets it through.
  - Commands: ``GET/PUT /applications/{app}/commands`` and ``.../guilds/{guild}/commands``
    (names, descriptions, duplicates and the 100-command cap checked; ids kept across overwrites;
    unknown guild or application: 403 50001).
  - The bot's own member in a guild: ``PATCH /guilds/{id}/members/@me`` (``nick``: at most 32
    characters, ``""``/null resets it, 403 50013 when the guild denies Change Nickname, see
    ``set_change_nickname``; ``avatar``: a ``data:image/png|jpeg|gif|webp;base64,…`` URI whose
    bytes are that image type, else 400 50035, stored under a hash, null resets it); state in
    ``members_me`` and ``member_avatars`` (hash → bytes).
  - Interactions: ``make_interaction`` builds an INTERACTION_CREATE payload to inject into a
    client; ``POST /interactions/{id}/{token}/callback`` (404 10062 when unknown or later than the
    3 s deadline, 400 40060 when acknowledged twice), follow-ups ``POST /webhooks/{app}/{token}``
    (404 10015 before the acknowledgement, 401 50027 after 15 minutes) and
    ``PATCH /webhooks/{app}/{token}/messages/@original``.
  - Rate limits, fixed windows: per webhook (default 5 / 2 s, scope ``user``) and per channel
    (default 30 / 60 s, shared by all webhooks and bot posts of a parent channel, scope
    ``shared``). Successes carry ``X-RateLimit-*`` headers of the webhook (or channel) bucket, as
    Discord does, so discord.py waits pre-emptively on that bucket; the shared channel limit only
    shows as a 429 with ``Retry-After``, ``X-RateLimit-*``, ``Via: 1.1 google`` (without ``Via``
    discord.py raises instead of retrying: ``via_header=False`` shows it) and the body
    ``{"message": "You are being rate limited.", "retry_after": s, "global": false}``.
  - ``fail_next`` injects any error (500, 403, 429...) for the next matching requests.
  - Counters: ``requests`` (every request with its route and status), ``route_counts``,
    ``rate_limited`` (429s served), ``invalid_requests`` (401/403/429, Discord bans at 10,000 in
    10 minutes), ``messages`` / ``posted(channel_id)`` (username, avatar_url, content,
    allowed_mentions, thread_id, files, ``uploads`` (their bytes), ``components``... — an
    interaction's answer as last edited), ``interaction_callbacks``.

The gateway (``GET /gateway``, ``GET /gateway/bot`` and the WebSocket the real client connects
to) is ``fake.gateway``, a ``FakeGateway`` (tests/fakes/discord_gateway.py): it dispatches
MESSAGE_CREATE and friends, echoes every message posted here, and RESUMEs. More bot users (a
character's own bot, dedicated-bot mode) come from ``add_bot``; each authenticates with its token.

Deliberately not implemented: guilds, members, roles and permissions beyond the two channel
flags, message history and deletion, reactions, global rate limits, attachment size limits,
archived threads, OAuth2, and anything not listed above (it answers 404
``{"message": "404: Not Found"}``).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import math
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fakes.discord_gateway import FakeGateway

__all__ = ["FakeDiscord", "PostedMessage", "RecordedRequest"]

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1_420_070_400_000
MAX_CONTENT = 2000
MAX_WEBHOOKS_PER_CHANNEL = 15
FOLLOWUP_WINDOW_S = 15 * 60
_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
_OPTION_TYPES = {bool: 5, int: 4, float: 10, str: 3}
_PAYLOAD = web.RequestKey("payload", object)
_FILES = web.RequestKey("files", list)


class DiscordError(Exception):
    """An error answer: ``status`` and Discord's JSON body."""

    def __init__(self, status: int, code: int, message: str, *,
                 errors: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
                 body: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.headers = status, headers or {}
        self.body = body or {"message": message, "code": code, **({"errors": errors} if errors
                                                                   else {})}


def _form_error(field_name: str, code: str, message: str) -> DiscordError:
    errors = {field_name: {"_errors": [{"code": code, "message": message}]}}
    return DiscordError(400, 50035, "Invalid Form Body", errors=errors)


def _json(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=json.dumps(obj).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def _iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


def _check_content(content: Any) -> str:
    if not isinstance(content, str) or len(content) > MAX_CONTENT:
        raise _form_error("content", "BASE_TYPE_MAX_LENGTH",
                          f"Must be {MAX_CONTENT} or fewer in length.")
    return content


def _check_name(field_name: str, name: Any) -> None:
    """Discord's rules for webhook names and per-message usernames."""
    if not isinstance(name, str) or not 1 <= len(name) <= 80:
        raise _form_error(field_name, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 80 in length.")
    for word in ("discord", "clyde"):
        if word in name.lower():
            raise _form_error(field_name, "USERNAME_INVALID_CONTAINS",
                              f'Username cannot contain "{word}"')


@dataclass
class RecordedRequest:
    method: str
    path: str
    route: str  # "POST /webhooks/{webhook_id}/{token}"
    query: dict[str, str]
    json: Any
    files: list[str]
    authorization: str | None
    status: int = 0
    at: float = field(default_factory=time.monotonic)


@dataclass
class PostedMessage:
    id: str
    channel_id: str  # where it shows: the thread when posted in one
    kind: str  # "webhook" | "bot" | "interaction"
    content: str
    username: str
    avatar_url: str | None
    allowed_mentions: dict[str, Any] | None
    thread_id: str | None = None
    webhook_id: str | None = None
    interaction_id: str | None = None
    embeds: list[Any] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    flags: int = 0
    mention_everyone: bool = False
    edits: int = 0
    timestamp: str = field(default_factory=_iso)
    #: Message components (buttons, selects) as sent, and the files' bytes by name.
    components: list[Any] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    author_id: str | None = None  # the bot user that posted it (webhooks: the webhook)


class FakeDiscord:
    """The fake API. Use as a context manager, or ``start()`` / ``stop()``."""

    def __init__(self, *, token: str = "fake-bot-token", bot_name: str = "Personae",
                 webhook_limit: tuple[int, float] = (5, 2.0),
                 channel_limit: tuple[int, float] = (30, 60.0),
                 ratelimit_headers: bool = True, via_header: bool = True,
                 interaction_ack_s: float = 3.0) -> None:
        self.token, self.bot_name = token, bot_name
        self.webhook_limit, self.channel_limit = webhook_limit, channel_limit
        self.ratelimit_headers, self.via_header = ratelimit_headers, via_header
        self.interaction_ack_s = interaction_ack_s
        self._lock = threading.RLock()
        self._seq = itertools.count(1)
        self.app_id = self._snowflake()
        #: Bot token → bot user (the main bot, and dedicated bots from ``add_bot``).
        self.bots: dict[str, dict[str, Any]] = {token: self._bot_user()}
        self.gateway = FakeGateway(self)
        self.guilds: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self._denied: dict[str, set[str]] = {}
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.deleted_webhooks: set[str] = set()
        self.messages: list[PostedMessage] = []
        self.requests: list[RecordedRequest] = []
        self.rate_limited: list[dict[str, Any]] = []
        self.invalid_requests = 0
        self.interaction_callbacks: list[dict[str, Any]] = []
        self._commands: dict[str | None, list[dict[str, Any]]] = {}
        self._interactions: dict[str, dict[str, Any]] = {}
        self._windows: dict[tuple[str, str], list[float]] = {}  # [start, count]
        self._failures: list[tuple[str | None, DiscordError]] = []
        #: (guild id, bot user id) → that bot's member in the guild: ``nick``, ``avatar`` hash.
        self.members_me: dict[tuple[str, str], dict[str, Any]] = {}
        self.member_avatars: dict[str, bytes] = {}
        self._nick_denied: set[str] = set()
        self.guild_id = self.add_guild("Personae Test Guild")
        self.channel_id = self.add_channel("general")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----------------------------------------------------------------- lifecycle

    @property
    def api_base(self) -> str:
        """The value for ``discord.http.Route.BASE``."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    def start(self) -> FakeDiscord:
        if self._thread is not None:
            raise RuntimeError("FakeDiscord is already running")
        loop = asyncio.new_event_loop()
        ready, failure = threading.Event(), []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:  # noqa: BLE001 - reported to start()
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            assert self._runner is not None
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._loop, self._thread = loop, threading.Thread(target=run, name="fake-discord",
                                                          daemon=True)
        self._thread.start()
        if not ready.wait(10) or failure:
            raise RuntimeError(f"FakeDiscord did not start: {failure}")
        return self

    async def _serve(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        p = API_PREFIX
        for method, path, handler in [
            ("GET", "/users/@me", self._users_me),
            ("GET", "/oauth2/applications/@me", self._application_me),
            ("GET", "/channels/{channel_id}", self._get_channel),
            ("POST", "/channels/{channel_id}/messages", self._post_message),
            ("GET", "/channels/{channel_id}/webhooks", self._list_webhooks),
            ("POST", "/channels/{channel_id}/webhooks", self._create_webhook),
            ("GET", "/webhooks/{webhook_id}", self._get_webhook),
            ("GET", "/webhooks/{webhook_id}/{token}", self._get_webhook),
            ("DELETE", "/webhooks/{webhook_id}", self._delete_webhook),
            ("DELETE", "/webhooks/{webhook_id}/{token}", self._delete_webhook),
            ("POST", "/webhooks/{webhook_id}/{token}", self._execute_webhook),
            ("PATCH", "/webhooks/{webhook_id}/{token}/messages/{message_id}", self._edit_message),
            ("GET", "/applications/{app_id}/commands", self._get_commands),
            ("PUT", "/applications/{app_id}/commands", self._put_commands),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", self._get_commands),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self._put_commands),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._callback),
            ("PATCH", "/guilds/{guild_id}/members/@me", self._edit_my_member),
            *self.gateway.rest_routes(),
        ]:
            app.router.add_route(method, p + path, handler)
        self.gateway.add_socket_route(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = self._loop = None

    def __enter__(self) -> FakeDiscord:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ------------------------------------------------------------- setup and reads

    def _snowflake(self) -> str:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((ms << 22) | (next(self._seq) & 0x3FFFFF))

    def add_guild(self, name: str) -> str:
        with self._lock:
            gid = self._snowflake()
            self.guilds[gid] = {"id": gid, "name": name}
            return gid

    def add_bot(self, name: str, *, guild_ids: list[str] | None = None
                ) -> tuple[str, dict[str, Any]]:
        """Another bot user (its own application), in ``guild_ids`` (default every guild).
        Returns its token and user object."""
        with self._lock:
            uid = self._snowflake()
            token = f"{uid}.fake.{secrets.token_urlsafe(12)}"
            self.bots[token] = {**self._bot_user(), "id": uid, "username": name}
            if guild_ids is not None:
                self.gateway.memberships[uid] = set(guild_ids)
            return token, dict(self.bots[token])

    def add_channel(self, name: str, *, guild_id: str | None = None,
                    manage_webhooks: bool = True, send_messages: bool = True) -> str:
        """A text channel; the flags say whether the bot holds those permissions there."""
        with self._lock:
            cid = self._snowflake()
            self.channels[cid] = {
                "id": cid, "type": 0, "guild_id": guild_id or self.guild_id, "name": name,
                "position": len(self.channels), "permission_overwrites": [], "nsfw": False,
                "parent_id": None, "topic": None, "last_message_id": None,
                "rate_limit_per_user": 0, "flags": 0}
            self.set_permissions(cid, manage_webhooks=manage_webhooks, send_messages=send_messages)
            return cid

    def add_thread(self, parent_id: str, name: str) -> str:
        with self._lock:
            tid, parent = self._snowflake(), self.channels[parent_id]
            self.channels[tid] = {
                "id": tid, "type": 11, "guild_id": parent["guild_id"], "name": name,
                "parent_id": parent_id, "owner_id": self.app_id, "last_message_id": None,
                "rate_limit_per_user": 0, "message_count": 0, "member_count": 1, "flags": 0,
                "thread_metadata": {"archived": False, "auto_archive_duration": 1440,
                                    "archive_timestamp": _iso(), "locked": False}}
            self._denied[tid] = set(self._denied.get(parent_id, set()))
            return tid

    def set_permissions(self, channel_id: str, *, manage_webhooks: bool = True,
                        send_messages: bool = True) -> None:
        with self._lock:
            self._denied[channel_id] = {perm for perm, held in (
                ("manage_webhooks", manage_webhooks), ("send_messages", send_messages)) if not held}

    def add_webhook(self, channel_id: str, name: str = "Someone else's hook", *,
                    by_bot: bool = False) -> dict[str, Any]:
        """A webhook as if created earlier (by another integration unless ``by_bot``)."""
        with self._lock:
            ch = self.channels[channel_id]
            wid = self._snowflake()
            hook = {"id": wid, "type": 1, "guild_id": ch["guild_id"], "channel_id": channel_id,
                    "name": name, "avatar": None, "token": secrets.token_urlsafe(51),
                    "application_id": self.app_id if by_bot else None,
                    "user": self._bot_user() if by_bot else
                    {"id": self._snowflake(), "username": "admin", "discriminator": "0",
                     "avatar": None, "global_name": None}}
            self.webhooks[wid] = hook
            return dict(hook)

    def set_change_nickname(self, guild_id: str, allowed: bool) -> None:
        """Whether the bot holds Change Nickname in the guild (default: it does)."""
        with self._lock:
            (self._nick_denied.discard if allowed else self._nick_denied.add)(guild_id)

    def webhook_url(self, webhook_id: str) -> str:
        """The URL Discord shows (``Webhook.from_url`` accepts it; requests go to the fake)."""
        hook = self.webhooks[webhook_id]
        return f"https://discord.com/api/webhooks/{hook['id']}/{hook['token']}"

    def webhooks_in(self, channel_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(h) for h in self.webhooks.values() if h["channel_id"] == channel_id]

    def posted(self, channel_id: str | None = None) -> list[PostedMessage]:
        """Messages posted (in ``channel_id`` exactly, a thread being its own channel)."""
        with self._lock:
            return [m for m in self.messages if channel_id in (None, m.channel_id)]

    def commands(self, guild_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self._commands.get(guild_id, [])]

    @property
    def route_counts(self) -> Counter[str]:
        with self._lock:
            return Counter(r.route for r in self.requests)

    def fail_next(self, status: int, *, code: int = 0, message: str | None = None,
                  route: str | None = None, times: int = 1, retry_after: float = 1.0) -> None:
        """Answer the next ``times`` requests matching ``route`` (e.g. "POST
        /webhooks/{webhook_id}/{token}", None for any) with this error."""
        err = (self._too_many("injected", retry_after, 1, "user") if status == 429 else
               DiscordError(status, code, message or f"{status}: Injected failure"))
        with self._lock:
            self._failures.extend([(route, err)] * times)

    # -------------------------------------------------------------- plumbing

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        resource = request.match_info.route.resource
        template = resource.canonical.removeprefix(API_PREFIX) if resource else request.path
        route = f"{request.method} {template}"
        try:
            payload, files = await self._read_body(request)
            body_error = None
        except DiscordError as err:
            payload, files, body_error = None, [], err
        request[_PAYLOAD], request[_FILES] = payload, files
        rec = RecordedRequest(request.method, request.path, route, dict(request.query), payload,
                              [f[0] for f in files], request.headers.get("Authorization"))
        with self._lock:
            self.requests.append(rec)
            injected = next((i for i, (r, _) in enumerate(self._failures) if r in (None, route)),
                            None)
            failure = self._failures.pop(injected)[1] if injected is not None else body_error
        try:
            if failure is not None:
                raise failure
            response = await handler(request)
        except DiscordError as err:
            response = _json(err.body, err.status, err.headers)
        except web.HTTPException as err:  # no such route or method
            response = _json({"message": f"{err.status}: {err.reason}", "code": 0}, err.status)
        with self._lock:
            rec.status = response.status
            if response.status in (401, 403, 429):
                self.invalid_requests += 1
            if response.status == 429:
                self.rate_limited.append({"route": route, "path": request.path,
                                          "scope": response.headers.get("X-RateLimit-Scope"),
                                          "retry_after": float(json.loads(response.body)[
                                              "retry_after"]) if response.body else None})
        return response

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            files: list[tuple[str, bytes]] = []
            async for part in await request.multipart():
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":
                    payload = json.loads(data)
                elif part.name and part.name.startswith("files["):
                    files.append((part.filename or part.name, bytes(data)))  # type: ignore[union-attr]
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError as exc:
            raise DiscordError(400, 50109, "The request body contains invalid JSON.") from exc

    def _require_bot(self, request: web.Request) -> dict[str, Any]:
        """The bot user whose token authorises ``request`` (else 401)."""
        auth = request.headers.get("Authorization") or ""
        user = self.bots.get(auth.removeprefix("Bot ")) if auth.startswith("Bot ") else None
        if user is None:
            raise DiscordError(401, 0, "401: Unauthorized")
        return user

    def _channel(self, channel_id: str) -> dict[str, Any]:
        ch = self.channels.get(channel_id)
        if ch is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        return ch

    def _require_perm(self, channel_id: str, perm: str) -> None:
        if perm in self._denied.get(channel_id, set()):
            raise DiscordError(403, 50013, "Missing Permissions")

    def _webhook(self, webhook_id: str, token: str | None) -> dict[str, Any]:
        hook = self.webhooks.get(webhook_id)
        if hook is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if token is not None and token != hook["token"]:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return hook

    def _bot_user(self) -> dict[str, Any]:
        return {"id": self.app_id, "username": self.bot_name, "discriminator": "0",
                "global_name": None, "avatar": None, "bot": True, "verified": True,
                "mfa_enabled": False, "flags": 0, "locale": "en-US"}

    @staticmethod
    def _limit_headers(bucket: str, reset_after: float, limit: int, remaining: int
                       ) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": hashlib.md5(bucket.encode()).hexdigest()}

    def _too_many(self, bucket: str, retry: float, limit: int, scope: str) -> DiscordError:
        headers = {**self._limit_headers(bucket, retry, limit, 0), "X-RateLimit-Scope": scope,
                   "Retry-After": str(max(1, math.ceil(retry)))}
        if self.via_header:  # Discord's answers come through Google's front end
            headers["Via"] = "1.1 google"
        return DiscordError(429, 0, "", headers=headers, body={
            "message": "You are being rate limited.", "retry_after": retry, "global": False})

    def _spend(self, buckets: list[tuple[str, str, tuple[int, float], str]]) -> dict[str, str]:
        """Count one request against each (kind, id, (limit, per), scope) bucket, or raise a 429
        for the first exhausted one. Returns the success headers of the first bucket."""
        now = time.monotonic()
        for kind, key, (limit, per), scope in buckets:
            win = self._windows.setdefault((kind, key), [now, 0])
            if now - win[0] >= per:
                win[:] = [now, 0]
            if win[1] >= limit:
                raise self._too_many(kind, max(0.001, round(win[0] + per - now, 3)), limit, scope)
        for kind, key, _, _ in buckets:
            self._windows[(kind, key)][1] += 1
        kind, key, (limit, per), _ = buckets[0]
        start, count = self._windows[(kind, key)]
        if not self.ratelimit_headers:
            return {}
        return self._limit_headers(kind, max(0.0, start + per - now), limit,
                                   max(0, limit - int(count)))

    def _new_message(self, channel_id: str, kind: str, payload: dict[str, Any],
                     files: list[tuple[str, bytes]], username: str, **extra: Any
                     ) -> PostedMessage:
        content = _check_content(payload.get("content") or "")
        embeds = payload.get("embeds") or []
        if len(embeds) > 10:
            raise _form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        if not (content or embeds or files or payload.get("components") or payload.get("poll")
                or payload.get("sticker_ids")):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        allowed = payload.get("allowed_mentions")
        lets_everyone = allowed is None or "everyone" in (allowed.get("parse") or [])
        msg = PostedMessage(
            id=self._snowflake(), channel_id=channel_id, kind=kind, content=content,
            username=username, avatar_url=payload.get("avatar_url"), allowed_mentions=allowed,
            embeds=embeds, files=[name for name, _ in files], flags=int(payload.get("flags") or 0),
            components=payload.get("components") or [], uploads=dict(files),
            mention_everyone=lets_everyone and ("@everyone" in content or "@here" in content),
            **extra)
        self.messages.append(msg)
        self.channels[channel_id]["last_message_id"] = msg.id
        self.gateway.echo(msg)
        return msg

    def _message_json(self, msg: PostedMessage) -> dict[str, Any]:
        author_id = msg.webhook_id or msg.author_id or self.app_id
        ch = self.channels.get(msg.channel_id, {})
        return {
            "id": msg.id, "channel_id": msg.channel_id, "type": 20 if msg.interaction_id else 0,
            "content": msg.content, "tts": False, "pinned": False, "flags": msg.flags,
            "author": {"id": author_id, "username": msg.username, "discriminator": "0000",
                       "avatar": None, "global_name": None, "bot": True},
            "timestamp": msg.timestamp, "edited_timestamp": _iso() if msg.edits else None,
            "mention_everyone": msg.mention_everyone, "mentions": [], "mention_roles": [],
            "attachments": [{"id": self._snowflake(), "filename": name, "size": 0,
                             "url": f"https://cdn.discordapp.com/attachments/{msg.channel_id}/"
                                    f"{msg.id}/{name}", "proxy_url": "", "content_type": None}
                            for name in msg.files],
            "embeds": msg.embeds, "components": [],
            **({"guild_id": ch["guild_id"]} if msg.kind == "bot" and ch else {}),
            **({"webhook_id": msg.webhook_id} if msg.webhook_id else {}),
            **({"application_id": self.app_id} if msg.kind != "bot" else {})}

    # --------------------------------------------------------------- handlers

    async def _users_me(self, request: web.Request) -> web.Response:
        return _json(self._require_bot(request))

    async def _application_me(self, request: web.Request) -> web.Response:
        bot = self._require_bot(request)
        return _json({"id": bot["id"], "name": bot["username"], "icon": None, "description": "",
                      "bot_public": False, "bot_require_code_grant": False, "verify_key": "00",
                      "flags": 0, "bot": bot, "interactions_endpoint_url": None,
                      "owner": {"id": "1", "username": "owner", "discriminator": "0",
                                "avatar": None, "global_name": None}})

    async def _get_channel(self, request: web.Request) -> web.Response:
        self._require_bot(request)
        with self._lock:
            return _json(self._channel(request.match_info["channel_id"]))

    async def _post_message(self, request: web.Request) -> web.Response:
        bot = self._require_bot(request)
        cid = request.match_info["channel_id"]
        with self._lock:
            ch = self._channel(cid)
            self._require_perm(cid, "send_messages")
            parent = ch["parent_id"] or cid
            headers = self._spend([("channel", parent, self.channel_limit, "shared")])
            msg = self._new_message(cid, "bot", request[_PAYLOAD] or {}, request[_FILES],
                                    bot["username"], thread_id=cid if ch["parent_id"] else None,
                                    author_id=bot["id"])
            return _json(self._message_json(msg), headers=headers)

    async def _list_webhooks(self, request: web.Request) -> web.Response:
        self._require_bot(request)
        cid = request.match_info["channel_id"]
        with self._lock:
            self._channel(cid)
            self._require_perm(cid, "manage_webhooks")
            return _json(self.webhooks_in(cid))

    async def _create_webhook(self, request: web.Request) -> web.Response:
        self._require_bot(request)
        cid = request.match_info["channel_id"]
        payload = request[_PAYLOAD] or {}
        with self._lock:
            ch = self._channel(cid)
            if ch["type"] != 0:
                raise DiscordError(400, 50024, "Cannot execute action on this channel type")
            self._require_perm(cid, "manage_webhooks")
            if len(self.webhooks_in(cid)) >= MAX_WEBHOOKS_PER_CHANNEL:
                raise DiscordError(400, 30007, "Maximum number of webhooks reached "
                                               f"({MAX_WEBHOOKS_PER_CHANNEL})")
            _check_name("name", payload.get("name"))
            hook = self.add_webhook(cid, payload["name"], by_bot=True)
            return _json(hook)

    async def _get_webhook(self, request: web.Request) -> web.Response:
        token = request.match_info.get("token")
        if token is None:
            self._require_bot(request)
        with self._lock:
            hook = dict(self._webhook(request.match_info["webhook_id"], token))
            if token is not None:
                hook.pop("user", None)
            return _json(hook)

    async def _delete_webhook(self, request: web.Request) -> web.Response:
        token = request.match_info.get("token")
        if token is None:
            self._require_bot(request)
        with self._lock:
            hook = self._webhook(request.match_info["webhook_id"], token)
            if token is None:
                self._require_perm(hook["channel_id"], "manage_webhooks")
            del self.webhooks[hook["id"]]
            self.deleted_webhooks.add(hook["id"])
            return web.Response(status=204)

    async def _execute_webhook(self, request: web.Request) -> web.Response:
        wid, token = request.match_info["webhook_id"], request.match_info["token"]
        payload, files = request[_PAYLOAD] or {}, request[_FILES]
        wait = request.query.get("wait", "false").lower() in ("1", "true")
        with self._lock:
            if wid == self.app_id and token in self._interactions:
                return self._followup(token, payload, files, wait)
            hook = self._webhook(wid, token)
            target = hook["channel_id"]
            thread_id = request.query.get("thread_id")
            if thread_id:
                thread = self.channels.get(thread_id)
                if thread is None or thread.get("parent_id") != hook["channel_id"]:
                    raise DiscordError(404, 10003, "Unknown Channel")
                target = thread_id
            headers = self._spend([("webhook", wid, self.webhook_limit, "user"),
                                   ("channel", hook["channel_id"], self.channel_limit, "shared")])
            username = payload.get("username")
            if username is not None:
                _check_name("username", username)
            msg = self._new_message(target, "webhook", payload, files, username or hook["name"],
                                    thread_id=thread_id or None, webhook_id=wid)
            if not wait:
                return web.Response(status=204, headers=headers)
            return _json(self._message_json(msg), headers=headers)

    async def _edit_message(self, request: web.Request) -> web.Response:
        wid, token = request.match_info["webhook_id"], request.match_info["token"]
        mid, payload = request.match_info["message_id"], request[_PAYLOAD] or {}
        with self._lock:
            if wid == self.app_id and token in self._interactions:
                inter = self._interactions[token]
                if mid == "@original":
                    mid = inter.get("original") or ""
                owned = inter["messages"]
            else:
                self._webhook(wid, token)
                owned = {m.id for m in self.messages if m.webhook_id == wid}
            msg = next((m for m in self.messages if m.id == mid and mid in owned), None)
            if msg is None:
                raise DiscordError(404, 10008, "Unknown Message")
            if "content" in payload:
                msg.content = _check_content(payload["content"] or "")
            if "embeds" in payload:
                msg.embeds = payload["embeds"] or []
            if "components" in payload:
                msg.components = payload["components"] or []
            if request[_FILES]:  # new attachments replace the old ones
                msg.files = [name for name, _ in request[_FILES]]
                msg.uploads = dict(request[_FILES])
            msg.flags &= ~128  # no longer "thinking"
            msg.edits += 1
            return _json(self._message_json(msg))

    async def _get_commands(self, request: web.Request) -> web.Response:
        self._require_bot(request)
        with self._lock:
            return _json(self._commands.get(self._command_scope(request), []))

    def _command_scope(self, request: web.Request) -> str | None:
        guild_id = request.match_info.get("guild_id")
        if request.match_info["app_id"] != self.app_id or (
                guild_id is not None and guild_id not in self.guilds):
            raise DiscordError(403, 50001, "Missing Access")
        return guild_id

    async def _put_commands(self, request: web.Request) -> web.Response:
        self._require_bot(request)
        body = request[_PAYLOAD]
        with self._lock:
            scope = self._command_scope(request)
            if not isinstance(body, list):
                raise _form_error("_root", "MODEL_TYPE_CONVERT", "Expected an array.")
            if len(body) > 100:
                raise _form_error("_root", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer.")
            previous = {(c["name"], c["type"]): c["id"] for c in self._commands.get(scope, [])}
            seen: set[tuple[str, int]] = set()
            stored = []
            for i, cmd in enumerate(body):
                kind, name = int(cmd.get("type", 1)), cmd.get("name", "")
                if not _COMMAND_NAME.match(name) or (kind == 1 and name != name.lower()):
                    raise _form_error(f"{i}.name", "APPLICATION_COMMAND_INVALID_NAME",
                                      "Command name is invalid")
                if kind == 1 and not 1 <= len(cmd.get("description", "")) <= 100:
                    raise _form_error(f"{i}.description", "BASE_TYPE_BAD_LENGTH",
                                      "Must be between 1 and 100 in length.")
                if (name, kind) in seen:
                    raise _form_error(f"{i}.name", "APPLICATION_COMMANDS_DUPLICATE_NAME",
                                      "Application command names must be unique")
                seen.add((name, kind))
                perms = cmd.get("default_member_permissions")
                stored.append({"options": [], "nsfw": False, "description": "", **cmd,
                               "type": kind, "default_member_permissions":
                               None if perms is None else str(perms),
                               "id": previous.get((name, kind)) or self._snowflake(),
                               "application_id": self.app_id, "version": self._snowflake(),
                               **({"guild_id": scope} if scope else {})})
            self._commands[scope] = stored
            return _json(stored)

    async def _edit_my_member(self, request: web.Request) -> web.Response:
        bot = self._require_bot(request)
        gid, payload = request.match_info["guild_id"], request[_PAYLOAD] or {}
        with self._lock:
            if gid not in self.guilds:
                raise DiscordError(404, 10004, "Unknown Guild")
            me = dict(self.members_me.get((gid, bot["id"]), {"nick": None, "avatar": None}))
            if "nick" in payload:
                nick = payload["nick"] or None
                if nick is not None and (not isinstance(nick, str) or len(nick) > 32):
                    raise _form_error("nick", "BASE_TYPE_BAD_LENGTH",
                                      "Must be 32 or fewer in length.")
                if gid in self._nick_denied:
                    raise DiscordError(403, 50013, "Missing Permissions")
                me["nick"] = nick
            if "avatar" in payload:
                me["avatar"] = None if payload["avatar"] is None else self._avatar_hash(
                    payload["avatar"])
            self.members_me[(gid, bot["id"])] = me
            return _json({"user": bot, "nick": me["nick"], "avatar": me["avatar"], "roles": [],
                          "joined_at": _iso(), "deaf": False, "mute": False, "flags": 0,
                          "pending": False})

    def _avatar_hash(self, data_uri: Any) -> str:
        """Store an avatar sent as a data URI; its hash (``a_`` first for a GIF)."""
        magic = {"image/png": lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"),
                 "image/jpeg": lambda b: b.startswith(b"\xff\xd8\xff"),
                 "image/gif": lambda b: b.startswith((b"GIF87a", b"GIF89a")),
                 "image/webp": lambda b: b.startswith(b"RIFF") and b[8:12] == b"WEBP"}
        head, _, data = str(data_uri).partition(",")
        mime = head.removeprefix("data:").removesuffix(";base64")
        try:
            raw = base64.b64decode(data, validate=True)
        except ValueError:
            raw = b""
        if not head.endswith(";base64") or mime not in magic or not raw or not magic[mime](raw):
            raise _form_error("avatar", "IMAGE_INVALID", "Invalid image data")
        digest = hashlib.md5(raw).hexdigest()
        digest = f"a_{digest}" if mime == "image/gif" else digest
        self.member_avatars[digest] = raw
        return digest

    def make_interaction(self, command: str, options: dict[str, Any] | None = None, *,
                         subcommand: str | None = None, channel_id: str | None = None,
                         user_id: str = "770000000000000077", username: str = "member",
                         permissions: str = "0") -> dict[str, Any]:
        """An INTERACTION_CREATE payload for a slash command, registered with the fake. Inject
        it with ``client._connection.parse_interaction_create(payload)``."""
        with self._lock:
            ch = self.channels[channel_id or self.channel_id]
            guild_id = ch["guild_id"]
            opts = [{"name": k, "type": _OPTION_TYPES[type(v)], "value": v}
                    for k, v in (options or {}).items()]
            if subcommand:
                opts = [{"name": subcommand, "type": 1, "options": opts}]
            found = next(((scope, c["id"]) for scope in (guild_id, None)
                          for c in self._commands.get(scope, []) if c["name"] == command),
                         (None, self._snowflake()))
            iid, token = self._snowflake(), "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(60)
            self._interactions[token] = {"id": iid, "channel_id": ch["id"], "acked": None,
                                         "created": time.monotonic(), "original": None,
                                         "messages": set()}
            return {
                "id": iid, "application_id": self.app_id, "type": 2, "token": token,
                "version": 1, "channel_id": ch["id"], "channel": dict(ch), "guild_id": guild_id,
                "locale": "en-US", "guild_locale": "en-US", "app_permissions": "0",
                "entitlements": [], "authorizing_integration_owners": {"0": guild_id},
                "attachment_size_limit": 10_485_760, "context": 0,
                "member": {"user": {"id": user_id, "username": username, "discriminator": "0",
                                    "avatar": None, "global_name": None},
                           "roles": [], "joined_at": _iso(), "deaf": False, "mute": False,
                           "permissions": permissions, "flags": 0},
                "data": {"id": found[1], "name": command, "type": 1, "options": opts,
                         **({"guild_id": found[0]} if found[0] else {})}}

    async def _callback(self, request: web.Request) -> web.Response:
        iid, token = request.match_info["interaction_id"], request.match_info["token"]
        body = request[_PAYLOAD] or {}
        with self._lock:
            inter = self._interactions.get(token)
            if inter is None or inter["id"] != iid or (
                    time.monotonic() - inter["created"] > self.interaction_ack_s):
                raise DiscordError(404, 10062, "Unknown interaction")
            if inter["acked"] is not None:
                raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
            kind, data = int(body.get("type", 0)), body.get("data") or {}
            msg = None
            if kind == 4:  # a message now
                msg = self._new_message(inter["channel_id"], "interaction", data,
                                        request[_FILES], self.bot_name, interaction_id=iid)
            elif kind == 5:  # "thinking...": the original message comes with an edit
                msg = PostedMessage(self._snowflake(), inter["channel_id"], "interaction", "",
                                    self.bot_name, None, None, interaction_id=iid,
                                    flags=int(data.get("flags") or 0) | 128)
                self.messages.append(msg)
            if msg is not None:
                inter["original"] = msg.id
                inter["messages"].add(msg.id)
            inter["acked"] = time.monotonic()
            self.interaction_callbacks.append({"interaction_id": iid, "type": kind, "data": data})
            if request.query.get("with_response") not in ("1", "true"):
                return web.Response(status=204)
            resource: dict[str, Any] = {"type": kind}
            if msg is not None:
                resource["message"] = self._message_json(msg)
            return _json({"interaction": {
                "id": iid, "type": 2, "response_message_id": msg.id if msg else None,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(msg and msg.flags & 64)},
                "resource": resource})

    def _followup(self, token: str, payload: dict[str, Any], files: list[tuple[str, bytes]],
                  wait: bool) -> web.Response:
        inter = self._interactions[token]
        if inter["acked"] is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if time.monotonic() - inter["acked"] > FOLLOWUP_WINDOW_S:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        msg = self._new_message(inter["channel_id"], "interaction", payload, files,
                                self.bot_name, interaction_id=inter["id"])
        inter["messages"].add(msg.id)
        return _json(self._message_json(msg)) if wait else web.Response(status=204)
