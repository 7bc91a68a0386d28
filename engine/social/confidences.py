"""Secrets, trust and betrayal: who confided what to whom, and who gave it away.

A *confidence* is a secret its owner told one confidant. While the confidant keeps it, the owner's
trust in them grows a little (saturating). When the confidant speaks the secret's subject to
anyone other than its owner (and other people already in on it), that is a *reveal*: a betrayal
of the owner. The owner telling their own secret is never a betrayal.

Betrayals leave a *grudge* in [0, 1] that fades with a half-life. While a grudge persists, trust
recovers slowly: :func:`damp_trust_gain` scales positive trust moves by ``(1 - grudge) ** 2``, so a
fresh grudge of 0.8 lets only 4% of a kind act's trust through, and losses are never damped.

Everything here is pure and deterministic; time arrives as parameters.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from engine.errors import InvalidInput
from engine.relationships import clamp

__all__ = [
    "Confidence", "ConfidenceStatus", "ConfidenceBook", "Reveal", "content_words",
    "is_secret_mention", "trust_bonus", "grudge_after_betrayal", "grudge_decay",
    "damp_trust_gain", "MENTION_OVERLAP", "MAX_TRUST_BONUS", "GRUDGE_HALF_LIFE_S",
]

logger = logging.getLogger(__name__)

ConfidenceStatus = Literal["kept", "revealed"]

#: Share of a subject's content words a message must contain to count as mentioning it.
MENTION_OVERLAP = 0.6
#: The most trust one kept secret can earn (reached asymptotically).
MAX_TRUST_BONUS = 0.1
#: Time scale of that growth: after this long a kept secret has earned ~63% of the bonus.
TRUST_BONUS_TAU_S = 7 * 24 * 3600.0
#: Default grudge half-life: two weeks.
GRUDGE_HALF_LIFE_S = 14 * 24 * 3600.0

_STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from about into over under as is are was
    were be been being am do does did have has had i me my mine you your yours he him his she her
    hers it its we us our they them their this that these those there here what which who whom
    whose how why when where not no nor so too very just than then also only own same such can
    will would shall should could may might must up down out off again once all any both each few
    more most other some let lets s t don isn wasn won secret tell told telling know knows please
    one mr mrs ms miss""".split()
)
_SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _stem(word: str) -> str:
    # Crude on purpose: "marries"/"married"/"marry" and "letters"/"letter" should meet.
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + repl
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def content_words(text: str) -> frozenset[str]:
    """The normalised content words of ``text``: lower-cased, stop words dropped, stemmed."""
    words = (_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS)
    return frozenset(w for w in words if w and w not in _STOPWORDS)


@dataclass(frozen=True, kw_only=True)
class Confidence:
    """One secret told by ``owner_id`` (whose secret it is) to ``confidant_id``."""

    id: int | None = None  # storage id, None until stored
    owner_id: int
    confidant_id: int
    subject: str  # short text: what the secret is about
    told_at: datetime
    event_id: int | None = None  # the message in which it was told
    status: ConfidenceStatus = "kept"
    revealed_by: int | None = None
    revealed_to: tuple[int, ...] = ()
    revealed_at: datetime | None = None


@dataclass(frozen=True)
class Reveal:
    """A confidant gave away a secret: a betrayal of its owner."""

    confidence: Confidence  # already marked revealed
    betrayer: int  # the confidant who spoke
    audience: tuple[int, ...]  # who newly heard it: never the owner, speaker or others told
    at: datetime
    event_id: int | None = None

    @property
    def owner(self) -> int:
        """The betrayed owner of the secret."""
        return self.confidence.owner_id

    @property
    def severity(self) -> float:
        """How grave the betrayal is, in [0.5, 1]: larger audiences hurt more."""
        return min(1.0, 0.5 + 0.1 * len(self.audience))


def is_secret_mention(text: str, confidence: Confidence) -> bool:
    """Whether ``text`` speaks of the confidence's subject.

    True when at least :data:`MENTION_OVERLAP` of the subject's content words appear (after
    normalisation) in the text. A subject without content words is never mentioned.

    Args:
        text: A message.
        confidence: The secret to look for.
    """
    subject = content_words(confidence.subject)
    if not subject:
        return False
    overlap = len(subject & content_words(text)) / len(subject)
    return overlap >= MENTION_OVERLAP


def trust_bonus(confidence: Confidence, now: datetime) -> float:
    """Trust the owner has come to place in a confidant who kept this secret until ``now``.

    Small and saturating: ``MAX_TRUST_BONUS * (1 - exp(-kept / 7 days))``; 0 once revealed or
    before it was told.

    Args:
        confidence: A confidence.
        now: The current time.
    """
    if confidence.status != "kept":
        return 0.0
    kept_s = (now - confidence.told_at).total_seconds()
    if kept_s <= 0:
        return 0.0
    return MAX_TRUST_BONUS * (1.0 - math.exp(-kept_s / TRUST_BONUS_TAU_S))


def grudge_after_betrayal(previous: float, severity: float) -> float:
    """The grudge after a betrayal of the given severity (both in [0, 1]); saturates at 1.

    Args:
        previous: The grudge held before.
        severity: How grave the betrayal was (e.g. :attr:`Reveal.severity`).
    """
    previous, severity = clamp(previous, 0.0, 1.0), clamp(severity, 0.0, 1.0)
    return clamp(previous + severity * (1.0 - previous), 0.0, 1.0)


