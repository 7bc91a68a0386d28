"""Moods: bounded under any appraisal, fading to baseline, spreading without amplifying."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.acts import Act
from engine.personas import BigFive
from engine.relationships import Relationship
from engine.social.emotions import (
    EMOTIONS,
    Mood,
    appraise,
    baseline_for,
    contagion,
    decay,
    tie_strength,
)

FIELDS = ("valence", "arousal", *EMOTIONS)
unit = st.floats(min_value=0, max_value=1, allow_nan=False)
signed = st.floats(min_value=-1, max_value=1, allow_nan=False)
any_float = st.floats(allow_nan=True, allow_infinity=True)
big_fives = st.builds(BigFive, unit, unit, unit, unit, unit)
relationships = st.one_of(
    st.none(),
    st.builds(Relationship, st.just(1), st.just(2), st.just(1), affinity=signed, trust=signed,
              familiarity=unit, romance=signed, rivalry=signed, respect=signed),
)
moods = st.builds(Mood, signed, unit, unit, unit, unit, unit, unit, unit)
act_names = st.one_of(st.sampled_from(list(Act)),
                      st.sampled_from(["betray", "reveal_secret", "gossip", "BETRAY"]))
CALM = BigFive()


def assert_bounded(mood: Mood) -> None:
    for name, value in mood.as_dict().items():
        assert not math.isnan(value), name
        low = -1.0 if name == "valence" else 0.0
        assert low <= value <= 1.0, (name, value)


@settings(max_examples=200)
@given(st.lists(st.tuples(act_names, st.booleans(), any_float, relationships), max_size=60),
       big_fives)
def test_mood_stays_bounded_under_any_appraisals(
    events: list[tuple[Act | str, bool, float, Relationship | None]], personality: BigFive
) -> None:
    mood = baseline_for(personality)
    for act, as_target, sentiment, rel in events:
        mood = appraise(mood, act, as_target=as_target, sentiment=sentiment, relationship=rel,
                        personality=personality)
        assert_bounded(mood)


@given(any_float, any_float, any_float)
def test_mood_construction_clamps_and_drops_nan(valence: float, arousal: float, joy: float) -> None:
    assert_bounded(Mood(valence=valence, arousal=arousal, joy=joy))


@given(moods, moods, st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_decay_closes_the_gap_and_converges(mood: Mood, baseline: Mood, elapsed: float) -> None:
    def gap(m: Mood) -> float:
        return max(abs(getattr(m, f) - getattr(baseline, f)) for f in FIELDS)

    later = decay(mood, elapsed_s=elapsed, baseline=baseline)
    assert_bounded(later)
    assert gap(later) <= gap(mood) + 1e-12
    assert gap(decay(mood, elapsed_s=1800 * 60, baseline=baseline)) < 1e-9
    assert decay(mood, elapsed_s=0, baseline=baseline) == mood


def test_decay_halves_the_gap_per_half_life() -> None:
    mood = Mood(anger=0.8)
    half = decay(mood, elapsed_s=600, baseline=Mood(), half_life_s=600)
    assert math.isclose(half.anger, 0.4)


def test_baseline_is_sunnier_for_extraverts_and_gloomier_for_neurotics() -> None:
    assert baseline_for(BigFive(extraversion=0.9)).valence > baseline_for(CALM).valence
    assert baseline_for(BigFive(neuroticism=0.9)).valence < baseline_for(CALM).valence
    assert baseline_for(CALM).dominant() == ("calm", 0.0)


def hit(act: Act | str, personality: BigFive = CALM, *, as_target: bool = True,
        rel: Relationship | None = None) -> Mood:
    return appraise(Mood(), act, as_target=as_target, sentiment=0.0, relationship=rel,
                    personality=personality)


def test_insults_anger_the_disagreeable_and_sadden_the_agreeable() -> None:
    prickly = hit(Act.INSULT, BigFive(agreeableness=0.1))
    gentle = hit(Act.INSULT, BigFive(agreeableness=0.9))
    assert prickly.anger > gentle.anger and gentle.sadness > prickly.sadness
    assert hit(Act.INSULT).valence < 0


def test_neuroticism_amplifies_hurt_and_extraversion_lifts_joy() -> None:
    assert hit(Act.INSULT, BigFive(neuroticism=0.9)).anger > hit(Act.INSULT).anger
    assert (hit(Act.PRAISE, BigFive(extraversion=0.9)).arousal
            > hit(Act.PRAISE, BigFive(extraversion=0.1)).arousal)
    praised = hit(Act.PRAISE)
    assert praised.dominant()[0] == "joy" and praised.emoji() == "😊"


def test_flirting_pleases_only_from_someone_one_fancies() -> None:
    crush = Relationship(1, 2, 1, romance=0.6, affinity=0.5)
    assert hit(Act.FLIRT, rel=crush).affection > 0.2
    unwanted = hit(Act.FLIRT, rel=Relationship(1, 2, 1))
    assert unwanted.affection == 0 and unwanted.valence < 0


def test_watching_ones_crush_flirt_stirs_jealousy() -> None:
    crush = Relationship(1, 2, 1, romance=0.6)
    jealous = hit(Act.FLIRT, as_target=False, rel=crush)
    assert jealous.dominant()[0] == "jealousy" and jealous.emoji() == "😒"


def test_betrayal_hurts_more_than_an_insult_and_accepts_event_names() -> None:
    betrayed = hit("betray")
    insulted = hit(Act.INSULT)
    assert betrayed.anger > insulted.anger and betrayed.sadness > insulted.sadness
    assert hit("reveal_secret") == betrayed
    assert betrayed.valence < -0.3


def test_witnesses_are_moved_less_than_targets() -> None:
    assert 0 < hit(Act.INSULT, as_target=False).anger < hit(Act.INSULT).anger
    assert 0 < hit(Act.PRAISE, as_target=False).joy < hit(Act.PRAISE).joy


def test_an_apology_soothes_anger() -> None:
    angry = Mood(anger=0.6)
    soothed = appraise(angry, Act.APOLOGISE, as_target=True, sentiment=0.0, relationship=None,
                       personality=CALM)
    assert soothed.anger < angry.anger


def test_dominant_and_emoji() -> None:
    assert Mood().dominant() == ("calm", 0.0) and Mood().emoji() == "😐"
    assert Mood(anger=0.7, sadness=0.3).dominant() == ("anger", 0.7)
    assert Mood(anger=0.7).emoji() == "😠"
    assert Mood.from_dict(Mood(fear=0.5).as_dict()) == Mood(fear=0.5)


# --- contagion -------------------------------------------------------------------------------

ids = st.integers(min_value=0, max_value=5)


@settings(max_examples=200)
@given(st.dictionaries(ids, moods, min_size=1),
       st.dictionaries(st.tuples(ids, ids), st.floats(min_value=-0.5, max_value=1.5)),
       st.floats(min_value=0, max_value=1))
def test_contagion_never_amplifies(
    old: dict[int, Mood], ties: dict[tuple[int, int], float], rate: float
) -> None:
    new = contagion(old, ties, rate=rate)
    assert new.keys() == old.keys()
    for who, mood in new.items():
        group = [who, *(b for (a, b), w in ties.items() if a == who and b in old and w > 0)]
        for name in FIELDS:
            values = [getattr(old[g], name) for g in group]
            assert min(values) <= getattr(mood, name) <= max(values), (who, name)
        if len(group) == 1:
            assert mood == old[who]


def test_two_equally_tied_neighbours_pull_toward_each_other() -> None:
    old = {1: Mood(valence=0.8, joy=0.8), 2: Mood(valence=-0.4, anger=0.6)}
    new = contagion(old, {(1, 2): 0.7, (2, 1): 0.7})
    assert new[2].valence > old[2].valence and new[1].valence < old[1].valence
    assert math.isclose(old[1].valence - new[1].valence, new[2].valence - old[2].valence)
    assert new[2].joy > 0 and new[1].anger > 0
    assert abs(new[1].valence - new[2].valence) < abs(old[1].valence - old[2].valence)


def test_stronger_ties_spread_more_and_loners_are_untouched() -> None:
    old = {1: Mood(anger=0.9), 2: Mood(), 3: Mood(), 4: Mood(sadness=0.5)}
    new = contagion(old, {(2, 1): 0.9, (3, 1): 0.2})
    assert new[2].anger > new[3].anger > 0
    assert new[4] == old[4] and new[1] == old[1]


@given(signed, signed, unit, signed)
def test_tie_strength_is_bounded_and_grows_with_closeness(
    affinity: float, trust: float, familiarity: float, romance: float
) -> None:
    rel = Relationship(1, 2, 1, affinity=affinity, trust=trust, familiarity=familiarity,
                       romance=romance)
    assert 0.0 <= tie_strength(rel) <= 1.0
    assert tie_strength(Relationship(1, 2, 1)) == 0.0
    close = Relationship(1, 2, 1, affinity=0.8, familiarity=0.9)
    assert tie_strength(close) > tie_strength(Relationship(1, 2, 1, familiarity=0.9))
