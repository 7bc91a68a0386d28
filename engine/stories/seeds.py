"""Story seed recognition: which stories are starting, from a window of recent acts.

Pure and deterministic. :func:`detect_seeds` reads the *acts* of a window of recent events
(who did what to whom, with what sentiment; never the wording, except to tell a probing
question about a secret from any other question) and a snapshot of the social state
(:class:`SeedContext`: relationships, betrayals, alliances, conflicts, names), and returns the
seeds it recognises, each with its participants, genre, evidence events and strength.

Acts are read per pair: an event counts between its author and its ``target_id`` (events with no
target, or aimed at their author, count for no pair). One rule per seed type, each documented
on its function; rules are independent, so one pair can carry several seeds (a feud between
rivals is both an escalating conflict and a rivalry).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from engine.acts import Act
from engine.messages import Event
from engine.relationships import Relationship
from engine.social.alliances import Alliance
from engine.social.confidences import content_words
from engine.social.conflicts import Conflict
from engine.stories.model import DEFAULT_GENRE, Genre, SeedType, StorySeed

__all__ = [
    "Betrayal", "SeedContext", "detect_seeds", "is_hostile_act", "severity",
    "HARD_HOSTILE", "ACCEPTING",
]

#: Hostile acts that wound, not merely oppose.
HARD_HOSTILE = frozenset({Act.INSULT, Act.THREATEN})
#: How hard each hostile act hits (teasing counts only when it is meant to hurt).
_SEVERITY = {Act.DISAGREE: 1.0, Act.TEASE: 1.0, Act.INSULT: 2.0, Act.THREATEN: 3.0}
#: Teasing below this sentiment is a jab, above it banter.
JAB_BELOW = -0.3
#: Acts that accept an apology (or welcome someone back).
ACCEPTING = frozenset({Act.THANK, Act.AGREE, Act.PRAISE, Act.HELP, Act.APOLOGISE, Act.FLIRT,
                       Act.GREET, Act.CONFIDE, Act.JOKE})
#: Warm acts between allies.
_WARM = frozenset({Act.AGREE, Act.PRAISE, Act.HELP, Act.THANK, Act.CONFIDE})
#: Answers to a flirt that return the interest.
_RECIPROCAL = frozenset({Act.FLIRT, Act.PRAISE, Act.CONFIDE, Act.THANK, Act.HELP, Act.JOKE,
                         Act.TEASE})
_COMPETITIVE = frozenset({Act.DISAGREE, Act.TEASE, Act.INSULT, Act.THREATEN})
_ESTRANGED_LABELS = frozenset({"enemy", "estranged", "rival"})


@dataclass(frozen=True)
class Betrayal:
    """A recorded betrayal (a revealed secret, an ally turned on): ``betrayer`` wronged
    ``betrayed`` in event ``event_id`` (``kind`` is ``"reveal_secret"`` or ``"betray"``)."""

    betrayer: int
    betrayed: int
    event_id: int | None
    at: datetime | None = None
    kind: str = "betray"


@dataclass(frozen=True)
class SeedContext:
    """The social state the rules read besides the acts.

    Attributes:
        relationships: Views keyed ``(source, target)``.
        betrayals: Recorded betrayals (from the relationship history).
        alliances: Known alliances (any status).
        conflicts: Known conflicts (any stage).
        names: Participant names (to tell a question that names a secret-keeper).
    """

    relationships: Mapping[tuple[int, int], Relationship] = field(default_factory=dict)
    betrayals: Sequence[Betrayal] = ()
    alliances: Sequence[Alliance] = ()
    conflicts: Sequence[Conflict] = ()
    names: Mapping[int, str] = field(default_factory=dict)

    def views(self, a: int, b: int) -> list[Relationship]:
        return [v for v in (self.relationships.get((a, b)), self.relationships.get((b, a)))
                if v is not None]


def is_hostile_act(event: Event) -> bool:
    """Insults, threats and disagreement; teasing only when it is a jab (sentiment < -0.3)."""
    if event.act is Act.TEASE:
        return event.sentiment < JAB_BELOW
    return event.act in _SEVERITY


def severity(event: Event) -> float:
    """How hard a hostile act hits: its act's weight plus its sentiment's strength."""
    if event.act is None or not is_hostile_act(event):
        return 0.0
    return _SEVERITY[event.act] + max(0.0, -event.sentiment)


Pair = tuple[int, int]


def _pair(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


def _directed(events: Iterable[Event]) -> list[Event]:
    return [e for e in events if e.id is not None and e.act is not None
            and e.author_id is not None and e.target_id is not None
            and e.author_id != e.target_id]


def _seed(type_: SeedType, participants: Iterable[int], evidence: Iterable[Event],
          strength: float, genre: Genre | None = None) -> StorySeed:
    ids = sorted({int(e.id) for e in evidence if e.id is not None})
    return StorySeed(type=type_, participants=tuple(sorted(set(participants))),
                     genre=genre or DEFAULT_GENRE[type_], evidence_event_ids=tuple(ids),
                     strength=round(min(1.0, max(0.0, strength)), 3))


def detect_seeds(events: Sequence[Event], context: SeedContext | None = None
                 ) -> list[StorySeed]:
    """Every seed recognised in ``events`` (a window of recent events, oldest first).

    One seed per type and participant set, ordered by type then participants.
    """
    context = context or SeedContext()
    acts = _directed(events)
    by_pair: dict[Pair, list[Event]] = defaultdict(list)
    for e in acts:
        assert e.author_id is not None and e.target_id is not None
        by_pair[_pair(e.author_id, e.target_id)].append(e)
    seeds: list[StorySeed] = []
    for pair, between in by_pair.items():
        for rule in (_escalating_conflict, _rivalry, _romantic_tension, _reconciliation):
            seed = rule(pair, between, context)
            if seed is not None:
                seeds.append(seed)
    seeds.extend(_mystery(acts, context))
    seeds.extend(_betrayal(acts, by_pair, context))
    seeds.extend(_alliance_against_enemy(acts, by_pair, context))
    unique = {s.key: s for s in seeds}
    return sorted(unique.values(), key=lambda s: (list(SeedType).index(s.type), s.participants))


def _escalating_conflict(pair: Pair, between: list[Event], context: SeedContext
                         ) -> StorySeed | None:
    """**Escalating conflict** between two participants.

    Holds when, in the window, the pair exchanged at least 3 hostile acts (see
    :func:`is_hostile_act`: banter is not hostile), at least 2 of them insults or threats, and
    the quarrel is not dying down: the hardest hostile act of its second half is at least as
    hard as the hardest of its first half (see :func:`severity`; a mild retort at the end does
    not end an escalation, a run of ever milder acts does). It takes two sides or a campaign:
    either both hit at least once, or one of them dealt 3 or more insults/threats. A single
    insult, or a run of mild disagreements, is not an escalating conflict. Genre: drama.
    """
    hostile = [e for e in between if is_hostile_act(e)]
    hard = [e for e in hostile if e.act in HARD_HOSTILE]
    if len(hostile) < 3 or len(hard) < 2:
        return None
    sides = {e.author_id for e in hostile}
    by_side = max(sum(1 for e in hard if e.author_id == s) for s in sides)
    if len(sides) < 2 and by_side < 3:
        return None
    half = len(hostile) // 2
    first = [severity(e) for e in hostile[:half]]
    second = [severity(e) for e in hostile[len(hostile) - half:]]
    if max(second) + 1e-9 < max(first):
        return None
    strength = 0.3 + 0.1 * len(hard) + 0.05 * len(hostile)
    return _seed(SeedType.ESCALATING_CONFLICT, pair, hostile, strength)


def _rivalry(pair: Pair, between: list[Event], context: SeedContext) -> StorySeed | None:
    """**Rivalry**: two participants who see each other as rivals, competing in the open.

    Holds when either view of the pair has rivalry >= 0.4 or the label ``rival``, and in the
    window they exchanged at least 2 competitive acts (disagree, tease, insult, threaten) with
    both of them taking part. Rivals who do not meet in the window, and friends who merely
    disagree, carry no rivalry seed. Genre: drama.
    """
    views = context.views(*pair)
    if not any(v.rivalry >= 0.4 or v.label == "rival" for v in views):
        return None
    competing = [e for e in between if e.act in _COMPETITIVE]
    if len(competing) < 2 or len({e.author_id for e in competing}) < 2:
        return None
    rivalry = max(v.rivalry for v in views)
    return _seed(SeedType.RIVALRY, pair, competing, 0.3 + rivalry / 2 + 0.05 * len(competing))


def _romantic_tension(pair: Pair, between: list[Event], context: SeedContext
                      ) -> StorySeed | None:
    """**Romantic tension** between two participants.

    Holds when the pair exchanged at least 2 flirts in the window (either direction), and the
    interest is answered: the flirted-with answered a flirt with a warm act (flirt, praise,
    confide, thank, help, joke, tease) after it, or either view already holds romance >= 0.3
    (or the label ``crush``). One flirt, or warmth without flirting, is not a romance.
    Genre: romance.
    """
    flirts = [e for e in between if e.act is Act.FLIRT]
    if len(flirts) < 2:
        return None
    answered = [e for f in flirts for e in between
                if e.author_id == f.target_id and e.act in _RECIPROCAL
                and (e.id or 0) > (f.id or 0) and e.sentiment >= 0]
    romance = max((v.romance for v in context.views(*pair)), default=0.0)
    crush = any(v.label == "crush" for v in context.views(*pair))
    if not answered and romance < 0.3 and not crush:
        return None
    evidence = flirts + answered[:3]
    return _seed(SeedType.ROMANTIC_TENSION, pair, evidence,
                 0.3 + 0.1 * len(flirts) + 0.1 * bool(answered) + romance / 2)


def _reconciliation(pair: Pair, between: list[Event], context: SeedContext
                    ) -> StorySeed | None:
    """**Reconciliation**: a quarrel being made up.

    Holds when one of the pair apologised to the other, the other accepted (a thank, agree,
    praise, help, apology, flirt, greeting, confidence or joke toward the apologiser after the
    apology), no hostile act passed between them after the apology, and there was something to
    make up: a hostile act between them before the apology in the window, or a conflict between
    them not yet resolved, or a view labelled enemy/estranged/rival, or a grudge >= 0.2.
    A polite "sorry" with nothing behind it, or an apology rebuffed, is not a reconciliation.
    Genre: drama.
    """
    apologies = [e for e in between if e.act is Act.APOLOGISE]
    for apology in reversed(apologies):
        after = [e for e in between if (e.id or 0) > (apology.id or 0)]
        if any(is_hostile_act(e) for e in after):
            continue
        accepted = [e for e in after if e.author_id == apology.target_id
                    and e.act in ACCEPTING and e.sentiment >= 0]
        if not accepted:
            continue
        before = [e for e in between if (e.id or 0) < (apology.id or 0) and is_hostile_act(e)]
        feud = any(c.parties == frozenset(pair) and c.stage != "resolved"
                   for c in context.conflicts)
        views = context.views(*pair)
        estranged = any(v.label in _ESTRANGED_LABELS or v.grudge >= 0.2 for v in views)
        if not (before or feud or estranged):
            continue
        evidence = [*before[-3:], apology, accepted[0]]
        return _seed(SeedType.RECONCILIATION, pair, evidence, 0.5 + 0.1 * len(before[-3:]))
    return None


def _mystery(acts: list[Event], context: SeedContext) -> list[StorySeed]:
    """**Secrets and suspicion (mystery)**: a confidence others start to probe.

    Holds for an owner and a confidant when the owner confided in the confidant in the window
    and afterwards a third participant asked one of the two a question that probes it: the
    question names the other secret-keeper or shares a content word (or its first five letters)
    with the confidence. A
    confidence nobody asks about, or an unrelated question, is no mystery. Participants: the
    owner and the confidant (the probing questions are evidence). Genre: mystery.
    """
    seeds = []
    confides = [e for e in acts if e.act is Act.CONFIDE]
    for confide in confides:
        owner, confidant = confide.author_id, confide.target_id
        assert owner is not None and confidant is not None
        subject = content_words(confide.text)
        probes = []
        for e in acts:
            if (e.id or 0) <= (confide.id or 0) or e.act is not Act.ASK:
                continue
            if e.author_id in (owner, confidant) or e.target_id not in (owner, confidant):
                continue
            other = confidant if e.target_id == owner else owner
            words = content_words(e.text)
            name = context.names.get(other, "")
            named = bool(name) and bool(content_words(name) & words)
            if named or _share_a_stem(subject, words):
                probes.append(e)
        if probes:
            seeds.append(_seed(SeedType.MYSTERY, (owner, confidant), [confide, *probes],
                               0.4 + 0.15 * len(probes)))
    return seeds


def _share_a_stem(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two sets of content words share a word, or two words share their first five
    letters ("engaged" and "engagement")."""
    if a & b:
        return True
    prefixes = {w[:5] for w in a if len(w) >= 5}
    return any(w[:5] in prefixes for w in b if len(w) >= 5)


