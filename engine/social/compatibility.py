"""How well two characters are likely to get along, before they have said a word.

The model is a weighted blend of findings from personality and relationship research; it is a
*prior*, seeding first impressions (:func:`first_impression`), never a verdict — acts move the
relationship afterwards (``engine.social.dynamics``).

Findings it rests on:

* **Similarity–attraction** (Byrne 1971; Montoya, Horton & Kirchner 2008, meta-analysis):
  actual similarity predicts attraction, attitudes/values strongly, personality more weakly.
  Hence ``similarity = 0.7 * values + 0.3 * personality``; values are compared as word sets
  (Jaccard over normalised lowercase tokens), personality as ``1 - mean |trait difference|``.
* **Agreeableness and emotional stability** (low neuroticism) of either partner predict
  relationship quality and satisfaction (Malouff et al. 2010, meta-analysis); conscientiousness
  and extraversion add a little.
* **Friendship formation** (Selfhout et al. 2010): extraverts make more friends, agreeable people
  are chosen more, and openness helps new acquaintances become friends.
* **Long-term romance**: agreeableness and conscientiousness of partners predict lasting, stable
  romantic relationships, on top of similarity and emotional stability.
* **Conflict potential**: low agreeableness combined with high neuroticism in *either* partner,
  and *competing goals* — two goals that share a target (shared content tokens) and are worded
  as a contest over something scarce ("marry Darcy", "win the tournament", "become heir").
  Shared goals without rival wording are cooperative and count for friendship instead.

Every field of :class:`Compatibility` is in [0, 1] and the function is symmetric:
``compatibility(a, b) == compatibility(b, a)`` field by field (every term is a symmetric
function of the pair: means, absolute differences, Jaccard, max/min over both partners).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from engine.personas import BigFive, Persona
from engine.relationships import Relationship, clamp

__all__ = [
    "Profile",
    "Compatibility",
    "FirstImpression",
    "compatibility",
    "first_impression",
    "tokens",
    "jaccard",
    "goal_competition",
]

_STOPWORDS = frozenset(
    "a an and are as at be by for from have her his i in into is it its my of on or our "
    "the their them they this to with".split()
)

#: Words that make a goal a contest over something only one can have.
_RIVAL_WORDS = frozenset(
    "win wins winning won beat defeat marry wed claim inherit heir heiress crown throne "
    "champion first best only top lead rule become outdo surpass earn secure capture "
    "conquer seize own prize title hand".split()
)

#: Value used for a similarity we cannot measure (one side states no values/goals).
_UNKNOWN = 0.5


def _stem(word: str) -> str:
    # A light plural fold so "books" and "book" meet; anything heavier misleads on names.
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(texts: Iterable[str]) -> frozenset[str]:
    """Normalised content tokens of some phrases (lowercase, no stopwords, plural-folded)."""
    words: set[str] = set()
    for text in texts:
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            if word not in _STOPWORDS and len(word) > 1:
                words.add(_stem(word))
    return frozenset(words)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two token sets; :data:`_UNKNOWN` (0.5) when either is empty."""
    if not a or not b:
        return _UNKNOWN
    return len(a & b) / len(a | b)


def goal_competition(goals_a: Iterable[str], goals_b: Iterable[str]) -> float:
    """How strongly two goal lists compete, in [0, 1].

    A pair of goals competes when both use rival wording and they share a content token (the
    contested target). Its strength is ``0.5 + 0.5 * Jaccard`` of the content tokens (the rival
    words excluded); the result is the strongest pair, so it is symmetric.
    """
    best = 0.0
    for ga in goals_a:
        ta = tokens([ga])
        if not ta & _RIVAL_WORDS:
            continue
        ca = ta - _RIVAL_WORDS
        for gb in goals_b:
            tb = tokens([gb])
            cb = tb - _RIVAL_WORDS
            if tb & _RIVAL_WORDS and ca & cb:
                best = max(best, 0.5 + 0.5 * len(ca & cb) / len(ca | cb))
    return best


@dataclass(frozen=True)
class Profile:
    """What compatibility needs to know about a character."""

    big_five: BigFive = BigFive()
    values: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()

    @classmethod
    def of(cls, persona: Persona) -> Profile:
        """The profile of a persona (its Big Five, values and goals)."""
        return cls(big_five=persona.big_five, values=tuple(persona.values),
                   goals=tuple(persona.goals))


