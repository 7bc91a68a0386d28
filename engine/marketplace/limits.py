"""What a package may hold: size limits and the genres listings are filed under.

Limits are checked before anything is stored; a package over one is rejected as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits", "LIMITS", "GENRES"]


@dataclass(frozen=True)
class Limits:
    #: The whole package as UTF-8 JSON, images included (base64).
    package_bytes: int = 5 * 1024 * 1024
    #: One image, decoded.
    image_bytes: int = 1024 * 1024
    #: One image's width and height, in pixels.
    image_side_px: int = 2048
    characters: int = 100
    scenarios: int = 20
    images: int = 101
    tags: int = 10
    tag_chars: int = 32
    name_chars: int = 120
    description_chars: int = 4000


LIMITS = Limits()

#: The genres a listing can be filed under (browse by genre); "other" when none fits.
GENRES = ("adventure", "comedy", "drama", "fantasy", "historical", "horror", "mystery",
          "romance", "sci-fi", "slice-of-life", "thriller", "other")
