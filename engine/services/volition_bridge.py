"""Feeding the social volition model (``engine.social.volition``) from stored state.

The autonomy policy asks two questions — whom to address, what to do — and this module answers
them from each character's personality, mood, goals and relationships, loaded once per decision.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from engine.acts import Act
from engine.adapters.sql.uow import UnitOfWork
from engine.autonomy import ActChooser, TargetChooser
from engine.cast import CastMember
from engine.goals import Drive
from engine.messages import Event, ParticipantKind
from engine.relationships import Relationship
from engine.services.goals import drives_of
from engine.services.social import Reaction, current_moods
from engine.social.conflicts import is_hostile
from engine.social.emotions import Mood
from engine.social.volition import Candidate, Context, choose_act, choose_target

__all__ = ["Volition"]


class Volition:
    """Choosers for one decision, over the people present (and the event's author)."""

    def __init__(self, uow: UnitOfWork, cast: Sequence[CastMember], event: Event | None,
                 now: datetime, reaction: Reaction | None = None) -> None:
        self.event = event
        self._uow = uow
        self._now = now
        ids = [m.id for m in cast]
        if event is not None and event.author_id is not None and event.author_id not in ids:
            ids.append(event.author_id)
        cast_ids = [m.id for m in cast]
        if reaction is not None and reaction.profiles:
            # Perceiving the event already read (and updated) these: no second round trip.
            self.profiles = reaction.profiles
            self.moods = {i: m for i, m in reaction.moods.items() if i in cast_ids}
            names = reaction.names
        else:
            self.profiles = uow.participants.profiles(ids)
            self.moods = {}
            names = uow.participants.names(ids)
        self.views: dict[tuple[int, int], Relationship]
        if reaction is not None and reaction.profiles:
            # Loaded among the author, the targets and everyone present: a superset of ids.
            self.views = dict(reaction.views)
        else:
            self.views = {(r.source_id, r.target_id): r for r in uow.relationships.among(ids)}
        self.kinds = {pid: kind for pid, (_, kind) in names.items()}
        self._cast = list(cast)
        self._names = {pid: (name,) for pid, (name, _) in names.items()}
        self._drives: dict[int, Drive] | None = None
        self.ecosystem_id = event.ecosystem_id if event is not None else 0
        self._rivals: dict[int, frozenset[int]] = {}
        self._allies: dict[int, frozenset[int]] = {}
        for (source, target), rel in self.views.items():
            if is_hostile(rel):
                self._rivals[source] = self._rivals.get(source, frozenset()) | {target}
            elif rel.label in ("friend", "close friend", "partner"):
                self._allies[source] = self._allies.get(source, frozenset()) | {target}

    def affinities_toward(self, target: int | None) -> dict[int, float]:
        """Each loaded participant's affinity toward ``target``."""
        if target is None:
            return {}
        return {s: r.affinity for (s, t), r in self.views.items() if t == target}

    def _candidate(self, actor: int, target: int) -> Candidate:
        rel = self.views.get((actor, target)) or Relationship(actor, target, self.ecosystem_id)
        return Candidate(target, rel, self.views.get((target, actor)),
                         self.kinds.get(target) is ParticipantKind.HUMAN)

    def _mood(self, actor: int) -> Mood:
        """The actor's current mood (read on demand: only those who act need theirs)."""
        if actor not in self.moods:
            self.moods.update(current_moods(self._uow, [actor], self.profiles, self._now))
        return self.moods.get(actor) or Mood.neutral()

    def drive(self, actor: int) -> Drive:
        """What the actor's goals push it toward (read once per decision, when first asked)."""
        if self._drives is None:
            self._drives = drives_of(self._uow, self._cast, self._names)
        return self._drives.get(actor) or Drive()

    def urgency(self) -> dict[int, str]:
        """The goal each present character pursues most, if any (for initiative)."""
        return {m.id: lead.text for m in self._cast
                if (lead := self.drive(m.id).leading) is not None}

    def _company(self, actor: int) -> tuple[frozenset[int], frozenset[int]]:
        return self._rivals.get(actor, frozenset()), self._allies.get(actor, frozenset())

    def act_chooser(self) -> ActChooser:
        def choose(member: CastMember, target_id: int | None, rng: random.Random) -> Act:
            profile = self.profiles.get(member.id)
            if target_id is None or profile is None:
                return Act.SMALL_TALK
            rivals, allies = self._company(member.id)
            event = self.event
            context = Context(
                incoming_act=event.act if event is not None else None,
                from_id=event.author_id if event is not None else None,
                addressed_to_me=event is not None and member.id in event.addressed_ids,
                goals=profile.goals, rivals_present=rivals, allies_present=allies,
                pursuit=tuple(self.drive(member.id).acts.items()),
            )
            act, _rules = choose_act(profile.big_five, self._mood(member.id),
                                     self._candidate(member.id, target_id), context, rng)
            return act

        return choose

    def target_chooser(self) -> TargetChooser:
        def choose(member: CastMember, candidates: Sequence[int],
                   rng: random.Random) -> int | None:
            profile = self.profiles.get(member.id)
            if profile is None:
                return None
            options = [self._candidate(member.id, c) for c in candidates]
            return choose_target(profile.big_five, self._mood(member.id), options, rng,
                                 bonus=self.drive(member.id).targets)

        return choose
