"""Social volition: whom a character turns to, and which social move it makes.

In the spirit of Comme il Faut / Prom Week, every candidate move is scored by *volition rules*:
each rule looks at the actor's traits (Big Five: O C E A N), mood, its relationship to the
target (``aff``, ``trust``, ``fam``, ``rom``, ``riv``, ``grudge``) and the target's view of it,
and adds weight to some acts. The move is drawn from the weights with a seeded RNG, and the
names of the rules that fired are returned so every choice can be explained.

``cold`` is how betrayed the actor feels: ``max(grudge, -trust if trust < -0.3 else 0)``;
``x+`` / ``x-`` are the positive / negative parts of ``x``.

**Targets**: softmax (:data:`TARGET_TEMPERATURE`) over a sum of ``(.5 + E)(1.5 aff+ + fam +
1.5 rom+)`` (friends and crushes are sought out), ``riv+ (1.5 (1-A) + anger)`` (rivals provoke
the disagreeable), ``aff- (1.5 anger (1-A) - .5)`` (enemies avoided unless angry),
``cold (2.5 anger - 1)`` (the betrayed go cold, or seek a confrontation when angry),
``.5 their_aff+`` (reciprocity) and ``.25`` for humans (the audience).

**Acts**: answers to an act from the target come first (the first four are obligations); if
none fires, the additive repertoire below applies.

=====================  =========================  ============================================
rule                   when                       acts (weight)
=====================  =========================  ============================================
answer_question        ask                        answer (always)
return_greeting        greet / farewell           greet / farewell; small_talk if cold >= .5
return_thanks          thank / help               respond / thank (always)
support_confidant      confide                    help (always)
accept_praise          praise                     thank 3
flirt_back_at_praise   praise, rom > .2           flirt 2 + 3 rom
retort                 insult / threaten          insult (1-A)(3 anger + .5); disagree 1 + A; tease
                                                  E (1-anger); threaten 2 anger if anger>.6, A<.3
forgive                apologise                  agree (1 - grudge)(1 + 2A)
hold_grudge            apologise, grudge > .4     disagree 4 grudge
banter_back            tease                      tease .5 + E; joke .5 + A; disagree anger
flirt_back             flirt, rom > .2 or aff>.4  flirt 1 + 3 rom+
rebuff_flirt           flirt, rom <= .2           tease 1 - A; small_talk 1 + A; disagree cold
baseline_chat          always                     small_talk 1; ask .3 + .7 O; joke .3 E;
                                                  respond 1.5 (.75 if not addressed) if answering
friendship             aff > .25                  praise 1.5 aff; joke 1.2 aff (.5+E); agree 1.2
                                                  aff; help .5 aff; confide 1.2 aff (.5+N), trust>.2
crush                  rom > .2                   flirt 2.5 rom (.5 + E); praise .5 rom
rivalry                riv > .2                   tease 2 riv; disagree 1.5 riv (1.2 - A);
                                                  insult riv (1 - A)(.5 + anger)
enmity                 aff < -.4                  disagree 1; insult 1.5 (1-A)(.3 + anger);
                                                  threaten 2 anger (1-A) if anger > .5, A < .35
cold_shoulder          cold > .1                  disagree 2 cold; small_talk 1.5 cold
confront_betrayer      cold > .1, anger > .4      disagree 2 cold anger; insult cold anger (1-A)
make_amends            their aff < -.3, A > .6    apologise 1.5 A
cheerful / irritable   joy > .4 / anger > .5      joke, praise / disagree, tease (by intensity)
seek_comfort           sadness > .4, trust > .2   confide 1.5 sadness trust
goal:<kind>            a goal names a keyword     romance: flirt; friendship: praise, agree,
                                                  help; rivalry: tease, disagree; knowledge: ask
pursue_goal            active goals (engine.goals) their strategy's acts x horizon weight
in_company             target in allies_present   agree 1, praise .5
facing_rival_camp      target in rivals_present   disagree 1, tease .5 (1.5 - A)
=====================  =========================  ============================================

Hard limits, applied last: if cold > .1, warm acts (praise agree joke flirt help) x ``1 - cold``;
no confiding if ``grudge > .1`` or ``trust < 0``; humans are never threatened, insulted at half.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.acts import Act
from engine.personas import BigFive
from engine.relationships import Relationship
from engine.social.emotions import Mood

__all__ = ["Candidate", "Context", "TARGET_TEMPERATURE", "coldness", "grudge_of",
           "target_scores", "choose_target", "choose_act"]

#: Softmax temperature over target scores: lower means friends win more decisively.
TARGET_TEMPERATURE = 0.6

_WARM = (Act.PRAISE, Act.AGREE, Act.JOKE, Act.FLIRT, Act.HELP, Act.CONFIDE)
_GOALS: dict[str, tuple[str, ...]] = {
    "romance": ("love", "romance", "marry", "court", "affection", "heart"),
    "friendship": ("friend", "ally", "alliance", "belong", "popular"),
    "rivalry": ("rival", "win", "defeat", "revenge", "humiliate", "outshine"),
    "knowledge": ("learn", "know", "truth", "discover", "curious"),
}
#: Answers a character owes whatever it feels (greetings turn curt when cold >= .5).
_DUTIES: dict[Act, tuple[Act, str]] = {
    Act.ASK: (Act.ANSWER, "answer_question"), Act.GREET: (Act.GREET, "return_greeting"),
    Act.FAREWELL: (Act.FAREWELL, "return_greeting"), Act.THANK: (Act.RESPOND, "return_thanks"),
    Act.HELP: (Act.THANK, "return_thanks"), Act.CONFIDE: (Act.HELP, "support_confidant"),
}


@dataclass(frozen=True)
class Candidate:
    """Someone the actor could address, with the relationships in both directions."""

    participant_id: int
    relationship: Relationship
    their_view: Relationship | None = None
    is_human: bool = False


@dataclass(frozen=True)
class Context:
    """What the actor is reacting to, and what it wants."""

    incoming_act: Act | None = None
    from_id: int | None = None
    addressed_to_me: bool = False
    goals: tuple[str, ...] = ()
    rivals_present: frozenset[int] = frozenset()
    allies_present: frozenset[int] = frozenset()
    #: Act weights the actor's active goals add (``engine.goals.drive``): rule ``pursue_goal``.
    pursuit: tuple[tuple[Act, float], ...] = ()


def grudge_of(rel: Relationship) -> float:
    """The relationship's grudge in [0, 1] (0 where the field does not exist yet)."""
    grudge = float(getattr(rel, "grudge", 0.0))
    # clamp(grudge, 0.0, 1.0), inlined: this runs for every candidate of every choice.
    return 0.0 if grudge != grudge else min(1.0, max(0.0, grudge))