def _betrayal(acts: list[Event], by_pair: Mapping[Pair, list[Event]], context: SeedContext
              ) -> list[StorySeed]:
    """**Betrayal**: someone wronged a participant who trusted them.

    Holds (a) for every recorded betrayal (a revealed secret, an ally turned on) whose event
    is in the window: the betrayer and the betrayed, evidenced by the betrayal and the
    confidence it broke if that is in the window; or (b) when a participant's view of another
    is labelled ``estranged`` (trust collapsed after closeness) and that other did something
    hostile to them in the window. An insult between strangers is no betrayal. Genre: drama.
    """
    window = {e.id: e for e in acts}
    seeds = []
    for b in context.betrayals:
        if b.event_id is None:
            continue
        event = window.get(b.event_id)
        if event is None:
            continue
        trust = [e for e in by_pair.get(_pair(b.betrayer, b.betrayed), ())
                 if e.act is Act.CONFIDE and e.author_id == b.betrayed
                 and (e.id or 0) < b.event_id]
        seeds.append(_seed(SeedType.BETRAYAL, (b.betrayer, b.betrayed), [*trust[-1:], event],
                           0.8 if b.kind == "reveal_secret" else 0.7))
    for (source, target), view in context.relationships.items():
        if view.label != "estranged":
            continue
        wounds = [e for e in by_pair.get(_pair(source, target), ())
                  if e.author_id == target and is_hostile_act(e)]
        if wounds:
            seeds.append(_seed(SeedType.BETRAYAL, (source, target), wounds,
                               0.5 + 0.1 * len(wounds)))
    return seeds


