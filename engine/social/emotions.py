"""Moods: how a character feels right now, moved by acts, fading with time, spreading by ties.

A :class:`Mood` has a core affect (``valence`` in [-1, 1], ``arousal`` in [0, 1]) and a small,
fixed set of named emotions, each an intensity in [0, 1] (:data:`EMOTIONS`):

============  ==========================================================  =====
emotion       typically raised by                                         emoji
============  ==========================================================  =====
joy           praise, thanks, help, jokes, agreement                      😊
anger         insults, threats, disagreement, betrayal                    😠
sadness       insults (agreeable characters), betrayal                    😢
fear          threats, unwanted flirting                                  😨
affection     flirting from someone one fancies, help, confidences        💕
jealousy      watching one's crush flirt with someone else                😒
(calm)        no emotion above :data:`CALM_THRESHOLD`                     😐
============  ==========================================================  =====

Everything is a pure function of its inputs: time enters only as ``elapsed_s``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from engine.acts import ACT_VALENCE, Act
from engine.personas import BigFive
from engine.relationships import Relationship, clamp

__all__ = [
    "EMOTIONS",
    "CALM_THRESHOLD",
    "NEUTRAL_AROUSAL",
    "WITNESS_SCALE",
    "BETRAYAL_ACTS",
    "Mood",
    "appraise",
    "baseline_for",
    "decay",
    "contagion",
    "tie_strength",
]

#: The named emotions a mood tracks, each an intensity in [0, 1].
EMOTIONS: tuple[str, ...] = ("joy", "anger", "sadness", "fear", "affection", "jealousy")
#: Below this intensity no emotion dominates and the character reads as calm.
CALM_THRESHOLD = 0.15
#: Resting arousal of a neutral mood.
NEUTRAL_AROUSAL = 0.2
#: How much less an act moves a witness than its target.
WITNESS_SCALE = 0.35
#: Event names (not in :class:`Act`) that count as betrayal.
BETRAYAL_ACTS = frozenset({"betray", "reveal_secret"})

_FIELDS: tuple[str, ...] = ("valence", "arousal", *EMOTIONS)
_NEGATIVE = frozenset({"anger", "sadness", "fear", "jealousy"})
_EMOJI = {
    "joy": "😊", "anger": "😠", "sadness": "😢", "fear": "😨",
    "affection": "💕", "jealousy": "😒", "calm": "😐",
}


@dataclass(frozen=True)
class Mood:
    """A character's current feeling. Out-of-range values are clamped and NaN becomes 0."""

    valence: float = 0.0
    arousal: float = NEUTRAL_AROUSAL
    joy: float = 0.0
    anger: float = 0.0
    sadness: float = 0.0
    fear: float = 0.0
    affection: float = 0.0
    jealousy: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "valence", clamp(float(self.valence)))
        for name in _FIELDS[1:]:
            object.__setattr__(self, name, clamp(float(getattr(self, name)), 0.0, 1.0))

    @classmethod
    def neutral(cls, baseline_valence: float = 0.0, *, arousal: float = NEUTRAL_AROUSAL) -> Mood:
        """A mood with no active emotion, resting at ``baseline_valence``."""
        return cls(valence=baseline_valence, arousal=arousal)

    @classmethod
    def from_dict(cls, data: Mapping[str, float]) -> Mood:
        """Rebuild a mood from :meth:`as_dict` output; unknown keys are ignored."""
        return cls(**{k: float(v) for k, v in data.items() if k in _FIELDS})

    def as_dict(self) -> dict[str, float]:
        """Every dimension by name (valence, arousal, then :data:`EMOTIONS`)."""
        return {name: float(getattr(self, name)) for name in _FIELDS}

    def emotions(self) -> dict[str, float]:
        """The named emotions and their intensities."""
        return {name: float(getattr(self, name)) for name in EMOTIONS}

    def dominant(self) -> tuple[str, float]:
        """The strongest emotion and its intensity, or ``("calm", 0.0)`` if none stands out."""
        name, value = max(self.emotions().items(), key=lambda item: item[1])
        return (name, value) if value >= CALM_THRESHOLD else ("calm", 0.0)

    def emoji(self) -> str:
        """An indicator of the dominant emotion for the observatory."""
        return _EMOJI[self.dominant()[0]]


#: :class:`Mood` is a plain frozen dataclass (no slots, every field set by ``__init__``), so
#: :func:`_with_updates` may copy its ``__dict__`` instead of calling ``dataclasses.replace``.
_PLAIN_MOOD = "__slots__" not in vars(Mood) and all(f.init for f in fields(Mood))


def _with_updates(mood: Mood, updates: Mapping[str, float]) -> Mood:
    """``replace(mood, **updates)``, fast for a plain :class:`Mood`.

    The fields not in ``updates`` already passed ``Mood.__post_init__``, where clamping them
    again changes nothing, so only the updated fields get the same clamping here.
    """
    if not (_PLAIN_MOOD and type(mood) is Mood):
        return replace(mood, **updates)
    new = object.__new__(Mood)
    state = new.__dict__
    state.update(mood.__dict__)
    for key, value in updates.items():
        if key not in state:
            raise TypeError(f"Mood has no field {key!r}")
        state[key] = clamp(float(value)) if key == "valence" else clamp(float(value), 0.0, 1.0)
    return new


