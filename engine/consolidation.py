"""Memory consolidation: from what a character witnessed to what it has come to think.

Generative Agents-style reflection (Park et al., 2023), pure and deterministic:

1. **When.** A character consolidates when the summed importance of the observations it made
   since its last consolidation reaches a threshold (``is_due``; ``REFLECTION_THRESHOLD``, the
   paper's 150, is the default of ``PERSONAE_REFLECTION_THRESHOLD``).
2. **Focal questions** (``focal_questions``) come from those recent observations: the
   participants who spoke most (weighted by importance) and the topics that recur.
3. For each question the service retrieves memories (the recall path), and the character
   writes **insights** that cite the memories they came from: a model's when one is configured,
   otherwise ``template_insight``.
4. **Knowledge** about participants (``engine.knowledge``: facts members state about
   themselves, an impression of each) is merged by slot with what the character already knew
   (``engine.knowledge_merge.plan_knowledge``): updated, never duplicated, citations kept.
5. The character's **memory summary** is composed from its strongest insights and its
   knowledge (``compose_summary``).
6. **Fading** (``FadePolicy``): old, unimportant memories nobody recalled for long and that no
   live insight or knowledge cites are archived — kept, never silently lost, but no longer
   recalled.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.embedding import STOPWORDS
from engine.knowledge import (
    traits_from_acts,
)
from engine.memory import Memory

__all__ = [
    "REFLECTION_THRESHOLD",
    "FOCAL_QUESTIONS",
    "RETRIEVE_PER_QUESTION",
    "MAX_INSIGHTS",
    "MAX_CITATIONS",
    "REFLECTION_BONUS",
    "MIN_TOPIC_MEMORIES",
    "FADE_AFTER_DAYS",
    "FADE_BELOW_IMPORTANCE",
    "FADING_KINDS",
    "SUMMARY_MAX_CHARS",
    "SUMMARY_REFLECTIONS",
    "SUMMARY_KNOWLEDGE",
    "WARM",
    "Witnessed",
    "cite",
    "FocalQuestion",
    "Insight",
    "FadePolicy",
    "is_due",
    "focal_questions",
    "recurring_topics",
    "template_insight",
    "insight_importance",
    "compose_summary",
]

#: Summed importance of new observations that makes a character consolidate (Generative
#: Agents use 150 on the same 1-10 scale: with the heuristic ratings, some 40 messages heard).
REFLECTION_THRESHOLD = 150.0
#: Focal questions asked per consolidation.
FOCAL_QUESTIONS = 3
#: Memories retrieved for each focal question.
RETRIEVE_PER_QUESTION = 8
#: Insights written per consolidation (at most one per question without a model).
MAX_INSIGHTS = 5
#: Citations an insight or a piece of knowledge keeps (the newest).
MAX_CITATIONS = 24
#: An insight without a model rating matters a little more than what it was drawn from.
REFLECTION_BONUS = 1.0
#: A word recurs (is a topic) when this many different memories use it.
MIN_TOPIC_MEMORIES = 2
#: Memories fade (are archived) once neither made nor recalled for this many days ...
FADE_AFTER_DAYS = 30.0
#: ... if their importance is below this (the heuristic gives unaddressed small talk 2 to 3) ...
FADE_BELOW_IMPORTANCE = 3.0
#: ... and they are of these kinds (knowledge does not fade; it is updated instead).
FADING_KINDS = ("observation", "reflection")
#: The memory summary's length cap (characters).
SUMMARY_MAX_CHARS = 1200
#: Insights and pieces of knowledge quoted in the summary.
SUMMARY_REFLECTIONS = 4
SUMMARY_KNOWLEDGE = 8
#: Emotional tone beyond which someone "has seemed warm" (or cold).
WARM = 0.2

_WORD = re.compile(r"[a-z][a-z']+")
#: Words of polite conversation that recur without being a topic.
_CHATTER = frozenset(
    "good well yes indeed sir madam miss mr mrs dear know think said says like shall must "
    "really quite much many more most one very say tell come going make made thing things "
    "little great every ever never always only also even still here now then today tonight "
    "evening morning day time upon let see pray hear heard want would could should lady ladies "
    "gentleman gentlemen everyone everybody anybody anyone nothing something anything people "
    "sure perhaps rather truly though without within again back all any some such own other "
    "another how why where when whom not don't can't won't i'm i've you're it's that's let's "
    "thank thanks please hello goodbye lord heavens goodness honour certain certainly believe "
    "suppose hope wish".split()
)


@dataclass(frozen=True)
class Witnessed:
    """A memory with what its source event says: who spoke, with which act, to whom.

    Memories without a source event (insights, knowledge) have no speaker.
    """

    memory: Memory
    speaker_id: int | None = None
    speaker_name: str = ""
    speaker_is_human: bool = False
    act: str | None = None
    target_id: int | None = None

    @property
    def body(self) -> str:
        """What was said: the observation's text after ``"<speaker> said[ to <target>]: "``."""
        text = self.memory.text
        if self.speaker_name and text.startswith(f"{self.speaker_name} said") and ": " in text:
            return text.split(": ", 1)[1]
        return text


