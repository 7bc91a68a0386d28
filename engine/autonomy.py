"""The autonomy policy: from what just happened to who speaks next, doing what, and when.

Pure functions of their inputs (the random choices are seeded by the caller), so every rule is
testable without storage or a model. Damping lives here too: bounded reply chains between
characters, per-character cooldowns for unprompted speech, and per-channel pacing.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.acts import Act
from engine.cast import CastMember
from engine.messages import Event, Intent, ParticipantKind

__all__ = [
    "Damping",
    "Decision",
    "decide_replies",
    "decide_initiative",
    "choose_response_act",
    "ActChooser",
    "TargetChooser",
]

#: Picks the act a cast member performs toward a target: (member, target_id, rng) -> act.
ActChooser = Callable[[CastMember, "int | None", random.Random], Act]
#: Picks whom a cast member addresses among candidates: (member, candidate_ids, rng) -> id.
TargetChooser = Callable[[CastMember, Sequence[int], random.Random], "int | None"]

MAX_ADDRESSED_REPLIES = 2
CHIME_IN_FACTOR = 0.25


@dataclass(frozen=True)
class Damping:
    max_chain: int = 4
    cooldown_s: float = 20.0
    channel_min_interval_s: float = 2.5
    reply_delay_s: float = 2.0
    idle_initiative_s: float = 30.0


@dataclass
class Decision:
    intents: list[Intent] = field(default_factory=list)
    next_post_at: datetime | None = None
    notes: list[str] = field(default_factory=list)


def _cooling(member: CastMember, now: datetime, rules: Damping) -> bool:
    if member.last_spoke_at is None:
        return False
    return (now - member.last_spoke_at).total_seconds() < rules.cooldown_s


def _schedule(
    rng: random.Random, now: datetime, next_post_at: datetime | None, rules: Damping
) -> datetime:
    natural = now + timedelta(seconds=rules.reply_delay_s * (0.5 + rng.random()))
    if next_post_at is not None and next_post_at > natural:
        return next_post_at
    return natural


_REPLY_TO: dict[Act, Act] = {
    Act.GREET: Act.GREET,
    Act.FAREWELL: Act.FAREWELL,
    Act.ASK: Act.ANSWER,
    Act.PRAISE: Act.THANK,
    Act.THANK: Act.RESPOND,
    Act.CONFIDE: Act.HELP,
    Act.APOLOGISE: Act.AGREE,
    Act.HELP: Act.THANK,
}


def choose_response_act(incoming: Act | None, affinity: float, rng: random.Random) -> Act:
    """The act a character answers ``incoming`` with, shaded by how it feels about the author.

    Args:
        incoming: The act of the message being answered.
        affinity: The responder's affinity toward its author, in [-1, 1].
        rng: Seeded randomness.
    """
    if incoming in _REPLY_TO:
        return _REPLY_TO[incoming]
    if incoming in (Act.INSULT, Act.THREATEN):
        if affinity > 0.3:
            return Act.DISAGREE
        return rng.choice((Act.INSULT, Act.DISAGREE, Act.TEASE))
    if incoming is Act.TEASE:
        return rng.choice((Act.TEASE, Act.JOKE, Act.DISAGREE))
    if incoming is Act.FLIRT:
        return Act.FLIRT if affinity > 0.2 else rng.choice((Act.TEASE, Act.SMALL_TALK))
    warm = max(0.0, affinity)
    cold = max(0.0, -affinity)
    options: list[tuple[Act, float]] = [
        (Act.RESPOND, 3.0),
        (Act.ASK, 2.0),
        (Act.AGREE, 1.0 + 2 * warm),
        (Act.DISAGREE, 1.0 + 2 * cold),
        (Act.TEASE, 1.0 + cold),
        (Act.PRAISE, 0.5 + 2 * warm),
        (Act.JOKE, 1.0),
        (Act.SMALL_TALK, 1.0),
    ]
    acts, weights = zip(*options, strict=True)
    return rng.choices(acts, weights=weights, k=1)[0]


def decide_replies(
    event: Event,
    cast: Sequence[CastMember],
    *,
    busy_ids: frozenset[int],
    affinities: Mapping[int, float],
    next_post_at: datetime | None,
    now: datetime,
    rules: Damping,
    rng: random.Random,
    choose_act: ActChooser | None = None,
    quiet_hours: bool = False,
) -> Decision:
    """Who answers a message that was just perceived.

    Args:
        event: The stored message.
        cast: Characters present in its channel.
        busy_ids: Characters that already have a pending intent in this channel.
        affinities: Each cast member's affinity toward the event's author.
        next_post_at: The channel's next free posting slot (pacing).
        now: The current time.
        rules: Damping settings.
        rng: Seeded randomness for this event.
        choose_act: The social volition model; by default a reply table shaded by affinity.
        quiet_hours: The channel is in its quiet hours: only addressed characters answer.
    """
    decision = Decision(next_post_at=next_post_at)
    from_character = event.author_kind is ParticipantKind.CHARACTER
    if from_character and event.chain_depth >= rules.max_chain:
        decision.notes.append(f"chain stopped at depth {event.chain_depth}")
        return decision
    eligible = [m for m in cast if m.active and m.id != event.author_id and m.id not in busy_ids]
    addressed = [m for m in eligible if m.id in event.addressed_ids][:MAX_ADDRESSED_REPLIES]
    chosen: list[tuple[CastMember, str]] = [(m, "addressed") for m in addressed]

    free = [
        m for m in eligible
        if m not in addressed and m.autonomy_level >= 1 and not _cooling(m, now, rules)
    ]
    if quiet_hours:
        free = []
        decision.notes.append("quiet hours: only addressed characters answer")
    if not from_character and not addressed and free:
        rolled = [m for m in free if rng.random() < m.talkativeness]
        pick = rolled[0] if rolled else rng.choices(free, [m.talkativeness + 0.05 for m in free])[0]
        chosen.append((pick, "natural turn-taking"))
    elif free:
        # Someone else may chime in, less likely the longer the chain already is.
        fade = 1.0 / (1 + event.chain_depth)
        for member in free:
            if rng.random() < member.talkativeness * CHIME_IN_FACTOR * fade:
                chosen.append((member, "chiming in"))
                break

    slot = next_post_at
    depth = event.chain_depth + 1 if from_character else 1
    for member, reason in chosen:
        due = _schedule(rng, now, slot, rules)
        if choose_act is not None:
            act = choose_act(member, event.author_id, rng)
        else:
            act = choose_response_act(event.act, affinities.get(member.id, 0.0), rng)
        decision.intents.append(
            Intent(
                ecosystem_id=event.ecosystem_id,
                channel_id=event.channel_id or 0,
                character_id=member.id,
                act=act,
                reason=reason,
                due_at=due,
                target_id=event.author_id,
                trigger_event_id=event.id,
                chain_depth=depth,
            )
        )
        slot = due + timedelta(seconds=rules.channel_min_interval_s)
    decision.next_post_at = slot
    return decision


def decide_initiative(
    *,
    ecosystem_id: int,
    channel_id: int,
    cast: Sequence[CastMember],
    busy_ids: frozenset[int],
    last_event_at: datetime | None,
    familiarity: Mapping[tuple[int, int], float],
    next_post_at: datetime | None,
    now: datetime,
    rules: Damping,
    rng: random.Random,
    choose_target: TargetChooser | None = None,
    choose_act: ActChooser | None = None,
    quiet_hours: bool = False,
    urgency: Mapping[int, str] | None = None,
) -> Decision:
    """Whether someone starts a conversation in a quiet channel, and with whom.

    A character of autonomy level 2 or more, not cooling down, picked by talkativeness and
    social energy, opens a topic with another present character (familiar ones more often).
    Nobody does during the channel's quiet hours (``quiet_hours``). ``urgency`` names the
    goal a character is pursuing (``engine.goals``): it is twice as likely to start, and its
    intent's reason is ``goal: <the goal>``.
    """
    decision = Decision(next_post_at=next_post_at)
    if quiet_hours:
        decision.notes.append("quiet hours: no initiative")
        return decision
    if busy_ids:
        return decision
    if last_event_at is not None:
        quiet = (now - last_event_at).total_seconds()
        if quiet < rules.idle_initiative_s:
            return decision
    starters = [
        m for m in cast if m.active and m.autonomy_level >= 2 and not _cooling(m, now, rules)
    ]
    if not starters or len([m for m in cast if m.active]) < 2:
        return decision
    urgent = urgency or {}
    weights = [
        (m.talkativeness * m.social_energy * (1.0 + 0.5 * (m.autonomy_level - 2)) + 0.01)
        * (2.0 if m.id in urgent else 1.0)
        for m in starters
    ]
    starter = rng.choices(starters, weights=weights, k=1)[0]
    others = [m for m in cast if m.active and m.id != starter.id]
    picked = choose_target(starter, [m.id for m in others], rng) if choose_target else None
    if picked is None:
        picked = rng.choices(
            others, [1.0 + 2.0 * familiarity.get((starter.id, m.id), 0.0) for m in others], k=1
        )[0].id
    if starter.last_spoke_at is None:
        act = Act.GREET
    elif choose_act is not None:
        act = choose_act(starter, picked, rng)
    else:
        act = Act.INITIATE
    due = _schedule(rng, now, next_post_at, rules)
    decision.intents.append(
        Intent(
            ecosystem_id=ecosystem_id,
            channel_id=channel_id,
            character_id=starter.id,
            act=act,
            reason=(f"goal: {urgent[starter.id]}" if starter.id in urgent
                    else "initiative in a quiet channel"),
            due_at=due,
            target_id=picked,
            chain_depth=0,
        )
    )
    decision.next_post_at = due + timedelta(seconds=rules.channel_min_interval_s)
    return decision
