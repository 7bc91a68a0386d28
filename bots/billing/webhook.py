"""The Stripe webhook endpoint: a small WSGI app (stdlib ``wsgiref``), one route.

``POST /stripe/webhook``: the signature is verified first (401 when it is missing, forged or
older than five minutes; 400 when the body is not an event), then ``billing.handle_event``
applies the event once (a duplicate answers 200 and changes nothing). A failure to apply it
answers 500 so that Stripe retries later. ``GET /healthz`` answers ``ok``.

A background thread downgrades ecosystems whose grace period ended (``enforce_grace``) every
``grace_check_s``.

``serve`` mounts it beside the media store (``GET /media/<sha256>.<ext>``, ``bots.web.media``)
behind a tiny router (``bots.web.router``), so one process answers both; without Stripe
(``stripe=None``) it serves the media alone.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bots.web.media import MediaApp
from bots.web.router import Router, WsgiApp
from engine.adapters.stripe_billing import InvalidSignature, StripeBilling
from engine.marketplace.media import MEDIA_PATH
from engine.services import billing
from engine.services.deps import Deps

__all__ = ["WebhookApp", "app", "serve", "PATH"]

log = logging.getLogger(__name__)

PATH = "/stripe/webhook"
MAX_BODY = 1 << 20
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class WebhookApp:
    def __init__(self, deps: Deps, stripe: StripeBilling) -> None:
        self.deps = deps
        self.stripe = stripe

    def __call__(self, environ: dict[str, Any], start_response: StartResponse
                 ) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        if method == "GET" and path == "/healthz":
            return _answer(start_response, 200, {"ok": True})
        if path != PATH:
            return _answer(start_response, 404, {"error": "not found"})
        if method != "POST":
            return _answer(start_response, 405, {"error": "POST only"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= 0 or length > MAX_BODY:
            return _answer(start_response, 400, {"error": "empty or oversized body"})
        body = environ["wsgi.input"].read(length)
        try:
            event = self.stripe.verify(body, environ.get("HTTP_STRIPE_SIGNATURE"))
        except InvalidSignature as exc:
            log.warning("stripe webhook refused: %s", exc)
            return _answer(start_response, 401, {"error": "invalid signature"})
        except (ValueError, UnicodeDecodeError):
            return _answer(start_response, 400, {"error": "not a Stripe event"})
        try:
            outcome = billing.handle_event(self.deps, event, self.stripe)
        except Exception:  # noqa: BLE001 - Stripe retries on 5xx; nothing was recorded
            log.exception("stripe event %s could not be applied", event.get("id"))
            return _answer(start_response, 500, {"error": "not applied; retry"})
        return _answer(start_response, 200, {"received": True, "outcome": outcome})


def _answer(start_response: StartResponse, code: int, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
              405: "Method Not Allowed", 500: "Internal Server Error"}[code]
    start_response(f"{code} {reason}", [("Content-Type", "application/json"),
                                         ("Content-Length", str(len(data)))])
    return [data]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s " + format, self.address_string(), *args)


class Running:
    """A started server: ``port``, ``stop()``."""

    def __init__(self, server: WSGIServer, stop_event: threading.Event) -> None:
        self.server = server
        self._stop = stop_event

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


def app(deps: Deps, stripe: StripeBilling | None) -> Router:
    """The HTTP app: ``/stripe/webhook`` (with Stripe), ``/media/...`` and ``/healthz``."""
    routes: list[tuple[str, WsgiApp]] = [(MEDIA_PATH, MediaApp(deps))]
    if stripe is not None:
        routes.insert(0, (PATH, WebhookApp(deps, stripe)))
    return Router(routes)


def serve(deps: Deps, stripe: StripeBilling | None, host: str = "0.0.0.0", port: int = 8090,
          *, grace_check_s: float = 60.0, background: bool = False) -> Running:
    """Start the endpoint (in a thread when ``background``; else until interrupted). Without
    ``stripe`` only the media store is served (and no grace periods are checked)."""
    server = make_server(host, port, app(deps, stripe), server_class=_Server,
                         handler_class=_QuietHandler)
    stop = threading.Event()

    def grace_loop() -> None:
        while not stop.wait(grace_check_s):
            try:
                downgraded = billing.enforce_grace(deps)
                if downgraded:
                    log.warning("grace period ended, downgraded: %s", downgraded)
            except Exception:  # noqa: BLE001 - keep the endpoint up; log it
                log.exception("grace period check failed")

    if stripe is not None:
        threading.Thread(target=grace_loop, name="billing-grace", daemon=True).start()
    running = Running(server, stop)
    if background:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         name="billing-webhook", daemon=True).start()
        return running
    try:
        server.serve_forever()
    finally:
        stop.set()
    return running