def coldness(rel: Relationship) -> float:
    """How betrayed the source feels toward the target, in [0, 1]."""
    trust = rel.trust
    distrust = -trust if trust < -0.3 else 0.0
    # clamp(max(grudge, distrust), 0.0, 1.0): neither side can be NaN here.
    return min(1.0, max(0.0, max(grudge_of(rel), distrust)))


def target_scores(actor: BigFive, mood: Mood, candidates: Sequence[Candidate]) -> dict[int, float]:
    """The volition score of turning to each candidate (higher is more wanted)."""
    # The actor's terms are the same for every candidate: computed once, with the same
    # arithmetic as per candidate. ``x if x > 0.0 else 0.0`` is ``max(0.0, x)`` for floats.
    a, anger = actor.agreeableness, mood.anger
    warmth = 0.5 + actor.extraversion
    provoked = 1.5 * (1 - a) + anger
    hostile = 1.5 * anger * (1 - a) - 0.5
    betrayed = 2.5 * anger - 1.0
    scores: dict[int, float] = {}
    for c in candidates:
        rel = c.relationship
        aff, rom, riv = rel.affinity, rel.romance, rel.rivalry
        score = warmth * (
            1.5 * (aff if aff > 0.0 else 0.0) + rel.familiarity + 1.5 * (rom if rom > 0.0 else 0.0)
        )
        score += (riv if riv > 0.0 else 0.0) * provoked
        score += (-aff if -aff > 0.0 else 0.0) * hostile
        # coldness(rel), inlined; ``(x if x < 1.0 else 1.0) if x > 0.0 else 0.0`` is
        # ``clamp(x, 0.0, 1.0)`` for floats, NaN included.
        grudge = float(getattr(rel, "grudge", 0.0))
        grudge = (grudge if grudge < 1.0 else 1.0) if grudge > 0.0 else 0.0
        trust = rel.trust
        distrust = -trust if trust < -0.3 else 0.0
        cold = distrust if distrust > grudge else grudge
        score += ((cold if cold < 1.0 else 1.0) if cold > 0.0 else 0.0) * betrayed
        their = c.their_view
        if their is not None:
            their_aff = their.affinity
            score += 0.5 * (their_aff if their_aff > 0.0 else 0.0)
        scores[c.participant_id] = score + (0.25 if c.is_human else 0.0)
    return scores


