"""HTTP mode: one endpoint for events, commands and interactivity (``/slack/events``), and the
OAuth install pages (``/slack/install``, ``/slack/oauth_redirect``) when OAuth is configured.

slack-bolt's WSGI adapter on the standard library's WSGI server, one thread per request: no web
framework needed. Signatures are checked by bolt (forged or older than five minutes: 401);
listeners run after the answer (``process_before_response`` off), so every ack is immediate.
"""

from __future__ import annotations

import logging
import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

__all__ = ["SlackHttpServer", "EVENTS_PATH"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 256


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        log.debug("%s " + format, self.address_string(), *args)


class SlackHttpServer:
    """Serve ``app`` on ``host:port`` (port 0: any free port, see ``port``)."""

    def __init__(self, app: App, host: str = "0.0.0.0", port: int = 3000,
                 path: str = EVENTS_PATH) -> None:
        self.handler = SlackRequestHandler(app, path)
        self.server = make_server(host, port, self.handler, server_class=_ThreadingServer,
                                  handler_class=_QuietHandler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def start(self) -> SlackHttpServer:
        """Serve in a background thread (tests, benchmarks); ``stop`` returns within 20 ms."""
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                        daemon=True, name="slack-http")
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
