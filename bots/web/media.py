"""``GET|HEAD /media/<sha256>.<ext>``: images of the media store (characters' avatars from
marketplace packages), the URLs Discord and Slack fetch avatars from.

200 with the stored bytes, their Content-Type, ``Cache-Control: public, max-age=31536000,
immutable`` (a name is the SHA-256 of its bytes, so it never changes meaning) and an ETag
(304 for a matching ``If-None-Match``); 404 for a name we do not hold; 400 for a path that is
not ``<64 lowercase hex>.<png|jpg|webp>``; 405 for other methods.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from engine.errors import InvalidInput
from engine.marketplace.media import MEDIA_PATH
from engine.services import media
from engine.services.deps import Deps

__all__ = ["MediaApp", "CACHE_CONTROL"]

log = logging.getLogger(__name__)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
CACHE_CONTROL = "public, max-age=31536000, immutable"
_REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found",
            405: "Method Not Allowed", 500: "Internal Server Error"}


class MediaApp:
    """WSGI app for paths under ``/media/``."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def __call__(self, environ: dict[str, Any], start_response: StartResponse
                 ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if method not in ("GET", "HEAD"):
            return _json(start_response, 405, {"error": "GET or HEAD only"},
                         [("Allow", "GET, HEAD")])
        if not path.startswith(MEDIA_PATH):
            return _json(start_response, 404, {"error": "not found"})
        try:
            item = media.read(self.deps, path[len(MEDIA_PATH):])
        except InvalidInput as exc:
            return _json(start_response, 400, {"error": str(exc)})
        except Exception:  # noqa: BLE001 - a database outage: say so, the client retries
            log.exception("media %s could not be read", path)
            return _json(start_response, 500, {"error": "unavailable; retry"})
        if item is None:
            return _json(start_response, 404, {"error": "no such image"})
        etag = f'"{item.sha256}"'
        headers = [("Content-Type", item.content_type), ("Cache-Control", CACHE_CONTROL),
                   ("ETag", etag), ("X-Content-Type-Options", "nosniff")]
        if _matches(environ.get("HTTP_IF_NONE_MATCH"), etag):
            start_response(_status(304), headers)
            return [b""]
        start_response(_status(200), [*headers, ("Content-Length", str(item.size))])
        return [b"" if method == "HEAD" else item.data]


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


def _status(code: int) -> str:
    return f"{code} {_REASONS[code]}"


def _json(start_response: StartResponse, code: int, body: dict[str, Any],
          extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(_status(code), [("Content-Type", "application/json"),
                                   ("Content-Length", str(len(data))), *(extra or [])])
    return [data]
