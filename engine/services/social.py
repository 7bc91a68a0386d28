"""The social side of perceiving an event: relationships, moods, notable changes.

Every act moves how its target sees the actor (``engine.social.dynamics``), seeded on first
meeting by personality compatibility; every witness's mood is appraised; each change is stored
with its cause, and a new label becomes a notable change the channel may announce.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from engine.acts import Act
from engine.adapters.sql.uow import UnitOfWork
from engine.billing.tiers import limit_message, month_of
from engine.cast import CastMember
from engine.messages import Event, EventKind, ParticipantKind
from engine.relationships import Relationship
from engine.services.branding import brand_in
from engine.services.encounters import Notice, first_meeting, meet
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

#: Acts that stir no witness's feelings unless addressed to someone or strongly worded.
CALM_ACTS = frozenset({Act.RESPOND, Act.SMALL_TALK, Act.ASK, Act.ANSWER, Act.INITIATE,
                       Act.AGREE, Act.FAREWELL, Act.GREET})

#: Labels worth announcing when a relationship enters them.
ANNOUNCED = {"friend", "close friend", "crush", "partner", "rival", "enemy", "estranged"}


@dataclass
class Reaction:
    """What perceiving an event changed socially, and what the decision can reuse."""

    notices: list[Notice] = field(default_factory=list)
    profiles: dict[int, Profile] = field(default_factory=dict)
    moods: dict[int, Mood] = field(default_factory=dict)
    names: dict[int, tuple[str, ParticipantKind]] = field(default_factory=dict)
    #: Every view among the people involved, as they stand after this event.
    views: dict[tuple[int, int], Relationship] = field(default_factory=dict)
    #: Quota notices stored while reacting (new pairs not tracked over the tier's limit).
    system_events: list[Event] = field(default_factory=list)


def react(uow: UnitOfWork, event: Event, cast: list[CastMember], now: datetime) -> Reaction:
    """Apply ``event``'s act to relationships and moods; return notable changes."""
    if event.author_id is None or event.act is None:
        return Reaction()
    targets = [t for t in (list(event.addressed_ids) or
                           ([event.target_id] if event.target_id else []))
               if t != event.author_id]
    present = [m.id for m in cast]
    everyone = list(dict.fromkeys([event.author_id, *targets, *present]))
    profiles, names = _who(uow, event, cast, everyone)
    # Every view among the people involved, read once; kept current as it changes below.
    views = {(r.source_id, r.target_id): r for r in uow.relationships.among(everyone)}
    author = names.get(event.author_id, (event.author_name, ParticipantKind.HUMAN))[0]
    notices: list[Notice] = []
    quota_events: list[Event] = []
    clipped = " ".join(event.text.split())[:120]
    for target_id in targets:
        if not _may_track(uow, views, event, target_id, now, quota_events):
            continue  # over the tier's tracked relationships: a new pair is not started
        view, fresh = _view(views, target_id, event.author_id, event.ecosystem_id, profiles)
        cause = f"{author}: “{clipped}”"
        updated, change = respond_to_act(
            view, event.act, sentiment=event.sentiment, actor=profiles.get(event.author_id),
            perceiver=profiles.get(target_id), now=now, cause=cause,
        )
        uow.relationships.upsert(updated, _values(view) if fresh else None)
        views[(target_id, event.author_id)] = updated
        uow.social.record_change(event.ecosystem_id, change, event.id, bump=False)
        notice = _notice(change, names, author)
        if notice is not None:
            notices.append(notice)
        # The actor gets to know the target a little too.
        own, own_fresh = _view(views, event.author_id, target_id, event.ecosystem_id, profiles)
        known = replace(own, familiarity=min(1.0, own.familiarity + 0.03 * (1 - own.familiarity)),
                        interactions=own.interactions + 1, updated_at=now)
        known = replace(known, label=next_label(known, own.label))
        uow.relationships.upsert(known, _values(own) if own_fresh else None)
        views[(event.author_id, target_id)] = known
    if targets:
        uow.social.bump_version(event.ecosystem_id)
    plain_names = {pid: n for pid, (n, _) in names.items()}
    notices += track_confidences(uow, event, targets, [*present, *targets], profiles,
                                 plain_names, now)
    notices += track_conflicts(uow, event, targets, plain_names, now)
    notices += track_alliance_breaches(uow, event, targets, profiles, plain_names, now)
    if any(n.kind == "betrayal" for n in notices):  # betrayals moved other views: re-read
        views = {(r.source_id, r.target_id): r for r in uow.relationships.among(everyone)}
    moods = _appraise_witnesses(uow, event, cast, targets, profiles, views, now)
    return Reaction(notices, profiles, moods, names, views, quota_events)