def choose_target(
    actor: BigFive, mood: Mood, candidates: Sequence[Candidate], rng: random.Random,
    bonus: Mapping[int, float] | None = None,
) -> int | None:
    """Pick whom to address by a seeded softmax over :func:`target_scores`.

    Friends, familiars and crushes are sought out; low-agreeableness actors seek out rivals;
    the betrayed avoid the betrayer unless angry, when they seek a confrontation. ``bonus``
    adds to candidates' scores (goals seek or avoid the people they name).

    Returns:
        The chosen participant id, or None if there is no candidate.
    """
    if not candidates:
        return None
    scores = target_scores(actor, mood, candidates)
    for pid, extra in (bonus or {}).items():  # goals: sought (or avoided) targets
        if pid in scores:
            scores[pid] += extra
    top = max(scores.values())
    ids = [c.participant_id for c in candidates]
    weights = [math.exp((scores[i] - top) / TARGET_TEMPERATURE) for i in ids]
    return rng.choices(ids, weights=weights, k=1)[0]


@dataclass(frozen=True)
class _Situation:
    b5: BigFive
    mood: Mood
    target: Candidate
    context: Context
    cold: float
    grudge: float
    incoming: Act | None


def _answers(s: _Situation) -> list[tuple[str, dict[Act, float]]]:
    b, m, r, inc = s.b5, s.mood, s.target.relationship, s.incoming
    rom, a, e = max(0.0, r.romance), b.agreeableness, b.extraversion
    out: list[tuple[str, dict[Act, float]]] = []
    if inc is Act.PRAISE:
        out.append(("accept_praise", {Act.THANK: 3.0}))
        if rom > 0.2:
            out.append(("flirt_back_at_praise", {Act.FLIRT: 2.0 + 3.0 * rom}))
    elif inc in (Act.INSULT, Act.THREATEN):
        retort = {Act.INSULT: 3 * m.anger * (1 - a) + 0.5 * (1 - a), Act.DISAGREE: 1.0 + a,
                  Act.TEASE: e * (1 - m.anger)}
        if m.anger > 0.6 and a < 0.3:
            retort[Act.THREATEN] = 2.0 * m.anger
        out.append(("retort", retort))
    elif inc is Act.APOLOGISE:
        out.append(("forgive", {Act.AGREE: (1 - s.grudge) * (1 + 2 * a)}))
        if s.grudge > 0.4:
            out.append(("hold_grudge", {Act.DISAGREE: 4.0 * s.grudge}))
    elif inc is Act.TEASE:
        out.append(("banter_back", {Act.TEASE: 0.5 + e, Act.JOKE: 0.5 + a,
                                    Act.DISAGREE: m.anger}))
    elif inc is Act.FLIRT:
        if rom > 0.2 or r.affinity > 0.4:
            out.append(("flirt_back", {Act.FLIRT: (1 + 3 * rom) * (1 - s.cold)}))
        if rom <= 0.2:
            out.append(("rebuff_flirt", {Act.TEASE: 1 - a, Act.SMALL_TALK: 1 + a,
                                         Act.DISAGREE: s.cold}))
    return out


def _wanted(goals: Sequence[str]) -> frozenset[str]:
    said = " ".join(goals).lower()
    return frozenset(kind for kind, words in _GOALS.items() if any(w in said for w in words))


_wanted_cached = functools.lru_cache(maxsize=4096)(_wanted)


def _wants(goals: Sequence[str]) -> frozenset[str]:
    """The goal kinds (:data:`_GOALS`) that ``goals`` name; cached, as goals rarely change."""
    try:
        return _wanted_cached(goals)
    except TypeError:  # unhashable goals (a list): nothing to cache by
        return _wanted(goals)


