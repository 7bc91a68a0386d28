"""Personality drift: slow, bounded by the card's origin, and logged."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.acts import Act
from engine.personas import BigFive
from engine.social.drift import Experience, drift

unit = st.floats(0.0, 1.0)
big_fives = st.builds(BigFive, unit, unit, unit, unit, unit)
ACTS = [*(a.value for a in Act), "keep_secret", "reveal_secret", "ally", "betray"]
experiences = st.builds(Experience, st.sampled_from(ACTS),
                        st.floats(allow_nan=True, allow_infinity=True), st.booleans())
ORIGIN = BigFive()


@given(big_fives, st.lists(experiences, max_size=300), st.floats(0, 0.05), st.floats(0, 0.3))
def test_drift_is_bounded_and_every_change_logged(
    origin: BigFive, exps: list[Experience], rate: float, bound: float
) -> None:
    result, records = drift(origin, exps, rate=rate, bound=bound, origin=origin)
    replay = origin.as_dict()
    for rec in records:
        assert rec.old == replay[rec.trait] and rec.new != rec.old and rec.cause
        replay[rec.trait] = rec.new
    assert replay == result.as_dict()
    for trait, value in result.as_dict().items():
        assert abs(value - origin.as_dict()[trait]) <= bound + 1e-12
        assert 0.0 <= value <= 1.0


def test_repeated_betrayal_makes_anxious_and_disagreeable() -> None:
    after, records = drift(ORIGIN, [Experience("betray", -1.0, True)] * 10, origin=ORIGIN)
    assert after.neuroticism > ORIGIN.neuroticism
    assert after.agreeableness < ORIGIN.agreeableness
    assert records[0].cause == "betray (received)"
    assert after.neuroticism - ORIGIN.neuroticism == pytest.approx(10 * 0.002 * 2.0)


def test_warmth_and_confiding_open_people_up() -> None:
    warm, _ = drift(ORIGIN, [Experience(Act.PRAISE, 0.8, True),
                             Experience(Act.HELP, 0.6, True)] * 5, origin=ORIGIN)
    assert warm.agreeableness > 0.5 and warm.extraversion > 0.5
    confiding, _ = drift(ORIGIN, [Experience(Act.CONFIDE, 0.4, False)] * 5, origin=ORIGIN)
    assert confiding.openness > 0.5


def test_drift_saturates_at_the_bound() -> None:
    after, records = drift(ORIGIN, [Experience("betray", -1.0, True)] * 1000, origin=ORIGIN)
    assert after.neuroticism == pytest.approx(0.6) and after.agreeableness == pytest.approx(0.4)
    assert len(records) < 1000  # pinned traits are not logged again


def test_unknown_acts_count_by_valence_only_when_received() -> None:
    hurt, _ = drift(ORIGIN, [Experience("snub", -1.0, True)], origin=ORIGIN)
    assert hurt.neuroticism > 0.5
    same, records = drift(ORIGIN, [Experience("snub", -1.0, False)], origin=ORIGIN)
    assert same == ORIGIN and records == []


def test_start_outside_the_window_is_pulled_back_and_bad_arguments_fail() -> None:
    far = BigFive(neuroticism=0.9)
    after, records = drift(far, [], origin=ORIGIN)
    assert after.neuroticism == pytest.approx(0.6) and records[0].cause == "bound"
    with pytest.raises(ValueError):
        drift(ORIGIN, [], rate=-1, origin=ORIGIN)
    with pytest.raises(ValueError):
        drift(ORIGIN, [], bound=float("nan"), origin=ORIGIN)


def test_drift_is_deterministic() -> None:
    exps = [Experience("insult", -0.5, True), Experience("thank", 0.5, True)] * 7
    assert drift(ORIGIN, exps, origin=ORIGIN) == drift(ORIGIN, exps, origin=ORIGIN)
