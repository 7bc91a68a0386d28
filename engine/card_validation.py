"""Readers for character card values: each checks one value and names it by its dotted path.

Every reader takes the object the value lives in, the key, and the dotted path of that object
(``""`` for the top level), and raises ``InvalidCard`` naming ``<path>.<key>`` (list items as
``<path>.<key>[i]``) when the value does not fit. A missing key or a JSON ``null`` reads as the
default: community cards often leave optional fields out or null.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from engine.errors import InvalidCard

__all__ = [
    "MAX_TEXT_CHARS",
    "MAX_NAME_CHARS",
    "join",
    "describe",
    "read_object",
    "read_text",
    "read_name",
    "read_text_list",
    "read_unit",
    "read_level",
    "read_url",
]

#: Longest accepted text in any field (a description, one greeting, one line...).
MAX_TEXT_CHARS = 20_000
#: Discord webhook usernames are 1-80 characters, and a character posts under its name.
MAX_NAME_CHARS = 80
_MAX_URL_CHARS = 2_048


def join(path: str, key: str | int) -> str:
    """The dotted path of ``key`` inside the object at ``path`` (``[i]`` for list items)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def describe(value: Any) -> str:
    """The JSON kind of ``value`` with its article, for messages ("a list", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def read_object(src: Mapping[str, Any], key: str, path: str) -> dict[str, Any]:
    """An object value (``{}`` when missing or null)."""
    value = src.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidCard(join(path, key), f"must be an object, not {describe(value)}")
    return dict(value)


def _check_text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidCard(field, f"must be a string, not {describe(value)}")
    if len(value) > MAX_TEXT_CHARS:
        raise InvalidCard(
            field, f"is {len(value):,} characters long; the limit is {MAX_TEXT_CHARS:,}"
        )
    return value


def read_text(src: Mapping[str, Any], key: str, path: str, default: str = "") -> str:
    """A string of at most ``MAX_TEXT_CHARS`` characters."""
    value = src.get(key)
    return default if value is None else _check_text(value, join(path, key))


def read_name(src: Mapping[str, Any], key: str, path: str) -> str:
    """The character's name: required, not blank, at most ``MAX_NAME_CHARS`` characters."""
    field = join(path, key)
    if src.get(key) is None:
        raise InvalidCard(field, "is missing; every character needs a name")
    name = _check_text(src[key], field)
    if not name.strip():
        raise InvalidCard(field, "is empty; every character needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidCard(
            field, f"is {len(name)} characters long; names are at most {MAX_NAME_CHARS}"
        )
    return name


def read_text_list(src: Mapping[str, Any], key: str, path: str) -> list[str]:
    """A list of strings (``[]`` when missing or null)."""
    value = src.get(key)
    if value is None:
        return []
    field = join(path, key)
    if not isinstance(value, list | tuple):
        raise InvalidCard(field, f"must be a list of strings, not {describe(value)}")
    return [_check_text(item, join(field, i)) for i, item in enumerate(value)]


def read_unit(src: Mapping[str, Any], key: str, path: str, default: float) -> float:
    """A finite number from 0 to 1."""
    value = src.get(key)
    if value is None:
        return default
    field = join(path, key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidCard(field, f"must be a number from 0 to 1, not {describe(value)}")
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise InvalidCard(field, f"must be a number from 0 to 1, not {value!r}")
    return float(value)


def read_level(
    src: Mapping[str, Any], key: str, path: str, default: int, levels: tuple[int, ...]
) -> int:
    """A whole number among ``levels``."""
    value = src.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value not in levels:
        shown = repr(value) if isinstance(value, int | float | str) else describe(value)
        raise InvalidCard(
            join(path, key),
            f"must be a whole number from {min(levels)} to {max(levels)}, not {shown}",
        )
    return value


def read_url(src: Mapping[str, Any], key: str, path: str) -> str | None:
    """An absolute http(s) URL, or ``None`` when missing or null."""
    value = src.get(key)
    if value is None:
        return None
    field = join(path, key)
    if not isinstance(value, str):
        raise InvalidCard(field, f"must be an http(s) URL or null, not {describe(value)}")
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or len(value) > _MAX_URL_CHARS
        or any(c.isspace() for c in value)
    ):
        raise InvalidCard(field, f"must be an http(s) URL, not {value[:80]!r}")
    return value
