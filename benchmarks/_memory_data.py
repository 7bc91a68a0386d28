"""Synthetic memories and queries for the memory benchmarks (all seeded, no model).

Memories read like the ones the loop writes: what a witness heard ("Mira said to Tobin: ..."),
what it saw, rumours, and now and then a reflection ("I think Tobin is worried about the
harvest fair"). Sentences are assembled from word lists of names, places, topics, events,
times and feelings, so that a character's memories share words the way real chat does (the
same people, places and subjects come back) without repeating whole texts. Lengths range from
a few words to a few sentences (about 40-400 characters, the observation limit is 600).

Queries come in two kinds: *known* ones built from the same names, places and topics (their
words appear in many memories: the lexical and the vector search both find something), and
*unknown* ones made only of words no memory contains (nothing matches lexically; the vector
search still returns its nearest, which is the usual case for small talk).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "NAMES", "memory_text", "memory_texts", "queries", "MemorySpec", "memory_specs",
]

NAMES = (
    "Mira", "Tobin", "Alva", "Bram", "Celia", "Dorian", "Edda", "Fenwick", "Greta", "Hollis",
    "Ines", "Jasper", "Kestrel", "Lorcan", "Maeve", "Nico", "Odile", "Piet", "Quilla", "Rosalind",
    "Soren", "Tamsin", "Ulric", "Vesna", "Wren", "Xavier", "Yara", "Zeno", "Anouk", "Bertil",
    "Calla", "Desmond", "Elowen", "Florian", "Gideon", "Hester", "Ivo", "Juniper", "Kasimir",
    "Linnea", "Marius", "Nell", "Osric", "Perpetua", "Rafferty", "Sabine", "Thaddeus", "Una",
    "Viggo", "Winifred",
)

PLACES = (
    "the mill", "the harbour", "the old inn", "the market square", "the lighthouse",
    "the bakery on Elm Street", "the town hall", "the north bridge", "the orchard",
    "the chapel", "the blacksmith's forge", "the schoolhouse", "the river bank",
    "the train station", "the library", "the tavern cellar", "the greenhouse", "the docks",
    "the east meadow", "the clock tower", "the post office", "the fishing pier",
    "the village green", "the abandoned quarry", "the tea room", "the bookshop",
    "the cliff path", "the stables", "the cemetery gate", "the museum", "the weir",
    "the courthouse", "the bell foundry", "the vineyard", "the ferry landing",
    "the observatory", "the swimming pond", "the flea market", "the old barracks",
    "the apothecary",
)

TOPICS = (
    "the harvest fair", "the broken bridge", "the river festival", "the missing map",
    "the bakery prices", "the chess tournament", "the new library wing", "the winter storm",
    "the stolen bicycle", "the mayor's speech", "the flooded cellar", "the wedding plans",
    "the lost cat", "the choir rehearsal", "the fishing season", "the rent increase",
    "the new schoolteacher", "the strange lights over the hills", "the railway strike",
    "the apple harvest", "the debt to the miller", "the painting competition",
    "the broken church bell", "the smuggled brandy", "the summer dance", "the well water",
    "the council election", "the shipwreck", "the bee swarm", "the fox in the henhouse",
    "the secret recipe", "the duel at dawn", "the haunted attic", "the lottery ticket",
    "the travelling circus", "the salt shortage", "the lighthouse keeper's diary",
    "the horse race", "the cracked telescope", "the letters from the capital",
    "the poetry evening", "the rival bakery", "the frozen pipes", "the night market",
    "the old feud", "the midsummer bonfire", "the cheese contest", "the stray dog",
    "the leaking roof", "the inheritance", "the autumn parade", "the merchant's ledger",
    "the quarrel over the fence", "the sick goat", "the new bridge toll", "the ghost story",
    "the herb garden", "the tide tables", "the magic lantern show", "the lost ring",
)

EVENTS = (
    "was cancelled again", "is getting closer every day", "went better than anyone expected",
    "turned into a shouting match", "made everyone laugh", "is the only thing people talk about",
    "cost far too much", "was a complete disaster", "needs more volunteers",
    "is being kept secret", "started a rumour", "surprised the whole town",
    "was postponed until spring", "ended with a toast", "left a bad taste",
    "brought half the village out", "was quietly settled", "might ruin the season",
    "is worth remembering", "kept everybody awake",
)

TIMES = (
    "yesterday", "last night", "this morning", "on Sunday", "before the rain", "at dawn",
    "after supper", "last week", "during the storm", "at midnight", "on market day",
    "two days ago", "over breakfast", "at the end of the month", "just before closing",
)

FEELINGS = (
    "is worried about", "cannot stop talking about", "secretly enjoys", "is furious about",
    "keeps asking about", "feels guilty about", "is excited about", "pretends not to care about",
    "knows more than they admit about", "is tired of hearing about", "laughed about",
    "was moved to tears by",
)

TRAITS = (
    "restless", "kind", "suspicious", "generous", "proud", "lonely", "cheerful", "stubborn",
    "nervous", "honest", "jealous", "curious", "distracted", "brave", "grumpy", "thoughtful",
)

OPENERS = (
    "", "", "", "", "honestly,", "by the way,", "did you hear,", "between us,", "listen,",
    "I swear", "no joke,", "funny thing,", "sorry but", "good news:", "bad news:",
)

FILLERS = (
    "and nobody could agree on what to do", "so we should plan ahead",
    "which reminds me of last year", "though I might be wrong", "and the weather did not help",
    "if you believe the gossip", "and I still cannot believe it", "but let us keep it quiet",
    "and the children loved it", "so bring a warm coat", "and the dog barked the whole time",
    "as if we did not have enough trouble", "and then it started to rain",
    "and someone spilled the tea everywhere", "which is typical of this town",
)

#: Words no memory contains (queries about things nobody ever talked about).
UNKNOWN_WORDS = (
    "quantum", "chromodynamics", "submarine", "warranty", "spreadsheet", "kubernetes",
    "astronaut", "volcano", "saxophone", "tariff", "cryptocurrency", "dinosaur", "algebra",
    "helicopter", "broadband", "firmware", "sushi", "glacier", "marathon", "podcast",
    "skateboard", "tornado", "vaccine", "semiconductor", "origami", "penguin", "espresso",
    "trombone", "satellite", "ukulele", "wasabi", "yoga", "zeppelin", "bitcoin", "emoji",
    "laptop", "monsoon", "nebula", "octopus", "pixel", "robotics", "subway", "telescopes",
    "uranium", "vinyl", "wifi", "xylophone", "yacht", "zucchini", "avocado",
)


def _sentence(rng: random.Random) -> str:
    c = rng.choice
    opener = c(OPENERS)
    shape = rng.randrange(6)
    if shape == 0:
        body = f"{rng.choice(TOPICS)} {rng.choice(EVENTS)}"
    elif shape == 1:
        body = f"{c(TOPICS)} at {c(PLACES)} {c(EVENTS)} {c(TIMES)}"
    elif shape == 2:
        body = f"{rng.choice(NAMES)} {rng.choice(FEELINGS)} {rng.choice(TOPICS)}"
    elif shape == 3:
        body = f"I saw {rng.choice(NAMES)} at {rng.choice(PLACES)} {rng.choice(TIMES)}"
    elif shape == 4:
        body = f"meet me at {c(PLACES)} {c(TIMES)} to talk about {c(TOPICS)}"
    else:
        body = f"{rng.choice(NAMES)} seems {rng.choice(TRAITS)} since {rng.choice(TOPICS)}"
    if rng.random() < 0.35:
        body += " " + rng.choice(FILLERS)
    text = f"{opener} {body}" if opener else body
    return text[0].upper() + text[1:] + rng.choice((".", ".", ".", "!", "?"))


def memory_text(rng: random.Random, owner: str) -> tuple[str, str]:
    """One memory of ``owner``: ``(kind, text)``."""
    c = rng.choice
    roll = rng.random()
    if roll < 0.08:
        shape = rng.randrange(3)
        if shape == 0:
            body = f"I think {rng.choice(NAMES)} {rng.choice(FEELINGS)} {rng.choice(TOPICS)}."
        elif shape == 1:
            body = f"{c(NAMES)} has been {c(TRAITS)} lately, ever since {c(TOPICS)}."
        else:
            body = f"I should talk to {c(NAMES)} about {c(TOPICS)} {c(TIMES)}."
        return "reflection", body
    speaker = rng.choice([n for n in NAMES if n != owner])
    body = " ".join(_sentence(rng) for _ in range(rng.choice((1, 1, 1, 2, 2, 3))))
    if roll < 0.55:
        listener = rng.choice((owner, owner, rng.choice(NAMES)))
        return "observation", f"{speaker} said to {listener}: {body}"
    if roll < 0.9:
        return "observation", f"{speaker} said: {body}"
    return "observation", f"I overheard {speaker} at {rng.choice(PLACES)}: {body}"


def memory_texts(rng: random.Random, n: int, owner: str = "Mira") -> list[str]:
    return [memory_text(rng, owner)[1] for _ in range(n)]


def queries(rng: random.Random, n: int, unknown_share: float = 0.3) -> list[tuple[str, str]]:
    """``n`` recall queries, ``(kind, text)`` with kind ``known`` or ``unknown``."""
    c = rng.choice
    out: list[tuple[str, str]] = []
    for _ in range(n):
        if rng.random() < unknown_share:
            words = rng.sample(UNKNOWN_WORDS, rng.randint(2, 6))
            out.append(("unknown", "what do you think about " + " ".join(words) + "?"))
            continue
        shape = rng.randrange(5)
        if shape == 0:
            text = f"what did {rng.choice(NAMES)} say about {rng.choice(TOPICS)}?"
        elif shape == 1:
            text = f"@{c(NAMES)} are you coming to {c(PLACES)} {c(TIMES)}?"
        elif shape == 2:
            text = _sentence(rng)
        elif shape == 3:
            text = f"do you remember {rng.choice(TOPICS)}"
        else:
            text = f"{rng.choice(NAMES)} and {rng.choice(NAMES)} were at {rng.choice(PLACES)}"
        out.append(("known", text))
    return out


@dataclass(frozen=True)
class MemorySpec:
    """What is stored for one memory, before embedding."""

    kind: str
    text: str
    importance: float
    emotional_tone: float
    created_at: datetime
    channel: int


def memory_specs(
    rng: random.Random, n: int, owner: str, now: datetime, days: float = 90.0, channels: int = 5
) -> Iterator[MemorySpec]:
    """``n`` memories of ``owner`` created over the ``days`` before ``now``, oldest first.

    Importance follows the loop's heuristic scale (most memories 2-4, a few up to 10).
    """
    start = now - timedelta(days=days)
    step = days * 86_400.0 / max(1, n)
    for i in range(n):
        kind, text = memory_text(rng, owner)
        importance = min(10.0, 2.0 + rng.choice((0, 0, 0, 0, 0.5, 1, 1.5, 2, 2, 4, 6)) +
                         rng.random())
        created = start + timedelta(seconds=i * step + rng.random() * step)
        yield MemorySpec(kind, text, round(importance, 2), round(rng.uniform(-1, 1), 2),
                         created, rng.randrange(channels))
