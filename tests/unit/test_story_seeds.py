"""Story seed recognition: each rule on a small log, and precision/recall on the labelled set."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.acts import Act
from engine.messages import Event, EventKind
from engine.relationships import Relationship
from engine.stories.evaluation import evaluate, load_logs
from engine.stories.model import Genre, SeedType
from engine.stories.seeds import Betrayal, SeedContext, detect_seeds

DATA = Path(__file__).resolve().parents[1] / "data" / "story_seeds"
T0 = datetime(2026, 5, 1, 18, tzinfo=UTC)
LIZZY, DARCY, WICKHAM, JANE = 1, 2, 3, 4


class Log:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, author: int, target: int | None, act: Act, sentiment: float = 0.0,
                 text: str = "") -> int:
        n = len(self.events) + 1
        self.events.append(Event(ecosystem_id=1, channel_id=1, kind=EventKind.MESSAGE,
                                 idempotency_key=str(n), created_at=T0 + timedelta(minutes=n),
                                 author_id=author, target_id=target, act=act,
                                 sentiment=sentiment, text=text, id=n))
        return n


def types(events: list[Event], context: SeedContext | None = None) -> dict[SeedType, tuple]:
    return {s.type: s.participants for s in detect_seeds(events, context)}


def test_insults_that_escalate_are_a_conflict_and_one_insult_is_not() -> None:
    say = Log()
    say(LIZZY, DARCY, Act.DISAGREE, -0.2)
    say(DARCY, LIZZY, Act.INSULT, -0.6)
    assert types(say.events) == {}
    say(LIZZY, DARCY, Act.INSULT, -0.8)
    say(DARCY, LIZZY, Act.THREATEN, -0.9)
    seeds = detect_seeds(say.events)
    assert [(s.type, s.participants, s.genre) for s in seeds] == [
        (SeedType.ESCALATING_CONFLICT, (LIZZY, DARCY), Genre.DRAMA)]
    assert seeds[0].evidence_event_ids == (1, 2, 3, 4)


def test_banter_is_not_conflict() -> None:
    say = Log()
    for i in range(8):
        say(LIZZY if i % 2 else JANE, JANE if i % 2 else LIZZY, Act.TEASE, 0.2)
    assert types(say.events) == {}


def test_winding_down_is_not_escalating() -> None:
    say = Log()
    for author, act, s in [(LIZZY, Act.THREATEN, -0.9), (DARCY, Act.INSULT, -0.7),
                           (LIZZY, Act.DISAGREE, -0.1), (DARCY, Act.DISAGREE, -0.1)]:
        say(author, DARCY if author == LIZZY else LIZZY, act, s)
    assert SeedType.ESCALATING_CONFLICT not in types(say.events)


def test_rivalry_needs_the_rivalry_and_an_exchange() -> None:
    say = Log()
    say(LIZZY, DARCY, Act.DISAGREE, -0.2)
    say(DARCY, LIZZY, Act.TEASE, 0.1)
    rivals = SeedContext(relationships={(LIZZY, DARCY): Relationship(
        LIZZY, DARCY, 1, rivalry=0.6, label="rival")})
    assert types(say.events, rivals) == {SeedType.RIVALRY: (LIZZY, DARCY)}
    assert types(say.events) == {}


def test_flirting_answered_is_romantic_tension() -> None:
    say = Log()
    say(LIZZY, DARCY, Act.FLIRT, 0.5)
    assert types(say.events) == {}
    say(DARCY, LIZZY, Act.PRAISE, 0.5)
    say(DARCY, LIZZY, Act.FLIRT, 0.6)
    assert types(say.events) == {SeedType.ROMANTIC_TENSION: (LIZZY, DARCY)}


def test_a_probed_confidence_is_a_mystery_an_unrelated_question_is_not() -> None:
    say = Log()
    say(LIZZY, JANE, Act.CONFIDE, 0.4, "Jane, I found a hidden letter in the library.")
    say(DARCY, LIZZY, Act.ASK, 0.0, "Will you come to the ball?")
    context = SeedContext(names={LIZZY: "Elizabeth", JANE: "Jane", DARCY: "Darcy"})
    assert types(say.events, context) == {}
    say(DARCY, LIZZY, Act.ASK, 0.0, "Who wrote those letters?")
    assert types(say.events, context) == {SeedType.MYSTERY: (LIZZY, JANE)}


def test_a_recorded_reveal_is_a_betrayal() -> None:
    say = Log()
    say(LIZZY, WICKHAM, Act.CONFIDE, 0.4, "My sister eloped.")
    reveal = say(WICKHAM, DARCY, Act.SMALL_TALK, 0.0, "Her sister eloped, you know.")
    context = SeedContext(betrayals=[Betrayal(WICKHAM, LIZZY, reveal, kind="reveal_secret")])
    seeds = detect_seeds(say.events, context)
    assert [(s.type, s.participants, s.evidence_event_ids) for s in seeds] == [
        (SeedType.BETRAYAL, (LIZZY, WICKHAM), (1, 2))]


def test_two_against_one_is_an_alliance_a_free_for_all_is_not() -> None:
    say = Log()
    say(LIZZY, WICKHAM, Act.INSULT, -0.7)
    say(DARCY, LIZZY, Act.AGREE, 0.5)
    say(DARCY, WICKHAM, Act.THREATEN, -0.8)
    assert types(say.events) == {SeedType.ALLIANCE_AGAINST_ENEMY: (LIZZY, DARCY, WICKHAM)}
    say(LIZZY, DARCY, Act.INSULT, -0.5)
    assert types(say.events) == {}


def test_an_accepted_apology_after_a_quarrel_is_a_reconciliation() -> None:
    say = Log()
    say(LIZZY, DARCY, Act.APOLOGISE, 0.3, "Sorry I am late")
    say(DARCY, LIZZY, Act.GREET, 0.3)
    assert types(say.events) == {}  # nothing to make up
    say(DARCY, LIZZY, Act.INSULT, -0.7)
    say(DARCY, LIZZY, Act.APOLOGISE, 0.4)
    say(LIZZY, DARCY, Act.THANK, 0.4)
    assert types(say.events) == {SeedType.RECONCILIATION: (LIZZY, DARCY)}
    say(LIZZY, DARCY, Act.INSULT, -0.7)  # and it falls apart again
    assert SeedType.RECONCILIATION not in types(say.events)


def test_precision_and_recall_on_the_labelled_set() -> None:
    logs = load_logs(DATA / "logs.jsonl")
    assert len(logs) >= 200 and sum(1 for g in logs if not g.expected) >= 100
    for seed_type, score in evaluate(logs).items():
        assert score.support >= 15, seed_type
        assert score.precision >= 0.8 and score.recall >= 0.8, (seed_type, score)


def test_the_labelled_set_is_what_its_builder_writes(tmp_path: Path) -> None:
    out = tmp_path / "logs.jsonl"
    subprocess.run([sys.executable, str(DATA / "build.py"), "-o", str(out)], check=True,
                   capture_output=True)
    built = [json.loads(line) for line in out.read_text().splitlines()]
    stored = [json.loads(line) for line in (DATA / "logs.jsonl").read_text().splitlines()]
    assert built == stored