def baseline_for(big_five: BigFive) -> Mood:
    """The mood a character rests at: extraverts sunnier and livelier, neurotics gloomier."""
    valence = 0.8 * (big_five.extraversion - 0.5) - 0.8 * (big_five.neuroticism - 0.5)
    arousal = 0.1 + 0.2 * big_five.extraversion + 0.1 * big_five.neuroticism
    return Mood.neutral(valence, arousal=arousal)


_IMPULSES: dict[str, dict[str, float]] = {
    "insult": {"valence": -0.35, "arousal": 0.3, "anger": 0.35, "sadness": 0.2},
    "threaten": {"valence": -0.4, "arousal": 0.45, "fear": 0.4, "anger": 0.2},
    "betray": {"valence": -0.7, "arousal": 0.5, "anger": 0.55, "sadness": 0.5},
    "disagree": {"valence": -0.1, "arousal": 0.1, "anger": 0.1},
    "tease": {"arousal": 0.1, "anger": 0.04, "joy": 0.04},
    "praise": {"valence": 0.35, "arousal": 0.15, "joy": 0.35},
    "thank": {"valence": 0.2, "arousal": 0.05, "joy": 0.2},
    "help": {"valence": 0.25, "joy": 0.2, "affection": 0.1, "fear": -0.1},
    "confide": {"valence": 0.1, "affection": 0.15},
    "agree": {"valence": 0.1, "joy": 0.1},
    "joke": {"valence": 0.1, "arousal": 0.1, "joy": 0.15},
    "greet": {"valence": 0.05, "joy": 0.05},
    "apologise": {"valence": 0.15, "anger": -0.25, "sadness": -0.1},
}
_ANGRY_ACTS = frozenset({"insult", "threaten", "betray", "disagree"})


def _act_name(act: Act | str) -> str:
    name = act.value if isinstance(act, Act) else str(act).strip().lower()
    return "betray" if name in BETRAYAL_ACTS else name


def _flirt_impulse(relationship: Relationship | None, as_target: bool) -> dict[str, float]:
    romance = relationship.romance if relationship is not None else 0.0
    if not as_target:
        # The witness's view is of the flirter: watching one's crush flirt elsewhere stings.
        return {"jealousy": 0.4 + 0.4 * romance, "valence": -0.1} if romance > 0 else {}
    if romance > 0:
        return {"valence": 0.25, "arousal": 0.2, "affection": 0.2 + 0.3 * romance, "joy": 0.15}
    return {"valence": -0.1, "arousal": 0.1, "fear": 0.1, "anger": 0.05}


def _impulse(name: str, sentiment: float, relationship: Relationship | None,
             as_target: bool) -> dict[str, float]:
    if name == "flirt":
        return _flirt_impulse(relationship, as_target)
    if name in _IMPULSES:
        impulse = dict(_IMPULSES[name])
    else:
        try:
            base = ACT_VALENCE.get(Act(name), 0.0)
        except ValueError:
            base = 0.0
        impulse = {"valence": 0.1 * base + 0.15 * sentiment}
    if relationship is not None:
        if name == "betray":  # the more one trusted, the deeper the cut
            for key in ("anger", "sadness"):
                impulse[key] *= 1.0 + 0.5 * max(0.0, relationship.trust)
        elif name in ("insult", "threaten"):
            impulse["sadness"] = impulse.get("sadness", 0.0) * (1 + max(0.0, relationship.affinity))
            impulse["anger"] = impulse.get("anger", 0.0) * (1 + max(0.0, relationship.rivalry))
        elif name == "praise":
            impulse["affection"] = 0.1 * max(0.0, relationship.affinity)
            impulse["joy"] *= 1.0 - 0.5 * max(0.0, relationship.rivalry)
    return impulse


def appraise(
    mood: Mood,
    act: Act | str,
    *,
    as_target: bool,
    sentiment: float,
    relationship: Relationship | None,
    personality: BigFive,
) -> Mood:
    """Move ``mood`` by one perceived act.

    Args:
        mood: The appraiser's mood before the act.
        act: The act, or an event name such as ``"betray"`` / ``"reveal_secret"``.
        as_target: True if the act was aimed at the appraiser; witnesses are moved less
            (:data:`WITNESS_SCALE`), except for jealousy, which only witnesses feel.
        sentiment: Valence of the wording in [-1, 1]; stronger wording moves more.
        relationship: The appraiser's view of the act's author, if known.
        personality: The appraiser's traits. Neuroticism amplifies negative appraisal,
            agreeableness turns hurt into sadness rather than anger, extraversion lifts joy
            and positive arousal.

    Returns:
        The new mood; every dimension stays in range.
    """
    name = _act_name(act)
    sentiment = clamp(sentiment)
    impulse = _impulse(name, sentiment, relationship, as_target)
    strength = (1.0 + 0.5 * abs(sentiment)) * (1.0 if as_target else WITNESS_SCALE)
    neg_gain = 0.5 + personality.neuroticism
    pos_gain = 0.75 + 0.5 * personality.extraversion
    positive_act = impulse.get("valence", 0.0) > 0
    updates: dict[str, float] = {}
    for key, delta in impulse.items():
        if name in _ANGRY_ACTS and key == "anger":
            delta *= 1.5 - personality.agreeableness
        elif name in _ANGRY_ACTS and key == "sadness":
            delta *= 0.5 + personality.agreeableness
        if (delta > 0 and key in _NEGATIVE) or (key == "valence" and delta < 0):
            delta *= neg_gain
        elif delta > 0 and key in ("joy", "affection", "valence"):
            delta *= pos_gain
        elif key == "arousal" and positive_act:
            delta *= 0.5 + personality.extraversion
        delta = clamp(delta * (1.0 if key == "jealousy" else strength))
        old = float(getattr(mood, key))
        low, high = (-1.0, 1.0) if key == "valence" else (0.0, 1.0)
        # Saturating step: a move covers a fraction of the remaining room, so it never overshoots.
        room = (high - old) if delta > 0 else (old - low)
        updates[key] = old + delta * room
    return _with_updates(mood, updates)


