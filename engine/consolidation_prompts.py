"""What consolidation asks a language model, and how its JSON answers are read.

Two requests, each answered with JSON only:

* **Reflection** (``reflection_messages``): the character's numbered memories, its focal
  questions and the people it knows (with its current impression of each); the model answers
  with insights citing memory numbers, and an updated impression of each person.
* **Importance** (``importance_messages``): numbered memories rated 1-10 for poignancy, with
  Generative Agents' anchors (1 = mundane, 10 = extremely poignant).

Parsing is strict where it matters and lenient elsewhere: code fences and text around the JSON
are tolerated, citations outside the numbered range are dropped, an insight or impression
citing nothing valid is dropped; an answer with nothing usable is None, and the caller falls
back to its templates (or heuristic).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.ports import ChatMessage

__all__ = [
    "REFLECTION_MAX_TOKENS",
    "IMPORTANCE_MAX_TOKENS",
    "TEMPERATURE",
    "MAX_INSIGHT_CHARS",
    "ModelInsight",
    "ModelImpression",
    "ModelReflection",
    "reflection_messages",
    "parse_reflection",
    "importance_messages",
    "parse_importance",
    "extract_json",
]

#: Reply caps (tokens): a few insights and impressions; one number per memory.
REFLECTION_MAX_TOKENS = 700
IMPORTANCE_MAX_TOKENS = 400
#: Low: consolidation wants faithful summaries, not invention.
TEMPERATURE = 0.3
#: Longer insight or impression texts are clipped.
MAX_INSIGHT_CHARS = 300
_MEMORY_CHARS = 300

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


@dataclass(frozen=True)
class ModelInsight:
    """An insight from the model; ``cites`` are indices (0-based) into the statements."""

    text: str
    cites: tuple[int, ...]
    importance: float | None = None


@dataclass(frozen=True)
class ModelImpression:
    """The model's impression of a listed person (``name`` as listed)."""

    name: str
    text: str
    cites: tuple[int, ...]


@dataclass(frozen=True)
class ModelReflection:
    insights: list[ModelInsight]
    impressions: list[ModelImpression]


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def reflection_messages(
    owner_name: str,
    statements: Sequence[str],
    questions: Sequence[str],
    people: Mapping[str, str],
    max_insights: int,
) -> list[ChatMessage]:
    """The reflection request.

    Args:
        owner_name: The reflecting character.
        statements: Its memories (in its own voice), numbered from 1 in the prompt.
        questions: The focal questions.
        people: Name of each person to form an impression of -> the current impression ("").
        max_insights: How many insights to ask for at most.
    """
    numbered = "\n".join(f"{i}. {_clip(s, _MEMORY_CHARS)}" for i, s in enumerate(statements, 1))
    asked = "\n".join(f"- {q}" for q in questions) or "- What matters most in these memories?"
    known = "\n".join(f"- {name}: {impression or '(no impression yet)'}"
                      for name, impression in people.items()) or "- (nobody)"
    system = (
        f"You are the reflective inner voice of {owner_name}, a character in an online "
        f"community. You read {owner_name}'s memories and draw a few high-level insights "
        "from them, faithful to what the memories say. You answer with JSON only."
    )
    user = (
        f"Memories of {owner_name}, numbered:\n{numbered}\n\n"
        f"Questions {owner_name} is asking:\n{asked}\n\n"
        f"People {owner_name} knows, with the current impression of each:\n{known}\n\n"
        f"Write at most {max_insights} insights answering the questions, in the first person "
        f"as {owner_name}, one sentence each, each citing the numbers of the memories it is "
        "drawn from, with its importance from 1 (mundane) to 10 (life-changing). Then, for "
        "each listed person the memories tell something about, one sentence updating the "
        "impression, citing its memories.\n"
        'Answer with exactly this JSON shape: {"insights": [{"text": "...", "cites": [1, 3], '
        '"importance": 6}], "impressions": [{"name": "...", "text": "...", "cites": [2]}]}'
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def extract_json(raw: str) -> Any | None:
    """The JSON value in a reply (tolerating code fences and text around it), or None."""
    text = _FENCE.sub("", raw.strip())
    try:
        return json.loads(text)
    except (json.JSONDecodeError, ValueError):
        pass
    for opener, closer in (("{", "}"), ("[", "]")):
        start, end = text.find(opener), text.rfind(closer)
        if 0 <= start < end:
            try:
                return json.loads(text[start : end + 1])
            except (json.JSONDecodeError, ValueError):
                continue
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _cites(value: Any, statements: int) -> tuple[int, ...]:
    if not isinstance(value, list):
        return ()
    out = set()
    for item in value:
        number = _number(item)
        if number is not None and number.is_integer() and 1 <= number <= statements:
            out.add(int(number) - 1)
    return tuple(sorted(out))


def _text(value: Any) -> str:
    return _clip(value, MAX_INSIGHT_CHARS) if isinstance(value, str) else ""


def parse_reflection(
    raw: str, statements: int, people: Sequence[str]
) -> ModelReflection | None:
    """Read a reflection answer.

    Args:
        raw: The model's reply.
        statements: How many memories were numbered (valid citations are 1..statements).
        people: The names that were listed (an impression of anybody else is dropped).

    Returns:
        The usable insights and impressions, or None when there is neither.
    """
    data = extract_json(raw)
    if not isinstance(data, dict):
        return None
    insights = []
    for item in data.get("insights") or []:
        if not isinstance(item, dict):
            continue
        text, cites = _text(item.get("text")), _cites(item.get("cites"), statements)
        if not text or not cites:
            continue
        importance = _number(item.get("importance"))
        if importance is not None:
            importance = max(1.0, min(10.0, importance))
        insights.append(ModelInsight(text, cites, importance))
    listed = {name.lower(): name for name in people}
    impressions = []
    for item in data.get("impressions") or []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        name = listed.get(item["name"].strip().lower())
        text, cites = _text(item.get("text")), _cites(item.get("cites"), statements)
        if name and text and cites:
            impressions.append(ModelImpression(name, text, cites))
    if not insights and not impressions:
        return None
    return ModelReflection(insights, impressions)


def importance_messages(texts: Sequence[str]) -> list[ChatMessage]:
    """The importance request for ``texts`` (numbered from 1)."""
    numbered = "\n".join(f"{i}. {_clip(t, _MEMORY_CHARS)}" for i, t in enumerate(texts, 1))
    return [
        {"role": "system", "content": "You rate memories of characters in an online community. "
                                      "You answer with JSON only."},
        {"role": "user", "content": (
            "On a scale of 1 to 10, where 1 is purely mundane (a greeting, small talk about "
            "the weather) and 10 is extremely poignant (a break-up, a betrayal, a death, a "
            "secret confided), rate the likely poignancy of each memory.\n\n"
            f"{numbered}\n\n"
            f'Answer with exactly this JSON shape, one rating per memory, in order: '
            f'{{"ratings": [{", ".join(["3"] * min(3, len(texts)))}]}}'
        )},
    ]


def parse_importance(raw: str, count: int) -> list[float] | None:
    """The ``count`` ratings (each clamped to [1, 10]) of an importance answer, or None when it
    is not exactly ``count`` numbers (a partial answer cannot be aligned with the memories)."""
    data = extract_json(raw)
    if isinstance(data, dict):
        data = data.get("ratings")
    if not isinstance(data, list) or len(data) != count:
        return None
    ratings = []
    for value in data:
        number = _number(value)
        if number is None:
            return None
        ratings.append(max(1.0, min(10.0, number)))
    return ratings