@dataclass(frozen=True)
class Compatibility:
    """Prior compatibility of a pair; every field in [0, 1], symmetric in the pair."""

    overall: float
    friendship: float
    romance: float
    rivalry: float
    conflict: float


@dataclass(frozen=True)
class FirstImpression:
    """Signed seeds (each ``|x| <= 0.2``) for a relationship when two participants first meet."""

    affinity: float = 0.0
    trust: float = 0.0
    romance: float = 0.0
    rivalry: float = 0.0
    respect: float = 0.0

    def apply_to(self, view: Relationship) -> Relationship:
        """``view`` with these seeds added: a fresh view, or the baseline for ``decay``."""
        return replace(
            view,
            affinity=clamp(view.affinity + self.affinity),
            trust=clamp(view.trust + self.trust),
            romance=clamp(view.romance + self.romance),
            rivalry=clamp(view.rivalry + self.rivalry),
            respect=clamp(view.respect + self.respect),
        )


def _unit(x: float) -> float:
    return min(1.0, max(0.0, x))


def _seed(x: float) -> float:
    return min(0.2, max(-0.2, x))


def compatibility(a: Profile, b: Profile) -> Compatibility:
    """Prior compatibility of two characters (see the module docstring for the model).

    Args:
        a: One character's profile.
        b: The other's. The result does not depend on the order.

    Returns:
        A :class:`Compatibility` with every field in [0, 1].
    """
    fa, fb = a.big_five.as_dict(), b.big_five.as_dict()
    personality_sim = 1.0 - sum(abs(fa[t] - fb[t]) for t in fa) / len(fa)
    value_sim = jaccard(tokens(a.values), tokens(b.values))
    similarity = 0.7 * value_sim + 0.3 * personality_sim

    def mean(trait: str) -> float:
        return (fa[trait] + fb[trait]) / 2

    stability = 1.0 - mean("neuroticism")
    # Malouff et al. 2010: agreeableness and emotional stability dominate quality.
    quality = (0.4 * mean("agreeableness") + 0.4 * stability
               + 0.1 * mean("conscientiousness") + 0.1 * mean("extraversion"))

    # Either partner's disagreeable, anxious temper can start a fight: weight the worse one.
    temper = [((1 - f["agreeableness"]) + f["neuroticism"]) / 2 for f in (fa, fb)]
    trait_conflict = 0.6 * max(temper) + 0.4 * min(temper)
    competition = goal_competition(a.goals, b.goals)
    conflict = _unit(1 - (1 - 0.6 * trait_conflict) * (1 - 0.8 * competition))

    goal_overlap = jaccard(tokens(a.goals), tokens(b.goals))
    cooperation = (goal_overlap if a.goals and b.goals else 0.0) * (1 - competition)

    friendship = _unit(
        (0.35 * similarity + 0.25 * quality + 0.15 * mean("extraversion")
         + 0.10 * mean("openness") + 0.15 * cooperation) * (1 - 0.4 * conflict)
    )
    romance = _unit(
        (0.35 * similarity + 0.20 * mean("agreeableness") + 0.15 * mean("conscientiousness")
         + 0.15 * stability + 0.10 * mean("extraversion") + 0.05 * mean("openness"))
        * (1 - 0.4 * conflict)
    )
    ambition = (mean("extraversion") + mean("conscientiousness")) / 2
    rivalry = _unit(0.6 * competition + 0.2 * trait_conflict
                    + 0.2 * ambition * (1 - mean("agreeableness")))
    overall = _unit(0.5 * friendship + 0.2 * romance + 0.3 * (1 - conflict))
    return Compatibility(overall=overall, friendship=friendship, romance=romance,
                         rivalry=rivalry, conflict=conflict)


def first_impression(compat: Compatibility) -> FirstImpression:
    """Small signed seeds for a first meeting, derived from a :class:`Compatibility`.

    An average pair (population-average traits, nothing known about values) gets seeds near
    zero; every seed is within ±0.2. Romance
    and rivalry only seed when the prior is clearly high (no one starts with negative romance).
    """
    return FirstImpression(
        affinity=_seed(0.6 * (compat.overall - 0.5) + 0.3 * (compat.friendship - 0.42)),
        trust=_seed(0.4 * (compat.friendship - 0.42) - 0.3 * (compat.conflict - 0.3)),
        romance=_seed(0.4 * max(0.0, compat.romance - 0.55)),
        rivalry=_seed(0.4 * max(0.0, compat.rivalry - 0.3)),
        respect=_seed(0.4 * (compat.overall - 0.45)),
    )