def decay(mood: Mood, *, elapsed_s: float, baseline: Mood, half_life_s: float = 1800.0) -> Mood:
    """Let ``mood`` fade exponentially toward ``baseline`` over ``elapsed_s`` seconds.

    Args:
        mood: The current mood.
        elapsed_s: Seconds since the mood was last updated (negative or NaN counts as 0).
        baseline: The character's resting mood (see :func:`baseline_for`).
        half_life_s: Seconds for every dimension to close half its gap to the baseline.
    """
    if not elapsed_s > 0:
        return mood
    if not half_life_s > 0:
        return baseline
    keep = math.pow(0.5, elapsed_s / half_life_s)
    return Mood(**{
        name: getattr(baseline, name) + (getattr(mood, name) - getattr(baseline, name)) * keep
        for name in _FIELDS
    })


def tie_strength(rel: Relationship) -> float:
    """How strongly ``rel.source_id`` catches ``rel.target_id``'s mood, in [0, 1].

    Familiarity carries moods, warmth and romance strengthen the tie; strangers barely touch.
    """
    aff, rom = rel.affinity, rel.romance
    # ``x if x > 0.0 else 0.0`` is ``max(0.0, x)`` for floats (NaN and -0.0 included).
    warmth = 0.4 + 0.6 * (aff if aff > 0.0 else 0.0)
    return clamp(rel.familiarity * warmth + 0.2 * (rom if rom > 0.0 else 0.0), 0.0, 1.0)


def contagion(
    moods: Mapping[int, Mood], ties: Mapping[tuple[int, int], float], *, rate: float = 0.15
) -> dict[int, Mood]:
    """One synchronous step of emotional contagion.

    Each character moves toward the tie-weighted mean of its neighbours' moods by
    ``rate * (1 - prod(1 - w))`` over its tie strengths ``w``: stronger and more ties pull
    harder, never beyond the neighbours. The result is a convex combination of the old moods
    of the character and its neighbours, so contagion never amplifies a feeling.

    Args:
        moods: Every character's mood, by participant id.
        ties: ``ties[(a, b)]`` in [0, 1] is how strongly ``a`` catches ``b``'s mood (directed;
            pass both directions for a mutual tie). Self-ties, unknown ids and non-positive
            strengths are ignored.
        rate: The most a character can move in one step, in [0, 1].

    Returns:
        The new mood of every character; characters without ties keep theirs unchanged.
    """
    rate = clamp(rate, 0.0, 1.0)
    neighbours: dict[int, list[tuple[int, float]]] = {}
    for (source, target), strength in ties.items():
        weight = clamp(strength, 0.0, 1.0)
        if source != target and source in moods and target in moods and weight > 0:
            neighbours.setdefault(source, []).append((target, weight))
    result = dict(moods)
    # Each mood's values as a tuple in _FIELDS order, read once rather than per neighbour.
    read: dict[int, tuple[float, ...]] = {}

    def values_of(who: int) -> tuple[float, ...]:
        found = read.get(who)
        if found is None:
            mood = moods[who]
            found = read[who] = tuple([getattr(mood, name) for name in _FIELDS])
        return found

    for who, links in neighbours.items():
        total = sum(weight for _, weight in links)
        pull = rate * (1.0 - math.prod(1.0 - weight for _, weight in links))
        weights = [weight for _, weight in links]
        # One column of neighbour values per field: the same products, summed in the same order.
        columns = zip(*[values_of(o) for o, _ in links], strict=True)
        values: dict[str, float] = {}
        for name, mine, column in zip(_FIELDS, values_of(who), columns, strict=True):
            mean = sum(map(operator.mul, column, weights)) / total
            new = (1.0 - pull) * mine + pull * mean
            # The hull of [mine, *column] (as min()/max() pick it: first extreme wins ties),
            # to guard against rounding.
            low, high = min(column), max(column)
            low = low if low < mine else mine
            high = high if high > mine else mine
            values[name] = min(high, max(low, new))
        result[who] = Mood(**values)
    return result
