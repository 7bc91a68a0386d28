"""Slack's message markup to plain words for the engine: ``<@U123>`` → ``@Name``, channel and
link markup to their labels, ``&lt;`` and friends unescaped; a mention of the app itself goes."""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["to_plain"]

_MARKUP = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")


def to_plain(text: str, name_of: Callable[[str], str], app_user_id: str | None = None) -> str:
    """Plain text of a Slack message; ``name_of(user_id)`` names a mentioned member."""

    def replace(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            if app_user_id and target == app_user_id:
                return ""
            return "@" + (label or name_of(target))
        if sigil == "#":
            return "#" + (label or target)
        if sigil == "!":
            return "@" + (label or target.split("^", 1)[0])
        return label or target

    plain = _MARKUP.sub(replace, text or "")
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(plain.split(" ")).strip()
