"""Scenarios: the condition language, objectives tracked to completion, lifecycle, visibility."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.acts import Act
from engine.errors import InvalidInput
from engine.relationships import Relationship
from engine.scenarios import (
    Facts,
    ObjectiveKind,
    ScenarioStatus,
    check_objectives,
    from_definition,
    holds,
    parse,
    to_definition,
    transition,
    visible_objectives,
)
from engine.scenarios.model import due_directions, new_share_code

NOW = datetime(2026, 5, 1, tzinfo=UTC)
NAMES = {1: ("Elizabeth Bennet", "Lizzy"), 2: ("Fitzwilliam Darcy", "Mr. Darcy"),
         3: ("Lydia Bennet",), 9: ("Mary",)}


def _facts(**kw: object) -> Facts:
    return Facts(names=NAMES, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [
    "", "dance Lydia", "act Lydia whisper Elizabeth", "act Lydia confide",
    "relationship Darcy Elizabeth warmth > 1", "relationship Darcy Elizabeth affinity ~ 1",
    "relationship Darcy Elizabeth affinity > lots", "goal Lydia won", 'directed "unclosed',
    "act Lydia confide Elizabeth times many", "__import__('os')",
])
def test_bad_conditions_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse(text)


def test_acts_by_name_alias_word_or_anyone() -> None:
    facts = _facts(acts=[(3, Act.CONFIDE, (1,)), (9, Act.APOLOGISE, (2,)),
                         (3, Act.CONFIDE, (1,))])
    assert holds("act Lydia confide Elizabeth", facts)
    assert holds('act "Lydia Bennet" confide Lizzy times 2', facts)
    assert not holds("act Lydia confide Elizabeth times 3", facts)
    assert holds("act * apologise Darcy", facts)
    assert not holds("act Elizabeth confide Lydia", facts)


def test_relationships_labels_and_boolean_structure() -> None:
    rel = Relationship(2, 1, 1, affinity=0.4, label="friend")
    facts = _facts(relationships={(2, 1): rel})
    assert holds("relationship Darcy Elizabeth affinity >= 0.3", facts)
    assert holds("relationship Darcy Elizabeth is friend", facts)
    assert not holds("relationship Elizabeth Darcy affinity >= 0.3", facts)
    assert holds("relationship Darcy Elizabeth affinity > 0.9 or relationship Darcy "
                 "Elizabeth is friend", facts)
    assert not holds("relationship Darcy Elizabeth affinity > 0.3 and revealed Lydia", facts)


def test_revealed_goals_directed_and_objective_clauses() -> None:
    facts = _facts(revealed=frozenset({3}), achieved=[(1, "Find out who took the locket")],
                   directed=["A storm breaks over Longbourn."], completed=frozenset({"a"}))
    assert holds("revealed Lydia", facts) and not holds("revealed Darcy", facts)
    assert holds('goal Elizabeth achieved "locket"', facts)
    assert holds("goal * achieved", facts) and not holds('goal Lydia achieved', facts)
    assert holds('directed "storm"', facts) and holds("objective a", facts)


DEFINITION = {
    "title": "The Garden Conspiracy", "setting": "Longbourn's garden", "mood": "hushed",
    "cast": [{"name": "Lydia Bennet", "goals": ["tell Elizabeth the secret"]}, "Elizabeth Bennet"],
    "objectives": [
        {"id": "secret", "kind": "primary", "text": "The secret comes out",
         "condition": "act Lydia confide Elizabeth"},
        {"id": "after", "kind": "hidden", "text": "Darcy learns of it",
         "condition": "objective secret and act Elizabeth confide Darcy"},
        {"id": "side", "kind": "subplot", "text": "a storm", "condition": 'directed "storm"'},
    ],
    "directions": [{"after_s": 60, "text": "A letter arrives for Jane."}],
}


def test_objectives_complete_once_and_hidden_ones_stay_hidden() -> None:
    s = from_definition(DEFINITION)
    assert s.slug == "the-garden-conspiracy" and s.cast[1].name == "Elizabeth Bennet"
    assert [o.id for o in visible_objectives(s, director=False)] == ["secret", "side"]
    assert len(visible_objectives(s, director=True)) == 3
    assert check_objectives(s, _facts(), NOW) == []  # a draft is not tracked
    s = transition(s, "start", NOW)
    facts = _facts(acts=[(3, Act.CONFIDE, (1,)), (1, Act.CONFIDE, (2,))])
    done = check_objectives(s, facts, NOW)
    assert [o.id for o in done] == ["secret", "after"]  # the hidden one sees "secret" done
    assert s.status is ScenarioStatus.COMPLETED  # primary and hidden done, subplot optional
    assert [o.id for o in visible_objectives(s, director=False)] == ["secret", "after", "side"]
    assert check_objectives(s, facts, NOW + timedelta(seconds=1)) == []


def test_lifecycle_and_directions() -> None:
    s = from_definition(DEFINITION)
    with pytest.raises(InvalidInput):
        transition(s, "pause", NOW)
    s = transition(s, "start", NOW)
    assert due_directions(s, NOW + timedelta(seconds=30)) == []
    assert [d.text for _, d in due_directions(s, NOW + timedelta(seconds=61))] == [
        "A letter arrives for Jane."]
    s = transition(s, "pause", NOW)
    assert due_directions(s, NOW + timedelta(seconds=61)) == []
    s = transition(transition(s, "resume", NOW), "stop", NOW)
    assert s.status is ScenarioStatus.STOPPED and s.stopped_at == NOW
    with pytest.raises(InvalidInput):
        transition(s, "resume", NOW)


def test_definition_round_trip_and_bad_fields() -> None:
    s = from_definition(DEFINITION)
    again = from_definition(to_definition(s))
    assert to_definition(again) == to_definition(s)
    assert again.objectives[1].kind is ObjectiveKind.HIDDEN
    with pytest.raises(InvalidInput, match="title"):
        from_definition({"cast": []})
    with pytest.raises(InvalidInput, match="kind"):
        from_definition({"title": "x", "objectives": [{"kind": "secret", "condition":
                                                       "revealed Lydia"}]})
    code = new_share_code()
    assert len(code) == 9 and code[4] == "-" and not set(code) & set("01OIL")
