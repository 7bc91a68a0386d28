"""Build the labelled story-seed set: synthetic interaction logs with the seeds they contain.

One command (deterministic: the same seed gives the same file)::

    .venv/bin/python tests/data/story_seeds/build.py            # writes logs.jsonl beside it

Each log is one *situation* played out by a small cast (two to four principals and two
bystanders, names drawn from a pool) over 12-40 events, with bystander chatter and neutral
exchanges (greetings, small talk, answers, unrelated questions) interleaved at random, random
sentiments within each act's plausible range, and a relationship snapshot as the engine would
hold it at the end. The labels come from the situation written, not from the recogniser:
``expected`` lists the seeds a reader of the log would name. There are positives for each seed
type (several shapes each) and hard negatives that look like a seed but are not one:

- banter (teasing and jokes with good humour) is not conflict; one insult does not escalate;
  mild disagreements between friends are neither conflict nor rivalry; a quarrel that winds
  down is not escalating;
- one flirt is not romantic tension;
- a confidence nobody asks about, or an unrelated question to a confidant, is no mystery;
- an owner telling their own secret is no betrayal; an insult between strangers is none;
- a "sorry I'm late" with nothing to make up, or an apology rebuffed, is no reconciliation;
- a free-for-all (everyone against everyone) is no alliance; rivals who never meet in the
  window carry no rivalry seed.

Format (one JSON object per line): ``id``, ``kind`` (the situation), ``names`` (id -> name),
``events`` (``id``, ``at``, ``author``, ``target``, ``act``, ``sentiment``, ``text``),
``relationships`` (``source``, ``target``, ``affinity``, ``trust``, ``romance``, ``rivalry``,
``grudge``, ``label``), ``betrayals``, ``alliances``, ``conflicts`` and ``expected``
(``type``, ``participants``). Read by ``engine.stories.evaluation.load_logs``.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NAMES = ["Elizabeth", "Darcy", "Jane", "Bingley", "Wickham", "Lydia", "Charlotte", "Collins",
         "Caroline", "Georgiana", "Fitzwilliam", "Kitty", "Mary", "Denny", "Anne", "Harriet",
         "Emma", "Knightley", "Frank", "Isabella", "Edmund", "Fanny", "Henry", "Marianne"]
SMALL_TALK = ["What fine weather for a walk.", "The roads were dreadful this morning.",
              "Did you try the cake at the fair?", "The music tonight was lovely.",
              "I hear the regiment leaves soon.", "Such a crowd at the assembly!"]
GREETINGS = ["Good morning!", "Hello there.", "Good evening to you."]
ANSWERS = ["Yes, quite so.", "I believe it was on Tuesday.", "Perhaps tomorrow."]
QUESTIONS = ["Will you come to the ball on Saturday?", "Shall we take the carriage?",
             "Have you finished the novel yet?", "Is the tea still warm?"]
SECRETS = [("letter", "I found a hidden letter in the library."),
           ("debts", "I have run up terrible debts at cards."),
           ("locket", "I took the silver locket from the drawer."),
           ("engagement", "I am secretly engaged to an officer."),
           ("inheritance", "My uncle's inheritance is not what they think.")]
INSULTS = ["You are an insufferable bore.", "How dare you, you arrogant fool.",
           "Nobody wants your opinion, you wretch.", "You are a liar and a coward."]
THREATS = ["Cross me again and you will regret it.", "I will ruin you, mark my words.",
           "Say that once more and see what happens."]
DISAGREE = ["I cannot agree with that.", "That is simply not true.", "You are quite wrong."]
TEASES = ["Oh, look who finally woke up!", "Still losing at whist, I see!",
          "Your bonnet could shelter a family of four!"]
FLIRTS = ["You look radiant this evening.", "Save me a dance, would you?",
          "I find myself thinking of you rather often."]
PRAISE = ["That was beautifully done.", "You have excellent taste.", "How clever you are!"]


class Log:
    def __init__(self, rng: random.Random, ident: str, kind: str, principals: int = 2) -> None:
        self.rng = rng
        self.id = ident
        self.kind = kind
        names = rng.sample(NAMES, principals + 2)
        ids = rng.sample(range(1, 500), principals + 2)
        self.names = dict(zip(ids, names, strict=True))
        self.cast = ids[:principals]
        self.bystanders = ids[principals:]
        self.events: list[dict[str, Any]] = []
        self.next_id = rng.randint(1, 10_000)
        self.at = datetime(2026, 3, 1, 18, 0, tzinfo=UTC) + timedelta(
            days=rng.randint(0, 200))
        self.relationships: list[dict[str, Any]] = []
        self.betrayals: list[dict[str, Any]] = []
        self.alliances: list[dict[str, Any]] = []
        self.conflicts: list[dict[str, Any]] = []
        self.expected: list[dict[str, Any]] = []

    # -- writing -----------------------------------------------------------------------------
    def act(self, author: int, target: int | None, act: str, sentiment: float,
            text: str = "") -> int:
        self.next_id += self.rng.randint(1, 3)
        self.at += timedelta(seconds=self.rng.randint(20, 600))
        self.events.append({"id": self.next_id, "at": self.at.isoformat(), "author": author,
                            "target": target, "act": act, "sentiment": round(sentiment, 2),
                            "text": text})
        return self.next_id

    def noise(self, n: int | None = None, cast_neutral: bool = True) -> None:
        """Bystander chatter, and neutral exchanges involving the cast."""
        for _ in range(self.rng.randint(1, 4) if n is None else n):
            pool = self.bystanders + (self.cast if cast_neutral else [])
            a, b = self.rng.sample(pool, 2)
            if a in self.cast and b in self.cast and not cast_neutral:
                continue
            kind = self.rng.choice(["small_talk", "greet", "answer", "ask", "joke", "praise"])
            if a in self.cast or b in self.cast:
                kind = self.rng.choice(["small_talk", "greet", "answer"])
            text = {"small_talk": SMALL_TALK, "greet": GREETINGS, "answer": ANSWERS,
                    "ask": QUESTIONS, "joke": TEASES, "praise": PRAISE}[kind]
            sentiment = {"small_talk": 0.1, "greet": 0.3, "answer": 0.1, "ask": 0.05,
                         "joke": 0.4, "praise": 0.6}[kind]
            self.act(a, b, kind, sentiment + self.rng.uniform(-0.1, 0.1),
                     self.rng.choice(text))

    def view(self, source: int, target: int, **values: Any) -> None:
        row = {"source": source, "target": target, "affinity": 0.1, "trust": 0.1,
               "romance": 0.0, "rivalry": 0.0, "grudge": 0.0, "label": "acquaintance"}
        row.update({k: round(v, 2) if isinstance(v, float) else v for k, v in values.items()})
        self.relationships.append(row)

    def expect(self, type_: str, *participants: int) -> None:
        self.expected.append({"type": type_, "participants": sorted(participants)})

    def hostile(self, a: int, b: int, act: str) -> int:
        r = self.rng
        if act == "insult":
            return self.act(a, b, act, r.uniform(-0.9, -0.5), r.choice(INSULTS))
        if act == "threaten":
            return self.act(a, b, act, r.uniform(-1.0, -0.7), r.choice(THREATS))
        if act == "disagree":
            return self.act(a, b, act, r.uniform(-0.4, -0.1), r.choice(DISAGREE))
        return self.act(a, b, "tease", r.uniform(-0.7, -0.4), r.choice(TEASES))

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind,
                "names": {str(k): v for k, v in self.names.items()},
                "events": self.events, "relationships": self.relationships,
                "betrayals": self.betrayals, "alliances": self.alliances,
                "conflicts": self.conflicts, "expected": self.expected}


# -- situations: positives ---------------------------------------------------------------------
def escalating_quarrel(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    ladder = [r.choice(["disagree", "tease"]), "insult", "insult",
              r.choice(["insult", "threaten"]), "threaten"][: r.randint(3, 5)]
    if ladder.count("insult") + ladder.count("threaten") < 2:
        ladder.append("insult")
    for i, act in enumerate(ladder):
        log.noise(r.randint(0, 2))
        log.hostile(a if i % 2 == 0 else b, b if i % 2 == 0 else a, act)
    log.noise()
    log.view(a, b, affinity=r.uniform(-0.8, -0.4), trust=-0.2, label="enemy")
    log.view(b, a, affinity=r.uniform(-0.7, -0.3), trust=-0.2, label="enemy")
    log.expect("escalating_conflict", a, b)


def campaign(log: Log) -> None:
    """One side keeps attacking, harder each time; the other stays silent."""
    a, b = log.cast
    r = log.rng
    for act in ["insult", "insult", "threaten"][: r.randint(3, 3)] + ["threaten"] * r.randint(0, 1):
        log.noise(r.randint(0, 2))
        log.hostile(a, b, act)
    log.noise()
    log.view(b, a, affinity=-0.5, trust=-0.4, label="enemy")
    log.expect("escalating_conflict", a, b)


def rivals_compete(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    acts = [(a, "disagree"), (b, "tease"), (a, "tease"), (b, "disagree")][: r.randint(2, 4)]
    if r.random() < 0.4:
        acts.append((a, "insult"))
    for author, act in acts:
        log.noise(r.randint(0, 2))
        other = b if author == a else a
        if act == "tease" and r.random() < 0.5:
            log.act(author, other, "tease", r.uniform(0.0, 0.3), r.choice(TEASES))
        else:
            log.hostile(author, other, act)
    if r.random() < 0.5:
        log.act(b, a, "praise", 0.3, "A fair point, I grant you.")
    log.noise()
    log.view(a, b, rivalry=r.uniform(0.45, 0.8), affinity=r.uniform(-0.2, 0.3), label="rival")
    log.view(b, a, rivalry=r.uniform(0.3, 0.7), affinity=r.uniform(-0.2, 0.3),
             label=r.choice(["rival", "acquaintance"]))
    log.expect("rivalry", a, b)


def feud_between_rivals(log: Log) -> None:
    escalating_quarrel(log)
    a, b = log.cast
    log.relationships = []
    log.view(a, b, rivalry=0.6, affinity=-0.6, label="enemy")
    log.view(b, a, rivalry=0.5, affinity=-0.5, label="rival")
    log.expect("rivalry", a, b)


def courtship(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    log.act(a, b, "flirt", r.uniform(0.4, 0.8), r.choice(FLIRTS))
    log.noise(r.randint(0, 2))
    log.act(b, a, r.choice(["flirt", "praise", "tease", "thank"]), r.uniform(0.2, 0.7),
            r.choice(PRAISE + FLIRTS))
    log.noise(r.randint(0, 2))
    flirter = r.choice([a, b])
    log.act(flirter, b if flirter == a else a, "flirt", r.uniform(0.4, 0.8), r.choice(FLIRTS))
    log.noise()
    log.view(a, b, affinity=0.5, trust=0.3, romance=r.uniform(0.2, 0.6),
             label=r.choice(["crush", "friend"]))
    log.view(b, a, affinity=0.4, trust=0.3, romance=r.uniform(0.1, 0.4), label="friend")
    log.expect("romantic_tension", a, b)


def pining(log: Log) -> None:
    """Unanswered flirts, but the flirter is smitten (crush)."""
    a, b = log.cast
    r = log.rng
    for _ in range(r.randint(2, 3)):
        log.noise(r.randint(0, 2))
        log.act(a, b, "flirt", r.uniform(0.4, 0.8), r.choice(FLIRTS))
        log.act(b, a, "small_talk", 0.1, r.choice(SMALL_TALK))
    log.noise()
    log.view(a, b, affinity=0.5, romance=r.uniform(0.35, 0.7), label="crush")
    log.expect("romantic_tension", a, b)


def secret_probed(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    c = log.bystanders[0]
    word, secret = r.choice(SECRETS)
    log.noise(r.randint(0, 2))
    log.act(a, b, "confide", 0.4, f"{log.names[b]}, between us: {secret}")
    log.noise(r.randint(1, 3))
    probe = r.choice([
        (a, f"What were you and {log.names[b]} whispering about?"),
        (b, f"Has {log.names[a]} told you anything about the {word}?"),
        (a, f"Do you know where the {word} went?"),
    ])
    log.act(c, probe[0], "ask", 0.0, probe[1])
    log.noise()
    log.view(a, b, affinity=0.5, trust=0.6, label="friend")
    log.expect("mystery", a, b)


def secret_revealed(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    c = log.bystanders[0]
    word, secret = r.choice(SECRETS)
    log.act(a, b, "confide", 0.4, f"Promise not to tell: {secret}")
    log.noise(r.randint(1, 3))
    reveal = log.act(b, c, r.choice(["small_talk", "respond"]), 0.0,
                     f"Did you know {log.names[a]} and the {word}? {secret}")
    log.betrayals.append({"betrayer": b, "betrayed": a, "event_id": reveal,
                          "kind": "reveal_secret"})
    log.noise()
    log.view(a, b, affinity=0.0, trust=-0.4, grudge=0.5, label="estranged")
    log.expect("betrayal", a, b)


def turned_on(log: Log) -> None:
    """A close friend turns on them (estranged view, a hostile act)."""
    a, b = log.cast
    r = log.rng
    log.noise(r.randint(1, 3))
    log.hostile(b, a, r.choice(["insult", "threaten"]))
    if r.random() < 0.5:
        log.act(a, b, "disagree", -0.3, "How could you?")
    log.noise()
    log.view(a, b, affinity=-0.1, trust=-0.45, grudge=0.4, label="estranged")
    log.expect("betrayal", a, b)


def ganging_up(log: Log) -> None:
    a, b, c = log.cast
    r = log.rng
    log.hostile(a, c, r.choice(["insult", "disagree"]))
    log.noise(r.randint(0, 2))
    log.act(b, a, r.choice(["agree", "praise"]), 0.5, "Well said!")
    log.hostile(b, c, r.choice(["insult", "threaten"]))
    log.noise(r.randint(0, 2))
    if r.random() < 0.5:
        log.hostile(c, a, "disagree")
    log.noise()
    log.view(a, b, affinity=0.4, trust=0.3, label="friend")
    log.view(b, a, affinity=0.4, trust=0.3, label="friend")
    log.expect("alliance_against_enemy", a, b, c)


def sworn_alliance(log: Log) -> None:
    a, b, c = log.cast
    r = log.rng
    log.alliances.append({"members": [a, b], "against": [c], "status": "active",
                          "strength": r.uniform(0.4, 0.8), "purpose": f"against {log.names[c]}"})
    log.noise(r.randint(1, 3))
    log.hostile(r.choice([a, b]), c, r.choice(["insult", "threaten", "disagree"]))
    log.noise()
    log.expect("alliance_against_enemy", a, b, c)


def making_up(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    log.hostile(a, b, r.choice(["insult", "disagree"]))
    if r.random() < 0.5:
        log.hostile(b, a, "disagree")
    log.noise(r.randint(1, 3))
    log.act(a, b, "apologise", 0.4, "I am sorry, I spoke in anger.")
    log.noise(r.randint(0, 2))
    log.act(b, a, r.choice(["thank", "agree", "greet", "praise"]), 0.4,
            "Thank you. Let us forget it.")
    log.noise()
    log.expect("reconciliation", a, b)


def old_wound_healed(log: Log) -> None:
    """No quarrel in the window, but an old feud (conflict, estranged view) is made up."""
    a, b = log.cast
    r = log.rng
    log.conflicts.append({"parties": [a, b], "intensity": r.uniform(0.3, 0.7),
                          "stage": r.choice(["open", "cooling", "feud"])})
    log.view(b, a, affinity=-0.3, trust=-0.35, grudge=r.uniform(0.2, 0.5), label="estranged")
    log.noise(r.randint(1, 3))
    log.act(a, b, "apologise", 0.5, "I was wrong about you, and I am sorry.")
    log.noise(r.randint(0, 2))
    log.act(b, a, r.choice(["thank", "apologise", "agree"]), 0.4, "Then let us begin again.")
    log.noise()
    log.expect("reconciliation", a, b)


def feud_then_peace(log: Log) -> None:
    escalating_quarrel(log)
    a, b = log.cast
    log.act(a, b, "apologise", 0.5, "Forgive me. I went too far.")
    log.act(b, a, "thank", 0.4, "Thank you for saying so.")
    log.expect("reconciliation", a, b)


# -- situations: hard negatives ----------------------------------------------------------------
def banter(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    for i in range(r.randint(4, 8)):
        log.noise(r.randint(0, 1))
        author, other = (a, b) if i % 2 == 0 else (b, a)
        act = r.choice(["tease", "joke", "tease"])
        log.act(author, other, act, r.uniform(-0.2, 0.5), r.choice(TEASES))
    log.view(a, b, affinity=0.6, trust=0.5, label="close friend")
    log.view(b, a, affinity=0.6, trust=0.5, label="close friend")


def one_insult(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    log.noise(r.randint(1, 3))
    log.hostile(a, b, "insult")
    log.noise(r.randint(1, 3))
    if r.random() < 0.5:
        log.hostile(b, a, "disagree")
    log.act(a, b, "small_talk", 0.1, r.choice(SMALL_TALK))
    log.noise()
    log.view(b, a, affinity=-0.2, label="acquaintance")


def friendly_disagreement(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    for i in range(r.randint(3, 5)):
        author, other = (a, b) if i % 2 == 0 else (b, a)
        log.hostile(author, other, "disagree")
        log.noise(r.randint(0, 1))
    log.act(b, a, "agree", 0.4, "Well, perhaps you have a point.")
    log.view(a, b, affinity=0.5, trust=0.4, label="friend")
    log.view(b, a, affinity=0.5, trust=0.4, label="friend")


def quarrel_winding_down(log: Log) -> None:
    a, b = log.cast
    for act in ["threaten", "insult", "disagree", "disagree"]:
        log.noise(log.rng.randint(0, 1))
        log.hostile(a if act != "insult" else b, b if act != "insult" else a, act)
    log.noise()
    log.view(a, b, affinity=-0.2, label="acquaintance")


def one_flirt(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    log.act(a, b, "flirt", r.uniform(0.3, 0.7), r.choice(FLIRTS))
    log.act(b, a, r.choice(["praise", "thank", "small_talk"]), 0.3, r.choice(PRAISE))
    log.act(a, b, "praise", 0.5, r.choice(PRAISE))
    log.noise()
    log.view(a, b, affinity=0.4, romance=0.1, label="friend")


def secret_kept(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    c = log.bystanders[0]
    _, secret = r.choice(SECRETS)
    log.act(a, b, "confide", 0.4, f"Between us: {secret}")
    log.noise(r.randint(1, 3))
    log.act(c, r.choice([a, b]), "ask", 0.05, r.choice(QUESTIONS))
    log.act(b, a, "answer", 0.2, "Your secret is safe with me.")
    log.noise()
    log.view(a, b, affinity=0.5, trust=0.6, label="friend")


def own_secret_told(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    c = log.bystanders[0]
    word, secret = r.choice(SECRETS)
    log.act(a, b, "confide", 0.4, f"Between us: {secret}")
    log.noise(r.randint(1, 3))
    log.act(a, c, "small_talk", 0.1, f"Oh, everyone may as well know about the {word}.")
    log.noise()
    log.view(a, b, affinity=0.5, trust=0.6, label="friend")


def strangers_snap(log: Log) -> None:
    a, b = log.cast
    log.hostile(a, b, "insult")
    log.hostile(b, a, "insult")
    log.noise()
    log.view(a, b, affinity=-0.3, trust=-0.1, label="acquaintance")
    log.view(b, a, affinity=-0.3, trust=-0.1, label="acquaintance")


def polite_sorry(log: Log) -> None:
    a, b = log.cast
    log.noise(log.rng.randint(1, 3))
    log.act(a, b, "apologise", 0.3, "Sorry I am late!")
    log.act(b, a, "greet", 0.4, "Not at all, come in.")
    log.noise()
    log.view(a, b, affinity=0.4, label="friend")


def apology_rebuffed(log: Log) -> None:
    a, b = log.cast
    log.hostile(a, b, "insult")
    log.noise(log.rng.randint(0, 2))
    log.act(a, b, "apologise", 0.3, "I am sorry.")
    log.hostile(b, a, log.rng.choice(["insult", "disagree"]))
    log.noise()
    log.view(b, a, affinity=-0.3, label="acquaintance")


def free_for_all(log: Log) -> None:
    a, b, c = log.cast
    r = log.rng
    log.hostile(a, c, "insult")
    log.hostile(b, c, "insult")
    log.noise(r.randint(0, 2))
    log.hostile(a, b, r.choice(["insult", "disagree"]))
    log.act(b, a, "agree", 0.1, "Fine.")
    log.noise()


def rivals_apart(log: Log) -> None:
    a, b = log.cast
    r = log.rng
    for _ in range(r.randint(2, 4)):
        log.act(a, log.bystanders[0], "small_talk", 0.1, r.choice(SMALL_TALK))
        log.act(b, log.bystanders[1], r.choice(["disagree", "small_talk"]), -0.1,
                r.choice(DISAGREE))
        log.noise(r.randint(0, 1))
    log.view(a, b, rivalry=0.7, affinity=-0.1, label="rival")
    log.view(b, a, rivalry=0.6, affinity=-0.1, label="rival")


def lone_grievance(log: Log) -> None:
    """Two people dislike the same person, but only one acts on it; the other chats."""
    a, b, c = log.cast
    log.hostile(a, c, "insult")
    log.act(b, a, "praise", 0.5, "What a lovely day.")
    log.act(b, c, "small_talk", 0.1, log.rng.choice(SMALL_TALK))
    log.noise()


SITUATIONS: list[tuple[str, Callable[[Log], None], int, int]] = [
    # name, builder, principals, count
    ("escalating_quarrel", escalating_quarrel, 2, 14),
    ("campaign", campaign, 2, 8),
    ("feud_between_rivals", feud_between_rivals, 2, 6),
    ("rivals_compete", rivals_compete, 2, 16),
    ("courtship", courtship, 2, 14),
    ("pining", pining, 2, 8),
    ("secret_probed", secret_probed, 2, 16),
    ("secret_revealed", secret_revealed, 2, 12),
    ("turned_on", turned_on, 2, 10),
    ("ganging_up", ganging_up, 3, 12),
    ("sworn_alliance", sworn_alliance, 3, 10),
    ("making_up", making_up, 2, 12),
    ("old_wound_healed", old_wound_healed, 2, 8),
    ("feud_then_peace", feud_then_peace, 2, 6),
    ("banter", banter, 2, 14),
    ("one_insult", one_insult, 2, 12),
    ("friendly_disagreement", friendly_disagreement, 2, 10),
    ("quarrel_winding_down", quarrel_winding_down, 2, 6),
    ("one_flirt", one_flirt, 2, 10),
    ("secret_kept", secret_kept, 2, 12),
    ("own_secret_told", own_secret_told, 2, 8),
    ("strangers_snap", strangers_snap, 2, 8),
    ("polite_sorry", polite_sorry, 2, 8),
    ("apology_rebuffed", apology_rebuffed, 2, 8),
    ("free_for_all", free_for_all, 3, 8),
    ("rivals_apart", rivals_apart, 2, 8),
    ("lone_grievance", lone_grievance, 3, 8),
]


def build(seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    logs = []
    for name, situation, principals, count in SITUATIONS:
        for i in range(count):
            log = Log(rng, f"{name}-{i:02d}", name, principals)
            log.noise(rng.randint(1, 4))
            situation(log)
            logs.append(log.as_json())
    return logs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-o", "--output", type=Path, default=HERE / "logs.jsonl")
    args = parser.parse_args()
    logs = build(args.seed)
    with open(args.output, "w", encoding="utf-8") as handle:
        for log in logs:
            handle.write(json.dumps(log, sort_keys=True) + "\n")
    positives = sum(1 for log in logs if log["expected"])
    print(f"{len(logs)} logs ({positives} with seeds, {len(logs) - positives} hard negatives) "
          f"-> {args.output}")


if __name__ == "__main__":
    main()
