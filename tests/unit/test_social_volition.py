"""Social volition: friends seek each other out, rivals provoke, the betrayed go cold.

Statistical scenarios run over many fixed seeds, so they are deterministic.
"""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from engine.acts import Act
from engine.personas import BigFive
from engine.relationships import Relationship
from engine.social.emotions import Mood
from engine.social.volition import Candidate, Context, choose_act, choose_target

SEEDS = range(1000)
PROVOKING = {Act.TEASE, Act.DISAGREE, Act.INSULT}
COLD = {Act.DISAGREE, Act.SMALL_TALK}
ACTOR = BigFive(agreeableness=0.4)


def rel(target: int, *, grudge: float = 0.0, **values: float) -> Relationship:
    """The actor's (id 1) view of ``target``, with a grudge even before the field exists."""
    relationship = Relationship(1, target, 1, **values)  # type: ignore[arg-type]
    object.__setattr__(relationship, "grudge", grudge)  # works with and without the field
    return relationship


FRIEND = Candidate(2, rel(2, affinity=0.7, trust=0.5, familiarity=0.8))
STRANGER = Candidate(3, rel(3))
RIVAL = Candidate(4, rel(4, rivalry=0.7, familiarity=0.5, affinity=-0.1))
BETRAYER = Candidate(5, rel(5, affinity=0.3, trust=-0.6, familiarity=0.8, grudge=0.8))
# The same person before the betrayal, for comparison.
OLD_FRIEND = Candidate(5, rel(5, affinity=0.3, trust=0.4, familiarity=0.8))


def acts_toward(target: Candidate, *, actor: BigFive = ACTOR, mood: Mood | None = None,
                context: Context | None = None) -> Counter[Act]:
    return Counter(
        choose_act(actor, mood or Mood(), target, context or Context(), random.Random(seed))[0]
        for seed in SEEDS
    )


def targets(candidates: list[Candidate], mood: Mood | None = None) -> Counter[int | None]:
    return Counter(choose_target(ACTOR, mood or Mood(), candidates, random.Random(seed))
                   for seed in SEEDS)


def share(counts: Counter[Act], acts: set[Act]) -> float:
    return sum(counts[a] for a in acts) / sum(counts.values())


def test_friends_are_sought_out_far_more_than_strangers() -> None:
    picks = targets([FRIEND, STRANGER])
    assert picks[2] > 5 * picks[3]


def test_no_candidates_means_no_target() -> None:
    assert choose_target(ACTOR, Mood(), [], random.Random(0)) is None


def test_the_betrayed_avoid_the_betrayer_when_calm_and_confront_when_angry() -> None:
    calm_before = targets([OLD_FRIEND, STRANGER])[5]
    calm_after = targets([BETRAYER, STRANGER])[5]
    angry_after = targets([BETRAYER, STRANGER], Mood(anger=0.9))[5]
    assert calm_after < calm_before < angry_after


def test_disagreeable_actors_seek_out_rivals() -> None:
    def rival_picks(actor: BigFive) -> int:
        return sum(choose_target(actor, Mood(), [RIVAL, STRANGER], random.Random(s)) == 4
                   for s in SEEDS)

    assert rival_picks(BigFive(agreeableness=0.1)) > rival_picks(BigFive(agreeableness=0.9))


def test_rivals_get_provoked_far_more_than_friends() -> None:
    assert share(acts_toward(RIVAL), PROVOKING) > 3 * max(0.01, share(acts_toward(FRIEND),
                                                                       PROVOKING))


def test_friends_get_warmth_and_crushes_get_flirted_with() -> None:
    assert share(acts_toward(FRIEND), {Act.PRAISE, Act.JOKE, Act.AGREE, Act.CONFIDE}) > 0.4
    crush = Candidate(6, rel(6, affinity=0.5, romance=0.7, familiarity=0.6))
    assert acts_toward(crush)[Act.FLIRT] > 200
    assert acts_toward(STRANGER)[Act.FLIRT] == 0


def test_the_betrayed_never_confide_in_the_betrayer_and_turn_cold() -> None:
    sad = Mood(sadness=0.9, anger=0.2)
    for mood in (Mood(), sad, Mood(anger=0.9)):
        assert acts_toward(BETRAYER, mood=mood)[Act.CONFIDE] == 0
    assert share(acts_toward(BETRAYER), COLD) > share(acts_toward(OLD_FRIEND), COLD) + 0.2
    # Even a grudge alone (trust intact) forbids confidences.
    grudging = Candidate(7, rel(7, affinity=0.8, trust=0.8, familiarity=0.9, grudge=0.5))
    assert acts_toward(grudging, mood=sad)[Act.CONFIDE] == 0
    assert acts_toward(OLD_FRIEND, mood=sad)[Act.CONFIDE] > 0


def test_a_question_is_always_answered() -> None:
    asked = Context(incoming_act=Act.ASK, from_id=None, addressed_to_me=True)
    for target in (FRIEND, STRANGER, RIVAL, BETRAYER):
        for mood in (Mood(), Mood(anger=1.0)):
            act, rules = choose_act(ACTOR, mood, target, asked, random.Random(1))
            assert act is Act.ANSWER and rules == ["answer_question"]
    assert acts_toward(RIVAL, context=asked) == Counter({Act.ANSWER: len(SEEDS)})


