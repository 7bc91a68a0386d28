"""Reflect: the periodic step that lets time pass socially.

Relationships fade toward their first impressions, moods spread along ties (emotional
contagion), alliances are proposed, formed, strained and dissolved, conflicts cool, and
personalities drift slowly from what each character lived through. Run by the scheduler tick
at most every ``reflect_interval_s`` per ecosystem.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from engine.adapters.sql.uow import UnitOfWork
from engine.messages import Event, EventKind
from engine.relationships import Relationship
from engine.services.branding import brand_in
from engine.services.deps import Deps
from engine.services.encounters import meet
from engine.services.social import current_moods
from engine.services.stories import StoryReport, detect_stories
from engine.social.alliances import AllianceContext, evaluate, form_alliance, propose
from engine.social.conflicts import cool
from engine.social.drift import Experience, drift
from engine.social.dynamics import decay, respond_to_act
from engine.social.emotions import contagion, tie_strength

__all__ = ["ReflectReport", "reflect"]

log = logging.getLogger(__name__)

#: Values closer than this to their old value are not rewritten.
EPSILON = 1e-4
#: An alliance proposal must score this much to form on its own.
FORM_AT = 0.45


@dataclass
class ReflectReport:
    decayed: int = 0
    moods_spread: int = 0
    alliances_formed: list[str] = field(default_factory=list)
    alliances_changed: list[str] = field(default_factory=list)
    drifted: int = 0
    announcements: list[Event] = field(default_factory=list)
    stories: StoryReport | None = None


def reflect(deps: Deps, ecosystem_id: int, *, force: bool = False) -> ReflectReport | None:
    """One reflection step for an ecosystem (None when it is not yet due)."""
    now = deps.clock.now()
    report = ReflectReport()
    with deps.uow() as uow:
        ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
        if ecosystem is None:
            return None
        last_raw = ecosystem.settings.get("last_reflect_at")
        last = datetime.fromisoformat(last_raw) if last_raw else None
        if not force and last is not None and (
            (now - last).total_seconds() < deps.settings.reflect_interval_s
        ):
            return None
        elapsed = (now - last).total_seconds() if last else 0.0
        if elapsed > 0:
            report.decayed = _decay_relationships(uow, ecosystem_id, elapsed)
            _cool_conflicts(uow, ecosystem_id, elapsed, now)
        report.moods_spread = _spread_moods(uow, ecosystem_id, now)
        _alliances(uow, ecosystem_id, now, report)
        report.drifted = _drift(uow, ecosystem_id, ecosystem.settings, now)
        uow.spaces.update_ecosystem_settings(
            ecosystem_id, {"last_reflect_at": now.isoformat(),
                           "last_drift_change_id": uow.social.last_change_id(ecosystem_id)})
        uow.commit()
    report.stories = detect_stories(deps, ecosystem_id)
    return report


def _decay_relationships(uow: UnitOfWork, ecosystem_id: int, elapsed: float) -> int:
    baselines = uow.social.baselines(ecosystem_id)
    changed = 0
    for rel in uow.relationships.for_ecosystem(ecosystem_id):
        base = baselines.get((rel.source_id, rel.target_id))
        baseline = None
        if base:
            baseline = Relationship(
                rel.source_id, rel.target_id, ecosystem_id,
                affinity=base.get("affinity", 0.0), trust=base.get("trust", 0.0),
                romance=base.get("romance", 0.0), rivalry=base.get("rivalry", 0.0),
                respect=base.get("respect", 0.0),
            )
        faded = decay(rel, elapsed_s=elapsed, baseline=baseline)
        if any(abs(getattr(faded, f) - getattr(rel, f)) > EPSILON for f in
               ("affinity", "trust", "romance", "rivalry", "respect", "familiarity", "grudge")):
            uow.relationships.save(replace(faded, updated_at=rel.updated_at))
            changed += 1
    return changed


def _cool_conflicts(uow: UnitOfWork, ecosystem_id: int, elapsed: float, now: datetime) -> None:
    for conflict in uow.pacts.conflicts(ecosystem_id):
        cooled = cool(conflict, elapsed, now)
        if cooled != conflict:
            uow.pacts.save_conflict(ecosystem_id, cooled, now)


def _spread_moods(uow: UnitOfWork, ecosystem_id: int, now: datetime) -> int:
    spread = 0
    for channel in uow.spaces.list_channels(ecosystem_id):
        ids = [m.id for m in uow.participants.cast_of(channel.id)]
        if len(ids) < 2:
            continue
        profiles = uow.participants.profiles(ids)
        moods = current_moods(uow, ids, profiles, now)
        ties = {(r.source_id, r.target_id): tie_strength(r)
                for r in uow.relationships.among(ids)}
        for cid, mood in contagion(moods, ties).items():
            if mood != moods.get(cid):
                uow.social.save_mood(cid, mood, now)
                spread += 1
    return spread


def _context(uow: UnitOfWork, ecosystem_id: int) -> tuple[AllianceContext, list[int]]:
    characters = uow.participants.list_characters(ecosystem_id)
    ids = [c.id for c in characters if c.id is not None]
    views = {(r.source_id, r.target_id): r for r in uow.relationships.among(ids)}
    context = AllianceContext(
        relationships=views,
        goals={c.id: c.persona.goals for c in characters if c.id is not None},
        personalities={c.id: c.persona.big_five for c in characters if c.id is not None},
        names={c.id: c.name for c in characters if c.id is not None},
    )
    return context, ids


def _alliances(uow: UnitOfWork, ecosystem_id: int, now: datetime, report: ReflectReport) -> None:
    context, ids = _context(uow, ecosystem_id)
    if len(ids) < 2:
        return
    betrayals = {(c.target_id, c.source_id) for _, c in
                 uow.social.changes_since(ecosystem_id, 0)
                 if c.act in ("reveal_secret", "betray")}
    live = uow.pacts.alliances(ecosystem_id)
    for alliance in live:
        updated = evaluate(alliance, context, now, betrayals=betrayals)
        if updated.status != alliance.status:
            report.alliances_changed.append(updated.history[-1] if updated.history else "")
            _announce(uow, ecosystem_id, updated.members,
                      f"The alliance {alliance.purpose} is now {updated.status}.", now, report)
        if updated != alliance:
            uow.pacts.save_alliance(ecosystem_id, updated, now)
    taken = [a.members for a in live if a.status != "dissolved"]
    for proposal in propose(context, ids, now):
        if proposal.score < FORM_AT or any(proposal.members <= m for m in taken):
            continue
        alliance = form_alliance(proposal, now)
        uow.pacts.save_alliance(ecosystem_id, alliance, now)
        _seal(uow, ecosystem_id, alliance.members, alliance.purpose, now)
        taken.append(alliance.members)
        names = " and ".join(sorted(context.name(m) for m in alliance.members))
        report.alliances_formed.append(f"{names}: {alliance.purpose}")
        _announce(uow, ecosystem_id, alliance.members,
                  f"{names} have formed an alliance ({alliance.purpose}).", now, report)


def _seal(uow: UnitOfWork, ecosystem_id: int, members: frozenset[int], purpose: str,
          now: datetime) -> None:
    """Allying is an act: each member's view of each other member moves, with its cause."""
    profiles = uow.participants.profiles(list(members))
    for source in members:
        for target in members - {source}:
            view = meet(uow, source, target, ecosystem_id, profiles)
            updated, change = respond_to_act(view, "ally", sentiment=0.5,
                                             actor=profiles.get(target),
                                             perceiver=profiles.get(source), now=now,
                                             cause=f"alliance formed ({purpose})")
            uow.relationships.save(updated)
            uow.social.record_change(ecosystem_id, change, None)


