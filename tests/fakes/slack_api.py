"""A fake Slack Web API on 127.0.0.1, for tests through the real slack_sdk / slack-bolt clients.

Point a client at it with ``WebClient(base_url=fake.base_url)`` (``PERSONAE_SLACK_API_BASE``).
A ``ThreadingHTTPServer`` on its own thread; state in memory; every call recorded.

Implemented methods (form or JSON bodies, ``Authorization: Bearer <token>``; a wrong token
answers ``invalid_auth``):
  - ``auth.test`` (team, bot user and bot id).
  - ``chat.postMessage``: per-channel limit (default 1 per 1 s, sliding): over it, HTTP 429
    with ``Retry-After`` and ``{"ok": false, "error": "ratelimited"}``; channels the app was
    removed from (``remove_app``) answer ``not_in_channel``, unknown ones (``missing``)
    ``channel_not_found``; text over 40,000 chars ``msg_too_long``; empty text ``no_text``.
    Posts carry ``bot_id`` and the given ``username`` / ``icon_url`` / ``thread_ts``.
  - ``chat.postEphemeral``; ``views.open``, ``views.update``, ``views.publish``
    (``trigger_id`` and ``user_id`` required).
  - files_upload_v2's steps: ``files.getUploadURLExternal`` (an upload URL on this server),
    ``POST /upload/<file id>`` (the bytes), ``files.completeUploadExternal`` (shares to
    ``channel_id`` and records the file).
  - ``users.info`` (``add_user``: admin/owner flags, names), ``usergroups.list``,
    ``usergroups.users.list`` (``add_group``), ``conversations.info``.
  - ``oauth.v2.access`` (OAuth install): a ``code`` issued by ``authorize`` → that workspace's
    bot token (``xoxb-<team>``), once (a used or unknown code answers ``invalid_code``); any
    other code → a new workspace; with ``oauth_client`` set, the client id and secret (HTTP
    basic auth, as slack_sdk sends them) must match (else ``invalid_client_id``).
  - Card files a member attached to a modal: ``add_file`` (the ``files`` item of a
    ``file_input``'s state), downloaded with ``GET /files-pri/<id>`` and a valid bot token
    (recorded in ``downloads``).
  - ``apps.connections.open`` (Socket Mode, an ``xapp-`` token): ``socket_url`` (a fake
    WebSocket server, ``tests.fakes.slack_socket``).
  - ``response_url`` posts: ``POST /respond/<anything>`` (recorded in ``responses``).

Counters: ``calls`` (method, body, token, time, status), ``posts`` (accepted messages, with the
server's arrival time), ``rate_limited`` (429s served).
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

__all__ = ["FakeSlack", "Post", "Call"]

MAX_TEXT = 40_000


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    token: str | None
    at: float
    status: int = 200


@dataclass
class Post:
    channel: str
    ts: str
    text: str
    username: str | None
    icon_url: str | None
    thread_ts: str | None
    at: float
    bot_id: str
    blocks: Any = None


@dataclass
class FakeFile:
    id: str
    filename: str
    data: bytes = b""
    title: str = ""
    channel: str | None = None


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)
    published: dict[str, dict[str, Any]] = field(default_factory=dict)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, FakeFile] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)
    rate_limited: int = 0


class FakeSlack:
    """The fake API. Use as a context manager, or ``start()`` / ``stop()``."""

    def __init__(self, *, token: str = "xoxb-test", team_id: str = "T0001",
                 bot_user_id: str = "UBOT", bot_id: str = "BBOT",
                 channel_limit: tuple[int, float] = (1, 1.0)) -> None:
        self.tokens = {token: team_id}
        self.team_id, self.bot_user_id, self.bot_id = team_id, bot_user_id, bot_id
        self.channel_limit = channel_limit
        self.state = _State()
        self.users: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, str] = {}
        self.removed: set[str] = set()
        self.missing: set[str] = set()
        self.oauth_client: tuple[str, str] | None = None
        self.socket_url: str | None = None
        self.codes: dict[str, str] = {}
        self._windows: dict[str, list[float]] = defaultdict(list)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The value for ``WebClient(base_url=...)`` (the trailing slash matters)."""
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/respond/{next(self._ids)}"

    def start(self) -> FakeSlack:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll: ``stop`` (every test's teardown) waits for it.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True, name="fake-slack")
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ------------------------------------------------------------------ set-up helpers
    def add_user(self, user_id: str, name: str = "", *, admin: bool = False,
                 owner: bool = False, bot: bool = False) -> None:
        self.users[user_id] = {
            "id": user_id, "team_id": self.team_id, "name": name or user_id.lower(),
            "real_name": name or user_id, "is_admin": admin, "is_owner": owner, "is_bot": bot,
            "profile": {"display_name": name or user_id, "real_name": name or user_id},
        }

    def add_group(self, group_id: str, handle: str, members: list[str]) -> None:
        self.groups[group_id] = {"id": group_id, "handle": handle, "name": handle,
                                 "users": list(members)}

    def remove_app(self, channel: str) -> None:
        """The app was removed from ``channel``: posts there answer ``not_in_channel``."""
        self.removed.add(channel)

    def add_workspace(self, team_id: str, token: str) -> None:
        self.tokens[token] = team_id

    def authorize(self, team_id: str) -> str:
        """What Slack's authorize page does when a member of ``team_id`` approves the
        install: a one-time ``code`` for the redirect."""
        code = f"code-{team_id}-{next(self._ids)}"
        self.codes[code] = team_id
        return code

    # ------------------------------------------------------------------ views on the state
    @property
    def calls(self) -> list[Call]:
        return self.state.calls

    @property
    def posts(self) -> list[Post]:
        return self.state.posts

    def posted(self, channel: str) -> list[Post]:
        return [p for p in self.state.posts if p.channel == channel]

    def called(self, method: str) -> list[Call]:
        return [c for c in self.state.calls if c.method == method]

    @property
    def rate_limited(self) -> int:
        return self.state.rate_limited

    # ------------------------------------------------------------------ the API
    def handle(self, method: str, body: dict[str, Any], token: str | None,
               basic: tuple[str, str] | None = None
               ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            call = Call(method, body, token, time.monotonic())
            self.state.calls.append(call)
            status, answer, headers = self._answer(method, body, token, basic)
            call.status = status
            return status, answer, headers

    def _answer(self, method: str, body: dict[str, Any], token: str | None,
                basic: tuple[str, str] | None = None
                ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if method == "oauth.v2.access":
            return 200, self._oauth(body, basic), {}
        if method == "apps.connections.open":
            if not (token or "").startswith("xapp-") or self.socket_url is None:
                return 200, {"ok": False, "error": "not_allowed_token_type"}, {}
            return 200, {"ok": True, "url": self.socket_url}, {}
        team = self.tokens.get(token or "")
        if team is None:
            return 200, {"ok": False, "error": "invalid_auth" if token else "not_authed"}, {}
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        result = handler(body, team)
        if isinstance(result, tuple):
            return result
        return 200, result, {}

    def _oauth(self, body: dict[str, Any], basic: tuple[str, str] | None) -> dict[str, Any]:
        client = basic or (str(body.get("client_id", "")), str(body.get("client_secret", "")))
        if self.oauth_client is not None and client != self.oauth_client:
            return {"ok": False, "error": "invalid_client_id"}
        code = str(body.get("code") or "")
        if not code or (code.startswith("code-") and code not in self.codes):
            return {"ok": False, "error": "invalid_code"}
        team = self.codes.pop(code, None) or f"T{next(self._ids):04d}"
        token = f"xoxb-{team}"
        self.tokens[token] = team
        return {"ok": True, "app_id": "A0001", "access_token": token, "token_type": "bot",
                "scope": "chat:write,chat:write.customize,commands",
                "bot_user_id": self.bot_user_id, "team": {"id": team, "name": f"Team {team}"},
                "enterprise": None, "is_enterprise_install": False,
                "authed_user": {"id": "UINSTALLER"}}

    def _m_auth_test(self, body: dict[str, Any], team: str) -> dict[str, Any]:
        return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake Team",
                "user": "personae", "team_id": team, "user_id": self.bot_user_id,
                "bot_id": self.bot_id, "is_enterprise_install": False}

    def _m_chat_postMessage(self, body: dict[str, Any], team: str
                            ) -> dict[str, Any] | tuple[int, dict[str, Any], dict[str, str]]:
        channel = str(body.get("channel", ""))
        if channel in self.removed:
            return {"ok": False, "error": "not_in_channel"}
        if not channel or channel in self.missing:
            return {"ok": False, "error": "channel_not_found"}
        text = body.get("text") or ""
        if not text and not body.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if len(text) > MAX_TEXT:
            return {"ok": False, "error": "msg_too_long"}
        now = time.monotonic()
        limit, period = self.channel_limit
        window = [t for t in self._windows[channel] if now - t < period]
        if len(window) >= limit:
            self.state.rate_limited += 1
            retry = max(1, math.ceil(period - (now - window[0])))
            self._windows[channel] = window
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry)}
        window.append(now)
        self._windows[channel] = window
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        post = Post(channel, ts, text, body.get("username"), body.get("icon_url"),
                    body.get("thread_ts") or None, now, self.bot_id, body.get("blocks"))
        self.state.posts.append(post)
        message = {"type": "message", "subtype": "bot_message", "text": text, "ts": ts,
                   "bot_id": self.bot_id, "username": post.username,
                   "icons": {"image_48": post.icon_url} if post.icon_url else {}}
        if post.thread_ts:
            message["thread_ts"] = post.thread_ts
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_chat_postEphemeral(self, body: dict[str, Any], team: str) -> dict[str, Any]:
        if str(body.get("channel")) in self.removed:
            return {"ok": False, "error": "not_in_channel"}
        self.state.ephemeral.append(body)
        return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}

    def _view(self, body: dict[str, Any]) -> dict[str, Any]:
        view = body.get("view")
        return json.loads(view) if isinstance(view, str) else dict(view or {})

    def _m_views_open(self, body: dict[str, Any], team: str) -> dict[str, Any]:
        if not body.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        view = self._view(body)
        self.state.views.append(view)
        return {"ok": True, "view": {"id": f"V{next(self._ids):04d}", **view}}

    def _m_views_update(self, body: dict[str, Any], team: str) -> dict[str, Any]:
        view = self._view(body)
        self.state.views.append(view)
        return {"ok": True, "view": {"id": body.get("view_id", "V0"), **view}}

    def _m_views_publish(self, body: dict[str, Any], team: str) -> dict[str, Any]:
        if not body.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        view = self._view(body)
        self.state.published[str(body["user_id"])] = view
        return {"ok": True, "view": {"id": f"V{next(self._ids):04d}", **view}}

    def _m_files_getUploadURLExternal(self, body: dict[str, Any], team: str) -> dict[str, Any]:
        file_id = f"F{next(self._ids):05d}"
        self.state.files[file_id] = FakeFile(file_id, str(body.get("filename", "")))
        return {"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
                "file_id": file_id}

    def add_file(self, filename: str, data: bytes, *, size: int | None = None
                 ) -> dict[str, Any]:
        """A file a member attached; what Slack puts in the modal's state (``size`` as
        declared, default the real one)."""
        file_id = f"F{next(self._ids):05d}"
        with self._lock:
            self.state.files[file_id] = FakeFile(file_id, filename, data)
        url = f"http://127.0.0.1:{self.port}/files-pri/{file_id}"
        return {"id": file_id, "name": filename, "filetype": "json",
                "size": len(data) if size is None else size,
                "url_private": url, "url_private_download": url + "/download"}

    def download(self, path: str, token: str | None) -> tuple[int, bytes]:
        with self._lock:
            if token not in self.tokens:
                return 403, b"not_authed"
            file_id = path.split("/")[2] if path.count("/") >= 2 else ""
            found = self.state.files.get(file_id)
            if found is None:
                return 404, b"Not Found"
            self.state.downloads.append(file_id)
            return 200, found.data

    def upload(self, file_id: str, data: bytes) -> bool:
        with self._lock:
            found = self.state.files.get(file_id)
            if found is None:
                return False
            found.data = data
            return True

    def _m_files_completeUploadExternal(self, body: dict[str, Any], team: str
                                        ) -> dict[str, Any]:
        files = body.get("files")
        files = json.loads(files) if isinstance(files, str) else files or []
        channel = body.get("channel_id")
        if channel and channel in self.removed:
            return {"ok": False, "error": "not_in_channel"}
        done = []
        for item in files:
            found = self.state.files.get(item.get("id", ""))
            if found is None or not found.data:
                return {"ok": False, "error": "file_not_found"}
            found.title, found.channel = item.get("title", ""), channel
            done.append({"id": found.id, "name": found.filename, "title": found.title,
                         "size": len(found.data)})
        return {"ok": True, "files": done}

    def _m_users_info(self, body: dict[str, Any], team: str) -> dict[str, Any]:
        user = self.users.get(str(body.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _m_usergroups_list(self, body: dict[str, Any], team: str) -> dict[str, Any]:
        with_users = str(body.get("include_users", "")).lower() in ("1", "true")
        return {"ok": True, "usergroups": [
            {k: v for k, v in g.items() if with_users or k != "users"}
            for g in self.groups.values()]}

    def _m_usergroups_users_list(self, body: dict[str, Any], team: str) -> dict[str, Any]:
        group = self.groups.get(str(body.get("usergroup", "")))
        if group is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": group["users"]}

    def _m_conversations_info(self, body: dict[str, Any], team: str) -> dict[str, Any]:
        channel = str(body.get("channel", ""))
        if channel in self.missing:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": channel, "name": self.channels.get(channel, channel),
                                        "is_member": channel not in self.removed}}


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeSlack
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        return None

    def do_GET(self) -> None:  # noqa: N802 - stdlib's name
        auth = self.headers.get("Authorization", "")
        if not self.path.startswith("/files-pri/"):
            self._send(404, b"Not Found", "text/plain")
            return
        status, data = self.server_fake.download(self.path, auth[7:] if auth else None)
        self._send(status, data, "application/octet-stream")

    def do_POST(self) -> None:  # noqa: N802 - stdlib's name
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        fake = self.server_fake
        if self.path.startswith("/upload/"):
            ok = fake.upload(self.path.rsplit("/", 1)[1], raw)
            self._send(200 if ok else 404, b"OK" if ok else b"Not Found", "text/plain")
            return
        body = _body(raw, self.headers.get("Content-Type", ""))
        if self.path.startswith("/respond/"):
            with fake._lock:
                fake.state.responses.append(body)
            self._send(200, b"ok", "text/plain")
            return
        method = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else body.get("token")
        basic = None
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            basic = (user, password)
        status, answer, headers = fake.handle(method, body, token, basic)
        self._send(status, json.dumps(answer).encode(), "application/json", headers)

    def _send(self, status: int, data: bytes, ctype: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


def _body(raw: bytes, ctype: str) -> dict[str, Any]:
    text = raw.decode("utf-8", "replace")
    if "json" in ctype:
        try:
            value = json.loads(text or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
