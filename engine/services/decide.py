"""Decide: turn a perceived event (or a quiet channel) into stored, queued intents."""

from __future__ import annotations

import logging
from datetime import datetime

from engine.adapters.sql.spaces import Channel
from engine.adapters.sql.uow import UnitOfWork
from engine.autonomy import Decision, decide_initiative, decide_replies
from engine.cast import CastMember
from engine.errors import ServiceUnavailable
from engine.messages import Event, Intent
from engine.pacing import channel_damping, is_quiet
from engine.services import quotas
from engine.services.deps import Deps
from engine.services.social import Reaction
from engine.services.volition_bridge import Volition

__all__ = ["decide_after", "decide_in_quiet_channel", "enqueue", "requeue_stale"]

log = logging.getLogger(__name__)


def decide_after(
    deps: Deps,
    uow: UnitOfWork,
    event: Event,
    cast: list[CastMember],
    now: datetime,
    channel: Channel | None = None,
    reaction: Reaction | None = None,
    *,
    last_event_at: datetime | None = None,
) -> list[Intent]:
    """Who answers ``event``; the intents are stored (not yet queued: see ``enqueue``).

    ``channel`` is the event's channel if the caller already read it in this unit of work
    (its pacing slot must be current); it is read from storage when None. ``reaction`` is
    what perceiving the event read and wrote (profiles, moods, names), reused here.
    ``last_event_at``: the channel's new last event time, left by ``perceive(touch=False)``
    to be written here with the pacing slot (one update of the channel, not two).
    """
    if event.channel_id is not None and cast and (channel is None
                                                  or channel.id != event.channel_id):
        channel = uow.spaces.get_channel(event.channel_id)
    if event.channel_id is None or not cast or channel is None:
        if event.channel_id is not None and last_event_at is not None:
            uow.spaces.touch_channel(event.channel_id, last_event_at=last_event_at)
        return []
    volition = Volition(uow, cast, event, now, reaction)
    affinities = volition.affinities_toward(event.author_id)
    decision = decide_replies(
        event,
        cast,
        busy_ids=uow.intents.busy_in(channel.id),
        affinities=affinities,
        next_post_at=channel.next_post_at,
        now=now,
        rules=channel_damping(deps.damping, channel.settings),
        rng=deps.rng("decide", event.id),
        choose_act=volition.act_chooser(),
        quiet_hours=is_quiet(channel.settings, now),
    )
    return _store(uow, channel, decision, now, last_event_at)


def decide_in_quiet_channel(
    deps: Deps, uow: UnitOfWork, channel: Channel, now: datetime
) -> list[Intent]:
    """Autonomous initiative: maybe someone opens a conversation in ``channel`` (never in
    its quiet hours; at its own pace, see ``engine.pacing``)."""
    if is_quiet(channel.settings, now):
        return []
    cast = uow.participants.cast_of(channel.id)
    if len(cast) < 2:
        return []
    ids = [m.id for m in cast]
    familiarity = {(r.source_id, r.target_id): r.familiarity
                   for r in uow.relationships.among(ids)}
    volition = Volition(uow, cast, None, now)
    volition.ecosystem_id = channel.ecosystem_id
    decision = decide_initiative(
        ecosystem_id=channel.ecosystem_id,
        channel_id=channel.id,
        cast=cast,
        busy_ids=uow.intents.busy_in(channel.id),
        last_event_at=channel.last_event_at,
        familiarity=familiarity,
        next_post_at=channel.next_post_at,
        now=now,
        rules=channel_damping(deps.damping, channel.settings),
        rng=deps.rng("initiative", channel.id, now.isoformat()),
        choose_target=volition.target_chooser(),
        choose_act=volition.act_chooser(),
        urgency=volition.urgency(),
    )
    return _store(uow, channel, decision, now)


def _store(uow: UnitOfWork, channel: Channel, decision: Decision, now: datetime,
           last_event_at: datetime | None = None) -> list[Intent]:
    for note in decision.notes:
        log.debug("channel %s: %s", channel.id, note)
    for intent in decision.intents:
        uow.intents.add(intent, now)
    next_post_at = decision.next_post_at if decision.intents else None
    uow.spaces.touch_channel(channel.id, last_event_at=last_event_at, next_post_at=next_post_at)
    return decision.intents


def enqueue(deps: Deps, intents: list[Intent], now: datetime) -> None:
    """Queue one render job per intent, after the transaction that stored them committed
    (on the priority queue for ecosystems whose tier has priority processing)."""
    first = quotas.priority_ecosystems(deps, {i.ecosystem_id for i in intents})
    for intent in intents:
        assert intent.id is not None
        delay = max(0.0, (intent.due_at - now).total_seconds())
        try:
            deps.queue.enqueue_render(intent.id, delay, priority=intent.ecosystem_id in first)
        except ServiceUnavailable as exc:
            # Stored as pending: the scheduler tick re-queues it (see ``requeue_stale``).
            log.warning("intent %s stored but not queued: %s", intent.id, exc)


def requeue_stale(deps: Deps, now: datetime, grace_s: float = 60.0) -> int:
    """Queue again pending intents whose job never ran (e.g. Redis was away)."""
    with deps.uow() as uow:
        stale = [i for i in uow.intents.pending()
                 if (now - i.due_at).total_seconds() > grace_s]
    enqueue(deps, stale, now)
    return len(stale)
