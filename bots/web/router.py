"""A tiny WSGI router: the first route whose path matches (exactly, or as a prefix when it
ends with ``/``) gets the request; ``GET /healthz`` answers ``{"ok": true}``; anything else
is 404."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = ["Router", "WsgiApp"]

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class Router:
    def __init__(self, routes: Sequence[tuple[str, WsgiApp]]) -> None:
        self.routes = list(routes)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse
                 ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD"):
            return _answer(start_response, "200 OK", {"ok": True})
        for prefix, app in self.routes:
            if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
                return app(environ, start_response)
        return _answer(start_response, "404 Not Found", {"error": "not found"})


def _answer(start_response: StartResponse, status: str, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data)))])
    return [data]
