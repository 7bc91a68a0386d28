"""A scriptable fake OpenAI-compatible server on 127.0.0.1, for tests through the real client.

openai 3.x sends through ``httpx2``, so ``respx`` cannot intercept it; a real local HTTP server
exercises the whole client (serialisation, headers, status handling, timeouts).

Example:
    with FakeOpenAI() as fake:
        fake.queue_error(500)
        fake.queue_reply("Hello!")
        model = OpenAIChatModel(fake.base_url, None, "m", timeout_s=2, max_retries=1)
        assert model.complete([...], max_tokens=50) == "Hello!"
        assert fake.requests[-1]["model"] == "m"
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["FakeOpenAI", "chat_completion_body", "error_body"]

_DEFAULT_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Invalid request.", "invalid_request_error", None),
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to sample from this model.", "invalid_request_error", None),
    404: ("The model does not exist.", "invalid_request_error", "model_not_found"),
    429: ("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request.", "server_error", None),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded.", "server_error", None),
}


def error_body(status: int, message: str | None = None) -> dict[str, Any]:
    """OpenAI's error JSON shape for ``status``."""
    default_message, kind, code = _DEFAULT_ERRORS.get(status, ("Error.", "server_error", None))
    return {"error": {"message": message or default_message, "type": kind, "param": None,
                      "code": code}}


def chat_completion_body(
    content: str | None, *, model: str, finish_reason: str = "stop", prompt_tokens: int = 10
) -> dict[str, Any]:
    """A ``chat.completion`` object as OpenAI returns it."""
    completion_tokens = len(content.split()) if content else 0
    return {
        "id": f"chatcmpl-fake{int(time.time() * 1000)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [{
            "index": 0,
            "finish_reason": finish_reason,
            "logprobs": None,
            "message": {"role": "assistant", "content": content, "refusal": None},
        }],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def _fake_embedding(text: str, dim: int) -> list[float]:
    """Deterministic unit vector from a hash of the text."""
    values: list[float] = []
    counter = 0
    while len(values) < dim:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values.extend((b - 127.5) / 127.5 for b in digest)
        counter += 1
    vec = values[:dim]
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


@dataclass
class _Reply:
    content: str | None
    finish_reason: str = "stop"
    delay_s: float | None = None


@dataclass
class _Error:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out closes its socket before a delayed answer: expected, quiet.
        return


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._send_json(200, {"object": "list", "data": [
                {"id": self.server.fake.default_model, "object": "model", "created": 0,
                 "owned_by": "fake"}]})
        else:
            self._send_json(404, error_body(404, f"Unknown path {self.path}"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_json(400, error_body(400, "We could not parse the JSON body."))
            return
        self.server.fake._handle(self, self.path, body)


class FakeOpenAI:
    """A fake OpenAI-compatible API on 127.0.0.1 (a context manager; also ``start``/``stop``).

    Scripting: ``queue_reply`` and ``queue_error`` add scripted answers consumed in order.
    Queued errors answer the next request of any kind; queued replies answer the next chat
    completion. With the queue empty, chats get ``default_reply`` and embeddings get
    deterministic hash vectors of ``embedding_dim`` floats (or the request's ``dimensions``).

    Attributes:
        requests: JSON bodies received, in order (chat and embeddings).
        paths: Request paths, parallel to ``requests``.
        headers: Request headers (lower-cased names), parallel to ``requests``.
        delay_s: Seconds to wait before every answer (a slow model, for timeouts).
        default_reply: Chat reply when nothing is queued.
    """

    def __init__(
        self,
        *,
        default_reply: str = "Good day to you.",
        delay_s: float = 0.0,
        embedding_dim: int = 8,
        default_model: str = "fake-model",
    ) -> None:
        self.default_reply = default_reply
        self.delay_s = delay_s
        self.embedding_dim = embedding_dim
        self.default_model = default_model
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._queue: deque[_Reply | _Error] = deque()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        """Starts serving on an ephemeral port of 127.0.0.1."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
            name="fake-openai",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving (delayed answers still sleeping are abandoned)."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not running; use start() or a with block")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The API root to give the client, e.g. ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting ------------------------------------------------------------------------------

    def queue_reply(
        self, text: str | None, *, finish_reason: str = "stop", delay_s: float | None = None
    ) -> None:
        """Answers the next chat completion with ``text`` (None = ``"content": null``)."""
        with self._lock:
            self._queue.append(_Reply(text, finish_reason, delay_s))

    def queue_error(
        self,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        delay_s: float | None = None,
    ) -> None:
        """Answers the next request with HTTP ``status`` (body defaults to OpenAI's error shape)."""
        with self._lock:
            self._queue.append(
                _Error(status, error_body(status) if body is None else body,
                       dict(headers or {}), delay_s)
            )

    def queue_rate_limit(self, retry_after_s: float = 1, *, limit: int = 60) -> None:
        """A 429 with ``Retry-After`` and OpenAI's ``x-ratelimit-*`` headers."""
        self.queue_error(429, headers={
            "Retry-After": f"{retry_after_s:g}",
            "x-ratelimit-limit-requests": str(limit),
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": f"{retry_after_s:g}s",
        })

    def clear(self) -> None:
        """Forgets queued answers and received requests."""
        with self._lock:
            self._queue.clear()
            self.requests.clear()
            self.paths.clear()
            self.headers.clear()

    @property
    def pending(self) -> int:
        """Scripted answers not consumed yet."""
        with self._lock:
            return len(self._queue)

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat completion requests received."""
        with self._lock:
            return [b for p, b in zip(self.paths, self.requests, strict=True)
                    if p.endswith("/chat/completions")]

    # -- serving --------------------------------------------------------------------------------

    def _handle(self, handler: _Handler, path: str, body: dict[str, Any]) -> None:
        path = path.split("?", 1)[0].rstrip("/")
        is_chat = path.endswith("/chat/completions")
        is_embeddings = path.endswith("/embeddings")
        with self._lock:
            self.requests.append(body)
            self.paths.append(path)
            self.headers.append({k.lower(): v for k, v in handler.headers.items()})
            scripted: _Reply | _Error | None = None
            if self._queue:
                head = self._queue[0]
                if isinstance(head, _Error) or is_chat:
                    scripted = self._queue.popleft()
        delay = scripted.delay_s if scripted and scripted.delay_s is not None else self.delay_s
        if delay > 0:
            time.sleep(delay)
        if isinstance(scripted, _Error):
            handler._send_json(scripted.status, scripted.body, scripted.headers)
            return
        model = str(body.get("model") or self.default_model)
        if is_chat:
            reply = scripted if isinstance(scripted, _Reply) else _Reply(self.default_reply)
            handler._send_json(200, chat_completion_body(
                reply.content, model=model, finish_reason=reply.finish_reason))
        elif is_embeddings:
            inputs = body.get("input")
            texts = inputs if isinstance(inputs, list) else [inputs]
            dim = int(body.get("dimensions") or self.embedding_dim)
            handler._send_json(200, {
                "object": "list",
                "model": model,
                "data": [{"object": "embedding", "index": i,
                          "embedding": _fake_embedding(str(t), dim)}
                         for i, t in enumerate(texts)],
                "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)},
            })
        else:
            handler._send_json(404, error_body(404, f"Unknown path {path}"))