@dataclass(frozen=True)
class FocalQuestion:
    """A question a character asks itself, about a participant or a topic."""

    text: str
    subject_id: int | None = None
    subject_name: str = ""
    topic: str = ""

    @property
    def query(self) -> str:
        """What to retrieve memories with: the participant's name or the topic (sharper than
        the question's own words, which every question shares)."""
        return self.subject_name or self.topic or self.text


@dataclass(frozen=True)
class Insight:
    """A reflection: a sentence in the character's voice and the memories it came from."""

    text: str
    cited_ids: tuple[int, ...]
    importance: float
    question: str = ""


def is_due(importance_since: float, threshold: float = REFLECTION_THRESHOLD) -> bool:
    """Whether the importance summed since the last consolidation calls for another."""
    return importance_since >= threshold


def _words(text: str) -> set[str]:
    return {w.strip("'") for w in _WORD.findall(text.lower())} - STOPWORDS - _CHATTER


def recurring_topics(
    window: Sequence[Witnessed], exclude: Iterable[str] = (), limit: int = FOCAL_QUESTIONS
) -> list[str]:
    """Words that at least ``MIN_TOPIC_MEMORIES`` different memories use, best first.

    Ranked by how many memories use them, then by those memories' summed importance, then
    alphabetically; names (``exclude``), function words, polite chatter and words shorter
    than four letters are not topics. Each topic is returned as most often written
    ("Lisbon", not "lisbon").
    """
    excluded = {w.lower() for w in exclude}
    count: Counter[str] = Counter()
    weight: dict[str, float] = {}
    for w in window:
        for word in _words(w.body):
            if len(word) >= 4 and word not in excluded:
                count[word] += 1
                weight[word] = weight.get(word, 0.0) + w.memory.importance
    ranked = sorted((w for w in count if count[w] >= MIN_TOPIC_MEMORIES),
                    key=lambda w: (-count[w], -weight[w], w))
    return [_surface(word, window) for word in ranked[:limit]]


def _surface(word: str, window: Sequence[Witnessed]) -> str:
    pattern = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
    forms = Counter(m.group(0) for w in window for m in pattern.finditer(w.body))
    return forms.most_common(1)[0][0] if forms else word


def focal_questions(
    window: Sequence[Witnessed], owner_id: int, owner_name: str, limit: int = FOCAL_QUESTIONS
) -> list[FocalQuestion]:
    """The questions a character asks itself about its recent observations.

    About the participants who spoke most (by summed importance; the character itself aside)
    and the topics that recur (``recurring_topics``): people take the first, third ... places,
    topics the second, fourth ...; when one kind runs out the other fills in.
    """
    weight: dict[int, float] = {}
    names: dict[int, str] = {}
    for w in window:
        if w.speaker_id is None or w.speaker_id == owner_id:
            continue
        weight[w.speaker_id] = weight.get(w.speaker_id, 0.0) + w.memory.importance
        names[w.speaker_id] = w.speaker_name
    people = [FocalQuestion(f"What do I make of {names[p]}?", subject_id=p, subject_name=names[p])
              for p in sorted(weight, key=lambda p: (-weight[p], names[p]))]
    name_words = _words(" ".join([owner_name, *names.values()]))
    topics = [FocalQuestion(f"What do I know about {t}?", topic=t)
              for t in recurring_topics(window, name_words, limit)]
    questions: list[FocalQuestion] = []
    while len(questions) < limit and (people or topics):
        for pool in (people, topics):
            if pool and len(questions) < limit:
                questions.append(pool.pop(0))
    return questions


def insight_importance(cited: Sequence[Memory]) -> float:
    """A template insight's importance: the mean of what it cites plus ``REFLECTION_BONUS``,
    within [1, 10]."""
    if not cited:
        return 1.0
    mean = sum(m.importance for m in cited) / len(cited)
    return round(max(1.0, min(10.0, mean + REFLECTION_BONUS)), 2)


