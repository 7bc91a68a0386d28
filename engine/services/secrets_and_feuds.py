"""Confidences kept and broken, and conflicts heating and cooling, as acts are perceived.

A confidence is recorded when someone confides in someone; when a confidant later speaks the
secret's subject to others, that is a betrayal of its owner: trust collapses, a grudge forms,
and the change is recorded with its cause like any other.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from engine.acts import Act
from engine.adapters.sql.uow import UnitOfWork
from engine.errors import InvalidInput
from engine.messages import Event
from engine.services.encounters import Notice, meet
from engine.social.compatibility import Profile
from engine.social.confidences import ConfidenceBook, grudge_after_betrayal
from engine.social.conflicts import CONCILIATORY_ACTS, HOSTILE_ACTS, Conflict, update
from engine.social.dynamics import respond_to_act

__all__ = ["track_confidences", "track_conflicts", "track_alliance_breaches"]

log = logging.getLogger(__name__)

SUBJECT_CHARS = 200
#: Words that frame a confidence rather than say what it is about.
FRAMING = frozenset(
    "i must confess a secret secrets tell dont don't do not promise between us you me my "
    "just only swear keep it to yourself anyone nobody no one please confide truth here "
    "is the what whisper".split()
)


def secret_subject(text: str, confidant_names: list[str]) -> str:
    """What a confidence is about: the message without its framing and the confidant's name."""
    drop = FRAMING | {w.lower() for n in confidant_names for w in n.split()}
    words = [w for w in text.replace("!", " ").replace(",", " ").split()
             if w.strip(".:;?'’\"").lower() not in drop]
    return " ".join(words)[:SUBJECT_CHARS] or text[:SUBJECT_CHARS]


def track_confidences(uow: UnitOfWork, event: Event, targets: list[int], listeners: list[int],
                      profiles: dict[int, Profile], names: dict[int, str],
                      now: datetime) -> list[Notice]:
    """Record new confidences; detect and apply betrayals (revealed secrets)."""
    author = event.author_id
    if author is None:
        return []
    notices: list[Notice] = []
    if event.act is Act.CONFIDE:
        book = ConfidenceBook(uow.pacts.confidences_with([author]))
        for confidant in targets:
            subject = secret_subject(event.text, [names.get(confidant, "")])
            try:
                confidence = book.confide(author, confidant, subject, now, event.id)
            except InvalidInput:
                continue
            if confidence.id is None:
                uow.pacts.add_confidence(event.ecosystem_id, confidence)
        return notices
    told = [c for c in uow.pacts.confidences_with([author])
            if c.confidant_id == author and c.status == "kept"]
    if not told:
        return notices
    owners = sorted({c.owner_id for c in told})
    missing = [o for o in owners if o not in names]
    if missing:
        names = {**names, **{pid: n for pid, (n, _) in uow.participants.names(missing).items()}}
    book = ConfidenceBook(uow.pacts.confidences_with([author, *owners]))
    for reveal in book.detect_reveals(author, event.text, listeners, now, event.id):
        uow.pacts.mark_revealed(reveal.confidence)
        owner = reveal.owner
        view = meet(uow, owner, author, event.ecosystem_id, profiles)
        subject = " ".join(reveal.confidence.subject.split())[:80]
        cause = (f"{names.get(author, 'Someone')} revealed {names.get(owner, 'someone')}'s "
                 f"secret (“{subject}”)")
        updated, change = respond_to_act(view, "reveal_secret", sentiment=-1.0,
                                         actor=profiles.get(author),
                                         perceiver=profiles.get(owner), now=now, cause=cause)
        grudge = grudge_after_betrayal(view.grudge, reveal.severity)
        updated = replace(updated, grudge=max(updated.grudge, grudge))
        uow.relationships.save(updated)
        uow.social.record_change(event.ecosystem_id, change, event.id)
        notices.append(Notice(f"{cause}: a betrayal.", "betrayal", owner, author,
                              updated.label))
    return notices


def track_conflicts(uow: UnitOfWork, event: Event, targets: list[int],
                    names: dict[int, str], now: datetime) -> list[Notice]:
    """Escalate or calm the conflict between the actor and each target."""
    if event.author_id is None or event.act is None:
        return []
    name = event.act.value
    if name not in HOSTILE_ACTS and name not in CONCILIATORY_ACTS:
        return []
    live = uow.pacts.conflicts(event.ecosystem_id)
    notices = []
    for target in targets:
        parties = frozenset({event.author_id, target})
        current = next((c for c in live if c.parties == parties), None)
        if current is None:
            if HOSTILE_ACTS.get(name, 0.0) < 0.1:  # playful teasing starts no quarrel
                continue
            current = Conflict(parties=parties, updated_at=now)
        moved = update(current, event.act, now)
        uow.pacts.save_conflict(event.ecosystem_id, moved, now)
        if moved.stage != current.stage and moved.stage in ("feud", "resolved"):
            a, b = (names.get(p, "someone") for p in sorted(parties))
            text = (f"The quarrel between {a} and {b} has become a feud."
                    if moved.stage == "feud" else f"{a} and {b} have made their peace.")
            notices.append(Notice(text, f"conflict_{moved.stage}", event.author_id, target,
                                  moved.stage))
    return notices


def track_alliance_breaches(uow: UnitOfWork, event: Event, targets: list[int],
                            profiles: dict[int, Profile], names: dict[int, str],
                            now: datetime) -> list[Notice]:
    """Turning on an ally (an insult or a threat) breaks the alliance: a betrayal."""
    if event.author_id is None or event.act not in (Act.INSULT, Act.THREATEN):
        return []
    author = event.author_id
    notices: list[Notice] = []
    for alliance in uow.pacts.alliances(event.ecosystem_id):
        if alliance.status == "dissolved" or author not in alliance.members:
            continue
        for victim in (t for t in targets if t in alliance.members and t != author):
            view = meet(uow, victim, author, event.ecosystem_id, profiles)
            cause = (f"{names.get(author, 'Someone')} turned on {names.get(victim, 'an ally')} "
                     f"despite their alliance ({alliance.purpose})")
            updated, change = respond_to_act(view, "betray", sentiment=-1.0,
                                             actor=profiles.get(author),
                                             perceiver=profiles.get(victim), now=now,
                                             cause=cause)
            uow.relationships.save(updated)
            uow.social.record_change(event.ecosystem_id, change, event.id)
            line = f"{now.isoformat(timespec='minutes')} dissolved: {cause}"
            uow.pacts.save_alliance(event.ecosystem_id, replace(
                alliance, status="dissolved", strength=0.0, history=(*alliance.history, line),
                updated_at=now), now)
            notices.append(Notice(f"{names.get(author, 'Someone')} broke the alliance with "
                                  f"{names.get(victim, 'an ally')}: a betrayal.", "betrayal",
                                  victim, author, updated.label))
            break
    return notices
