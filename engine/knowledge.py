"""Semantic knowledge about participants: facts members state about themselves, impressions.

A member who says "I'm moving to Lisbon" tells every character present something about
themselves; at consolidation it becomes a piece of knowledge about the speaker, "Jane is moving
to Lisbon", citing the observation it came from. ``extract_facts`` reads such first-person
statements with a small set of rules (listed in ``RULES``; anything else is left alone: a
missed fact costs less than an invented one). Each fact has a *slot*: a newer fact on the same
slot replaces the older ("is moving to Lisbon" then "is moving to Porto"), facts on different
slots accumulate ("has a parrot", "has a sister").

An *impression* is what a character makes of someone, in one sentence. Without a model it is
the traits suggested by the acts the character saw them perform (``ACT_TRAITS``); a model
writes it in its own words. Each subject has at most one live impression.

Knowledge texts are canonical (``Fact.text``, ``impression_text``) so that the slot of a stored
piece of knowledge can be read back from its text (``slot_of``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = [
    "Fact",
    "Rule",
    "RULES",
    "ACT_TRAITS",
    "IMPRESSION_SLOT",
    "IMPRESSION_PREFIX",
    "MAX_OBJECT_WORDS",
    "extract_facts",
    "slot_of",
    "impression_text",
    "traits_from_acts",
    "template_impression",
    "IMPRESSION_TRAITS",
]

#: A longer object is probably not a fact but a story: it is left out.
MAX_OBJECT_WORDS = 12
#: The slot of a subject's impression (one per subject).
IMPRESSION_SLOT = "impression"
#: How an impression reads: ``"My impression of Jane Bennet: warm and helpful."``
IMPRESSION_PREFIX = "My impression of {name}: "
#: The trait an act suggests in whoever performs it (acts without a trait suggest nothing).
ACT_TRAITS: dict[str, str] = {
    "insult": "cutting",
    "threaten": "menacing",
    "tease": "teasing",
    "disagree": "contrary",
    "praise": "generous with praise",
    "help": "helpful",
    "thank": "gracious",
    "apologise": "quick to apologise",
    "confide": "trusting",
    "flirt": "flirtatious",
    "joke": "playful",
    "agree": "agreeable",
    "greet": "courteous",
    "ask": "curious",
}
#: Traits named in a template impression.
IMPRESSION_TRAITS = 3

# Clause starts: the beginning of a sentence, after punctuation, or after a conjunction. "you
# think I am a fool" is not the speaker stating a fact: "I" there does not start a clause.
_CLAUSE = re.compile(
    r"(?:^|[,:;—–(]\s*|\b(?:and|but|so|because|since|now|well|oh|also|actually|anyway|"
    r"yes|no|honestly|indeed|alas|sadly|luckily|finally)\s+)"
    r"(?=(?:i|my)\b)",
    re.IGNORECASE,
)
_SENTENCES = re.compile(r"[^.!?\n]+[.!?]*")
# Where an object ends: a comma, or a new clause about someone ("... and I can't wait").
_OBJECT_END = re.compile(
    r"\s*(?:,|\s(?:and|but|so|because|though|although|if)\s+(?:i|you|we|he|she|they|it)\b)",
    re.IGNORECASE,
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|yourselves)\b", re.IGNORECASE)
_FIRST_PERSON = {
    "my": "their", "me": "them", "myself": "themselves", "mine": "theirs", "i": "they",
    "i'm": "they're", "i've": "they've", "i'll": "they'll", "i'd": "they'd",
}
_FIRST_PERSON_WORD = re.compile(r"\b(?:i'm|i've|i'll|i'd|my|me|myself|mine|i)\b", re.IGNORECASE)
#: "I have a question" is a figure of speech, not a possession.
_NOT_POSSESSIONS = frozenset(
    "question questions idea feeling notion doubt doubts moment minute favour favor request "
    "point thought suspicion hunch".split()
)
#: Objects of "I love ..." that point at someone or something outside the sentence.
_POINTING = frozenset("you your it that this these those them him her us".split())


@dataclass(frozen=True)
class Fact:
    """Something a participant said about themselves, in the third person.

    ``text`` is ``"<subject> <predicate> <object>."`` (``"Jane is moving to Lisbon."``); a
    predicate starting with an apostrophe attaches to the name (``"Jane's sister is a nurse."``).
    """

    subject_id: int
    subject_name: str
    predicate: str
    obj: str
    slot: str

    @property
    def text(self) -> str:
        joiner = "" if self.predicate.startswith("'") else " "
        return f"{self.subject_name}{joiner}{self.predicate} {self.obj}."


@dataclass(frozen=True)
class Rule:
    """One kind of first-person statement.

    ``pattern`` matches a clause in the first person (case-insensitive) with a group ``obj``;
    ``predicate`` and ``slot`` turn the match into the third-person predicate and the slot.
    ``canonical`` matches the predicate as written in a stored fact (for ``slot_of``).
    """

    name: str
    pattern: re.Pattern[str]
    predicate: Callable[[re.Match[str]], str]
    slot: Callable[[re.Match[str], str], str]
    canonical: re.Pattern[str]


def _fixed(predicate: str) -> Callable[[re.Match[str]], str]:
    return lambda _m: predicate


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_FEELINGS = {
    "love": "loves", "adore": "adores", "enjoy": "enjoys", "like": "likes",
    "hate": "hates", "detest": "detests", "loathe": "loathes", "dislike": "dislikes",
    "can't stand": "can't stand", "cannot stand": "can't stand",
}
_ONGOING = (
    "getting|starting|leaving|studying|learning|training|retiring|visiting|expecting|"
    "planning|writing|building|opening|joining|travelling|traveling|marrying"
)
_COUNTS = "a|an|two|three|four|five|six|seven|eight|nine|ten|\\d+|some|several"

#: The first-person statements read as facts, most specific first (the first match wins).
RULES: tuple[Rule, ...] = (
    Rule("moving", _re(r"^i(?:'m| am) (?:moving|relocating) to (?P<obj>.+)"),
         _fixed("is moving to"), lambda m, o: "moving", _re(r"^is moving to ")),
    Rule("home", _re(r"^i(?: live|'m living| am living) in (?P<obj>.+)"),
         _fixed("lives in"), lambda m, o: "home", _re(r"^lives in ")),
    Rule("origin", _re(r"^i(?:'m| am| come) from (?P<obj>.+)"),
         _fixed("is from"), lambda m, o: "origin", _re(r"^is from ")),
    Rule("work", _re(r"^i(?: work|'m working| am working) (?P<prep>as|at|in|for) (?P<obj>.+)"),
         lambda m: f"works {m.group('prep').lower()}",
         lambda m, o: f"work-{m.group('prep').lower()}",
         _re(r"^works (?P<prep>as|at|in|for) ")),
    Rule("age", _re(r"^i(?:'m| am) (?P<obj>\d{1,3})(?: years? old)?$"),
         _fixed("is"), lambda m, o: "age", _re(r"^is \d{1,3} years old")),
    Rule("ongoing", _re(rf"^i(?:'m| am) (?P<verb>{_ONGOING}) (?P<obj>.+)"),
         lambda m: f"is {m.group('verb').lower()}",
         lambda m, o: f"doing-{m.group('verb').lower()}",
         _re(rf"^is (?P<verb>{_ONGOING}) ")),
    Rule("identity", _re(r"^i(?:'m| am) (?P<det>a|an) (?P<obj>.+)"),
         lambda m: f"is {m.group('det').lower()}",
         lambda m, o: f"is-{o.lower()}", _re(r"^is (?:a|an) ")),
    Rule("possession", _re(rf"^i(?: have|'ve)(?: got)? (?P<det>{_COUNTS}) (?P<obj>.+)"),
         lambda m: f"has {m.group('det').lower()}",
         lambda m, o: f"has-{m.group('det').lower()} {o.lower()}",
         _re(rf"^has (?P<det>{_COUNTS}) ")),
    Rule("feeling",
         _re(r"^i (?:really |truly |do )?(?P<verb>love|adore|enjoy|like|hate|detest|loathe|"
             r"dislike|can't stand|cannot stand) (?P<obj>.+)"),
         lambda m: _FEELINGS[m.group("verb").lower()],
         lambda m, o: f"feeling-{o.lower()}",
         _re(r"^(?:loves|adores|enjoys|likes|hates|detests|loathes|dislikes|can't stand) ")),
    Rule("relation", _re(r"^my (?P<what>[a-z][a-z' -]{0,30}?) (?P<verb>is|are) (?P<obj>.+)"),
         lambda m: f"'s {m.group('what').lower()} {m.group('verb').lower()}",
         lambda m, o: f"own-{m.group('what').lower()}",
         _re(r"^'s (?P<what>[a-z][a-z' -]{0,30}?) (?:is|are) ")),
)


def extract_facts(body: str, subject_id: int, subject_name: str) -> list[Fact]:
    """The facts a participant states about themselves in a message, in the third person.

    Only statements (not questions) whose clause starts with "I" or "my" are read, by the
    first rule in ``RULES`` that matches; their object ends at a comma or at a new clause, is
    put in the third person ("my family" → "their family"), and is dropped if it speaks of the
    listener ("I love you") or is longer than ``MAX_OBJECT_WORDS`` words.

    Args:
        body: What the participant said (the message, not the observation around it).
        subject_id: The speaker's participant id (whom the facts are about).
        subject_name: The speaker's name, which the facts start with.

    Returns:
        The facts, in the order stated; one per slot (the last stated wins).
    """
    by_slot: dict[str, Fact] = {}
    text = body.replace("’", "'").replace("‘", "'")
    for sentence in _SENTENCES.findall(text):
        sentence = sentence.strip()
        if not sentence or sentence.endswith("?"):
            continue
        clause_text = sentence.rstrip(".!")
        for start in _CLAUSE.finditer(clause_text):
            fact = _read_clause(clause_text[start.end():], subject_id, subject_name)
            if fact is not None:
                by_slot.pop(fact.slot, None)
                by_slot[fact.slot] = fact
    return list(by_slot.values())


def _read_clause(clause: str, subject_id: int, subject_name: str) -> Fact | None:
    clause = clause.strip()
    for rule in RULES:
        match = rule.pattern.match(clause)
        if match is None:
            continue
        obj = _object(match.group("obj"))
        if obj is None:
            return None
        if rule.name == "age":
            obj = f"{obj} years old"
        if rule.name == "possession" and obj.split()[0].lower() in _NOT_POSSESSIONS:
            return None
        if rule.name == "feeling" and obj.split()[0].lower() in _POINTING:
            return None
        return Fact(subject_id, subject_name, rule.predicate(match), obj, rule.slot(match, obj))
    return None


def _object(raw: str) -> str | None:
    obj = _OBJECT_END.split(raw, maxsplit=1)[0].strip(" \t\"'")
    if not obj or _SECOND_PERSON.search(obj) or len(obj.split()) > MAX_OBJECT_WORDS:
        return None
    return _FIRST_PERSON_WORD.sub(lambda m: _FIRST_PERSON[m.group(0).lower()], obj)


def slot_of(text: str, subject_name: str) -> str | None:
    """The slot of a stored piece of knowledge about ``subject_name``, read from its text.

    Returns ``IMPRESSION_SLOT`` for an impression, a fact's slot for a fact written by
    ``Fact.text``, and None for a text neither wrote (it is then left as it is).
    """
    if text.startswith(IMPRESSION_PREFIX.format(name=subject_name)):
        return IMPRESSION_SLOT
    if not text.startswith(subject_name):
        return None
    rest = text[len(subject_name):].removesuffix(".")
    rest = rest if rest.startswith("'") else rest.lstrip()
    for rule in RULES:
        match = rule.canonical.match(rest)
        if match is None:
            continue
        # The canonical patterns carry the groups the slots are made of.
        return rule.slot(match, rest[match.end():].strip())
    return None


def traits_from_acts(acts: Iterable[str | None], limit: int = IMPRESSION_TRAITS) -> list[str]:
    """The traits most often suggested by the acts someone performed (ties: ``ACT_TRAITS``
    order, the weightier acts first)."""
    counts = Counter(a for a in acts if a in ACT_TRAITS)
    order = list(ACT_TRAITS)
    ranked = sorted(counts, key=lambda a: (-counts[a], order.index(a)))
    return [ACT_TRAITS[a] for a in ranked[:limit]]


def impression_text(subject_name: str, body: str) -> str:
    """An impression in its canonical form (``IMPRESSION_PREFIX`` then the body)."""
    body = " ".join(body.split()).strip()
    if body and body[-1] not in ".!?":
        body += "."
    return IMPRESSION_PREFIX.format(name=subject_name) + body


def template_impression(subject_name: str, acts: Iterable[str | None]) -> str | None:
    """"My impression of Darcy: cutting, contrary and curious." from the acts seen, or None
    when no act suggests a trait."""
    traits = traits_from_acts(acts)
    if not traits:
        return None
    words = traits[0] if len(traits) == 1 else ", ".join(traits[:-1]) + " and " + traits[-1]
    return impression_text(subject_name, words)
