"""The narrative engine: genre beat patterns, stalled threads get beats, pathways, members steer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.acts import Act
from engine.goals import Strategy, strategy_of
from engine.narrative import (
    PATTERNS,
    STALL_AFTER_S,
    BeatKind,
    Pathway,
    choose_pathway,
    member_influence,
    next_beats,
    stalled,
)
from engine.stories.model import Genre, KeyEvent, SeedType, Stage, StoryThread

NOW = datetime(2026, 5, 1, tzinfo=UTC)
NAMES = {1: "Darcy", 2: "Wickham", 9: "Mary"}


def _thread(genre: Genre = Genre.DRAMA, stage: Stage = Stage.DEVELOPING, tension: float = 50,
            at: datetime = NOW, **state: object) -> StoryThread:
    return StoryThread(1, "The feud", SeedType.ESCALATING_CONFLICT, genre, (1, 2), at, at,
                       stage=stage, tension=tension, key_events=[KeyEvent(5, at, "insult")],
                       state=dict(state), id=7)


def test_a_thread_without_progress_gets_a_beat() -> None:
    thread = _thread(at=NOW)
    assert not stalled(thread, NOW + timedelta(seconds=STALL_AFTER_S / 2))
    later = NOW + timedelta(seconds=STALL_AFTER_S + 1)
    assert stalled(thread, later)
    assert not stalled(thread, later, last_beat_at=later - timedelta(seconds=5))
    beats = next_beats(thread, [1, 2], NAMES)
    assert [(b.character_id, b.target_id) for b in beats] == [(1, 2), (2, 1)]
    assert [b.kind for b in beats] == [BeatKind.ESCALATION, BeatKind.CONFRONTATION]
    assert beats[1].text == "confront Darcy about what happened"
    resolved = _thread(stage=Stage.RESOLUTION)
    assert not stalled(resolved, later) and next_beats(resolved, [1, 2], NAMES) == []


@pytest.mark.parametrize("genre", list(Genre))
def test_every_genre_has_a_pattern_whose_beats_drive_goals(genre: Genre) -> None:
    for stage in (Stage.SEED, Stage.DEVELOPING, Stage.CLIMAX):
        assert stage in PATTERNS[genre]
        for beat in next_beats(_thread(genre, stage), [1, 2], NAMES):
            assert strategy_of(beat.text) is not Strategy.NONE, beat.text


def test_genres_differ() -> None:
    kinds = {g: next_beats(_thread(g, Stage.SEED), [1, 2], NAMES)[0].kind for g in Genre}
    assert kinds[Genre.MYSTERY] is BeatKind.INVESTIGATION
    assert kinds[Genre.ROMANCE] is BeatKind.FLIRTATION
    assert kinds[Genre.DRAMA] is BeatKind.ESCALATION
    assert kinds[Genre.COMEDY] is BeatKind.MISUNDERSTANDING
    assert kinds[Genre.ADVENTURE] is BeatKind.PLAN


def test_several_resolution_pathways_at_the_climax() -> None:
    calm = _thread(Genre.DRAMA, Stage.CLIMAX, tension=20)
    hot = _thread(Genre.DRAMA, Stage.CLIMAX, tension=90)
    middle = _thread(Genre.DRAMA, Stage.CLIMAX, tension=50)
    assert choose_pathway(calm) is Pathway.RECONCILIATION
    assert choose_pathway(hot) is Pathway.PARTING
    assert choose_pathway(middle) is Pathway.TRIUMPH
    assert choose_pathway(middle, warmth=0.5) is Pathway.RECONCILIATION
    romance = _thread(Genre.ROMANCE, Stage.CLIMAX, tension=20)
    assert choose_pathway(romance) is Pathway.UNION
    beats = next_beats(calm, [1, 2], NAMES)
    assert {b.kind for b in beats} == {BeatKind.RECONCILIATION}
    assert all(b.pathway is Pathway.RECONCILIATION for b in beats)


def test_members_steer_a_feud_to_reconciliation_or_derail_it() -> None:
    feud = _thread(Genre.DRAMA, Stage.DEVELOPING, tension=80)
    assert member_influence(feud, 9, Act.APOLOGISE, [1]) is Pathway.RECONCILIATION
    assert member_influence(feud, 9, Act.PRAISE, [2]) is Pathway.RECONCILIATION
    assert member_influence(feud, 9, Act.INSULT, [1]) is Pathway.ESCALATION
    assert member_influence(feud, 9, Act.PRAISE, [3]) is None  # not in the story
    assert member_influence(feud, 9, Act.CONFIDE, [1]) is None  # exposure: mysteries only
    mystery = _thread(Genre.MYSTERY)
    assert member_influence(mystery, 9, Act.CONFIDE, [1]) is Pathway.EXPOSURE
    steered = _thread(Genre.DRAMA, Stage.DEVELOPING, tension=80, pathway="reconciliation")
    beats = next_beats(steered, [1, 2], NAMES)
    assert [b.text for b in beats] == ["make peace with Wickham", "make peace with Darcy"]
    assert all(strategy_of(b.text) is Strategy.RECONCILE for b in beats)


def test_members_get_no_beats() -> None:
    thread = StoryThread(1, "t", SeedType.RIVALRY, Genre.DRAMA, (1, 9), NOW, NOW, id=3)
    beats = next_beats(thread, [1], NAMES)
    assert [(b.character_id, b.target_id) for b in beats] == [(1, 9)]
