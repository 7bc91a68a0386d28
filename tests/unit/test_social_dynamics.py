"""Relationship dynamics: bounded, explained, personality- and history-aware, fading in time."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.acts import Act
from engine.personas import BigFive
from engine.relationships import Relationship
from engine.social.compatibility import Profile
from engine.social.dynamics import (
    BASE_EFFECTS,
    ChangeRecord,
    RelationshipDelta,
    decay,
    main_causes,
    pair_labels,
    respond_to_act,
)

NOW = datetime(2024, 5, 1, 12, 0)
DAY = 24 * 3600.0
SIGNED = ("affinity", "trust", "romance", "rivalry", "respect")
ACTS = [*(a.value for a in Act), "keep_secret", "reveal_secret", "ally", "betray", "wave"]

unit = st.floats(0.0, 1.0)
signed = st.floats(-1.0, 1.0)
big_fives = st.builds(BigFive, unit, unit, unit, unit, unit)
perceivers = st.one_of(st.none(), st.builds(Profile, big_fives))
views = st.builds(Relationship, st.just(1), st.just(2), st.just(1), signed, signed, unit,
                  signed, signed, signed, unit,
                  st.sampled_from(["stranger", "friend", "close friend", "partner", "enemy"]))
sentiments = st.floats(allow_nan=True, allow_infinity=True)


def act(view: Relationship, name: Act | str, sentiment: float = 0.5,
        perceiver: Profile | None = None) -> Relationship:
    return respond_to_act(view, name, sentiment=sentiment, actor=None,
                          perceiver=perceiver or Profile(), now=NOW, cause="test")[0]


def fresh() -> Relationship:
    return Relationship(source_id=1, target_id=2, ecosystem_id=1)


def bounded(v: Relationship) -> bool:
    values = [getattr(v, k) for k in SIGNED]
    return (all(-1.0 <= x <= 1.0 and not math.isnan(x) for x in values)
            and 0.0 <= v.familiarity <= 1.0 and 0.0 <= v.grudge <= 1.0)


@given(views, perceivers, st.lists(st.tuples(st.sampled_from(ACTS), sentiments), max_size=60))
def test_values_stay_bounded_under_any_act_sequence(
    view: Relationship, perceiver: Profile | None, acts: list[tuple[str, float]]
) -> None:
    for name, sentiment in acts:
        before = view
        view, record = respond_to_act(view, name, sentiment=sentiment, actor=None,
                                      perceiver=perceiver, now=NOW, cause="c")
        assert bounded(view)
        assert view.familiarity >= before.familiarity  # every interaction adds familiarity
        assert view.interactions == before.interactions + 1
        assert record.deltas["trust"] == pytest.approx(view.trust - before.trust)
        assert (record.old_label, record.new_label) == (before.label, view.label)


@given(views, perceivers, st.sampled_from(["betray", "reveal_secret"]), st.floats(-1, 1))
def test_betrayal_always_lowers_trust(
    view: Relationship, perceiver: Profile | None, name: str, sentiment: float
) -> None:
    after = respond_to_act(view, name, sentiment=sentiment, actor=None, perceiver=perceiver,
                           now=NOW, cause="told everyone")[0]
    assert after.trust <= -0.4
    assert after.trust < view.trust or view.trust == -1.0
    assert after.trust <= max(-1.0, view.trust - 0.5)
    assert after.grudge > view.grudge or view.grudge >= 1.0 - 1e-9
    assert after.affinity <= view.affinity


@given(st.floats(0.35, 0.99), big_fives, st.floats(0.0, 1.0))
def test_praise_from_a_friend_raises_affinity(
    affinity: float, traits: BigFive, sentiment: float
) -> None:
    friend = replace(fresh(), affinity=affinity, trust=0.3, label="friend")
    assert act(friend, Act.PRAISE, sentiment, Profile(traits)).affinity > affinity


def test_enum_and_string_acts_are_the_same() -> None:
    assert act(fresh(), Act.INSULT) == act(fresh(), "insult") == act(fresh(), " Insult ")
    assert set(BASE_EFFECTS) >= {a.value for a in Act} | {"keep_secret", "ally", "betray"}


def test_unknown_act_only_adds_familiarity() -> None:
    after = act(fresh(), "wave", sentiment=0.0)
    assert all(getattr(after, k) == 0 for k in SIGNED) and after.familiarity > 0


def test_praise_from_an_enemy_counts_less_and_raises_suspicion() -> None:
    enemy = replace(fresh(), affinity=-0.7, trust=0.0, label="enemy")
    neutral = replace(fresh(), affinity=0.0, trust=0.0)
    assert act(enemy, "praise").trust < 0
    assert (act(enemy, "praise").affinity - enemy.affinity
            < act(neutral, "praise").affinity - neutral.affinity)


def test_an_insult_from_a_close_friend_hurts_more() -> None:
    friend = replace(fresh(), affinity=0.6, trust=0.5, label="close friend")
    known = replace(fresh(), affinity=0.0, familiarity=0.3, label="acquaintance")
    # compare raw drops without the (1 + value) saturation: divide it out
    friend_drop = (friend.affinity - act(friend, "insult").affinity) / (1 + friend.affinity)
    known_drop = (known.affinity - act(known, "insult").affinity) / (1 + known.affinity)
    assert friend_drop == pytest.approx(1.5 * known_drop, rel=0.05)


def test_neuroticism_amplifies_and_agreeableness_dampens_hurt() -> None:
    anxious = Profile(BigFive(neuroticism=1.0, agreeableness=0.5))
    calm = Profile(BigFive(neuroticism=0.0, agreeableness=0.5))
    kind = Profile(BigFive(neuroticism=0.5, agreeableness=1.0))
    harsh = Profile(BigFive(neuroticism=0.5, agreeableness=0.0))
    assert act(fresh(), "insult", perceiver=anxious).affinity < act(
        fresh(), "insult", perceiver=calm).affinity
    assert act(fresh(), "insult", perceiver=kind).affinity > act(
        fresh(), "insult", perceiver=harsh).affinity


def test_agreeable_people_forgive_apologies_more() -> None:
    hurt = replace(fresh(), affinity=-0.3, trust=-0.2, grudge=0.5)
    kind = act(hurt, "apologise", perceiver=Profile(BigFive(agreeableness=1.0)))
    harsh = act(hurt, "apologise", perceiver=Profile(BigFive(agreeableness=0.0)))
    assert kind.affinity > harsh.affinity and kind.trust > harsh.trust
    assert kind.grudge < harsh.grudge < hurt.grudge


def test_openness_makes_teasing_land_better() -> None:
    open_ = act(fresh(), "tease", perceiver=Profile(BigFive(openness=1.0)))
    closed = act(fresh(), "tease", perceiver=Profile(BigFive(openness=0.0)))
    assert open_.affinity > 0 > closed.affinity and open_.rivalry < closed.rivalry


def test_disagreeable_people_make_less_of_praise() -> None:
    warm = act(fresh(), "praise", perceiver=Profile(BigFive(agreeableness=0.8)))
    cold = act(fresh(), "praise", perceiver=Profile(BigFive(agreeableness=0.0)))
    assert cold.affinity < warm.affinity


def test_saturation_is_smooth() -> None:
    high = replace(fresh(), affinity=0.9)
    low = replace(fresh(), affinity=0.1)
    assert act(high, "help").affinity - 0.9 < act(low, "help").affinity - 0.1


def test_repeated_kindness_makes_a_friend_then_a_close_friend() -> None:
    view, labels = fresh(), ["stranger"]
    for i in range(40):
        view = act(view, ["greet", "help", "praise", "confide", "thank"][i % 5])
        if view.label != labels[-1]:
            labels.append(view.label)
    assert labels == ["stranger", "acquaintance", "friend", "close friend"]


def test_friends_then_a_betrayal_are_estranged_and_history_says_why() -> None:
    view, history = fresh(), []
    for i in range(20):
        view, rec = respond_to_act(view, ["help", "confide"][i % 2], sentiment=0.4, actor=None,
                                   perceiver=Profile(), now=NOW, cause="kindness")
        history.append(rec)
    assert view.label in {"friend", "close friend"}
    view, rec = respond_to_act(view, "betray", sentiment=-0.6, actor=None, perceiver=Profile(),
                               now=NOW, cause="sold the secret to Wickham")
    history.append(rec)
    assert view.label == "estranged" and view.grudge > 0
    assert isinstance(rec, ChangeRecord) and rec.new_label == "estranged"
    why = main_causes(history, "trust")
    assert why[0].cause == "sold the secret to Wickham"
    assert "betray (sold the secret to Wickham)" in why[0].describe()
    assert main_causes(history, "affinity", negative=False)[0].act in {"help", "confide"}


def test_repeated_insults_make_a_rival_or_enemy() -> None:
    view = fresh()
    for _ in range(10):
        view = act(view, "insult", sentiment=-0.5)
    assert view.label in {"rival", "enemy"}
    assert view.rivalry > 0.3 and view.affinity < -0.3


def test_mutual_flirting_makes_partners_only_as_a_pair() -> None:
    a = b = fresh()
    for i in range(40):
        kind = ["flirt", "help", "confide", "praise"][i % 4]
        a, b = act(a, kind), act(b, kind)
    assert a.label == b.label == "crush"
    assert pair_labels(a, b, (a.label, b.label)) == ("partner", "partner")


def test_delta_between_and_record_describe() -> None:
    old, new = fresh(), replace(fresh(), affinity=0.25, grudge=0.1)
    delta = RelationshipDelta.between(old, new)
    assert delta.affinity == 0.25 and delta.grudge == 0.1 and delta.as_dict()["trust"] == 0


# --- decay --------------------------------------------------------------------------------

@given(views, st.one_of(st.none(), views), st.lists(st.floats(0, 30 * DAY), max_size=20))
def test_decay_converges_to_the_baseline_monotonically(
    view: Relationship, baseline: Relationship | None, steps: list[float]
) -> None:
    rest = baseline or fresh()

    def distance(v: Relationship) -> list[float]:
        return [abs(getattr(v, k) - getattr(rest, k)) for k in SIGNED]

    for elapsed in steps:
        nxt = decay(view, elapsed_s=elapsed, baseline=baseline)
        assert bounded(nxt)
        assert all(n <= o + 1e-12 for n, o in zip(distance(nxt), distance(view), strict=True))
        assert nxt.familiarity <= view.familiarity and nxt.grudge <= view.grudge
        view = nxt
    final = decay(view, elapsed_s=math.inf, baseline=baseline)
    assert all(d == pytest.approx(0, abs=1e-9) for d in distance(final))


def test_trust_heals_slower_while_a_grudge_lingers_and_familiarity_lasts() -> None:
    hurt = replace(fresh(), trust=-0.6, affinity=-0.6, familiarity=0.8, grudge=0.8)
    month = decay(hurt, elapsed_s=7 * DAY)
    assert month.affinity == pytest.approx(-0.3)
    assert month.trust == pytest.approx(-0.6 * 0.5 ** 0.25)
    assert month.grudge == pytest.approx(0.8 * 0.5 ** 0.125)
    assert month.familiarity == pytest.approx(0.8 * 0.5 ** 0.1)
    no_grudge = decay(replace(hurt, grudge=0.0), elapsed_s=7 * DAY)
    assert no_grudge.trust == pytest.approx(-0.3)


def test_decay_to_a_first_impression_baseline_and_edge_cases() -> None:
    baseline = replace(fresh(), affinity=0.15)
    after = decay(replace(fresh(), affinity=0.95), elapsed_s=14 * DAY, baseline=baseline)
    assert after.affinity == pytest.approx(0.15 + 0.8 * 0.25)
    view = replace(fresh(), affinity=0.5)
    assert decay(view, elapsed_s=0) == view == decay(view, elapsed_s=-5)
    assert decay(view, elapsed_s=math.nan) == view
    with pytest.raises(ValueError):
        decay(view, elapsed_s=1.0, half_life_s=0)


def test_friendship_fades_into_acquaintance_over_time() -> None:
    friend = replace(fresh(), affinity=0.4, familiarity=0.5, label="friend")
    assert decay(friend, elapsed_s=7 * DAY).label == "acquaintance"
