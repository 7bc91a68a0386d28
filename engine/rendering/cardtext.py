"""Text helpers for the offline renderer: card placeholders, example messages, safe output."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "STOPWORDS",
    "fill_placeholders",
    "example_lines",
    "short_greeting",
    "topic_word",
    "sanitize",
    "strip_speaker_prefix",
    "clip",
    "decapitalize",
    "end_sentence",
]

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just let me might more most must my myself no nor not now of off on
    once only or other ought our ours ourselves out over own really same shall she should so
    some such than that the their theirs them themselves then there these they this those
    through to too under until up upon very was we well were what when where which while who
    whom why will with would yet you your yours yourself yourselves yes okay oh please thanks
    thank hello there think know about still maybe something anything everything nothing
    someone anyone everyone people thing things going gonna wanna really actually always never
    today tomorrow yesterday tonight again though although whether because another other""".split()
)

_PLACEHOLDER = re.compile(r"\{\{\s*(user|char)\s*\}\}|<(user|bot|char)>", re.IGNORECASE)
_START = re.compile(r"<\s*start\s*>", re.IGNORECASE)
_SPEAKER = re.compile(r"^\s*(?:\{\{\s*(char|user)\s*\}\}|<(bot|user|char)>)\s*:\s*", re.IGNORECASE)
_MENTION_TOKEN = re.compile(r"<(?:@[!&]?|#|a?:\w+:)\d+>")
_BROADCAST = re.compile(r"[@＠](everyone|here)\b", re.IGNORECASE)
_MACRO = re.compile(r"\{\{[^{}]*\}\}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)*]*\s+")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_NOT_NOUN = ("ing", "ly", "ed", "ous", "ful", "ive", "able", "ible", "less", "ish")
_TERMINAL = ".!?…*\"'”’)~"


def fill_placeholders(text: str, *, user: str, char: str) -> str:
    """Replace ``{{user}}``/``<USER>`` and ``{{char}}``/``<BOT>`` (any case) in one pass."""

    def replace(match: re.Match[str]) -> str:
        kind = (match.group(1) or match.group(2)).lower()
        return user if kind == "user" else char

    return _PLACEHOLDER.sub(replace, text)


def example_lines(mes_example: str, names: Iterable[str] = ()) -> tuple[str, ...]:
    """The character's own lines in a card's ``mes_example``.

    Blocks are separated by ``<START>``; a line starting ``{{char}}:`` (or ``<BOT>:``, or one of
    ``names`` followed by a colon) opens one of the character's messages, which runs until the
    next speaker tag.
    """
    name_tags = [re.compile(rf"^\s*{re.escape(n)}\s*:\s*", re.IGNORECASE) for n in names if n]
    found: list[str] = []
    for block in _START.split(mes_example):
        current: list[str] | None = None
        for raw in block.splitlines():
            match = _SPEAKER.match(raw)
            own = next((tag.match(raw) for tag in name_tags if tag.match(raw)), None)
            if match or own:
                if current:
                    found.append(" ".join(current))
                current = None
                if own is not None:
                    current = [raw[own.end():].strip()]
                elif match is not None and (match.group(1) or match.group(2)).lower() != "user":
                    current = [raw[match.end():].strip()]
            elif current is not None and raw.strip():
                current.append(raw.strip())
        if current:
            found.append(" ".join(current))
    return tuple(line for line in (" ".join(f.split()) for f in found) if line)


def short_greeting(text: str, limit: int = 300) -> str:
    """``text`` if short, else its first sentence or two (clipped to ``limit``)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    sentences = _SENTENCE_END.split(text)
    kept = ""
    for sentence in sentences[:2]:
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    return kept or clip(text, limit)


def topic_word(text: str, exclude: Iterable[str] = (), *, scan: int = 4000) -> str | None:
    """A salient, noun-ish word of ``text``, or None.

    The longest non-stopword of 5 to 20 letters wins, counting adjective- and adverb-like
    endings ("-ing", "-ly", "-ous" ...) as shorter. Proper nouns (capitalised mid-sentence)
    keep their case; other words are lower-cased.
    """
    skip = STOPWORDS | {w.lower() for name in exclude for w in _WORD.findall(name)}
    best: str | None = None
    best_score = 0
    for index, match in enumerate(_WORD.finditer(text[:scan])):
        word = match.group(0)
        lower = word.lower()
        if not 5 <= len(word) <= 20 or lower in skip:
            continue
        score = len(word) - (4 if lower.endswith(_NOT_NOUN) else 0)
        if score > best_score:
            best_score = score
            before = text[: match.start()].rstrip()
            proper = word[0].isupper() and not word.isupper() and index > 0 and (
                before[-1:] not in ".!?"
            )
            best = word if proper else lower
    return best


def sanitize(text: str) -> str:
    """Remove what a message must never carry: mentions, placeholders, ``#``, control chars."""
    text = _MENTION_TOKEN.sub("", text)
    text = _BROADCAST.sub(r"\1", text)
    text = text.replace("@", "").replace("＠", "")
    text = _MACRO.sub("", text)
    text = _PLACEHOLDER.sub("", text)
    text = text.replace("{{", "").replace("}}", "").replace("#", "")
    text = _CONTROL.sub(" ", text)
    return " ".join(text.split())


def strip_speaker_prefix(text: str, names: Iterable[str]) -> str:
    """Drop leading ``Name:`` tags for any of the speaker's ``names``."""
    patterns = [re.compile(rf"^\s*{re.escape(n)}\s*:\s*", re.IGNORECASE) for n in names if n]
    changed = True
    while changed and text:
        changed = False
        for pattern in patterns:
            stripped = pattern.sub("", text, count=1)
            if stripped != text:
                text, changed = stripped, True
    return text.lstrip(": ").strip()


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a sentence or word boundary."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    ends = [m.end() for m in re.finditer(r"[.!?…][\"'”’)*]*(?=\s|$)", head)]
    if ends and ends[-1] >= limit * 0.4:
        return head[: ends[-1]].strip()
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space >= limit * 0.4:
        head = head[:space]
    return head.rstrip(" ,;:-—") + "…"


def decapitalize(text: str) -> str:
    """Lower-case the first letter when the first word is a common word (not "I", not a name)."""
    match = _WORD.match(text)
    word = match.group(0) if match else ""
    if word.lower() in STOPWORDS - {"i"} and not (len(word) > 1 and word.isupper()):
        return text[:1].lower() + text[1:]
    return text


def end_sentence(text: str) -> str:
    """``text`` with a full stop added when it ends mid-sentence."""
    text = text.rstrip()
    return text if not text or text[-1] in _TERMINAL else text + "."
