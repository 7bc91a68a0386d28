"""The media store's use cases: keep an image (once per content), its public URL, and read
one for the ``/media/<sha256>.<ext>`` endpoint (``bots.web.media``).

Platforms take avatars as URLs (Discord webhooks' ``avatar_url``, Slack's ``icon_url``), so
an image becomes an avatar only when ``PERSONAE_PUBLIC_BASE_URL`` says where this deployment
is reached; without it images are kept and nothing points at them yet.
"""

from __future__ import annotations

from datetime import datetime

from engine.adapters.sql.media import MediaItem
from engine.adapters.sql.uow import UnitOfWork
from engine.errors import InvalidInput
from engine.marketplace.media import MediaName, media_name, media_url, parse_media_name
from engine.services.deps import Deps
from engine.settings import Settings

__all__ = ["NO_BASE_URL_NOTE", "keep_image", "public_url", "read", "stored_image"]

#: Said by an install or update that kept images it could not make avatars of.
NO_BASE_URL_NOTE = ("images kept; set PERSONAE_PUBLIC_BASE_URL so platforms can show them, "
                    "then `personae marketplace refresh-avatars` (or the package's next "
                    "update) makes them avatars")


def keep_image(uow: UnitOfWork, data: bytes, now: datetime) -> MediaName:
    """Store an image's bytes (once: the same bytes are the same row) and return its name.

    Raises:
        InvalidInput: The bytes are not a PNG, JPEG or WebP image.
    """
    name = media_name(data)
    uow.media.put(data, name.content_type, now)
    return name


def public_url(settings: Settings, name: MediaName) -> str | None:
    """Where platforms fetch a stored image; None while ``PERSONAE_PUBLIC_BASE_URL`` is unset."""
    base = settings.public_base_url
    return media_url(base, name) if base else None


def stored_image(uow: UnitOfWork, name: MediaName) -> bytes | None:
    """The bytes of a stored image of that name (None when unknown or of another type)."""
    item = uow.media.get(name.sha256)
    if item is None or item.content_type != name.content_type:
        return None
    return item.data


def read(deps: Deps, filename: str) -> MediaItem | None:
    """The stored image a ``<sha256>.<ext>`` file name names, or None when there is none (an
    extension that is not the stored type's counts as none: one URL per image).

    Raises:
        InvalidInput: Not such a name.
    """
    name = parse_media_name(filename)
    if name is None:
        raise InvalidInput("A media name is <sha256 in lowercase hex>.<png|jpg|webp>.")
    with deps.uow() as uow:
        item = uow.media.get(name.sha256)
    if item is None or item.content_type != name.content_type:
        return None
    return item
