"""Checks and cleaning of a model's reply before a character posts it (pure functions).

A reply is cleaned (reasoning blocks, wrapping quotes, a leading speaker name, lines written for
other cast members, mentions, excess length) and rejected when nothing usable is left or when
it breaks character ("as an AI language model ...").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CheckedOutput",
    "check_output",
    "strip_reasoning",
    "strip_wrapping_quotes",
    "strip_speaker_prefix",
    "cut_other_speakers",
    "neutralise_mentions",
    "clip_at_sentence",
    "find_leakage",
]

_QUOTE_PAIRS = {'"': '"', "'": "'", "“": "”", "„": "“", "«": "»", "‘": "’", "`": "`"}

_THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.IGNORECASE | re.DOTALL)
_THINK_OPEN = re.compile(r"<(think|thinking|reasoning)>", re.IGNORECASE)

_LEAKAGE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bas an? (?:ai|artificial intelligence)(?: language)? model\b",
        r"\bas an? (?:large )?language model\b",
        r"(?:^|[.!?:]\s*)as an ai\b",  # "As an AI, I ..." opening a sentence
        r"\bI(?:'|’)?m (?:just |only |merely )?an? (?:ai|artificial intelligence)\b",
        r"\bI am (?:just |only |merely )?an? (?:ai|artificial intelligence)\b",
        r"\bI(?:'|’)?m (?:just |only )?an? (?:large )?language model\b",
        r"\bI am (?:just |only )?an? (?:large )?language model\b",
        r"\bI (?:cannot|can(?:'|’)?t|can not|won(?:'|’)?t|am unable to|(?:'|’)?m unable to) "
        r"(?:engage in |continue (?:this |the )?|do |participate in )?role[- ]?play",
        r"\b(?:OpenAI|Anthropic)(?:'s)? (?:usage |content )?polic(?:y|ies)\b",
        r"\bmy (?:training data|knowledge cutoff)\b",
    )
)

# Platform mention syntaxes. Discord: <@123>, <@!123>, <@&123>, <#123>, <id:customize>.
# Slack: <@U123>, <@U123|name>, <#C123|name>, <!here>, <!channel>, <!subteam^S1|@team>.
_SLACK_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SLACK_USER_LABEL = re.compile(r"<@[A-Z0-9]+\|([^>]*)>")
_SLACK_SPECIAL = re.compile(r"<![^>]*>")
_DISCORD_OR_SLACK_ID = re.compile(r"<(?:@[!&]?|#)[A-Za-z0-9]+>")
_DISCORD_SPECIAL = re.compile(r"<id:[a-z_]+>")
_BROADCAST = re.compile(r"(?<![\w.])@+(everyone|here|channel|all)\b", re.IGNORECASE)
_AT_NAME = re.compile(r"(?<![\w.@])@+(?=[\w\"'])")
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([,.;:!?])")

_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’)\]*_]+)?(?=\s|$)")


@dataclass(frozen=True)
class CheckedOutput:
    """The cleaned reply, or why it was rejected.

    Attributes:
        text: The cleaned text (may be empty when rejected).
        rejected: None when ``text`` may be posted; otherwise the reason.
    """

    text: str
    rejected: str | None = None

    @property
    def ok(self) -> bool:
        return self.rejected is None


def strip_reasoning(text: str) -> str:
    """Removes ``<think>…</think>`` blocks of reasoning models (and an unclosed one's rest)."""
    text = _THINK_BLOCK.sub("", text)
    unclosed = _THINK_OPEN.search(text)
    if unclosed:
        text = text[: unclosed.start()]
    return text.strip()


def strip_wrapping_quotes(text: str) -> str:
    """Removes quotes around the whole reply (``"Hello."`` → ``Hello.``), not inner quotes."""
    text = text.strip()
    while len(text) >= 2:
        opening, closing = text[0], text[-1]
        if _QUOTE_PAIRS.get(opening) != closing:
            break
        inner = text[1:-1]
        # "A," she said, "b." starts and ends with quotes but is not wrapped.
        if opening in inner or closing in inner:
            break
        text = inner.strip()
    return text


def _name_label(names: Iterable[str]) -> str | None:
    options = sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)
    if not options:
        return None
    return "|".join(re.escape(n) for n in options)


def _prefix_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    label = _name_label(names)
    if label is None:
        return None
    # Name:  **Name:**  **Name**:  *Name*:  [Name]:  Name (smiling):
    return re.compile(
        r"^[ \t]*(?:\*{1,2}|_{1,2}|\[)?[ \t]*(?:" + label + r")[ \t]*(?:\([^)\n]{0,60}\))?"
        r"[ \t]*(?::[ \t]*(?:\*{1,2}|_{1,2}|\])?|(?:\*{1,2}|_{1,2}|\])[ \t]*:)",
        re.IGNORECASE,
    )