def _alliance_against_enemy(acts: list[Event], by_pair: Mapping[Pair, list[Event]],
                            context: SeedContext) -> list[StorySeed]:
    """**Alliance against a common enemy**.

    Holds (a) for a known alliance that is not dissolved and names enemies, when a member
    acted with hostility toward one of them in the window; or (b) from the acts alone, when two
    or more participants each acted with hostility toward the same third one in the window,
    shared a warm act (agree, praise, help, thank, confide) or mutual affinity >= 0.3, and were
    not hostile to each other in the window. Participants: the allies and the enemy. A
    free-for-all (they also fight each other), or one person's quarrel, is no alliance.
    Genre: adventure.
    """
    seeds = []
    for alliance in context.alliances:
        if alliance.status == "dissolved" or not alliance.against:
            continue
        blows = [e for e in acts if e.author_id in alliance.members
                 and e.target_id in alliance.against and is_hostile_act(e)]
        if blows:
            seeds.append(_seed(SeedType.ALLIANCE_AGAINST_ENEMY,
                               (*alliance.members, *alliance.against), blows,
                               0.5 + alliance.strength / 2))
    hostile_to: dict[int, dict[int, list[Event]]] = defaultdict(lambda: defaultdict(list))
    for e in acts:
        if is_hostile_act(e) and e.act in HARD_HOSTILE | {Act.DISAGREE}:
            assert e.target_id is not None and e.author_id is not None
            hostile_to[e.target_id][e.author_id].append(e)
    for enemy, attackers in hostile_to.items():
        if len(attackers) < 2:
            continue
        allies: set[int] = set()
        warmth: list[Event] = []
        members = sorted(attackers)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                between = by_pair.get(_pair(a, b), [])
                if any(is_hostile_act(e) for e in between):
                    continue
                warm = [e for e in between if e.act in _WARM and e.sentiment >= 0]
                views = context.views(a, b)
                mutual = len(views) == 2 and all(v.affinity >= 0.3 for v in views)
                if warm or mutual:
                    allies |= {a, b}
                    warmth.extend(warm[:2])
        if len(allies) >= 2:
            blows = [e for a in sorted(allies) for e in attackers[a]]
            seeds.append(_seed(SeedType.ALLIANCE_AGAINST_ENEMY, (*allies, enemy),
                               [*blows, *warmth], 0.4 + 0.05 * len(blows) + 0.1 * len(allies)))
    return seeds
