"""The seeded community of ``ingest_decide.py``: characters with aliases spread over channels,
members' messages (half addressed by @alias), and the housekeeping workers would do between
timed messages."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import update

from engine.adapters.sql.tables import intents as intents_table
from engine.clock import ManualClock
from engine.messages import IncomingMessage, IntentStatus
from engine.personas import BigFive, Character, Persona
from engine.services import setup
from engine.settings import Settings
from workers.bootstrap import Container, build

__all__ = ["PLATFORM", "SPACE", "Community", "alias_for", "make_character", "message_text",
           "build_community", "make_messages", "housekeeping"]

PLATFORM = "bench"
SPACE = "space"

_SYLLABLES = (
    "ka", "ro", "mi", "sel", "dor", "an", "vi", "lo", "ther", "gwen", "ba", "nis", "tor",
    "eli", "quin", "ra", "sto", "fen", "ul", "mar", "pe", "zo", "hal", "wyn",
)

_WORDS = (
    "the weather has been strange all week and the garden looks tired "
    "did anyone see the letter that arrived this morning from town "
    "i think we should plan the picnic before the rain comes back "
    "my cousin says the bridge is closed again which is annoying "
    "what a wonderful evening for a walk along the river with friends "
    "honestly this tea is terrible but the cake makes up for it "
    "has the library finally opened the new reading room upstairs "
    "we could meet at the inn later and talk about the harvest fair "
    "i heard music from the old hall last night was somebody playing "
    "the market was crowded and the prices were higher than ever "
    "that story about the captain and the missing map sounds unlikely "
    "tomorrow looks busy so perhaps we keep tonight quiet and early"
).split()

# Openers that steer the act reader toward different acts, as real chat does.
_OPENERS = (
    "", "", "", "", "hello everyone,", "thank you for yesterday,", "sorry, but",
    "haha,", "i agree,", "nonsense,", "between us,", "good evening,", "you are lovely and",
)


def alias_for(index: int) -> str:
    """A distinct, pronounceable alias per character ("Karomi", "Rosel" ...)."""
    n = len(_SYLLABLES)
    a, b, c = index % n, (index // n) % n, (index // (n * n)) % n
    return (_SYLLABLES[a] + _SYLLABLES[b] + _SYLLABLES[c]).capitalize()


def make_character(index: int, rng: random.Random) -> Character:
    return Character(
        name=f"Character {index + 1:04d}",
        description=f"Benchmark character number {index + 1}.",
        personality="curious, talkative" if rng.random() < 0.5 else "reserved, dry",
        first_mes="Good day.",
        persona=Persona(
            big_five=BigFive(*(rng.random() for _ in range(5))),
            talkativeness=round(rng.uniform(0.05, 0.95), 2),
            autonomy_level=rng.choice((0, 1, 1, 2, 2, 2, 3)),
            social_energy=round(rng.uniform(0.3, 1.0), 2),
            aliases=(alias_for(index),),
        ),
    )


def message_text(rng: random.Random, alias: str | None) -> str:
    words = rng.randint(5, 40)
    start = rng.randrange(len(_WORDS))
    body = [_WORDS[(start + k) % len(_WORDS)] for k in range(words)]
    opener = rng.choice(_OPENERS)
    sentence = (opener + " " if opener else "") + " ".join(body)
    sentence += rng.choice(("", ".", "!", "?", "?"))
    if alias is not None:
        if rng.random() < 0.5:
            return f"@{alias} {sentence}"
        cut = rng.randint(1, max(1, len(body) - 1))
        return " ".join([*body[:cut], f"@{alias},", *body[cut:]]) + "?"
    return sentence


@dataclass
class Community:
    container: Container
    clock: ManualClock
    channels: list[str]
    aliases_by_channel: dict[str, list[str]]


def build_community(
    database_url: str, redis_url: str, characters: int, channels: int
) -> Community:
    """Untimed setup: fresh schema, one ecosystem, ``characters`` spread over ``channels``."""
    clock = ManualClock()
    c = build(
        Settings(database_url=database_url, redis_url=redis_url, seed=1),
        clock=clock, honour_delays=False,
    )
    c.redis.flushdb()
    deps = c.deps
    names = [f"ch-{i}" for i in range(channels)]
    ecosystem, chans = setup.open_space(deps, PLATFORM, SPACE, names)
    rng = random.Random(1)
    aliases: dict[str, list[str]] = {n: [] for n in names}
    now = clock.now()
    # One unit of work for the whole cast (add_character/add_to_cast open one per call).
    with deps.uow() as uow:
        for i in range(characters):
            character = make_character(i, rng)
            cid = uow.participants.add_character(ecosystem.id, character, now)
            chan = chans[i % channels]
            uow.participants.join(chan.id, cid, now)
            aliases[chan.external_id].append(character.persona.aliases[0])
        uow.commit()
    return Community(c, clock, names, aliases)


def make_messages(
    community: Community, count: int, seed: int, prefix: str
) -> list[tuple[IncomingMessage, float]]:
    """``count`` member messages (half addressed by @alias) and the clock step before each."""
    rng = random.Random(seed)
    out: list[tuple[IncomingMessage, float]] = []
    for i in range(count):
        channel = rng.choice(community.channels)
        present = community.aliases_by_channel[channel]
        alias = rng.choice(present) if present and i % 2 == 0 else None
        member = rng.randrange(40)
        msg = IncomingMessage(
            platform=PLATFORM, space_id=SPACE, channel_id=channel,
            author_id=f"member-{member}", author_name=f"Member {member}",
            text=message_text(rng, alias), message_id=f"{prefix}-{i}",
        )
        out.append((msg, rng.uniform(1.0, 5.0)))
    return out


def housekeeping(community: Community) -> None:
    """Untimed: what workers and the scheduler tick would do meanwhile (intents leave
    'pending'; the queue drains; the SQLite write-ahead log is checkpointed)."""
    c = community.container
    with c.database.engine.begin() as conn:
        conn.execute(
            update(intents_table)
            .where(intents_table.c.status.in_((IntentStatus.PENDING.value, "rendering")))
            .values(status=IntentStatus.SKIPPED.value, error="benchmark: not rendered")
        )
    c.queue.empty()
    c.database.checkpoint()