def reply(incoming: Act, target: Candidate = STRANGER, *, actor: BigFive = ACTOR,
          mood: Mood | None = None) -> Counter[Act]:
    context = Context(incoming_act=incoming, from_id=target.participant_id,
                      addressed_to_me=True)
    return acts_toward(target, actor=actor, mood=mood, context=context)


def test_sensible_replies() -> None:
    assert set(reply(Act.GREET, FRIEND)) == {Act.GREET}
    assert set(reply(Act.CONFIDE, FRIEND)) == {Act.HELP}
    assert set(reply(Act.PRAISE, FRIEND)) == {Act.THANK}
    crush = Candidate(6, rel(6, affinity=0.5, romance=0.7, familiarity=0.6))
    assert set(reply(Act.PRAISE, crush)) == {Act.THANK, Act.FLIRT}


def test_insults_are_answered_by_temper() -> None:
    saint = reply(Act.INSULT, actor=BigFive(agreeableness=0.95))
    brute = reply(Act.INSULT, actor=BigFive(agreeableness=0.05), mood=Mood(anger=0.9))
    assert set(saint) | set(brute) <= PROVOKING | {Act.THREATEN}
    assert saint[Act.THREATEN] == 0 and saint[Act.DISAGREE] > saint[Act.INSULT]
    assert brute[Act.INSULT] > brute[Act.DISAGREE]
    assert 0 < brute[Act.THREATEN] < len(SEEDS) / 3  # rare even at its worst


def test_apologies_are_accepted_unless_a_grudge_is_held() -> None:
    assert reply(Act.APOLOGISE, FRIEND).most_common(1)[0][0] is Act.AGREE
    assert share(reply(Act.APOLOGISE, BETRAYER), {Act.DISAGREE}) > 0.7


def test_an_act_from_someone_else_is_not_answered_to_the_target() -> None:
    other = Context(incoming_act=Act.ASK, from_id=99)
    assert acts_toward(FRIEND, context=other)[Act.ANSWER] == 0


def test_humans_are_never_threatened() -> None:
    enemy = rel(8, affinity=-0.9, rivalry=0.8, familiarity=0.5)
    furious = Mood(anger=1.0)
    brute = BigFive(agreeableness=0.0)
    assert acts_toward(Candidate(8, enemy), actor=brute, mood=furious)[Act.THREATEN] > 0
    human = Candidate(8, enemy, is_human=True)
    assert acts_toward(human, actor=brute, mood=furious)[Act.THREATEN] == 0


def test_goals_and_company_shape_the_choice_and_are_explained() -> None:
    courting = Context(goals=("win Jane's heart",))
    crush = Candidate(6, rel(6, affinity=0.3, romance=0.3, familiarity=0.6))
    assert acts_toward(crush, context=courting)[Act.FLIRT] > acts_toward(crush)[Act.FLIRT]
    _, rules = choose_act(ACTOR, Mood(), crush, courting, random.Random(0))
    assert "goal:romance" in rules and "crush" in rules
    _, rules = choose_act(ACTOR, Mood(), RIVAL, Context(allies_present=frozenset({4})),
                          random.Random(0))
    assert "rivalry" in rules and "in_company" in rules


def test_same_seed_same_choices() -> None:
    def run(seed: int) -> list[object]:
        rng = random.Random(seed)
        out: list[object] = []
        for _ in range(50):
            out.append(choose_target(ACTOR, Mood(), [FRIEND, STRANGER, RIVAL, BETRAYER], rng))
            out.append(choose_act(ACTOR, Mood(anger=0.5), RIVAL, Context(), rng))
        return out

    assert run(7) == run(7)
    assert run(7) != run(8)


unit = st.floats(min_value=0, max_value=1, allow_nan=False)
signed = st.floats(min_value=-1, max_value=1, allow_nan=False)


@given(st.builds(BigFive, unit, unit, unit, unit, unit),
       st.builds(Mood, signed, unit, unit, unit, unit, unit, unit, unit),
       signed, signed, unit, signed, signed, unit,
       st.one_of(st.none(), st.sampled_from(list(Act))), st.booleans(), st.integers(0, 99))
def test_any_situation_yields_a_valid_act_and_keeps_the_hard_limits(
    actor: BigFive, mood: Mood, affinity: float, trust: float, familiarity: float,
    romance: float, rivalry: float, grudge: float, incoming: Act | None, human: bool, seed: int,
) -> None:
    target = Candidate(2, rel(2, affinity=affinity, trust=trust, familiarity=familiarity,
                              romance=romance, rivalry=rivalry, grudge=grudge), is_human=human)
    act, rules = choose_act(actor, mood, target, Context(incoming_act=incoming),
                            random.Random(seed))
    assert isinstance(act, Act) and rules
    if incoming is not Act.CONFIDE and incoming is not Act.ASK and (grudge > 0.1 or trust < 0):
        assert act is not Act.CONFIDE
    if human:
        assert act is not Act.THREATEN
    assert choose_target(actor, mood, [target, STRANGER], random.Random(seed)) in (2, 3)