def _announce(uow: UnitOfWork, ecosystem_id: int, members: frozenset[int], text: str,
              now: datetime, report: ReflectReport) -> None:
    """A notable change, in the first channel where all its members are present."""
    for channel in uow.spaces.list_channels(ecosystem_id):
        present = {m.id for m in uow.participants.cast_of(channel.id)}
        if members <= present and channel.settings.get("announce_changes", True):
            event = Event(
                ecosystem_id=ecosystem_id, channel_id=channel.id, kind=EventKind.SYSTEM,
                idempotency_key=f"reflect:{now.isoformat()}:{hash(text) & 0xFFFFFFFF}",
                created_at=now, author_name=brand_in(uow, ecosystem_id, now).name, text=text,
                payload={"type": "alliance", "members": sorted(members)},
            )
            if uow.events.append(event) is not None:
                report.announcements.append(event)
            return


def _drift(uow: UnitOfWork, ecosystem_id: int, settings: dict[str, object],
           now: datetime) -> int:
    mark = int(settings.get("last_drift_change_id", 0) or 0)  # type: ignore[call-overload]
    lived: dict[int, list[Experience]] = {}
    for _, change in uow.social.changes_since(ecosystem_id, mark):
        valence = change.deltas.get("affinity", 0.0) + change.deltas.get("trust", 0.0)
        lived.setdefault(change.source_id, []).append(
            Experience(change.act, max(-1.0, min(1.0, 5 * valence)), True))
    drifted = 0
    for character in uow.participants.list_characters(ecosystem_id):
        experiences = lived.get(character.id or 0)
        if not experiences or character.id is None:
            continue
        origin = uow.participants.origin_big_five(character.id) or character.persona.big_five
        new, records = drift(character.persona.big_five, experiences, origin=origin)
        if records:
            uow.participants.set_big_five(character.id, new)
            for r in records:
                uow.social.log_drift(character.id, r.trait, r.old, r.new, r.cause, now)
            drifted += 1
    return drifted