def _names(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def cite(memories: Sequence[Memory]) -> tuple[int, ...]:
    """The ids of ``memories`` a consolidated memory cites (the newest ``MAX_CITATIONS``)."""
    ids = sorted({m.id for m in memories if m.id is not None})
    return tuple(ids[-MAX_CITATIONS:])


def template_insight(
    question: FocalQuestion, retrieved: Sequence[Witnessed], owner_id: int
) -> Insight | None:
    """An insight answering ``question`` from the memories retrieved for it, without a model.

    About a participant: how they have seemed (the emotional tone of what they said), the
    traits their acts suggest, and where that leaves the character ("Kitty has seemed warm of
    late (courteous, generous with praise); I think well of Kitty."), citing what they said.
    About a topic: that it keeps coming up and who spoke of it, citing the memories that
    mention it. None when the retrieved memories say nothing about it.
    """
    if question.subject_id is not None:
        spoken = [w for w in retrieved if w.speaker_id == question.subject_id]
        if not spoken:
            return None
        name = question.subject_name
        tone = sum(w.memory.emotional_tone for w in spoken) / len(spoken)
        traits = traits_from_acts((w.act for w in spoken), limit=2)
        if tone >= WARM:
            manner, stance = "warm", f"I think well of {name}"
        elif tone <= -WARM:
            manner, stance = "cold", f"I should be wary of {name}"
        else:
            manner, stance = "hard to read", f"I have not made up my mind about {name}"
        detail = f" ({', '.join(traits)})" if traits else ""
        cited = [w.memory for w in spoken]
        text = f"{name} has seemed {manner} of late{detail}; {stance}."
    else:
        word = question.topic.lower()
        mentions = [w for w in retrieved if word in _words(w.memory.text)]
        if not mentions:
            return None
        speakers: list[str] = []
        for w in mentions:
            if w.speaker_id is not None and w.speaker_id != owner_id \
                    and w.speaker_name not in speakers:
                speakers.append(w.speaker_name)
        if any(w.speaker_id == owner_id for w in mentions):
            speakers.append("I")
        who = f": {_names(speakers)} spoke of it" if speakers else ""
        cited = [w.memory for w in mentions]
        text = f"{question.topic} keeps coming up{who}."
    return Insight(text, cite(cited), insight_importance(cited), question.text)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?" else text + "."


def compose_summary(
    reflections: Sequence[str], knowledge: Sequence[str], limit: int = SUMMARY_MAX_CHARS
) -> str:
    """The character's memory summary: its strongest insights, then what it knows of others.

    Args:
        reflections: Insight texts, most important first (the first ``SUMMARY_REFLECTIONS``).
        knowledge: Knowledge texts, most important first (the first ``SUMMARY_KNOWLEDGE``).
        limit: Length cap; the summary is cut at the last whole sentence that fits.

    Returns:
        ``"What I have come to think: ...\\nWhat I know of others: ..."`` ("" with nothing).
    """
    parts = []
    if reflections:
        parts.append("What I have come to think: "
                     + " ".join(_sentence(r) for r in reflections[:SUMMARY_REFLECTIONS]))
    if knowledge:
        parts.append("What I know of others: "
                     + " ".join(_sentence(k) for k in knowledge[:SUMMARY_KNOWLEDGE]))
    text = "\n".join(parts)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind(".\n"), cut.rfind("! "), cut.rfind("? "))
    return cut[: end + 1] if end > 0 else cut[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class FadePolicy:
    """Which memories fade (are archived): kept, but no longer recalled.

    A memory fades when it is of a fading kind, its importance is below
    ``below_importance``, it was neither made nor recalled in the last ``after_days`` days,
    and no live (non-archived) insight or knowledge cites it.
    """

    after_days: float = FADE_AFTER_DAYS
    below_importance: float = FADE_BELOW_IMPORTANCE
    kinds: tuple[str, ...] = field(default=FADING_KINDS)

    def cutoff(self, now: datetime) -> datetime:
        """Memories made and last recalled before this time are old enough to fade."""
        return now - timedelta(days=self.after_days)

    def fades(self, memory: Memory, now: datetime, cited: bool) -> bool:
        cutoff = self.cutoff(now)
        return (memory.kind in self.kinds and memory.importance < self.below_importance
                and memory.created_at <= cutoff and memory.last_accessed_at <= cutoff
                and not cited)

    def select(self, memories: Sequence[Memory], now: datetime, cited: set[int]) -> list[int]:
        """The ids of the memories that fade now (``cited``: ids a live memory cites)."""
        return [m.id for m in memories
                if m.id is not None and self.fades(m, now, m.id in cited)]
