"""Naming a thread: model-written when a language model is configured, from the type's template
otherwise, and from the template whenever the model is unavailable or answers garbage."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence

from engine.errors import ModelUnavailable
from engine.messages import Event
from engine.ports import LanguageModel
from engine.stories.model import StoryThread
from engine.stories.threads import join_names, summarize, template_title

__all__ = ["name_thread", "clean_title", "MAX_TITLE"]

log = logging.getLogger(__name__)

MAX_TITLE = 80
_REFUSALS = ("as an ai", "i cannot", "i can't", "sorry", "language model", "title:")
_SYSTEM = ("You name stories. Answer with one short, evocative title (2 to 8 words) for the "
           "story described, in the style of a novel's chapter title. No quotes, no "
           "explanation, one line.")


def clean_title(raw: str) -> str | None:
    """The model's answer as a title, or None when it is not one (empty, several lines, too
    long, a refusal, markup)."""
    text = raw.strip()
    if not text or "\n" in text.strip():
        return None
    text = re.sub(r"^(title\s*:\s*)", "", text, flags=re.I).strip()
    text = text.strip("\"'“”‘’*#` ").rstrip(".")
    words = text.split()
    if not 1 <= len(words) <= 12 or len(text) > MAX_TITLE:
        return None
    lowered = text.lower()
    if any(r in lowered for r in _REFUSALS) or re.search(r"[<>{}\[\]|\\]", text):
        return None
    return " ".join(words)


def name_thread(thread: StoryThread, names: Mapping[int, str], evidence: Sequence[Event],
                model: LanguageModel | None = None) -> tuple[str, str]:
    """The thread's title and who wrote it (``"model"`` or ``"template"``)."""
    template = template_title(thread.seed_type, thread.participants, names, evidence)
    if model is None:
        return template, "template"
    cast = join_names([names.get(p, f"#{p}") for p in thread.participants])
    lines = "\n".join(f"- {summarize(e, names)}" for e in list(evidence)[-8:])
    prompt = (f"A {thread.genre.value} story of {thread.seed_type.value.replace('_', ' ')} "
              f"between {cast}. What happened so far:\n{lines or '- (nothing yet)'}\n"
              f"A plain title would be: {template}. Write a better one.")
    try:
        raw = model.complete([{"role": "system", "content": _SYSTEM},
                              {"role": "user", "content": prompt}], max_tokens=24,
                             temperature=0.7)
    except ModelUnavailable:
        log.info("no model for the title of thread %s: the template names it", thread.id)
        return template, "template"
    title = clean_title(raw)
    if title is None:
        log.info("model's title %r rejected: the template names thread %s", raw[:100], thread.id)
        return template, "template"
    return title, "model"
