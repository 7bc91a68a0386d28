"""Splitting a long message into Discord-sized parts (at most 2,000 characters each).

Each part ends at the best break in the second half of its window: a paragraph break, then a
line break, then the end of a sentence, then a space (failing all those, the latest break of any
kind) — so words are never cut unless one "word" is longer than the limit by itself (a long URL,
a run of letters), which is then hard-cut.

Code fences stay balanced: when a part ends inside a ``` block, the part is closed with ``` and
the next part reopens the block with the same language tag, so both render as code.

Lengths are counted in code points (Python ``len``), as Discord counts them. Surrounding
whitespace is dropped from every part (Discord drops it too); text that is empty or only
whitespace gives no parts at all. A ``limit`` under 20 raises ``ValueError``.
"""

from __future__ import annotations

import re

__all__ = ["MAX_MESSAGE", "split_message"]

MAX_MESSAGE = 2000
FENCE = "```"
_CLOSE = "\n" + FENCE
_FENCE_LINE = re.compile(r"```([\w+#.-]{0,20})")
# Ordered from the best break to the worst; group 1 is the whitespace dropped at the break.
_BREAKS = (
    re.compile(r"(\n[ \t]*\n)"),                   # paragraph
    re.compile(r"(\n)"),                           # line
    re.compile(r"[.!?…][\"')\]»”’*_]*([ \t]+)"),   # end of a sentence (closing quotes kept)
    re.compile(r"([ \t]+)"),                       # word
)


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """``text`` as parts of at most ``limit`` characters, split at the cleanest breaks."""
    if limit < 20:
        raise ValueError("limit must be at least 20 characters")
    rest = text.strip()
    parts: list[str] = []
    while rest:
        if len(rest) <= limit:
            parts.append(rest)
            break
        has_fence = FENCE in rest
        room = limit - (len(_CLOSE) if has_fence else 0)
        before = len(rest)
        cut, resume = _best_break(rest, room)
        part, rest = rest[:cut].rstrip(), rest[resume:]
        opener = _open_fence(part) if has_fence else None
        if opener is not None:
            part += _CLOSE
            reopened = opener + "\n" + rest.lstrip("\n")
            # Reopening must not undo the progress (a part that is little but a fence line).
            rest = reopened if len(reopened) < before else rest
        else:
            rest = rest.lstrip("\n") if has_fence else rest.lstrip()
        if part.strip():
            parts.append(part)
        rest = rest.rstrip() if rest.strip() else ""
    return parts


def _best_break(text: str, room: int) -> tuple[int, int]:
    """Where the part ends and where the rest resumes, within ``room`` characters: the best
    kind of break in the second half of the window, else the latest break of any kind, else
    (one word longer than the window) a hard cut."""
    window = text[: room + 1]  # a break right after the window still lets the part fill it
    latest: re.Match[str] | None = None
    for pattern in _BREAKS:
        best = None
        for match in pattern.finditer(window):
            if match.start(1) > room:
                break
            if match.start(1) > 0:
                best = match
        if best is not None and best.start(1) >= room // 2:
            return best.start(1), best.end(1)
        if best is not None and (latest is None or best.start(1) > latest.start(1)):
            latest = best
    if latest is not None:
        return latest.start(1), latest.end(1)
    return room, room


def _open_fence(part: str) -> str | None:
    """The fence to reopen if ``part`` ends inside a code block, else None."""
    opener = None
    for match in _FENCE_LINE.finditer(part):
        opener = None if opener is not None else FENCE + match.group(1)
    return opener
