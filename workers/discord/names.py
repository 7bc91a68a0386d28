"""Character names as Discord webhook usernames.

Discord refuses (400 50035) a webhook username outside 1–80 characters or containing "discord"
or "clyde" in any case. ``webhook_username`` keeps the name readable and makes it acceptable:
whitespace runs become one space, a hair space (U+200A) is slipped after the first letter of
"discord"/"clyde" (as PluralKit does), the result is cut to 80 characters, and an empty name
becomes "Character". ``avatar_or_none`` passes only http(s) URLs (anything else would be a
400 too), else None: the webhook's own avatar shows.
"""

from __future__ import annotations

import re

__all__ = ["MAX_USERNAME", "webhook_username", "avatar_or_none"]

MAX_USERNAME = 80
_SPACES = re.compile(r"\s+")
_FORBIDDEN = re.compile(r"(d)(iscord)|(c)(lyde)", re.IGNORECASE)
_HAIR = "\u200a"


def _break(match: re.Match[str]) -> str:
    first, rest = (match.group(1), match.group(2)) if match.group(1) else (
        match.group(3), match.group(4))
    return first + _HAIR + rest


def webhook_username(name: str) -> str:
    """``name`` as an acceptable webhook username (see the module docstring)."""
    cleaned = _SPACES.sub(" ", name or "").strip()
    cleaned = _FORBIDDEN.sub(_break, cleaned)[:MAX_USERNAME].strip()
    # Cutting at 80 cannot bring a forbidden word back: it only removes characters.
    return cleaned or "Character"


def avatar_or_none(url: str | None) -> str | None:
    if url and url.strip().lower().startswith(("https://", "http://")):
        return url.strip()
    return None
