"""Goals: read from cards, scenarios and beats; settled by the documented rules; driving acts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from engine.acts import Act
from engine.goals import (
    MAX_SHORT_TERM,
    Goal,
    GoalSource,
    GoalStatus,
    Horizon,
    Observed,
    Satisfier,
    Strategy,
    abandon_source,
    adopt,
    card_goals,
    drive,
    expire,
    observe,
    resolve_targets,
    strategy_of,
)
from engine.personas import BigFive
from engine.relationships import Relationship
from engine.social.emotions import Mood
from engine.social.volition import Candidate, Context, choose_act, choose_target

NOW = datetime(2026, 5, 1, tzinfo=UTC)
NAMES = {1: ("Elizabeth Bennet", "Lizzy", "Miss Bennet"), 2: ("Fitzwilliam Darcy", "Mr. Darcy"),
         3: ("George Wickham",), 4: ("Jane Bennet",)}


def test_strategies_from_words() -> None:
    assert strategy_of("find out who took the locket") is Strategy.INVESTIGATE
    assert strategy_of("find out the truth about Mr. Darcy and Mr. Wickham") \
        is Strategy.INVESTIGATE
    assert strategy_of("avoid Mr. Collins's proposal, or refuse it") is Strategy.AVOID
    assert strategy_of("be married before any of her sisters") is Strategy.COURT
    assert strategy_of("make peace with Darcy") is Strategy.RECONCILE
    assert strategy_of("confront Wickham about his debts") is Strategy.CONFRONT
    assert strategy_of("dance with every officer in the regiment") is Strategy.ENTERTAIN
    assert strategy_of("a quiet life") is Strategy.NONE


def test_targets_are_resolved_by_name_alias_or_word() -> None:
    assert resolve_targets("find out the truth about Mr. Darcy and Mr. Wickham", NAMES, 1) \
        == (2, 3)
    assert resolve_targets("comfort Lizzy", NAMES, 4) == (1,)
    assert resolve_targets("see Jane happily settled", NAMES, 1) == (4,)
    assert resolve_targets("talk to Elizabeth", NAMES, 1) == ()  # never oneself


def test_card_gives_core_motivations_and_long_term_goals_minus_settled() -> None:
    goals = card_goals(1, ["honesty"], ["find out the truth about Mr. Darcy and Mr. Wickham",
                                       "see Jane happily settled"], NAMES)
    assert [(g.horizon, g.source) for g in goals] == [
        (Horizon.CORE, GoalSource.CARD), (Horizon.LONG, GoalSource.CARD),
        (Horizon.LONG, GoalSource.CARD)]
    assert goals[1].target_ids == (2, 3) and goals[1].strategy is Strategy.INVESTIGATE
    settled = Goal(1, "see Jane happily settled", status=GoalStatus.ACHIEVED)
    again = card_goals(1, ["honesty"], ["see Jane happily settled"], NAMES, [settled])
    assert [g.text for g in again] == ["honesty"]


def test_investigator_questions_people_and_confides() -> None:
    goal = Goal(1, "find out who took the locket from Jane", Horizon.SHORT, GoalSource.SCENARIO,
                "scenario:1", strategy_of("find out who took the locket"), (4,))
    pushed = drive([goal], present=[2, 3, 4])
    assert max(pushed.acts, key=lambda a: pushed.acts[a]) is Act.ASK
    assert Act.CONFIDE in pushed.acts
    assert pushed.targets[4] > pushed.targets[2] > 0 and pushed.leading == goal
    # Through the volition model: asks far more often than without the goal.
    rel = Relationship(1, 2, 1)
    acts = [choose_act(BigFive(), Mood.neutral(), Candidate(2, rel),
                       Context(pursuit=tuple(pushed.acts.items())), random.Random(i))[0]
            for i in range(300)]
    plain = [choose_act(BigFive(), Mood.neutral(), Candidate(2, rel), Context(),
                        random.Random(i))[0] for i in range(300)]
    assert acts.count(Act.ASK) > 1.5 * plain.count(Act.ASK) and Act.CONFIDE in acts
    fired = choose_act(BigFive(), Mood.neutral(), Candidate(2, rel),
                       Context(pursuit=tuple(pushed.acts.items())), random.Random(0))[1]
    assert "pursue_goal" in fired
    # ...and seeks out the one the goal names.
    picks = [choose_target(BigFive(), Mood.neutral(), [Candidate(2, rel), Candidate(4, rel)],
                           random.Random(i), bonus=pushed.targets) for i in range(200)]
    assert picks.count(4) > 150


def test_avoiding_pushes_the_target_away() -> None:
    goal = Goal(1, "avoid Mr. Darcy", strategy=Strategy.AVOID, target_ids=(2,))
    assert drive([goal], [2, 4]).targets[2] < 0


def test_core_and_settled_goals_do_not_lead() -> None:
    core = Goal(1, "honesty", Horizon.CORE, strategy=Strategy.REVEAL)
    done = Goal(1, "court Darcy", strategy=Strategy.COURT, status=GoalStatus.ACHIEVED)
    pushed = drive([core, done], [2])
    assert pushed.leading is None and Act.FLIRT not in pushed.acts


def test_achieved_by_the_default_satisfier() -> None:
    investigate = Goal(1, "find out the truth about Wickham", strategy=Strategy.INVESTIGATE,
                       target_ids=(3,), id=10)
    assert observe([investigate], Observed(2, Act.CONFIDE, (1,)), NOW) == []  # not the target
    changes = observe([investigate], Observed(3, Act.CONFIDE, (1,)), NOW)
    assert [c.goal.status for c in changes] == [GoalStatus.ACHIEVED]
    reveal = Goal(1, "tell Jane the secret", strategy=Strategy.REVEAL, target_ids=(4,))
    assert observe([reveal], Observed(4, Act.CONFIDE, (1,)), NOW) == []  # received, not done
    assert observe([reveal], Observed(1, Act.CONFIDE, (4,)), NOW)[0].reason == "achieved"
    reconcile = Goal(1, "make peace with Darcy", strategy=Strategy.RECONCILE, target_ids=(2,))
    assert observe([reconcile], Observed(2, Act.APOLOGISE, (1,)), NOW)[0].reason == "achieved"
    ongoing = Goal(1, "protect Jane", strategy=Strategy.PROTECT, target_ids=(4,))
    assert observe([ongoing], Observed(1, Act.HELP, (4,)), NOW) == []


def test_explicit_satisfier_counts_progress() -> None:
    goal = Goal(1, "question three people", Horizon.SHORT, GoalSource.SCENARIO, "scenario:1",
                Strategy.INVESTIGATE, satisfier=Satisfier((Act.ASK,), times=2))
    first = observe([goal], Observed(1, Act.ASK, (2,)), NOW)
    assert first[0].reason == "progress" and first[0].goal.progress == 1
    second = observe([first[0].goal], Observed(1, Act.ASK, (3,)), NOW)
    assert second[0].goal.status is GoalStatus.ACHIEVED


def test_expiry_and_lost_targets_abandon() -> None:
    short = Goal(1, "confront Darcy", Horizon.SHORT, strategy=Strategy.CONFRONT,
                 target_ids=(2,), expires_at=NOW + timedelta(hours=1))
    assert expire([short], NOW) == []
    assert expire([short], NOW + timedelta(hours=2))[0].goal.status is GoalStatus.ABANDONED
    assert expire([short], NOW, participants=[1, 4])[0].goal.reason == "its target is gone"
    core = Goal(1, "honesty", Horizon.CORE)
    assert expire([core], NOW, participants=[]) == []


def test_a_new_beat_replaces_the_old_one_and_short_goals_are_bounded() -> None:
    old = Goal(1, "escalate", Horizon.SHORT, GoalSource.BEAT, "thread:5", id=1, created_at=NOW)
    new = Goal(1, "confront", Horizon.SHORT, GoalSource.BEAT, "thread:5")
    assert [c.goal.id for c in adopt([old], new, NOW)] == [1]
    many = [Goal(1, f"g{i}", Horizon.SHORT, GoalSource.SCENARIO, f"scenario:{i}", id=i,
                 created_at=NOW + timedelta(minutes=i)) for i in range(MAX_SHORT_TERM)]
    replaced = adopt(many, Goal(1, "one more", Horizon.SHORT, GoalSource.BEAT, "thread:9"), NOW)
    assert [c.goal.id for c in replaced] == [0]
    assert all(c.goal.status is GoalStatus.REPLACED for c in replaced)
    assert adopt(many, Goal(2, "other owner", Horizon.SHORT), NOW) == []


def test_a_stopped_source_abandons_its_goals() -> None:
    goals = [Goal(1, "a", source_ref="scenario:1"), Goal(2, "b", source_ref="scenario:2")]
    changed = abandon_source(goals, "scenario:1", NOW, "the scenario stopped")
    assert [c.goal.text for c in changed] == ["a"]
