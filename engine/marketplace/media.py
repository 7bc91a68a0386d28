"""Media names and URLs: images kept in our media store and served at
``{public_base_url}/media/<sha256>.<ext>``.

Content-addressed: an image is named by the SHA-256 of its bytes and the extension of its
type (``png``, ``jpg``, ``webp``), so the same image is stored once and a name never changes
meaning (served as immutable). Pure: no storage here (``uow.media``), no HTTP (the WSGI app
in ``bots.web.media``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from engine.errors import InvalidInput
from engine.marketplace.images import sniff

__all__ = ["CONTENT_TYPES", "MEDIA_PATH", "MediaName", "media_name", "media_name_in",
           "media_url", "parse_media_name"]

#: URL path prefix of the media endpoint.
MEDIA_PATH = "/media/"
#: File extension -> Content-Type, for the image types packages may carry.
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
#: ``images.sniff`` kind -> file extension.
_EXTENSION_OF = {"png": "png", "jpeg": "jpg", "webp": "webp"}
_NAME = re.compile(r"([0-9a-f]{64})\.(png|jpg|webp)")


@dataclass(frozen=True)
class MediaName:
    """``<sha256>.<ext>``: the name of a stored image."""

    sha256: str
    ext: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.ext]

    @property
    def filename(self) -> str:
        return f"{self.sha256}.{self.ext}"

    def __str__(self) -> str:
        return self.filename


def media_name(data: bytes) -> MediaName:
    """The name of an image's bytes (its type recognised by its magic bytes).

    Raises:
        InvalidInput: The bytes are not a PNG, JPEG or WebP image.
    """
    kind = sniff(data)
    if kind is None:
        raise InvalidInput("That file is not an image: only PNG, JPEG and WebP are accepted.")
    return MediaName(hashlib.sha256(data).hexdigest(), _EXTENSION_OF[kind])


def parse_media_name(name: str) -> MediaName | None:
    """``<64 lowercase hex>.<png|jpg|webp>`` read, or None when it is not such a name."""
    match = _NAME.fullmatch(name)
    return MediaName(match[1], match[2]) if match else None


def media_url(base_url: str, name: MediaName) -> str:
    """The public URL of a stored image under ``base_url`` (``PERSONAE_PUBLIC_BASE_URL``)."""
    return f"{base_url.rstrip('/')}{MEDIA_PATH}{name.filename}"


def media_name_in(url: str | None, base_url: str | None) -> MediaName | None:
    """The media name when ``url`` points into our own media store under ``base_url``; None
    for any other URL (never fetched)."""
    if not url or not base_url:
        return None
    prefix = f"{base_url.rstrip('/')}{MEDIA_PATH}"
    if not url.startswith(prefix):
        return None
    return parse_media_name(url[len(prefix):])
