"""The social side of perceiving an event: relationships, moods, notable changes.

Every act moves how its target sees the actor (``engine.social.dynamics``), seeded on first
meeting by personality compatibility; every witness's mood is appraised; each change is stored
with its cause, and a new label becomes a notable change the channel may announce.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from engine.adapters.sql.uow import UnitOfWork
from engine.cast import CastMember
from engine.messages import Event, EventKind, ParticipantKind
from engine.relationships import Relationship
from engine.services.encounters import Notice, meet
from engine.services.secrets_and_feuds import (
    track_alliance_breaches,
    track_confidences,
    track_conflicts,
)
from engine.social.compatibility import Profile
from engine.social.dynamics import ChangeRecord, respond_to_act
from engine.social.emotions import Mood, appraise, baseline_for
from engine.social.emotions import decay as decay_mood
from engine.social.labels import next_label

__all__ = ["Notice", "Reaction", "react", "record_notices", "current_moods", "meet"]

log = logging.getLogger(__name__)

#: Labels worth announcing when a relationship enters them.
ANNOUNCED = {"friend", "close friend", "crush", "partner", "rival", "enemy", "estranged"}


@dataclass
class Reaction:
    """What perceiving an event changed socially, and what the decision can reuse."""

    notices: list[Notice] = field(default_factory=list)
    profiles: dict[int, Profile] = field(default_factory=dict)
    moods: dict[int, Mood] = field(default_factory=dict)
    names: dict[int, tuple[str, ParticipantKind]] = field(default_factory=dict)


def react(uow: UnitOfWork, event: Event, cast: list[CastMember], now: datetime) -> Reaction:
    """Apply ``event``'s act to relationships and moods; return notable changes."""
    if event.author_id is None or event.act is None:
        return Reaction()
    targets = [t for t in (list(event.addressed_ids) or
                           ([event.target_id] if event.target_id else []))
               if t != event.author_id]
    present = [m.id for m in cast]
    profiles = uow.participants.profiles([event.author_id, *targets, *present])
    names = uow.participants.names([event.author_id, *targets, *present])
    author = names.get(event.author_id, (event.author_name, ParticipantKind.HUMAN))[0]
    notices: list[Notice] = []
    clipped = " ".join(event.text.split())[:120]
    for target_id in targets:
        view = meet(uow, target_id, event.author_id, event.ecosystem_id, profiles)
        fresh = view.updated_at is None
        cause = f"{author}: “{clipped}”"
        updated, change = respond_to_act(
            view, event.act, sentiment=event.sentiment, actor=profiles.get(event.author_id),
            perceiver=profiles.get(target_id), now=now, cause=cause,
        )
        uow.relationships.save(updated)
        if fresh:
            uow.social.set_baseline(target_id, event.author_id, _values(view))
        uow.social.record_change(event.ecosystem_id, change, event.id, bump=False)
        notice = _notice(change, names, author)
        if notice is not None:
            notices.append(notice)
        # The actor gets to know the target a little too.
        own = meet(uow, event.author_id, target_id, event.ecosystem_id, profiles)
        known = replace(own, familiarity=min(1.0, own.familiarity + 0.03 * (1 - own.familiarity)),
                        interactions=own.interactions + 1, updated_at=now)
        uow.relationships.save(replace(known, label=next_label(known, own.label)))
        if own.updated_at is None:
            uow.social.set_baseline(event.author_id, target_id, _values(own))
    if targets:
        uow.social.bump_version(event.ecosystem_id)
    plain_names = {pid: n for pid, (n, _) in names.items()}
    notices += track_confidences(uow, event, targets, [*present, *targets], profiles,
                                 plain_names, now)
    notices += track_conflicts(uow, event, targets, plain_names, now)
    notices += track_alliance_breaches(uow, event, targets, profiles, plain_names, now)
    moods = _appraise_witnesses(uow, event, cast, targets, profiles, now)
    return Reaction(notices, profiles, moods, names)


def _values(rel: Relationship) -> dict[str, float]:
    return {"affinity": rel.affinity, "trust": rel.trust, "romance": rel.romance,
            "rivalry": rel.rivalry, "respect": rel.respect}


def _notice(change: ChangeRecord, names: dict[int, tuple[str, ParticipantKind]],
            author: str) -> Notice | None:
    if change.new_label == change.old_label or change.new_label not in ANNOUNCED:
        return None
    perceiver = names.get(change.source_id, ("Someone", ParticipantKind.HUMAN))[0]
    phrasing = {
        "friend": f"{perceiver} now counts {author} as a friend.",
        "close friend": f"{perceiver} and {author} have become close friends.",
        "crush": f"{perceiver} is developing feelings for {author}.",
        "partner": f"{perceiver} and {author} are now a couple.",
        "rival": f"{perceiver} now sees {author} as a rival.",
        "enemy": f"{perceiver} now considers {author} an enemy.",
        "estranged": f"{perceiver} feels betrayed by {author}: they are estranged.",
    }
    return Notice(phrasing[change.new_label], "relationship_change", change.source_id,
                  change.target_id, change.new_label)


def current_moods(uow: UnitOfWork, ids: list[int], profiles: dict[int, Profile],
                  now: datetime) -> dict[int, Mood]:
    """Moods of characters, decayed to ``now`` toward each one's resting mood."""
    stored = uow.social.moods(ids)
    result: dict[int, Mood] = {}
    for cid in ids:
        profile = profiles.get(cid)
        if profile is None:
            continue
        baseline = baseline_for(profile.big_five)
        mood, at = stored.get(cid, (baseline, now))
        result[cid] = decay_mood(mood, elapsed_s=(now - at).total_seconds(), baseline=baseline)
    return result


def _appraise_witnesses(uow: UnitOfWork, event: Event, cast: list[CastMember],
                        targets: list[int], profiles: dict[int, Profile],
                        now: datetime) -> dict[int, Mood]:
    """Every witness's mood after the act (the author's too, unchanged), saved at once."""
    ids = [m.id for m in cast if m.id in profiles]
    moods = current_moods(uow, ids, profiles, now)
    present = [i for i in ids if i != event.author_id]
    if not present or event.author_id is None or event.act is None:
        return moods
    views = uow.relationships.toward(event.author_id, present)
    updated = {
        cid: appraise(moods[cid], event.act, as_target=cid in targets,
                      sentiment=event.sentiment, relationship=views.get(cid),
                      personality=profiles[cid].big_five)
        for cid in present
    }
    uow.social.save_moods(updated, now)
    return {**moods, **updated}


def record_notices(uow: UnitOfWork, event: Event, notices: list[Notice],
                   now: datetime) -> list[Event]:
    """Store notable changes as system events in the event's channel (if it announces them)."""
    if not notices or event.channel_id is None:
        return []
    channel = uow.spaces.get_channel(event.channel_id)
    if channel is None or not channel.settings.get("announce_changes", True):
        return []
    stored = []
    for notice in notices:
        system = Event(
            ecosystem_id=event.ecosystem_id, channel_id=event.channel_id, kind=EventKind.SYSTEM,
            idempotency_key=(f"notice:{event.id}:{notice.kind}:"
                             f"{notice.source_id}:{notice.target_id}"),
            created_at=now, author_name="Personae", text=notice.text,
            payload={"type": notice.kind, "source_id": notice.source_id,
                     "target_id": notice.target_id, "label": notice.label,
                     "cause_event_id": event.id},
        )
        if uow.events.append(system) is not None:
            stored.append(system)
    return stored