def strip_speaker_prefix(text: str, names: Iterable[str]) -> str:
    """Removes a leading ``Name:`` / ``**Name:**`` label naming the speaker.

    Args:
        text: The reply.
        names: Every name the speaker goes by.
    """
    pattern = _prefix_pattern(names)
    if pattern is None:
        return text.strip()
    text = text.strip()
    match = pattern.match(text)
    if match:
        text = text[match.end():].strip()
    return text


def cut_other_speakers(text: str, other_names: Iterable[str]) -> str:
    """Cuts the reply at the first line where the model starts writing for someone else.

    Args:
        text: The reply.
        other_names: Names of the other cast members and participants.

    Returns:
        The text before the first line starting with ``<other name>:`` (empty if the reply
        starts with one).
    """
    pattern = _prefix_pattern([*other_names, "{{user}}", "{{char}}", "<USER>", "<BOT>"])
    if pattern is None:
        return text
    kept: list[str] = []
    for line in text.splitlines():
        if pattern.match(line):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def neutralise_mentions(text: str) -> str:
    """Makes every mention harmless: platform mention markup is removed or turned into plain
    text, ``@everyone``/``@here``/``@channel`` lose their ``@``, as does ``@name``.

    E-mail addresses are left alone.
    """
    text = _SLACK_CHANNEL.sub(lambda m: f"#{m.group(1)}" if m.group(1) else "", text)
    text = _SLACK_USER_LABEL.sub(lambda m: m.group(1).lstrip("@"), text)
    text = _SLACK_SPECIAL.sub("", text)
    text = _DISCORD_OR_SLACK_ID.sub("", text)
    text = _DISCORD_SPECIAL.sub("", text)
    text = _BROADCAST.sub(lambda m: m.group(1), text)
    text = _AT_NAME.sub("", text)
    lines = [_SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", line)).strip()
             for line in text.splitlines()]
    return "\n".join(lines).strip()


def clip_at_sentence(text: str, max_chars: int) -> str:
    """Clips ``text`` to ``max_chars``, preferring the end of a sentence.

    Falls back to a word boundary with an ellipsis when no sentence ends in the last two
    thirds of the allowed length.
    """
    text = text.strip()
    if len(text) <= max_chars:
        return text
    window = text[:max_chars]
    last_end = -1
    for match in _SENTENCE_END.finditer(window):
        last_end = match.end()
    if last_end >= max_chars // 3:
        return window[:last_end].strip()
    window = text[: max(1, max_chars - 1)]
    space = window.rfind(" ")
    if space >= max_chars // 2:
        window = window[:space]
    return window.rstrip(" ,;:-") + "…"


def find_leakage(text: str) -> str | None:
    """The phrase showing the model broke character (talks as an AI model), if any."""
    for pattern in _LEAKAGE_PATTERNS:
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None


def check_output(
    text: str | None,
    *,
    speaker_names: Iterable[str],
    other_names: Iterable[str] = (),
    max_chars: int = 1500,
) -> CheckedOutput:
    """Cleans a model reply and says whether it may be posted.

    Args:
        text: The raw reply.
        speaker_names: Every name of the speaking character (for a leading label).
        other_names: Other cast members and participants (the model writing their lines).
        max_chars: Length cap; clipped at a sentence boundary.

    Returns:
        The cleaned text, with ``rejected`` set when it is empty or breaks character.
    """
    speaker = [n for n in speaker_names if n and n.strip()]
    speaker_lower = {n.strip().lower() for n in speaker}
    others = [n for n in other_names if n and n.strip() and n.strip().lower() not in speaker_lower]
    cleaned = strip_reasoning(text or "")
    cleaned = strip_speaker_prefix(cleaned, speaker)
    cleaned = strip_wrapping_quotes(cleaned)
    cleaned = strip_speaker_prefix(cleaned, speaker)
    cleaned = cut_other_speakers(cleaned, others)
    cleaned = strip_wrapping_quotes(cleaned)
    leak = find_leakage(cleaned)
    if leak is not None:
        return CheckedOutput(cleaned, f"persona leakage: {leak!r}")
    cleaned = neutralise_mentions(cleaned)
    cleaned = clip_at_sentence(cleaned, max_chars)
    if not cleaned or not any(ch.isalnum() for ch in cleaned):
        return CheckedOutput(cleaned, "empty reply")
    return CheckedOutput(cleaned)
