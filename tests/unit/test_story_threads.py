"""Threads: absorbing seeds, the tension meter, the lifecycle, predictions, naming, export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.acts import Act
from engine.errors import ModelUnavailable
from engine.messages import Event, EventKind
from engine.relationships import Relationship
from engine.stories.export import Chapter, export_story, render, story_from_thread
from engine.stories.model import Genre, SeedType, Stage, StorySeed
from engine.stories.naming import clean_title, name_thread
from engine.stories.threads import Dynamics, absorb, advance, predict, tension

T0 = datetime(2026, 5, 1, 18, tzinfo=UTC)
DARCY, WICKHAM, LIZZY = 1, 2, 3
NAMES = {DARCY: "Darcy", WICKHAM: "Wickham", LIZZY: "Elizabeth"}


def ev(n: int, author: int, target: int, act: Act, sentiment: float = -0.7,
       text: str = "") -> Event:
    return Event(ecosystem_id=1, channel_id=1, kind=EventKind.MESSAGE, idempotency_key=str(n),
                 created_at=T0 + timedelta(minutes=n), author_id=author, target_id=target,
                 act=act, sentiment=sentiment, text=text or f"line {n}",
                 author_name=NAMES[author], id=n)


def feud(ids: tuple[int, ...]) -> StorySeed:
    return StorySeed(SeedType.ESCALATING_CONFLICT, (DARCY, WICKHAM), Genre.DRAMA, ids, 0.6)


def test_a_seed_becomes_a_thread_and_the_same_seed_strengthens_it() -> None:
    events = {i: ev(i, DARCY if i % 2 else WICKHAM, WICKHAM if i % 2 else DARCY, Act.INSULT)
              for i in range(1, 6)}
    thread, new = absorb([], feud((1, 2, 3)), events, NAMES, T0, ecosystem_id=1)
    assert new and thread.title == "The Feud of Darcy and Wickham"
    assert thread.stage is Stage.SEED and thread.event_ids() == [1, 2, 3]
    assert thread.key_events[0].summary == "Darcy insults Wickham: “line 1”"
    thread.id = 7
    again, new = absorb([thread], feud((2, 3, 4, 5)), events, NAMES, T0, ecosystem_id=1)
    assert not new and again.id == 7 and again.event_ids() == [1, 2, 3, 4, 5]
    assert again.state["sightings"] == 2


def test_tension_rises_with_hostility_and_fades_over_quiet() -> None:
    thread, _ = absorb([], feud((1,)), {1: ev(1, DARCY, WICKHAM, Act.INSULT)}, NAMES, T0, 1)
    calm = Dynamics(relationships={(DARCY, WICKHAM): Relationship(DARCY, WICKHAM, 1)})
    hostile_views = {(DARCY, WICKHAM): Relationship(DARCY, WICKHAM, 1, affinity=-0.7,
                                                    trust=-0.5, grudge=0.3)}
    few = Dynamics(hostile_views, events=[ev(1, DARCY, WICKHAM, Act.INSULT)])
    many = Dynamics(hostile_views, events=[ev(i, DARCY, WICKHAM, Act.THREATEN, -0.9)
                                           for i in range(1, 6)])
    now = T0 + timedelta(minutes=10)
    low, mid, high = (tension(thread, d, now) for d in (calm, few, many))
    assert 0 <= low < mid < high <= 100
    assert tension(thread, many, now + timedelta(days=4)) < high / 2


def test_the_lifecycle_climbs_resolves_and_sleeps() -> None:
    thread, _ = absorb([], feud((1,)), {1: ev(1, DARCY, WICKHAM, Act.INSULT)}, NAMES, T0, 1)
    now = T0 + timedelta(minutes=5)
    thread = advance(thread, 40, now, last_activity=now)
    assert thread.stage is Stage.DEVELOPING
    thread = advance(thread, 80, now, last_activity=now)
    assert thread.stage is Stage.CLIMAX and thread.resolved_at is None
    thread = advance(thread, 30, now, last_activity=now)
    assert thread.stage is Stage.RESOLUTION and thread.resolved_at == now
    assert [t["to"] for t in thread.state["turns"]] == [  # type: ignore[attr-defined]
        "developing", "climax", "resolution"]
    other, _ = absorb([], feud((1,)), {1: ev(1, DARCY, WICKHAM, Act.INSULT)}, NAMES, T0, 1)
    other = advance(other, 80, now, reconciled=True, last_activity=now)
    assert other.stage is Stage.DEVELOPING
    other = advance(other, 50, now, reconciled=True)
    assert other.stage is Stage.RESOLUTION
    sleepy, _ = absorb([], feud((1,)), {1: ev(1, DARCY, WICKHAM, Act.INSULT)}, NAMES, T0, 1)
    sleepy = advance(sleepy, 50, T0 + timedelta(days=4))
    assert sleepy.stage is Stage.DORMANT
    sleepy.id = 3
    woken, _ = absorb([sleepy], feud((1, 9)), {9: ev(9, WICKHAM, DARCY, Act.INSULT)}, NAMES,
                      T0 + timedelta(days=4), 1)
    assert woken.stage is Stage.DEVELOPING


def test_predictions_come_from_the_participants_goals() -> None:
    thread, _ = absorb([], feud((1,)), {1: ev(1, DARCY, WICKHAM, Act.INSULT)}, NAMES, T0, 1)
    goals = {DARCY: ("Keep Georgiana safe", "Expose Wickham's lies"),
             WICKHAM: ("To marry a fortune",), LIZZY: ("Read more",)}
    predictions = predict(thread, goals, NAMES)
    assert [p.text for p in predictions] == [
        "Darcy plans to expose Wickham's lies", "Darcy plans to keep Georgiana safe",
        "Wickham plans to marry a fortune"]
    assert predictions[0].participant_id == DARCY
    assert predictions[0].goal == "Expose Wickham's lies"
    assert predict(thread, {}, NAMES) == []


class Model:
    name = "fake"

    def __init__(self, answer: str | Exception) -> None:
        self.answer = answer

    def complete(self, messages: object, *, max_tokens: int, temperature: float = 0.8) -> str:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_names_are_model_written_with_the_template_as_fallback() -> None:
    thread, _ = absorb([], feud((1,)), {1: ev(1, DARCY, WICKHAM, Act.INSULT)}, NAMES, T0, 1)
    assert name_thread(thread, NAMES, []) == ("The Feud of Darcy and Wickham", "template")
    assert name_thread(thread, NAMES, [], Model('"Pride at Pemberley."')) == (
        "Pride at Pemberley", "model")
    for bad in (Model(ModelUnavailable("down")), Model(""), Model("As an AI, I cannot"),
                Model("Line one\nLine two"), Model("word " * 30), Model("<b>x</b>")):
        assert name_thread(thread, NAMES, [], bad)[1] == "template"
    assert clean_title("Title: The Long Quarrel") == "The Long Quarrel"


def test_export_follows_the_arc_and_escapes() -> None:
    events = [ev(i, DARCY if i % 2 else WICKHAM, WICKHAM if i % 2 else DARCY, Act.INSULT,
                 text=f"insult number {i}") for i in range(1, 5)]
    events.append(ev(5, WICKHAM, DARCY, Act.THREATEN, text="<script>alert(1)</script> *bold*"))
    thread, _ = absorb([], feud((1, 2, 3, 4, 5)), {e.id or 0: e for e in events}, NAMES, T0, 1)
    thread = advance(thread, 80, T0 + timedelta(minutes=2, seconds=30),
                     last_activity=T0 + timedelta(minutes=2))
    story = story_from_thread(thread, NAMES, events)
    assert [c.title for c in story.chapters] == ["I. Beginnings", "II. Rising Tension"]
    markdown, page = render(story, "md"), render(story, "html")
    assert markdown.index("insult number 1") < markdown.index("insult number 4")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<script>" not in markdown and r"\*bold\*" in markdown
    assert "**Darcy:** insult number 1" in markdown
    assert "<li>Darcy</li>" in page


def test_export_story_takes_a_title_a_cast_and_chapters() -> None:
    scene = [ev(1, DARCY, LIZZY, Act.FLIRT, 0.5, "You look well."),
             ev(2, LIZZY, DARCY, Act.TEASE, 0.2, "Do I?")]
    out = export_story("The Garden Conspiracy", ["Darcy — a proud man", "Elizabeth"],
                       [("Act One", scene), Chapter("Act Two", scene[1:])],
                       model=Model("The garden was quiet."))
    assert out.startswith("# The Garden Conspiracy")
    assert out.index("## Act One") < out.index("You look well.") < out.index("## Act Two")
    assert "*The garden was quiet\\.*" in out or "*The garden was quiet.*" in out
    offline = export_story("T", [], [("One", scene)], "html")
    assert "narration" not in offline.split("<body>")[1]


def test_five_hundred_messages_export_quickly() -> None:
    import time

    events = [ev(i, DARCY if i % 2 else WICKHAM, WICKHAM if i % 2 else DARCY, Act.INSULT)
              for i in range(1, 501)]
    start = time.perf_counter()
    for fmt in ("md", "html"):
        export_story("Long", ["Darcy", "Wickham"], [("All", events)], fmt)
    assert time.perf_counter() - start < 5.0
