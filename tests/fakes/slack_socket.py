"""A fake Slack Socket Mode server on 127.0.0.1: the WebSocket end of ``apps.connections.open``.

slack_sdk's real ``SocketModeClient`` connects to ``url`` (set it as the fake Web API's
``socket_url``); the server greets it with ``hello`` as Slack does, ``send`` pushes an envelope
(``events_api``, ``slash_commands``, ``interactive``), and every acknowledgement the client
sends back is kept by ``envelope_id`` (``ack``). aiohttp's WebSocket server (aiohttp comes with
discord.py) on its own thread and event loop; pings are answered automatically.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from types import TracebackType
from typing import Any

from aiohttp import WSMsgType, web

__all__ = ["FakeSocketMode"]


class FakeSocketMode:
    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}
        self.connections = 0
        self._ids = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._ws: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="fake-slack-socket")

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/link/?ticket=fake"

    def start(self) -> FakeSocketMode:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        """Hang up (the client sees the connection end) and stop serving."""
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._hang_up(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    async def _hang_up(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        assert self._runner is not None
        await self._runner.cleanup()

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/link/", self._link)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self._port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, timeout=0.2)
        await ws.prepare(request)
        with self._changed:
            self._ws = ws
            self.connections += 1
            self._changed.notify_all()
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A0001"},
                            "debug_info": {"host": "fake", "approximate_connection_time": 3600}})
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            with self._changed:
                self.acks[str(data.get("envelope_id"))] = data
                self._changed.notify_all()
        return ws

    # -- what the test does ------------------------------------------------------------------
    def wait_connected(self, timeout: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self._ws is not None, timeout):
                raise AssertionError("the Socket Mode client never connected")

    def send(self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool = False,
             retry_attempt: int = 0) -> str:
        """Push an envelope; its ``envelope_id``."""
        envelope_id = f"env-{next(self._ids)}-{time.monotonic_ns()}"
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": accepts_response_payload,
                    "retry_attempt": retry_attempt,
                    "retry_reason": "timeout" if retry_attempt else ""}
        ws = self._ws
        assert ws is not None, "not connected"
        asyncio.run_coroutine_threadsafe(ws.send_json(envelope), self._loop).result(10)
        return envelope_id

    def ack(self, envelope_id: str, timeout: float = 3.0) -> dict[str, Any]:
        """The client's acknowledgement of an envelope (Slack wants it within 3 s)."""
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(f"no ack for {envelope_id} within {timeout} s")
            return self.acks[envelope_id]