def _repertoire(s: _Situation) -> list[tuple[str, dict[Act, float]]]:
    b, m, r, ctx = s.b5, s.mood, s.target.relationship, s.context
    a, e, n = b.agreeableness, b.extraversion, b.neuroticism
    aff, rom, riv = r.affinity, max(0.0, r.romance), max(0.0, r.rivalry)
    base = {Act.SMALL_TALK: 1.0, Act.ASK: 0.3 + 0.7 * b.openness, Act.JOKE: 0.3 * e}
    if s.incoming is not None:
        base[Act.RESPOND] = 1.5 if ctx.addressed_to_me else 0.75
    out: list[tuple[str, dict[Act, float]]] = [("baseline_chat", base)]
    wants = _wants(ctx.goals)
    if aff > 0.25:
        friend = {Act.PRAISE: 1.5 * aff, Act.JOKE: 1.2 * aff * (0.5 + e), Act.AGREE: 1.2 * aff,
                  Act.HELP: 0.5 * aff}
        if r.trust > 0.2:
            friend[Act.CONFIDE] = 1.2 * aff * (0.5 + n)
        out.append(("friendship", friend))
    if rom > 0.2:
        out.append(("crush", {Act.FLIRT: 2.5 * rom * (0.5 + e), Act.PRAISE: 0.5 * rom}))
    if riv > 0.2:
        out.append(("rivalry", {Act.TEASE: 2 * riv, Act.DISAGREE: 1.5 * riv * (1.2 - a),
                                Act.INSULT: riv * (1 - a) * (0.5 + m.anger)}))
    if aff < -0.4:
        enmity = {Act.DISAGREE: 1.0, Act.INSULT: 1.5 * (1 - a) * (0.3 + m.anger)}
        if m.anger > 0.5 and a < 0.35:
            enmity[Act.THREATEN] = 2 * m.anger * (1 - a)
        out.append(("enmity", enmity))
    if s.cold > 0.1:
        out.append(("cold_shoulder", {Act.DISAGREE: 2 * s.cold, Act.SMALL_TALK: 1.5 * s.cold}))
        if m.anger > 0.4:
            out.append(("confront_betrayer", {Act.DISAGREE: 2 * s.cold * m.anger,
                                              Act.INSULT: s.cold * m.anger * (1 - a)}))
    their = s.target.their_view
    if their is not None and their.affinity < -0.3 and a > 0.6:
        out.append(("make_amends", {Act.APOLOGISE: 1.5 * a}))
    if m.joy > 0.4:
        out.append(("cheerful", {Act.JOKE: m.joy, Act.PRAISE: 0.5 * m.joy}))
    if m.anger > 0.5:
        out.append(("irritable", {Act.DISAGREE: 0.8 * m.anger, Act.TEASE: 0.4 * m.anger}))
    if m.sadness > 0.4 and r.trust > 0.2:
        out.append(("seek_comfort", {Act.CONFIDE: 1.5 * m.sadness * r.trust}))
    if "romance" in wants and rom > 0 and aff >= 0:
        out.append(("goal:romance", {Act.FLIRT: 1.0 + rom}))
    if "friendship" in wants and aff >= 0:
        out.append(("goal:friendship", {Act.PRAISE: 0.7, Act.AGREE: 0.7, Act.HELP: 0.7}))
    if "rivalry" in wants and riv > 0.2:
        out.append(("goal:rivalry", {Act.TEASE: 1.0, Act.DISAGREE: 1.0}))
    if "knowledge" in wants:
        out.append(("goal:knowledge", {Act.ASK: 1.0}))
    if ctx.pursuit:
        out.append(("pursue_goal", dict(ctx.pursuit)))
    if s.target.participant_id in ctx.allies_present:
        out.append(("in_company", {Act.AGREE: 1.0, Act.PRAISE: 0.5}))
    if s.target.participant_id in ctx.rivals_present:
        out.append(("facing_rival_camp", {Act.DISAGREE: 1.0, Act.TEASE: 0.5 * (1.5 - a)}))
    return out


def choose_act(
    actor: BigFive, mood: Mood, target: Candidate, context: Context, rng: random.Random
) -> tuple[Act, list[str]]:
    """Pick the social move toward ``target`` by the volition rules (module docstring).

    Args:
        actor: The actor's traits.
        mood: The actor's current mood.
        target: The chosen target, with the relationships in both directions.
        context: The act being answered (if it came from ``target``), goals and company.
        rng: Seeded randomness.

    Returns:
        The act and the names of the rules that fired, in evaluation order.
    """
    answering = context.from_id is None or context.from_id == target.participant_id
    rel = target.relationship
    s = _Situation(actor, mood, target, context, coldness(rel),
                   grudge_of(rel), context.incoming_act if answering else None)
    if s.incoming in _DUTIES:
        act, rule = _DUTIES[s.incoming]
        curt = rule == "return_greeting" and s.cold >= 0.5
        return (Act.SMALL_TALK if curt else act), [rule]
    fired = _answers(s) or _repertoire(s)
    totals: dict[Act, float] = {}
    for _, weights in fired:
        for act, weight in weights.items():
            totals[act] = totals.get(act, 0.0) + weight
    names = [name for name, weights in fired if any(w > 0 for w in weights.values())]
    for act in _WARM if s.cold > 0.1 else ():
        totals[act] = totals.get(act, 0.0) * (1.0 - s.cold)
    if s.grudge > 0.1 or rel.trust < 0:
        totals.pop(Act.CONFIDE, None)
    if target.is_human:
        totals.pop(Act.THREATEN, None)
        totals[Act.INSULT] = 0.5 * totals.get(Act.INSULT, 0.0)
    options = [(act, w) for act, w in totals.items() if w > 1e-9 and math.isfinite(w)]
    if not options:
        return (Act.RESPOND if s.incoming is not None else Act.SMALL_TALK), [*names, "fallback"]
    return rng.choices([a for a, _ in options], [w for _, w in options], k=1)[0], names
