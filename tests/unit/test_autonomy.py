"""The autonomy policy, pure: who answers, with what act, when — and the damping."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from engine.acts import Act
from engine.autonomy import Damping, choose_response_act, decide_initiative, decide_replies
from engine.cast import CastMember
from engine.messages import Event, EventKind, ParticipantKind

NOW = datetime(2026, 5, 1, 20, 0, tzinfo=UTC)
RULES = Damping(max_chain=3, cooldown_s=30, channel_min_interval_s=2.5, reply_delay_s=2.0,
                idle_initiative_s=30)


def member(i: int, name: str, talk: float = 0.5, autonomy: int = 2,
           spoke: datetime | None = None) -> CastMember:
    return CastMember(i, name, (name.split()[0],), talk, autonomy, 0.7, "active", spoke)


CAST = [member(1, "Elizabeth Bennet", 0.7), member(2, "Fitzwilliam Darcy", 0.3),
        member(3, "Jane Bennet", 0.4), member(4, "Lydia Bennet", 0.9)]


def event(author: int, kind: ParticipantKind, addressed: tuple[int, ...] = (), depth: int = 0,
          act: Act = Act.RESPOND) -> Event:
    return Event(ecosystem_id=1, channel_id=1, kind=EventKind.MESSAGE, idempotency_key="k",
                 created_at=NOW, author_id=author, author_kind=kind, author_name="x",
                 act=act, addressed_ids=addressed, chain_depth=depth, id=42)


def decide(ev: Event, cast=CAST, busy=frozenset(), next_post=None, seed=1):  # type: ignore[no-untyped-def]
    return decide_replies(ev, cast, busy_ids=busy, affinities={}, next_post_at=next_post,
                          now=NOW, rules=RULES, rng=random.Random(seed))


def test_addressed_character_answers_the_human_even_when_cooling_down() -> None:
    cast = [member(1, "Elizabeth Bennet", spoke=NOW - timedelta(seconds=1)), *CAST[1:]]
    decision = decide(event(99, ParticipantKind.HUMAN, addressed=(1,)), cast=cast)
    assert decision.intents[0].character_id == 1
    assert decision.intents[0].reason == "addressed"
    assert decision.intents[0].target_id == 99


def test_unaddressed_human_message_gets_one_natural_turn() -> None:
    for seed in range(30):
        decision = decide(event(99, ParticipantKind.HUMAN), seed=seed)
        assert len(decision.intents) == 1
        assert decision.intents[0].reason == "natural turn-taking"


def test_talkative_characters_take_more_turns() -> None:
    counts = {m.id: 0 for m in CAST}
    for seed in range(400):
        decision = decide(event(99, ParticipantKind.HUMAN), seed=seed)
        counts[decision.intents[0].character_id] += 1
    assert counts[4] > counts[2]  # Lydia (0.9) speaks more than Darcy (0.3)
    assert counts[1] > counts[2]


def test_chain_between_characters_stops_at_max_chain() -> None:
    assert decide(event(1, ParticipantKind.CHARACTER, addressed=(2,), depth=3)).intents == []
    below = decide(event(1, ParticipantKind.CHARACTER, addressed=(2,), depth=2))
    assert below.intents[0].character_id == 2 and below.intents[0].chain_depth == 3


def test_busy_characters_and_the_author_never_answer() -> None:
    decision = decide(event(1, ParticipantKind.HUMAN, addressed=(1, 2)), busy=frozenset({2}))
    assert all(i.character_id not in (1, 2) for i in decision.intents)


def test_cooling_characters_do_not_chime_in_unprompted() -> None:
    cooling = [member(m.id, m.name, 1.0, 2, NOW - timedelta(seconds=5)) for m in CAST]
    for seed in range(50):
        assert decide(event(99, ParticipantKind.HUMAN), cast=cooling, seed=seed).intents == []


def test_channel_pacing_spaces_replies_and_respects_next_slot() -> None:
    slot = NOW + timedelta(seconds=10)
    decision = decide(event(99, ParticipantKind.HUMAN, addressed=(1, 2)), next_post=slot)
    first, second = decision.intents[:2]
    assert first.due_at >= slot
    assert (second.due_at - first.due_at).total_seconds() >= RULES.channel_min_interval_s
    assert decision.next_post_at is not None and decision.next_post_at > second.due_at


def test_response_acts_follow_the_incoming_act() -> None:
    rng = random.Random(0)
    assert choose_response_act(Act.ASK, 0.0, rng) is Act.ANSWER
    assert choose_response_act(Act.GREET, 0.0, rng) is Act.GREET
    assert choose_response_act(Act.INSULT, 0.8, rng) is Act.DISAGREE
    assert choose_response_act(Act.FLIRT, 0.5, rng) is Act.FLIRT


def test_initiative_only_in_quiet_channels() -> None:
    common = dict(ecosystem_id=1, channel_id=1, cast=CAST, busy_ids=frozenset(),
                  familiarity={}, next_post_at=None, now=NOW, rules=RULES)
    recent = decide_initiative(last_event_at=NOW - timedelta(seconds=5),
                               rng=random.Random(1), **common)
    assert recent.intents == []
    quiet = decide_initiative(last_event_at=NOW - timedelta(seconds=60),
                              rng=random.Random(1), **common)
    (intent,) = quiet.intents
    assert intent.target_id != intent.character_id
    assert intent.act is Act.GREET  # nobody has spoken yet
    assert intent.chain_depth == 0


def test_initiative_needs_autonomy_level_two() -> None:
    shy = [member(m.id, m.name, 0.9, autonomy=1) for m in CAST]
    decision = decide_initiative(
        ecosystem_id=1, channel_id=1, cast=shy, busy_ids=frozenset(), familiarity={},
        last_event_at=None, next_post_at=None, now=NOW, rules=RULES, rng=random.Random(1))
    assert decision.intents == []


def test_same_seed_same_decision() -> None:
    a = decide(event(99, ParticipantKind.HUMAN), seed=5).intents
    b = decide(event(99, ParticipantKind.HUMAN), seed=5).intents
    assert [(i.character_id, i.act, i.due_at) for i in a] == [
        (i.character_id, i.act, i.due_at) for i in b]
