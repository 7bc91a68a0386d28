"""The Observatory: what is going on in a community, for members and for the bots' commands.

Active characters with their moods, relationships worth knowing, alliances and conflicts,
ongoing conversations, notable changes, and social analytics (influence, communities, brokers),
plus the relationship graph as a PNG and the story between two participants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.adapters.sql.uow import UnitOfWork
from engine.errors import NotFound
from engine.messages import EventKind
from engine.services.deps import Deps
from engine.services.social import current_moods
from engine.social.alliances import AllianceContext, group_dynamics
from engine.social.dynamics import main_causes
from engine.social.network import Analytics, AnalyticsCache

__all__ = [
    "ObservatoryReport",
    "observatory",
    "render_text",
    "relationship_graph",
    "relationship_story",
    "analytics_for",
]

#: Analytics per ecosystem, recomputed only when its relationships changed.
ANALYTICS = AnalyticsCache()


@dataclass(frozen=True)
class CharacterStatus:
    name: str
    mood: str
    emoji: str
    intensity: float
    last_spoke_at: datetime | None
    active: bool


@dataclass(frozen=True)
class RelationshipLine:
    source: str
    target: str
    label: str
    affinity: float
    trust: float


@dataclass(frozen=True)
class Conversation:
    channel: str
    participants: tuple[str, ...]
    messages: int
    last_at: datetime


@dataclass
class ObservatoryReport:
    ecosystem: str
    at: datetime
    characters: list[CharacterStatus] = field(default_factory=list)
    relationships: list[RelationshipLine] = field(default_factory=list)
    alliances: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    notable_changes: list[str] = field(default_factory=list)
    influential: list[str] = field(default_factory=list)
    communities: list[list[str]] = field(default_factory=list)
    brokers: list[str] = field(default_factory=list)


def analytics_for(deps: Deps, ecosystem_id: int) -> Analytics:
    """Social analytics of an ecosystem, cached until its relationships change."""
    with deps.uow() as uow:
        version = uow.social.version(ecosystem_id)
        rels = uow.relationships.for_ecosystem(ecosystem_id)
    return ANALYTICS.get(ecosystem_id, version, lambda: rels)


def observatory(deps: Deps, ecosystem_id: int, *, window: timedelta = timedelta(minutes=30),
                limit: int = 12) -> ObservatoryReport:
    """A snapshot of the community (``window``: what counts as recent)."""
    now = deps.clock.now()
    analytics = analytics_for(deps, ecosystem_id)
    with deps.uow() as uow:
        ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
        if ecosystem is None:
            raise NotFound("No such community.")
        report = ObservatoryReport(ecosystem.name, now)
        characters = uow.participants.list_characters(ecosystem_id)
        ids = [c.id for c in characters if c.id is not None]
        profiles = uow.participants.profiles(ids)
        moods = current_moods(uow, ids, profiles, now)
        for c in characters:
            mood = moods.get(c.id or 0)
            name, intensity = mood.dominant() if mood else ("calm", 0.0)
            recent = c.last_spoke_at is not None and now - c.last_spoke_at <= window
            report.characters.append(CharacterStatus(
                c.name, name, mood.emoji() if mood else "😐", intensity, c.last_spoke_at,
                recent))
        report.characters.sort(key=lambda s: (not s.active, s.name))
        rels = uow.relationships.for_ecosystem(ecosystem_id)
        names = {pid: n for pid, (n, _) in uow.participants.names(
            [i for r in rels for i in (r.source_id, r.target_id)] + ids).items()}
        notable = [r for r in rels if r.label not in ("stranger", "acquaintance")
                   or abs(r.affinity) >= 0.15 or abs(r.trust) >= 0.15]
        notable.sort(key=lambda r: -(abs(r.affinity) + abs(r.trust) + r.romance + r.rivalry))
        report.relationships = [
            RelationshipLine(names.get(r.source_id, "?"), names.get(r.target_id, "?"), r.label,
                             r.affinity, r.trust) for r in notable[:limit]]
        views = {(r.source_id, r.target_id): r for r in rels}
        for a in uow.pacts.alliances(ecosystem_id):
            members = ", ".join(sorted(names.get(m, "?") for m in a.members))
            line = f"{members} — {a.purpose} ({a.status}, {a.strength:.0%})"
            if len(a.members) >= 3:
                group = group_dynamics(a, AllianceContext(relationships=views))
                leader = names.get(group.leader, "nobody") if group.leader else "nobody"
                weakest = names.get(group.weakest_link, "?") if group.weakest_link else "?"
                line += (f"; cohesion {group.cohesion:+.2f}, led by {leader}, "
                         f"weakest link {weakest}")
            report.alliances.append(line)
        for k in uow.pacts.conflicts(ecosystem_id):
            parties = " vs ".join(sorted(names.get(p, "?") for p in k.parties))
            report.conflicts.append(f"{parties}: {k.stage} ({k.intensity:.0%})")
        report.conversations = _conversations(uow, ecosystem_id, now - window)
        report.notable_changes = _changes(uow, ecosystem_id, limit)
    report.influential = [names.get(i, "?") for i in analytics.top(analytics.influence, 3)
                          if i in names]
    report.brokers = [names.get(i, "?") for i in analytics.top(analytics.brokers, 3)
                      if analytics.brokers.get(i, 0) > 0 and i in names]
    report.communities = [sorted(names.get(i, "?") for i in c) for c in analytics.communities
                          if len(c) > 1]
    return report


def _conversations(uow: UnitOfWork, ecosystem_id: int, since: datetime) -> list[Conversation]:
    result = []
    for channel in uow.spaces.list_channels(ecosystem_id):
        recent = [e for e in uow.events.recent(channel.id, 100) if e.created_at >= since]
        if recent:
            speakers = tuple(dict.fromkeys(e.author_name for e in recent))
            result.append(Conversation(channel.name, speakers, len(recent),
                                       recent[-1].created_at))
    return result


def _changes(uow: UnitOfWork, ecosystem_id: int, limit: int) -> list[str]:
    events = [e for e in uow.events.all(ecosystem_id) if e.kind is EventKind.SYSTEM]
    return [e.text for e in events[-limit:]]


def render_text(report: ObservatoryReport) -> str:
    """The report as plain text (Markdown-friendly), for the console and the bots."""
    lines = [f"Observatory — {report.ecosystem}", ""]
    lines.append("Characters:")
    for c in report.characters:
        spoke = c.last_spoke_at.strftime("%H:%M") if c.last_spoke_at else "not yet"
        state = "active" if c.active else "quiet"
        lines.append(f"  {c.emoji} {c.name} — {c.mood} ({state}, last spoke {spoke})")
    sections = (
        ("Relationships", [f"{r.source} → {r.target}: {r.label} (affinity {r.affinity:+.2f}, "
                           f"trust {r.trust:+.2f})" for r in report.relationships]),
        ("Alliances", report.alliances),
        ("Conflicts", report.conflicts),
        ("Ongoing conversations", [f"#{c.channel}: {', '.join(c.participants)} "
                                   f"({c.messages} messages)" for c in report.conversations]),
        ("Notable changes", report.notable_changes),
        ("Most influential", [", ".join(report.influential)] if report.influential else []),
        ("Circles", [", ".join(c) for c in report.communities]),
        ("Brokers between circles", [", ".join(report.brokers)] if report.brokers else []),
    )
    for title, items in sections:
        lines.append("")
        lines.append(f"{title}:")
        lines.extend(f"  {item}" for item in items) if items else lines.append("  (none yet)")
    return "\n".join(lines)


def relationship_graph(deps: Deps, ecosystem_id: int, *, size_px: int = 1200) -> bytes:
    """The relationship graph among characters, as PNG bytes (communities shaded)."""
    # matplotlib costs a long-running bot ~70 MB: loaded only when a graph is drawn.
    from engine.social.graph_image import NodeInfo, render_graph_png

    analytics = analytics_for(deps, ecosystem_id)
    now = deps.clock.now()
    with deps.uow() as uow:
        ecosystem = uow.spaces.get_ecosystem(ecosystem_id)
        characters = uow.participants.list_characters(ecosystem_id)
        ids = {c.id for c in characters if c.id is not None}
        profiles = uow.participants.profiles(list(ids))
        moods = current_moods(uow, list(ids), profiles, now)
        rels = [r for r in uow.relationships.for_ecosystem(ecosystem_id)
                if r.source_id in ids and r.target_id in ids and r.label != "stranger"]
    nodes = [NodeInfo(c.id or 0, c.name, None, moods[c.id].emoji() if c.id in moods else "")
             for c in characters]
    communities = [set(c) & ids for c in analytics.communities if len(set(c) & ids) > 1]
    title = f"Relationships — {ecosystem.name if ecosystem else ''}"
    return render_graph_png(rels, nodes, communities=communities, title=title, size_px=size_px)


def relationship_story(deps: Deps, ecosystem_id: int, first: str, second: str) -> str:
    """How two participants came to feel as they do, from the recorded history."""
    with deps.uow() as uow:
        a = _participant(uow, ecosystem_id, first)
        b = _participant(uow, ecosystem_id, second)
        history = uow.social.history(a[0], b[0])
        ab = uow.relationships.get(a[0], b[0], ecosystem_id)
        ba = uow.relationships.get(b[0], a[0], ecosystem_id)
    if not history:
        return f"{a[1]} and {b[1]} have no history together yet."
    lines = [f"{a[1]} → {b[1]}: {ab.label} (affinity {ab.affinity:+.2f}, trust {ab.trust:+.2f})",
             f"{b[1]} → {a[1]}: {ba.label} (affinity {ba.affinity:+.2f}, trust {ba.trust:+.2f})",
             ""]
    for source, target, view in ((a, b, ab), (b, a, ba)):
        own = [c for c in history if c.source_id == source[0]]
        negative = view.affinity < 0 or view.trust < 0
        causes = main_causes(own, "trust" if view.trust < view.affinity else "affinity",
                             negative=negative)
        if causes:
            lines.append(f"Why {source[1]} feels this way about {target[1]}:")
            lines.extend(f"  - {c.at:%Y-%m-%d %H:%M} {c.describe()}" for c in causes)
    lines.append("")
    lines.append("Turning points:")
    turns = [c for c in history if c.old_label != c.new_label]
    lines.extend(f"  - {c.at:%Y-%m-%d %H:%M} {c.old_label} → {c.new_label}: {c.cause}"
                 for c in turns[-10:]) if turns else lines.append("  (none)")
    return "\n".join(lines)


def _participant(uow: UnitOfWork, ecosystem_id: int, name: str) -> tuple[int, str]:
    character = uow.participants.find_character(ecosystem_id, name)
    if character is not None and character.id is not None:
        return character.id, character.name
    human = uow.participants.find_human_by_name(ecosystem_id, name)
    if human is not None:
        return human
    raise NotFound(f"Nobody called '{name}' in this community.")
