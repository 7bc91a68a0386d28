"""Reading a human message: who it addresses, what act it performs, and its sentiment.

Characters' own messages need no reading: they were rendered from a decided act. Humans'
messages are read with a small act lexicon and VADER sentiment (Hutto & Gilbert, 2014), so the
dynamics work with no model configured.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from engine.acts import Act
from engine.cast import CastMember

__all__ = ["Reading", "read_message", "find_addressed", "sentiment_of", "classify_act"]

_MENTION = re.compile(r"@([\w.'’-]+(?:\s+[A-Z][\w.'’-]*)?)")
_READ_LIMIT = 2000

# "You are a vile, arrogant fool": an insult even where VADER's lexicon misses the words.
_INSULTING = re.compile(
    r"\byou(?:'re| are)? (?:an? |the |such an? |so |most )*(?:\w+,? )*?"
    r"(?:rude|rudest|insufferable|arrogant|proud|vile|odious|stupid|fool|coward|liar|"
    r"hateful|despicable|wretched|ridiculous|dull|vain|cruel|conceited|pompous)\b",
    re.IGNORECASE,
)

# Ordered: the first matching rule wins.
_ACT_RULES: tuple[tuple[Act, re.Pattern[str]], ...] = tuple(
    (act, re.compile(pattern, re.IGNORECASE))
    for act, pattern in (
        (Act.APOLOGISE, r"\b(sorry|apologi[sz]e|forgive me|my apologies|pardon me)\b"),
        (Act.THREATEN, r"\b(or else|you'll regret|i will ruin|watch yourself|i'll make you)\b"),
        (Act.THANK, r"\b(thank(s| you)?|much obliged|grateful)\b"),
        (Act.CONFIDE, r"\b(secret|between us|don't tell|do not tell|confess|confide)\b"),
        (Act.FLIRT, r"\b(fine eyes|handsome|lovely|darling|dance with me|beautiful)\b"),
        (Act.FAREWELL, r"\b(good ?bye|farewell|good night|bye|see you|adieu)\b"),
        (Act.GREET, r"^\W*(hello|hi|hey|good (morning|evening|afternoon|day)|greetings|"
                    r"how do you do)\b"),
        (Act.HELP, r"\b(let me help|i can help|allow me to|at your service)\b"),
        (Act.AGREE, r"\b(i agree|you're right|you are right|exactly|quite so|indeed)\b"),
        (Act.DISAGREE, r"\b(i disagree|nonsense|you're wrong|you are wrong|not at all)\b"),
        (Act.JOKE, r"\b(haha|lol|joke|jest)\b"),
    )
)


@dataclass(frozen=True)
class Reading:
    addressed_ids: tuple[int, ...]
    unknown_mentions: tuple[str, ...]
    act: Act
    sentiment: float


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment_of(text: str) -> float:
    """VADER compound score in [-1, 1] (0 for empty text)."""
    if not text.strip():
        return 0.0
    return float(_vader().polarity_scores(text[:_READ_LIMIT])["compound"])


def classify_act(text: str, sentiment: float) -> Act:
    """The act a human message most likely performs."""
    snippet = text[:_READ_LIMIT]
    if sentiment < 0.25 and _INSULTING.search(snippet) and not _ACT_RULES[0][1].search(snippet):
        return Act.INSULT
    for act, pattern in _ACT_RULES:
        if pattern.search(snippet):
            return act
    second_person = re.search(r"\b(you|your|yourself)\b", snippet, re.IGNORECASE) is not None
    if sentiment <= -0.35 and second_person:
        return Act.INSULT
    if sentiment >= 0.5 and second_person:
        return Act.PRAISE
    if snippet.rstrip().endswith("?"):
        return Act.ASK
    return Act.RESPOND


def find_addressed(text: str, cast: Sequence[CastMember]) -> tuple[list[int], list[str]]:
    """Characters addressed by ``@name`` or by name, and ``@names`` that match nobody.

    Matching is case-insensitive on full names and aliases; an ``@`` mention may use any
    prefix of a name's words ("@Lizzy", "@elizabeth", "@Mr. Darcy"). Without an ``@``, a
    name addresses its character only when used in the vocative — opening the message
    ("Jane, …", "Good evening, Jane!") or closing it after a comma ("…, Mr. Darcy?");
    "what do you think of Mr. Darcy?" talks about him, not to him.
    """
    snippet = text[:_READ_LIMIT]
    lowered = snippet.lower()
    addressed: list[int] = []
    unknown: list[str] = []
    for match in _MENTION.finditer(snippet):
        token = match.group(1).strip(".,!?;:'’").lower()
        first = token.split()[0] if token.split() else token
        hit = _match_token(token, cast) or _match_token(first, cast)
        if hit is None:
            unknown.append(match.group(1).split()[0].strip(".,!?;:'’"))
        elif hit not in addressed:
            addressed.append(hit)
    if addressed or unknown:
        # Explicit @mentions say whom the message is for; other names are talked about.
        return addressed, unknown
    for member in cast:
        for name in member.names():
            if any(_vocative(lowered, m) for m in _name_pattern(name.lower()).finditer(lowered)):
                addressed.append(member.id)
                break
    return addressed, unknown


_OPENERS = re.compile(
    r"^(?:(?:oh|o|ah|hello|hi|hey|dear|my dear|dearest|pray|well|now|come|and|so|"
    r"thank you|thanks|good (?:morning|evening|afternoon|day|night)|goodbye|farewell)"
    r"[\s,!.]*)*$"
)


def _vocative(lowered: str, match: re.Match[str]) -> bool:
    """Is this mention of a name an address ("Jane, …", "…, Jane?") rather than a mention
    ("what do you think of Jane?")?"""
    before = lowered[: match.start()].strip()
    after = lowered[match.end():].lstrip()
    if _OPENERS.match(before) and (not after or after[0] in ",!?:;."):
        return True  # at the start, after at most a greeting
    words_before = before.removesuffix("my dear").removesuffix("dear").rstrip()
    return words_before.endswith(",") and not after.strip(" .!?…\"'”’)")


@lru_cache(maxsize=65_536)
def _name_pattern(lowered_name: str) -> re.Pattern[str]:
    """The compiled whole-word pattern of one name (names recur; compiling does not)."""
    return re.compile(rf"(?<![\w@]){re.escape(lowered_name)}(?!\w)")


def _match_token(token: str, cast: Sequence[CastMember]) -> int | None:
    for member in cast:
        for name in member.names():
            lowered = name.lower()
            if token == lowered or token == lowered.replace(" ", ""):
                return member.id
    for member in cast:
        for name in member.names():
            if token and name.lower().split()[0] == token:
                return member.id
    return None


def read_message(
    text: str, cast: Sequence[CastMember], reply_to_author_id: int | None = None
) -> Reading:
    """Read one human message against the cast present in its channel."""
    addressed, unknown = find_addressed(text, cast)
    if reply_to_author_id is not None and reply_to_author_id not in addressed:
        if any(m.id == reply_to_author_id for m in cast):
            addressed.insert(0, reply_to_author_id)
    sentiment = sentiment_of(text)
    return Reading(tuple(addressed), tuple(unknown), classify_act(text, sentiment), sentiment)
