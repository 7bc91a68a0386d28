"""Images in packages: base64 PNG, JPEG or WebP, checked by their bytes, not their names.

The magic bytes must say PNG, JPEG or WebP; when Pillow is installed (matplotlib brings it)
the image must also decode, and its sides stay within the limit. Anything else is rejected.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging

from engine.errors import InvalidInput
from engine.marketplace.limits import LIMITS, Limits

__all__ = ["IMAGE_TYPES", "decode_image", "sniff"]

logger = logging.getLogger(__name__)

IMAGE_TYPES = ("png", "jpeg", "webp")


def sniff(data: bytes) -> str | None:
    """The image type the bytes start with (``png``, ``jpeg``, ``webp``), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def decode_image(encoded: object, field: str, limits: Limits = LIMITS) -> tuple[str, bytes]:
    """Decode one base64 image and check it; returns its type and bytes.

    Raises:
        InvalidInput: Not base64, too large, not a PNG/JPEG/WebP, or does not decode.
    """
    if not isinstance(encoded, str):
        raise InvalidInput(f"Package field '{field}' must be base64 text of an image.")
    text = encoded.split(",", 1)[1] if encoded.startswith("data:") else encoded
    if len(text) * 3 // 4 > limits.image_bytes + 3:
        raise InvalidInput(f"Package field '{field}' is an image over "
                           f"{limits.image_bytes // 1024} KB; make it smaller.")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"Package field '{field}' is not valid base64.") from None
    if len(data) > limits.image_bytes:
        raise InvalidInput(f"Package field '{field}' is an image over "
                           f"{limits.image_bytes // 1024} KB; make it smaller.")
    kind = sniff(data)
    if kind is None:
        raise InvalidInput(f"Package field '{field}' is not an image: only PNG, JPEG and WebP "
                           "are accepted.")
    _check_decodes(data, kind, field, limits)
    return kind, data


def _check_decodes(data: bytes, kind: str, field: str, limits: Limits) -> None:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        logger.debug("Pillow missing: %s checked by its magic bytes only", field)
        return
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            image.verify()
    except Exception:  # noqa: BLE001 - any decoder error means "not a usable image"
        raise InvalidInput(f"Package field '{field}' says {kind.upper()} but does not decode "
                           "as an image.") from None
    if max(width, height) > limits.image_side_px:
        raise InvalidInput(f"Package field '{field}' is {width}x{height} pixels; at most "
                           f"{limits.image_side_px} on a side.")
