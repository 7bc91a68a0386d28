"""A channel's pace and quiet hours, and how the autonomy policy honours them (pure)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.autonomy import Damping, decide_initiative, decide_replies
from engine.errors import InvalidInput
from engine.messages import ParticipantKind
from engine.pacing import (
    MAX_PACE_S,
    PACE_KEY,
    QUIET_HOURS_KEY,
    QuietHours,
    channel_damping,
    channel_pace,
    is_quiet,
)
from tests.unit.test_autonomy import CAST, NOW, RULES, event

NIGHT = QuietHours.parse("23:00", "07:00", "Europe/Paris")


def at(hour: int, minute: int = 0) -> datetime:
    """A UTC moment (Paris is UTC+2 on 1 May 2026)."""
    return datetime(2026, 5, 1, hour, minute, tzinfo=UTC)


def test_quiet_hours_span_midnight_in_their_own_time_zone() -> None:
    assert NIGHT.contains(at(21, 0))  # 23:00 in Paris: the start is inside
    assert NIGHT.contains(at(1, 30))
    assert not NIGHT.contains(at(5, 0))  # 07:00 in Paris: the end is outside
    assert not NIGHT.contains(at(12, 0))
    day = QuietHours.parse("9", "17:30")
    assert day.tz == "UTC" and day.contains(at(9)) and day.contains(at(17, 29))
    assert not day.contains(at(17, 30)) and not day.contains(at(8, 59))
    assert day.contains(datetime(2026, 5, 1, 10, 0))  # naive means UTC


@pytest.mark.parametrize(("start", "end", "tz", "message"), [
    ("25:00", "07:00", "UTC", "start"),
    ("23:00", "7h", "UTC", "end"),
    ("23:00", "07:00", "Mars/Olympus", "time zone"),
    ("07:00", "7", "UTC", "different"),
])
def test_bad_quiet_hours_are_refused_clearly(start: str, end: str, tz: str,
                                             message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        QuietHours.parse(start, end, tz)


def test_quiet_hours_round_trip_through_settings_and_ignore_garbage() -> None:
    assert QuietHours.from_settings(NIGHT.as_dict()) == NIGHT
    assert NIGHT.describe() == "23:00–07:00 (Europe/Paris)"
    for garbage in (None, "23-7", {"start": "x"}, {"start": "1", "end": "2", "tz": "Nope/No"}):
        assert QuietHours.from_settings(garbage) is None
    assert is_quiet({QUIET_HOURS_KEY: NIGHT.as_dict()}, at(22))
    assert not is_quiet({}, at(22)) and not is_quiet({QUIET_HOURS_KEY: None}, at(22))


@given(st.times(), st.times(), st.datetimes(timezones=st.just(UTC)))
def test_quiet_hours_and_their_complement_cover_the_day(start: time, end: time,
                                                        moment: datetime) -> None:
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    if start == end:
        return
    inside = QuietHours(start, end).contains(moment)
    assert inside != QuietHours(end, start).contains(moment)


def test_channel_pace_replaces_the_default_spacing() -> None:
    assert channel_damping(RULES, {}) == RULES
    assert channel_damping(RULES, {PACE_KEY: None}) == RULES
    assert channel_damping(RULES, {PACE_KEY: 0}) == RULES
    assert channel_damping(RULES, {PACE_KEY: 60}).channel_min_interval_s == 60
    assert channel_pace({PACE_KEY: 10 * MAX_PACE_S}) == MAX_PACE_S
    assert channel_pace({PACE_KEY: True}) is None and channel_pace({PACE_KEY: "5"}) is None
    assert channel_pace({PACE_KEY: float("nan")}) is None


def test_paced_channel_spaces_replies_by_its_own_pace() -> None:
    slow = Damping(**{**RULES.__dict__, "channel_min_interval_s": 120.0})
    decision = decide_replies(event(99, ParticipantKind.HUMAN, addressed=(1, 2)), CAST,
                              busy_ids=frozenset(), affinities={}, next_post_at=None, now=NOW,
                              rules=slow, rng=random.Random(3))
    first, second = decision.intents
    assert second.due_at - first.due_at >= timedelta(seconds=120)


def test_in_quiet_hours_only_addressed_characters_answer() -> None:
    for seed in range(40):
        unaddressed = decide_replies(event(99, ParticipantKind.HUMAN), CAST,
                                     busy_ids=frozenset(), affinities={}, next_post_at=None,
                                     now=NOW, rules=RULES, rng=random.Random(seed),
                                     quiet_hours=True)
        assert unaddressed.intents == []
        addressed = decide_replies(event(99, ParticipantKind.HUMAN, addressed=(2,)), CAST,
                                   busy_ids=frozenset(), affinities={}, next_post_at=None,
                                   now=NOW, rules=RULES, rng=random.Random(seed),
                                   quiet_hours=True)
        assert [i.character_id for i in addressed.intents] == [2]


def test_no_initiative_in_quiet_hours() -> None:
    kwargs = dict(ecosystem_id=1, channel_id=1, cast=CAST, busy_ids=frozenset(),
                  last_event_at=NOW - timedelta(hours=1), familiarity={}, next_post_at=None,
                  now=NOW, rules=RULES)
    assert decide_initiative(**kwargs, rng=random.Random(1)).intents  # type: ignore[arg-type]
    quiet = decide_initiative(**kwargs, rng=random.Random(1), quiet_hours=True)  # type: ignore[arg-type]
    assert quiet.intents == [] and quiet.notes == ["quiet hours: no initiative"]
