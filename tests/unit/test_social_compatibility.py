"""Compatibility priors: bounded, symmetric, and following the findings they cite."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.personas import BigFive, Persona
from engine.relationships import Relationship
from engine.social.compatibility import (
    Compatibility,
    Profile,
    compatibility,
    first_impression,
    goal_competition,
    jaccard,
    tokens,
)

unit = st.floats(0.0, 1.0)
big_fives = st.builds(BigFive, unit, unit, unit, unit, unit)
WORDS = ["honesty", "family", "books", "power", "wealth", "duty", "freedom", "music", "Darcy",
         "marry", "win", "the", "tournament", "help", "poor", "become", "heir", "rule", "north"]
phrases = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
profiles = st.builds(Profile, big_fives, st.lists(phrases, max_size=3).map(tuple),
                     st.lists(phrases, max_size=3).map(tuple))
FIELDS = ("overall", "friendship", "romance", "rivalry", "conflict")

WARM = BigFive(openness=0.8, conscientiousness=0.7, extraversion=0.8, agreeableness=0.9,
               neuroticism=0.2)
COLD = BigFive(openness=0.2, conscientiousness=0.3, extraversion=0.3, agreeableness=0.1,
               neuroticism=0.9)


@given(profiles, profiles)
def test_symmetric_and_in_unit_interval(a: Profile, b: Profile) -> None:
    ab, ba = compatibility(a, b), compatibility(b, a)
    for name in FIELDS:
        assert getattr(ab, name) == getattr(ba, name)
        assert 0.0 <= getattr(ab, name) <= 1.0


@given(profiles, profiles)
def test_first_impression_is_a_small_signed_seed(a: Profile, b: Profile) -> None:
    seed = first_impression(compatibility(a, b))
    for value in (seed.affinity, seed.trust, seed.romance, seed.rivalry, seed.respect):
        assert -0.2 <= value <= 0.2
    view = seed.apply_to(Relationship(1, 2, 1, affinity=0.95, trust=-0.95))
    assert -1.0 <= view.affinity <= 1.0 and -1.0 <= view.trust <= 1.0


def test_shared_values_attract_more_than_different_values() -> None:
    base = Profile(values=("honesty", "family"))
    alike = Profile(values=("family", "Honesty!"))
    unlike = Profile(values=("power", "wealth"))
    assert compatibility(base, alike).friendship > compatibility(base, unlike).friendship
    assert compatibility(base, alike).romance > compatibility(base, unlike).romance


def test_agreeable_stable_pairs_fight_less_and_get_on_better() -> None:
    warm = compatibility(Profile(WARM), Profile(WARM))
    cold = compatibility(Profile(COLD), Profile(COLD))
    mixed = compatibility(Profile(WARM), Profile(COLD))
    assert warm.conflict < mixed.conflict < cold.conflict + 1e-9
    assert warm.overall > mixed.overall and warm.friendship > cold.friendship


def test_one_difficult_partner_is_enough_for_conflict() -> None:
    both_warm = compatibility(Profile(WARM), Profile(WARM)).conflict
    assert compatibility(Profile(WARM), Profile(COLD)).conflict > both_warm + 0.2


def test_extraversion_and_openness_help_friendship() -> None:
    social = BigFive(openness=0.9, extraversion=0.9)
    shy = BigFive(openness=0.1, extraversion=0.1)
    assert (compatibility(Profile(social), Profile(social)).friendship
            > compatibility(Profile(shy), Profile(shy)).friendship)


def test_conscientious_agreeable_pairs_suit_long_term_romance() -> None:
    steady = BigFive(conscientiousness=0.9, agreeableness=0.9)
    flighty = BigFive(conscientiousness=0.1, agreeableness=0.1)
    assert (compatibility(Profile(steady), Profile(steady)).romance
            > compatibility(Profile(flighty), Profile(flighty)).romance)


def test_competing_for_the_same_scarce_target_breeds_rivalry() -> None:
    a = Profile(goals=("marry Mr. Darcy",))
    b = Profile(goals=("Marry Darcy before the season ends",))
    cooperative = Profile(goals=("help the poor",))
    assert goal_competition(a.goals, b.goals) >= 0.5
    assert goal_competition(cooperative.goals, cooperative.goals) == 0.0
    rivals = compatibility(a, b)
    neutral = compatibility(Profile(), Profile())
    assert rivals.rivalry > neutral.rivalry + 0.2
    assert rivals.conflict > neutral.conflict
    assert first_impression(rivals).rivalry > 0
    # a shared cooperative goal helps friendship instead
    assert compatibility(cooperative, cooperative).friendship > neutral.friendship


def test_rival_words_without_a_shared_target_do_not_compete() -> None:
    assert goal_competition(("win the tournament",), ("marry Darcy",)) == 0.0


def test_tokens_and_jaccard() -> None:
    assert tokens(["The Books of my Family"]) == frozenset({"book", "family"})
    assert jaccard(frozenset({"a", "b"}), frozenset({"b", "c"})) == 1 / 3
    assert jaccard(frozenset(), frozenset({"a"})) == 0.5  # unknown, not dissimilar


def test_profile_of_persona_and_an_average_pair_starts_near_neutral() -> None:
    persona = Persona(big_five=WARM, values=("wit",), goals=("marry for love",))
    assert Profile.of(persona) == Profile(WARM, ("wit",), ("marry for love",))
    seed = first_impression(compatibility(Profile(), Profile()))
    assert all(abs(v) < 0.05 for v in (seed.affinity, seed.trust, seed.respect))
    assert isinstance(compatibility(Profile(), Profile()), Compatibility)