def grudge_decay(grudge: float, elapsed_s: float,
                 half_life_s: float = GRUDGE_HALF_LIFE_S) -> float:
    """A grudge after ``elapsed_s`` seconds without new offence (exponential half-life).

    Args:
        grudge: The grudge in [0, 1].
        elapsed_s: Seconds elapsed (negative counts as none).
        half_life_s: Seconds for the grudge to halve.
    """
    grudge = clamp(grudge, 0.0, 1.0)
    if elapsed_s != elapsed_s or elapsed_s <= 0 or half_life_s <= 0:
        return grudge
    return clamp(grudge * 0.5 ** (elapsed_s / half_life_s), 0.0, 1.0)


def damp_trust_gain(delta: float, grudge: float) -> float:
    """Slow trust recovery while a grudge persists.

    Positive trust moves are scaled by ``(1 - grudge) ** 2``; losses pass unchanged (a grudge
    never protects the offender).

    Args:
        delta: A proposed change of trust.
        grudge: The grudge the truster holds against the trusted, in [0, 1].
    """
    if delta != delta:
        return 0.0
    if delta <= 0:
        return delta
    return delta * (1.0 - clamp(grudge, 0.0, 1.0)) ** 2


class ConfidenceBook:
    """The confidences of one community, in memory (storage is the caller's business).

    Args:
        confidences: Confidences loaded from storage.
    """

    def __init__(self, confidences: Iterable[Confidence] = ()) -> None:
        self._items: list[Confidence] = list(confidences)

    @property
    def confidences(self) -> tuple[Confidence, ...]:
        """Every confidence, in the order they were added."""
        return tuple(self._items)

    def confide(self, owner: int, confidant: int, subject: str, at: datetime,
                event_id: int | None = None) -> Confidence:
        """Record that ``owner`` told ``confidant`` a secret about ``subject``.

        Telling the same kept secret to the same confidant again returns the existing record.

        Raises:
            InvalidInput: A character confiding in themselves, or a subject without content.
        """
        if owner == confidant:
            raise InvalidInput("A secret needs someone else to tell it to.")
        if not content_words(subject):
            raise InvalidInput("Say what the secret is about in a few words.")
        key = content_words(subject)
        for existing in self._items:
            if (existing.owner_id, existing.confidant_id, existing.status) == (
                owner, confidant, "kept"
            ) and content_words(existing.subject) == key:
                return existing
        confidence = Confidence(owner_id=owner, confidant_id=confidant,
                                subject=subject.strip(), told_at=at, event_id=event_id)
        self._items.append(confidence)
        return confidence

    def _in_on_it(self, confidence: Confidence) -> set[int]:
        # The owner and everyone the owner told (or who heard a reveal) already know.
        key = content_words(confidence.subject)
        knowers = {confidence.owner_id}
        for other in self._items:
            if other.owner_id == confidence.owner_id and content_words(other.subject) == key:
                knowers.add(other.confidant_id)
                knowers.update(other.revealed_to)
        return knowers

    def detect_reveals(self, speaker_id: int, text: str, listeners: Sequence[int],
                       at: datetime, event_id: int | None = None) -> list[Reveal]:
        """Find the secrets a message gives away, and mark them revealed.

        A reveal is a confidant speaking a kept secret's subject in front of someone who did not
        know it yet. The owner speaking of their own secret is not a betrayal; nor is a confidant
        talking about it with the owner or with others the owner also told.

        Args:
            speaker_id: Who said ``text``.
            text: The message.
            listeners: Everyone who witnessed it (may include the speaker and the owner).
            at: When it was said.
            event_id: The message's event id.

        Returns:
            One :class:`Reveal` per betrayed confidence, in book order.
        """
        reveals: list[Reveal] = []
        for index, confidence in enumerate(self._items):
            if confidence.status != "kept" or confidence.confidant_id != speaker_id:
                continue
            if not is_secret_mention(text, confidence):
                continue
            knowers = self._in_on_it(confidence) | {speaker_id}
            audience = tuple(dict.fromkeys(i for i in listeners if i not in knowers))
            if not audience:
                continue
            revealed = replace(confidence, status="revealed", revealed_by=speaker_id,
                               revealed_to=audience, revealed_at=at)
            self._items[index] = revealed
            reveals.append(Reveal(revealed, speaker_id, audience, at, event_id))
            logger.debug("confidence of %s revealed by %s to %s", confidence.owner_id,
                         speaker_id, audience)
        return reveals

    def kept_for(self, owner: int, confidant: int, now: datetime) -> list[Confidence]:
        """The secrets of ``owner`` that ``confidant`` has kept, as of ``now``."""
        return [c for c in self._items
                if c.owner_id == owner and c.confidant_id == confidant
                and c.status == "kept" and c.told_at <= now]

    def trust_bonus_for(self, owner: int, confidant: int, now: datetime) -> float:
        """The combined trust bonus of every secret ``confidant`` kept for ``owner``.

        Combined so that many secrets never exceed ``2 * MAX_TRUST_BONUS``.
        """
        cap = 2 * MAX_TRUST_BONUS
        remaining = 1.0
        for confidence in self.kept_for(owner, confidant, now):
            remaining *= 1.0 - trust_bonus(confidence, now) / cap
        return cap * (1.0 - remaining)
