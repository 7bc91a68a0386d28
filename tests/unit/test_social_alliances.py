"""Alliances form against common enemies and break on betrayal; conflicts rise and cool."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.acts import Act
from engine.personas import BigFive
from engine.relationships import Relationship
from engine.social.alliances import (
    Alliance,
    AllianceContext,
    evaluate,
    form_alliance,
    group_dynamics,
    propose,
)
from engine.social.conflicts import (
    CONCILIATORY_ACTS,
    HOSTILE_ACTS,
    Conflict,
    de_escalate,
    detect_conflicts,
    escalate,
    update,
)

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
LIZZY, JANE, WICKHAM, DARCY, CHARLOTTE = 1, 2, 3, 4, 5
NAMES = {LIZZY: "Elizabeth", JANE: "Jane", WICKHAM: "Wickham", DARCY: "Darcy",
         CHARLOTTE: "Charlotte"}
Views = dict[tuple[int, int], Relationship]


def rel(source: int, target: int, **values: float | str) -> Relationship:
    return Relationship(source, target, 1, **values)  # type: ignore[arg-type]


def link(views: Views, a: int, b: int, **values: float | str) -> None:
    """Set the same view in both directions."""
    views[(a, b)] = rel(a, b, **values)
    views[(b, a)] = rel(b, a, **values)


def sisters_against_wickham() -> Views:
    views: Views = {}
    link(views, LIZZY, JANE, trust=0.6, affinity=0.6, label="close friend")
    for sister in (LIZZY, JANE):
        views[(sister, WICKHAM)] = rel(sister, WICKHAM, rivalry=0.6, affinity=-0.3, label="rival")
        views[(WICKHAM, sister)] = rel(WICKHAM, sister, affinity=0.2)
    return views


def test_an_alliance_forms_against_a_common_rival() -> None:
    context = AllianceContext(sisters_against_wickham(), names=NAMES)
    proposals = propose(context, [LIZZY, JANE, WICKHAM], NOW)
    assert proposals, "the sisters should be offered an alliance"
    best = proposals[0]
    assert best.members == frozenset({LIZZY, JANE})
    assert best.against == frozenset({WICKHAM}) and best.purpose == "against Wickham"
    assert any(reason.startswith("common enemy") for reason in best.reasons)
    assert all(WICKHAM not in p.members for p in proposals)


def test_enemies_are_never_proposed_together() -> None:
    views = sisters_against_wickham()
    views[(JANE, LIZZY)] = rel(JANE, LIZZY, affinity=-0.7, trust=0.6, label="enemy")
    goals = {LIZZY: ("marry well",), JANE: ("marry well",)}
    context = AllianceContext(views, goals=goals, names=NAMES)
    assert all(not {LIZZY, JANE} <= p.members for p in propose(context, [LIZZY, JANE], NOW))


def test_shared_goals_and_groups_of_three() -> None:
    views = sisters_against_wickham()
    link(views, CHARLOTTE, LIZZY, trust=0.5, affinity=0.5)
    link(views, CHARLOTTE, JANE, trust=0.5, affinity=0.5)
    views[(CHARLOTTE, WICKHAM)] = rel(CHARLOTTE, WICKHAM, rivalry=0.5, label="rival")
    context = AllianceContext(views, names=NAMES)
    proposals = propose(context, [LIZZY, JANE, CHARLOTTE, WICKHAM], NOW)
    trio = [p for p in proposals if p.members == frozenset({LIZZY, JANE, CHARLOTTE})]
    assert trio and trio[0].purpose == "against Wickham"

    friends: Views = {}
    link(friends, CHARLOTTE, JANE, trust=0.6, affinity=0.5)
    goals = {CHARLOTTE: ("marry well", "keep a comfortable home"), JANE: ("marry well",)}
    traits = {CHARLOTTE: BigFive(conscientiousness=0.9, extraversion=0.2),
              JANE: BigFive(conscientiousness=0.4, extraversion=0.8)}
    context = AllianceContext(friends, goals=goals, personalities=traits, names=NAMES)
    (proposal,) = propose(context, [CHARLOTTE, JANE], NOW)
    assert proposal.purpose == "shared goal: marry well"
    assert "shared goal: marry well" in proposal.reasons
    assert any(r.startswith("mutual trust") for r in proposal.reasons)


def test_a_betrayal_between_members_dissolves_the_alliance_and_says_why() -> None:
    context = AllianceContext(sisters_against_wickham(), names=NAMES)
    alliance = form_alliance(propose(context, [LIZZY, JANE, WICKHAM], NOW)[0], NOW)
    assert alliance.status == "active"
    kept = evaluate(alliance, context, NOW + timedelta(hours=1))
    assert kept.status == "active" and kept.history == alliance.history
    broken = evaluate(kept, context, NOW + timedelta(hours=2), betrayals={(JANE, LIZZY)})
    assert broken.status == "dissolved"
    assert "Jane betrayed Elizabeth" in broken.history[-1]
    # A betrayal of an outsider does not touch the pact.
    assert evaluate(kept, context, NOW, betrayals={(JANE, DARCY)}).status == "active"
    # Dissolved stays dissolved.
    assert evaluate(broken, context, NOW + timedelta(days=1)) == broken


def test_rivalry_inside_strains_then_reconciliation_restores_with_hysteresis() -> None:
    views = sisters_against_wickham()
    context = AllianceContext(views, names=NAMES)
    alliance = form_alliance(propose(context, [LIZZY, JANE], NOW)[0], NOW)
    feuding = dict(views)
    feuding[(JANE, LIZZY)] = rel(JANE, LIZZY, trust=0.2, affinity=0.1, rivalry=0.5,
                                 label="rival")
    strained = evaluate(alliance, AllianceContext(feuding, names=NAMES), NOW)
    assert strained.status == "strained" and strained.strength < alliance.strength
    assert "Elizabeth and Jane became rivals" in strained.history[-1]
    # Reconciled: recovery needs strength back above the (higher) recovery threshold.
    steps = [strained]
    for hour in range(1, 30):
        steps.append(evaluate(steps[-1], context, NOW + timedelta(hours=hour)))
    statuses = [s.status for s in steps]
    assert statuses[-1] == "active"
    first_active = statuses.index("active")
    assert all(s == "active" for s in statuses[first_active:])  # no flicker
    assert "trust restored" in steps[first_active].history[-1]


def test_group_dynamics_finds_leader_and_weakest_link() -> None:
    views: Views = {}
    link(views, LIZZY, JANE, trust=0.8, affinity=0.8)
    link(views, LIZZY, CHARLOTTE, trust=0.3, affinity=0.2)
    link(views, JANE, CHARLOTTE, trust=0.1, affinity=0.1)
    views[(JANE, LIZZY)] = rel(JANE, LIZZY, trust=0.8, affinity=0.8, respect=0.9)
    views[(CHARLOTTE, LIZZY)] = rel(CHARLOTTE, LIZZY, trust=0.3, affinity=0.2, respect=0.7)
    alliance = Alliance(members=frozenset({LIZZY, JANE, CHARLOTTE}), purpose="mutual support",
                        formed_at=NOW, status="active")
    report = group_dynamics(alliance, AllianceContext(views))
    assert report.leader == LIZZY and report.weakest_link == CHARLOTTE
    assert 0 < report.cohesion < 1


def test_conflicts_escalate_with_insults_and_cool_with_apologies() -> None:
    conflict = Conflict(frozenset({LIZZY, DARCY}))
    stages = [conflict.stage]
    for i in range(8):
        conflict = escalate(conflict, Act.INSULT, NOW + timedelta(minutes=i))
        stages.append(conflict.stage)
    assert conflict.stage == "feud"
    assert [s for i, s in enumerate(stages) if i == 0 or s != stages[i - 1]] == [
        "tension", "open", "feud"]
    for i in range(20):
        conflict = de_escalate(conflict, "apologise", NOW + timedelta(hours=i))
        stages.append(conflict.stage)
    assert conflict.stage == "resolved"
    assert "cooling" in stages
    assert any("apologise" in line and "feud -> cooling" in line for line in conflict.history)
    # Non-conflict acts change nothing; strings and Acts are both accepted.
    assert escalate(conflict, "praise", NOW) == conflict
    assert update(conflict, "reveal_secret", NOW).intensity > conflict.intensity


def test_no_flicker_around_a_stage_threshold() -> None:
    conflict = Conflict(frozenset({LIZZY, DARCY}), intensity=0.38)
    conflict = escalate(conflict, Act.DISAGREE, NOW)  # crosses 0.40 -> open
    assert conflict.stage == "open"
    for i in range(20):
        conflict = update(conflict, Act.AGREE if i % 2 == 0 else Act.TEASE, NOW)
    assert conflict.stage == "open"
    assert len(conflict.history) == 1


def test_detect_conflicts_needs_hostility_both_ways() -> None:
    views: Views = {}
    link(views, LIZZY, DARCY, rivalry=0.8, affinity=-0.4, label="rival")
    views[(JANE, WICKHAM)] = rel(JANE, WICKHAM, rivalry=0.9, label="rival")
    views[(WICKHAM, JANE)] = rel(WICKHAM, JANE, affinity=0.4, label="friend")
    (found,) = detect_conflicts(views, at=NOW)
    assert found.parties == frozenset({LIZZY, DARCY})
    assert found.stage == "feud" and found.intensity == 0.8
    assert detect_conflicts(list(views.values())) == detect_conflicts(views)


signed = st.floats(min_value=-1, max_value=1, allow_nan=False)
view_values = st.fixed_dictionaries({"affinity": signed, "trust": signed, "rivalry": signed,
                                     "respect": signed,
                                     "grudge": st.floats(min_value=0, max_value=1)})


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.tuples(st.integers(1, 5), st.integers(1, 5)).filter(
    lambda k: k[0] != k[1]), view_values, max_size=20), st.integers(1, 6))
def test_alliance_dynamics_stay_bounded_and_never_pair_enemies(
        raw: dict[tuple[int, int], dict[str, float]], rounds: int) -> None:
    views = {k: rel(k[0], k[1], **v) for k, v in raw.items()}
    context = AllianceContext(views, influence={1: 0.9, 2: float("nan")})
    proposals = propose(context, [1, 2, 3, 4, 5], NOW)
    for proposal in proposals:
        assert 0.0 <= proposal.score <= 1.0 and not math.isnan(proposal.score)
        for a, b in combinations(proposal.members, 2):
            assert not any(v and (v.rivalry >= 0.4 or v.affinity <= -0.5)
                           for v in (views.get((a, b)), views.get((b, a))))
        alliance = form_alliance(proposal, NOW)
        for r in range(rounds):
            alliance = evaluate(alliance, context, NOW + timedelta(hours=r))
            assert 0.0 <= alliance.strength <= 1.0 and not math.isnan(alliance.strength)
        report = group_dynamics(alliance, context)
        assert -1.0 <= report.cohesion <= 1.0


@given(st.lists(st.sampled_from(sorted(HOSTILE_ACTS) + sorted(CONCILIATORY_ACTS) + ["greet"]),
                max_size=60),
       st.floats(allow_nan=True, allow_infinity=True))
def test_conflict_intensity_stays_in_unit_interval(acts: list[str], weight: float) -> None:
    conflict = Conflict(frozenset({1, 2}))
    for act in acts:
        conflict = update(conflict, act, NOW, weight)
        assert 0.0 <= conflict.intensity <= 1.0 and not math.isnan(conflict.intensity)
        assert conflict.stage in ("tension", "open", "feud", "cooling", "resolved")