def _may_track(uow: UnitOfWork, views: dict[tuple[int, int], Relationship], event: Event,
               target_id: int, now: datetime, stored: list[Event]) -> bool:
    """A pair already tracked always is; a new one only within the tier's limit (see
    ``engine.services.quotas``). The first refusal of a month leaves one notice in the channel
    (added to ``stored``, to be announced once committed)."""
    author = event.author_id or 0
    if (target_id, author) in views or (author, target_id) in views:
        return True
    if uow.billing.may_track_pair(event.ecosystem_id, now):
        return True
    if event.channel_id is not None:
        tier = uow.billing.tier(event.ecosystem_id, now)
        limit = tier.relationships or 0
        notice = Event(
            ecosystem_id=event.ecosystem_id, channel_id=event.channel_id,
            kind=EventKind.SYSTEM, created_at=now,
            author_name=brand_in(uow, event.ecosystem_id, now).name,
            idempotency_key=f"quota:relationships:{event.ecosystem_id}:{month_of(now)}",
            text=limit_message(uow.billing.catalog, tier, "relationships", limit + 1),
            payload={"type": "quota", "resource": "relationships"},
        )
        if uow.events.append(notice) is not None:
            stored.append(notice)
    return False


def _who(uow: UnitOfWork, event: Event, cast: list[CastMember], everyone: list[int]
         ) -> tuple[dict[int, Profile], dict[int, tuple[str, ParticipantKind]]]:
    """Profiles and names of everyone involved: from the cast and the event when they are
    there (the usual case), from storage for anyone else."""
    profiles = {m.id: m.profile for m in cast if m.profile is not None}
    names = {m.id: (m.name, ParticipantKind.CHARACTER) for m in cast}
    if event.author_id is not None and event.author_kind is not None:
        names.setdefault(event.author_id, (event.author_name, event.author_kind))
    missing = [i for i in everyone if i not in names]
    if missing:
        names.update(uow.participants.names(missing))
    unknown = [i for i in everyone if i not in profiles
               and names.get(i, ("", ParticipantKind.HUMAN))[1] is ParticipantKind.CHARACTER]
    if unknown:
        profiles.update(uow.participants.profiles(unknown))
    return profiles, names


def _view(views: dict[tuple[int, int], Relationship], source: int, target: int,
          ecosystem_id: int, profiles: dict[int, Profile]) -> tuple[Relationship, bool]:
    """A loaded view, or a first impression when the two have never met (``fresh``)."""
    known = views.get((source, target))
    if known is not None:
        return known, False
    return first_meeting(source, target, ecosystem_id, profiles), True


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
                        views: dict[tuple[int, int], Relationship],
                        now: datetime) -> dict[int, Mood]:
    """Every witness's mood after the act (the author's too, unchanged), saved at once."""
    if event.act in CALM_ACTS and not targets and abs(event.sentiment) < 0.3:
        # Nothing stirring and addressed to nobody: witnesses' moods barely move, so
        # they are left to decay (read lazily when next needed).
        return {}
    ids = [m.id for m in cast if m.id in profiles]
    moods = current_moods(uow, ids, profiles, now)
    present = [i for i in ids if i != event.author_id]
    if not present or event.author_id is None or event.act is None:
        return moods
    author = event.author_id
    updated = {
        cid: appraise(moods[cid], event.act, as_target=cid in targets,
                      sentiment=event.sentiment, relationship=views.get((cid, author)),
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
    brand = brand_in(uow, event.ecosystem_id, now).name
    for notice in notices:
        system = Event(
            ecosystem_id=event.ecosystem_id, channel_id=event.channel_id, kind=EventKind.SYSTEM,
            idempotency_key=(f"notice:{event.id}:{notice.kind}:"
                             f"{notice.source_id}:{notice.target_id}"),
            created_at=now, author_name=brand, text=notice.text,
            payload={"type": notice.kind, "source_id": notice.source_id,
                     "target_id": notice.target_id, "label": notice.label,
                     "cause_event_id": event.id},
        )
        if uow.events.append(system) is not None:
            stored.append(system)
    return stored
