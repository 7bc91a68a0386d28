"""A fake Discord gateway (v10, JSON) on the fake REST API's own 127.0.0.1 server.

The real discord.py client connects to it: ``GET /gateway/bot`` (and ``GET /gateway``) answer
``ws://127.0.0.1:<port>/gateway-ws``; the socket speaks the gateway protocol as Discord does:

  - HELLO (``heartbeat_interval``) on connect; HEARTBEAT → HEARTBEAT_ACK.
  - IDENTIFY (token of any bot known to the fake, see ``FakeDiscord.add_bot``) → READY (user,
    unavailable guilds, ``session_id``, ``resume_gateway_url``, application) and a GUILD_CREATE
    per guild the bot is in (channels, active threads, roles, the bots as members). A token the
    fake does not know closes with 4004; the privileged Message Content intent asked for while
    ``privileged_intents`` is False closes with 4014 (as Discord does when it is not enabled).
  - RESUME → the events the client missed (every dispatch is numbered and kept per session),
    then RESUMED; an unknown session gets INVALID_SESSION (false). ``replay_overlap`` re-sends
    that many of the events the client had already received (the last ones, READY, RESUMED
    and GUILD_CREATE aside), as a replaying gateway may: the client must store them once.
  - ``compress=zlib-stream`` (discord.py asks for it unless zstd is installed): one zlib stream
    per connection, each payload flushed with Z_SYNC_FLUSH and sent as a binary frame. Without
    the query parameter, payloads are text frames. ``zstd-stream`` is refused (close 4000).

Driving it from a test (any thread; calls block until the frames are written):
  - ``message_create(channel_id, content, author=..., mentions=..., reply_to=..., ...)`` builds
    a MESSAGE_CREATE like Discord's and dispatches it to every session of a bot in that guild
    (a DM: ``dm(bot_user_id, author, content)``, to that bot only). ``dispatch(t, d, ...)`` sends
    anything else (INTERACTION_CREATE from ``FakeDiscord.make_interaction``...).
  - Messages posted through the fake REST API (webhooks, bots, interactions) are echoed as
    MESSAGE_CREATE to the guild's sessions, as Discord does (``echo_posts``).
  - ``reconnect()`` sends op 7 RECONNECT (the client resumes), ``invalidate()`` op 9 (the client
    identifies again: a second READY, a second ``on_ready``), ``drop()`` closes the socket
    without a word (the client resumes). ``wait_sessions`` waits for live, identified sessions.
  - Counters: ``identifies``, ``resumes``, ``heartbeats``, ``presences`` (the presence each bot
    identified with or last set).

Deliberately not implemented: sharding beyond what IDENTIFY says (every guild goes to every
shard), member chunking, presences of others, voice, rate limits on gateway sends, zstd.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
import zlib
from collections import Counter
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
import yarl
from aiohttp import WSMsgType, web
from discord.gateway import DiscordWebSocket

if TYPE_CHECKING:
    from tests.fakes.discord_api import FakeDiscord, PostedMessage

__all__ = ["FakeGateway", "GatewaySession", "GATEWAY_PATH", "fake_gateway", "user_payload"]

GATEWAY_PATH = "/gateway-ws"
HEARTBEAT_INTERVAL_MS = 41_250
MESSAGE_CONTENT_INTENT = 1 << 15
#: What @everyone may do in the fake guilds (view, send, threads, history, embeds, files...).
EVERYONE_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 38) | (
    1 << 35) | (1 << 6)
MANAGE_WEBHOOKS, SEND_MESSAGES = 1 << 29, 1 << 11

#: Events of the session itself, never replayed on RESUME.
_SESSION_EVENTS = frozenset({"READY", "RESUMED", "GUILD_CREATE"})

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE = 0, 1, 2, 3
OP_RESUME, OP_RECONNECT, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 6, 7, 9, 10, 11


def _iso(epoch_s: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(epoch_s))


def user_payload(user_id: str, name: str, *, bot: bool = False,
                 global_name: str | None = None) -> dict[str, Any]:
    """A user object as the gateway sends it."""
    return {"id": str(user_id), "username": name, "discriminator": "0", "avatar": None,
            "global_name": global_name, "bot": bot, "public_flags": 0}


class _Connection:
    """One WebSocket, with its zlib stream when the client asked for one."""

    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        self._zlib = zlib.compressobj() if compress else None
        # One frame at a time, in order: the zlib stream spans frames, and aiohttp may yield
        # (compressing a large frame off the loop) between two sends.
        self._lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> None:
        async with self._lock:
            if self.ws.closed:
                return
            data = json.dumps(payload)
            if self._zlib is None:
                await self.ws.send_str(data)
            else:
                await self.ws.send_bytes(self._zlib.compress(data.encode())
                                         + self._zlib.flush(zlib.Z_SYNC_FLUSH))


@dataclass
class GatewaySession:
    """A gateway session: survives its connection so that RESUME can replay what it missed."""

    id: str
    token: str
    user: dict[str, Any]
    shard: tuple[int, int]
    intents: int
    presence: dict[str, Any] | None
    seq: int = 0
    sent: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    conn: _Connection | None = None

    @property
    def user_id(self) -> str:
        return str(self.user["id"])


class FakeGateway:
    """The gateway of one ``FakeDiscord`` (created by it; ``fake.gateway``)."""

    def __init__(self, api: FakeDiscord, *, heartbeat_interval_ms: int = HEARTBEAT_INTERVAL_MS
                 ) -> None:
        self.api = api
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, GatewaySession] = {}
        self.echo_posts = True
        self.replay_overlap = 0
        self.privileged_intents = True
        self.identifies: Counter[str] = Counter()  # user id → IDENTIFYs answered with READY
        self.resumes: Counter[str] = Counter()
        self.heartbeats = 0
        self.presences: dict[str, dict[str, Any] | None] = {}
        self._dm_channels: dict[tuple[str, str], str] = {}
        #: Bot user id → the guilds it was invited to (a bot not listed is in every guild).
        self.memberships: dict[str, set[str]] = {}
        self._ids = itertools.count(1)
        self._changed: asyncio.Condition | None = None

    # ----------------------------------------------------------------- wiring

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.api.port}{GATEWAY_PATH}"

    def rest_routes(self) -> list[tuple[str, str, Any]]:
        """Routes under the API prefix (``/gateway``, ``/gateway/bot``)."""
        return [("GET", "/gateway", self._get_gateway), ("GET", "/gateway/bot", self._get_gateway)]

    def add_socket_route(self, app: web.Application) -> None:
        app.router.add_route("GET", GATEWAY_PATH, self._socket)

    async def _get_gateway(self, request: web.Request) -> web.Response:
        body: dict[str, Any] = {"url": self.url}
        if request.path.endswith("/bot"):
            self.api._require_bot(request)
            body.update(shards=1, session_start_limit={
                "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1})
        return web.Response(body=json.dumps(body).encode(),
                            headers={"Content-Type": "application/json"})

    # ------------------------------------------------------------ the socket

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _notify(self) -> None:
        async with self._condition():
            self._condition().notify_all()

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress")
        if compress not in (None, "zlib-stream"):
            await ws.close(code=4000, message=b"unsupported compression")
            return ws
        conn = _Connection(ws, compress == "zlib-stream")
        await conn.send({"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        session: GatewaySession | None = None
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                op, data = payload.get("op"), payload.get("d")
                if op == OP_HEARTBEAT:
                    self.heartbeats += 1
                    await conn.send({"op": OP_HEARTBEAT_ACK})
                elif op == OP_IDENTIFY and session is None:
                    session = await self._identify(conn, data)
                elif op == OP_RESUME and session is None:
                    session = await self._resume(conn, data)
                elif op == OP_PRESENCE and session is not None:
                    self.presences[session.user_id] = data
        finally:
            if session is not None and session.conn is conn:
                session.conn = None
            await self._notify()
        return ws

    async def _identify(self, conn: _Connection, data: dict[str, Any]
                        ) -> GatewaySession | None:
        user = self.api.bots.get(data.get("token", "").removeprefix("Bot "))
        if user is None:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(data.get("intents") or 0)
        if intents & MESSAGE_CONTENT_INTENT and not self.privileged_intents:
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard = tuple(data.get("shard") or (0, 1))
        session = GatewaySession(secrets.token_hex(16), data["token"], dict(user),
                                 (int(shard[0]), int(shard[1])), intents, data.get("presence"))
        self.presences[session.user_id] = session.presence
        self.sessions[session.id] = session
        session.conn = conn
        guilds = self._guilds_of(session.user_id)
        await self._send(session, "READY", {
            "v": 10, "user": {**user, "bot": True, "verified": True, "mfa_enabled": False,
                              "flags": 0, "email": None},
            "guilds": [{"id": g, "unavailable": True} for g in guilds],
            "session_id": session.id, "resume_gateway_url": self.url,
            "shard": list(session.shard), "private_channels": [], "relationships": [],
            # A bot user's id is its application's id.
            "application": {"id": session.user_id, "flags": 0}})
        for gid in guilds:
            await self._send(session, "GUILD_CREATE", self.guild_payload(gid))
        self.identifies[session.user_id] += 1
        await self._notify()
        return session

    async def _resume(self, conn: _Connection, data: dict[str, Any]) -> GatewaySession | None:
        session = self.sessions.get(data.get("session_id", ""))
        if session is None or session.token != data.get("token"):
            await conn.send({"op": OP_INVALID_SESSION, "d": False})
            return None
        session.conn = conn
        seen = int(data.get("seq") or 0)
        events = [e for e in session.sent if e[1] not in _SESSION_EVENTS]
        again = [e for e in events if e[0] <= seen][-self.replay_overlap:] \
            if self.replay_overlap else []
        for seq, t, d in again + [e for e in events if e[0] > seen]:
            await conn.send({"op": OP_DISPATCH, "t": t, "s": seq, "d": d})
        await self._send(session, "RESUMED", {})
        self.resumes[session.user_id] += 1
        await self._notify()
        return session

    async def _send(self, session: GatewaySession, t: str, d: dict[str, Any]) -> None:
        """Number the event, keep it for RESUME, and write it if the session is connected."""
        session.seq += 1
        session.sent.append((session.seq, t, d))
        if session.conn is not None:
            await session.conn.send({"op": OP_DISPATCH, "t": t, "s": session.seq, "d": d})

    # ---------------------------------------------------------------- payloads

    def _guilds_of(self, user_id: str) -> list[str]:
        with self.api._lock:
            only = self.memberships.get(user_id)
            return [gid for gid in self.api.guilds if only is None or gid in only]

    def guild_payload(self, guild_id: str) -> dict[str, Any]:
        """The GUILD_CREATE of a guild as it is now."""
        api = self.api
        with api._lock:
            guild = api.guilds[guild_id]
            members = [self._member(user) for user in api.bots.values()
                       if guild_id in self._guilds_of(user["id"])]
            channels, threads = [], []
            for ch in api.channels.values():
                if ch.get("guild_id") != guild_id:
                    continue
                ch = {**ch, "permission_overwrites": self._overwrites(ch["id"], members)}
                (threads if ch["type"] in (10, 11, 12) else channels).append(ch)
            return {
                "id": guild_id, "name": guild["name"], "icon": None, "owner_id": "1",
                "unavailable": False, "member_count": len(members), "large": False,
                "joined_at": _iso(), "features": [], "emojis": [], "stickers": [],
                "voice_states": [], "presences": [], "stage_instances": [],
                "guild_scheduled_events": [], "soundboard_sounds": [], "premium_tier": 0,
                "preferred_locale": "en-US", "mfa_level": 0, "verification_level": 0,
                "explicit_content_filter": 0, "default_message_notifications": 0,
                "system_channel_flags": 0, "nsfw_level": 0,
                "roles": [{"id": guild_id, "name": "@everyone", "color": 0, "hoist": False,
                           "position": 0, "permissions": str(EVERYONE_PERMISSIONS),
                           "managed": False, "mentionable": False, "flags": 0}],
                "members": members, "channels": channels, "threads": threads}

    def _overwrites(self, channel_id: str, members: list[dict[str, Any]]
                    ) -> list[dict[str, Any]]:
        """The fake's per-channel denials of the bot, as member overwrites."""
        denied = self.api._denied.get(channel_id, set())
        bits = (MANAGE_WEBHOOKS if "manage_webhooks" in denied else 0) | (
            SEND_MESSAGES if "send_messages" in denied else 0)
        if not bits:
            return []
        return [{"id": self.api.app_id, "type": 1, "allow": "0", "deny": str(bits)}]

    @staticmethod
    def _member(user: dict[str, Any], nick: str | None = None) -> dict[str, Any]:
        return {"user": user, "nick": nick, "roles": [], "joined_at": _iso(), "deaf": False,
                "mute": False, "flags": 0, "pending": False}

    def new_id(self) -> str:
        return self.api._snowflake()

    def message_payload(self, channel_id: str, content: str, *,
                        author: dict[str, Any] | None = None, nick: str | None = None,
                        mentions: Iterable[dict[str, Any]] = (), reply_to: str | None = None,
                        webhook_id: str | None = None, application_id: str | None = None,
                        message_id: str | None = None) -> dict[str, Any]:
        """A MESSAGE_CREATE as Discord sends it for ``channel_id`` (a guild channel or thread,
        or a DM channel made by ``dm``)."""
        ch = self.api.channels[channel_id]
        author = author or user_payload("770000000000000077", "member")
        data: dict[str, Any] = {
            "id": message_id or self.new_id(), "channel_id": channel_id, "author": author,
            "content": content, "timestamp": _iso(), "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [
                {**u, "member": {k: v for k, v in self._member(u).items() if k != "user"}}
                if ch.get("guild_id") else u for u in mentions],
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": False,
            "type": 19 if reply_to else 0, "flags": 0, "components": []}
        if ch.get("guild_id"):
            data["guild_id"] = ch["guild_id"]
            if webhook_id is None:
                data["member"] = {k: v for k, v in self._member(author, nick).items()
                                  if k != "user"}
        if webhook_id:
            data["webhook_id"] = webhook_id
        if application_id:
            data["application_id"] = application_id
        if reply_to:
            data["message_reference"] = {"type": 0, "message_id": reply_to,
                                         "channel_id": channel_id,
                                         **({"guild_id": ch["guild_id"]}
                                            if ch.get("guild_id") else {})}
            data["referenced_message"] = None
        return data

    # ------------------------------------------------------------- driving it

    def _run(self, coro: Coroutine[Any, Any, Any], timeout: float = 10.0) -> Any:
        loop = self.api._loop
        assert loop is not None, "the fake is not running"
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:  # called from a handler: the frames go out after it returns
            return loop.create_task(coro)
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    def _targets(self, guild_id: str | None, user_id: str | None) -> list[GatewaySession]:
        out = []
        for s in self.sessions.values():
            if user_id is not None and s.user_id != user_id:
                continue
            if guild_id is not None and guild_id not in self._guilds_of(s.user_id):
                continue
            out.append(s)
        return out

    def dispatch(self, t: str, d: dict[str, Any], *, guild_id: str | None = None,
                 user_id: str | None = None) -> int:
        """Send event ``t`` to the sessions of bots in ``guild_id`` (of ``user_id`` only, when
        given); a session that is disconnected gets it on RESUME. Returns how many sessions."""
        async def go() -> int:
            targets = self._targets(guild_id, user_id)
            for session in targets:
                await self._send(session, t, d)
            return len(targets)

        return int(self._run(go()))

    def message_create(self, channel_id: str, content: str, **fields: Any) -> dict[str, Any]:
        """Dispatch a member's (or anyone's) message; returns the payload (its ``id`` ...)."""
        data = self.message_payload(channel_id, content, **fields)
        self.dispatch("MESSAGE_CREATE", data, guild_id=data["guild_id"])
        return data

    def dm(self, bot_user_id: str, author: dict[str, Any], content: str) -> dict[str, Any]:
        """A direct message from ``author`` to the bot ``bot_user_id``."""
        key = (bot_user_id, str(author["id"]))
        with self.api._lock:
            cid = self._dm_channels.get(key)
            if cid is None:
                cid = self._dm_channels[key] = self.new_id()
                self.api.channels[cid] = {"id": cid, "type": 1, "guild_id": None,
                                          "parent_id": None, "last_message_id": None,
                                          "recipients": [author], "name": None}
        data = self.message_payload(cid, content, author=author)
        self.dispatch("MESSAGE_CREATE", data, user_id=bot_user_id)
        return data

    def add_thread(self, parent_id: str, name: str) -> str:
        """A thread created in ``parent_id`` (THREAD_CREATE to the guild's sessions)."""
        tid = self.api.add_thread(parent_id, name)
        data = {**self.api.channels[tid], "newly_created": True}
        self.dispatch("THREAD_CREATE", data, guild_id=data["guild_id"])
        return tid

    def echo(self, msg: PostedMessage) -> None:
        """Called by the REST fake for every message it stores (inside its loop)."""
        if not self.echo_posts or not self.sessions:
            return
        data = self.api._message_json(msg)
        guild_id = (self.api.channels.get(msg.channel_id) or {}).get("guild_id")
        data.pop("guild_id", None)
        if guild_id:
            data["guild_id"] = guild_id
        data.setdefault("mentions", [])
        asyncio.get_running_loop().create_task(self._echo(data, guild_id))

    async def _echo(self, data: dict[str, Any], guild_id: str | None) -> None:
        for session in self._targets(guild_id, None):
            await self._send(session, "MESSAGE_CREATE", data)

    def _close(self, user_id: str | None, payload: dict[str, Any] | None, code: int | None
               ) -> int:
        async def go() -> int:
            live = [s for s in self._targets(None, user_id) if s.conn is not None]
            for s in live:
                assert s.conn is not None
                if payload is not None:
                    await s.conn.send(payload)
                if code is not None:
                    await s.conn.ws.close(code=code)
            return len(live)

        return int(self._run(go()))

    def reconnect(self, user_id: str | None = None) -> int:
        """Op 7 RECONNECT to the live sessions (of ``user_id``): the clients resume."""
        return self._close(user_id, {"op": OP_RECONNECT, "d": None}, None)

    def invalidate(self, user_id: str | None = None) -> int:
        """Op 9 INVALID_SESSION (not resumable): the clients identify again (a new READY)."""
        return self._close(user_id, {"op": OP_INVALID_SESSION, "d": False}, None)

    def drop(self, user_id: str | None = None) -> int:
        """Close the sockets without a word (code 4000): the clients resume."""
        return self._close(user_id, None, 4000)

    def wait_sessions(self, user_id: str, *, identifies: int = 1, resumes: int = 0,
                      timeout: float = 10.0) -> GatewaySession:
        """Wait until ``user_id`` has identified ``identifies`` times and resumed ``resumes``
        times, and has a live session; returns it."""
        async def go() -> GatewaySession:
            async with self._condition():
                while True:
                    live = [s for s in self.sessions.values()
                            if s.user_id == user_id and s.conn is not None]
                    if (live and self.identifies[user_id] >= identifies
                            and self.resumes[user_id] >= resumes):
                        return live[-1]
                    await self._condition().wait()

        async def bounded() -> GatewaySession:
            return await asyncio.wait_for(go(), timeout)

        return self._run(bounded(), timeout + 1)  # type: ignore[no-any-return]


@pytest.fixture
def fake_gateway(fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> FakeGateway:
    """The ``fake_discord`` fixture's gateway, with discord.py's default gateway URL pointed at
    it too (a plain ``Client`` connects there, and every client after an invalidated
    session)."""
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake_discord.gateway.url))
    return fake_discord.gateway
