"""Build the labelled memory-recall set (memories.jsonl, queries.jsonl, answers.jsonl).

Deterministic: ``python data/memory_eval/build.py`` always writes the same three files next to
this script and prints a short sanity report. Nothing outside the standard library is used.

How it is made (README.md beside this file says more):

* Four channels with fixed members hold many sessions each, spread over six months
  (September 2025 to March 2026). Every turn of a session becomes one memory for every *owner*
  (a character whose memories are evaluated) present in that channel, worded the way a witness
  stores it: ``"<Speaker> said: <utterance>"`` or ``"<Speaker> said to <Listener>: <utterance>"``.
  One channel is shared by two owners, so the same turn exists in both streams under two ids.
* Most turns are chit-chat filler made from templates and vocabularies (by register: modern
  members and Regency characters speak differently; the season follows the session's date).
* Hand-written *fact* turns are placed in the first session on or after a given date, with
  hand-written distractors (turns that share words with a question but do not answer it).
* Every question names its evidence turns by tag; the build checks that each evidence turn holds
  one of the answer's key phrases, that the key phrases that prove the answer appear in no other
  memory of that owner, that the question is asked after its evidence, and that the contrasting
  turns of month-based temporal questions fall in other months.
"""

from __future__ import annotations

import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from checks import check, report, verify_files, write
from facts import FACTS, Fact  # beside this script
from filler import (
    FILLER_BANS,
    GLOBAL_BANS,
    MIRA_LINES,
    MODERN,
    MODERN_EXCHANGES,
    MODERN_LONG,
    PIP_LINES,
    REACTIONS,
    REGENCY_EXCHANGES,
    REGENCY_LINES,
    REGENCY_LONG,
    SEASONS,
    VOCAB,
)
from questions import QUESTIONS
from setting import CHANNELS, OWNERS, REGENCY, Channel

SEED = 20260315



# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


@dataclass
class Turn:
    channel: str
    session: int
    speaker: str
    text: str
    to: str | None = None
    tag: str | None = None
    time: datetime | None = None


def _ban_patterns(words: list[str]) -> list[re.Pattern[str]]:
    pats = []
    for w in words:
        if w.endswith("*"):
            pats.append(re.compile(r"\b" + re.escape(w[:-1]), re.I))
        else:
            pats.append(re.compile(r"\b" + re.escape(w) + r"\b", re.I))
    return pats


BANS = {who: _ban_patterns(words) for who, words in FILLER_BANS.items()}
GLOBAL = _ban_patterns(GLOBAL_BANS)


def allowed(speaker: str, text: str) -> bool:
    pats = GLOBAL + BANS.get(speaker, [])
    return not any(p.search(text) for p in pats)


def fits_clock(text: str, day: datetime) -> bool:
    """No "tonight" or "good evening" in an afternoon session, no "lunch" plans at night."""
    if day.hour < 16 and re.search(r"\b(tonight|evening|night|bed|dinner)\b", text, re.I):
        return False
    if day.hour >= 16 and re.search(r"\b(this afternoon|at lunch|for lunch)\b", text, re.I):
        return False
    return True


def season_of(day: datetime) -> str:
    if day.month in (9, 10):
        return "early_autumn"
    if day.month == 11:
        return "late_autumn"
    if day.month in (12, 1, 2):
        return "winter"
    return "spring"


class Filler:
    """Fills a session with chit-chat in the speakers' registers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def fill(self, template: str, others: list[str], used: dict[str, str] | None = None) -> str:
        """Fill ``{slots}``; ``used`` keeps the values across the lines of one exchange."""
        rng = self.rng
        chosen: dict[str, str] = {} if used is None else used

        def sub(match: re.Match[str]) -> str:
            key = match.group(1)
            if key == "name":
                return chosen.setdefault("name", rng.choice(others) if others else "everyone")
            if key not in chosen:
                base = key.rstrip("0123456789")
                choice = rng.choice(VOCAB[base])
                while choice in chosen.values():
                    choice = rng.choice(VOCAB[base])
                chosen[key] = choice
            return chosen[key]

        text = re.sub(r"\{(\w+)\}", sub, template)
        return text[0].upper() + text[1:]

    def line(self, speaker: str, topic: str, day: datetime, members: list[str]) -> str:
        rng = self.rng
        others = [m for m in members if m != speaker]
        for _ in range(200):
            if speaker in REGENCY:
                pool = REGENCY_LINES.get(topic, []) * 2 + REGENCY_LINES["generic"] + REGENCY_LONG
                if topic == "weather" or rng.random() < 0.08:
                    pool = pool + SEASONS[season_of(day)]["r_weather"] * 2
            else:
                pool = MODERN.get(topic, []) * 2 + MODERN["generic"] + MODERN_LONG
                if topic == "weather" or rng.random() < 0.1:
                    pool = pool + SEASONS[season_of(day)]["weather"] * 2
                if speaker == "Pip":
                    pool = pool + PIP_LINES * 2
                if speaker == "Mira":
                    pool = pool + MIRA_LINES * 2
            text = self.fill(rng.choice(pool), others)
            if allowed(speaker, text) and fits_clock(text, day):
                return text
        raise RuntimeError(f"no filler line for {speaker} on {topic}")

    def exchange(self, speakers: list[str], members: list[str], day: datetime
                 ) -> list[str] | None:
        rng = self.rng
        regency = speakers[0] in REGENCY
        pool = REGENCY_EXCHANGES if regency else MODERN_EXCHANGES
        for _ in range(50):
            template = rng.choice(pool)
            if len(template) > len(speakers):
                template = template[: len(speakers)]
            others = [m for m in members if m not in speakers]
            used: dict[str, str] = {}
            lines = [self.fill(t, others, used) for t in template]
            if all(allowed(w, t) and fits_clock(t, day)
                   for w, t in zip(speakers, lines, strict=False)):
                return lines
        return None


def schedule(ch: Channel, rng: random.Random) -> list[datetime]:
    start = datetime.fromisoformat(ch.start).replace(tzinfo=UTC)
    end = datetime.fromisoformat(ch.end).replace(tzinfo=UTC)
    step = (end - start) / (ch.sessions - 1)
    days = []
    for i in range(ch.sessions):
        if ch.days:
            day = datetime.fromisoformat(ch.days[i]).replace(tzinfo=UTC)
        else:
            day = start + step * i
            if 0 < i < ch.sessions - 1:
                day += timedelta(days=rng.randint(-2, 2))
        day = day.replace(hour=0, minute=0, second=0, microsecond=0)
        weekend = day.weekday() >= 5
        hour = rng.randint(11, 21) if weekend else rng.randint(17, 21)
        days.append(day.replace(hour=hour, minute=rng.randint(0, 59)))
    return days


def pick_speaker(rng: random.Random, members: list[str], owners: list[str], last: str | None,
                 register: str | None = None) -> str:
    owner_names = {OWNERS[o] for o in owners}
    pool = [m for m in members if m != last]
    if register == "regency":
        pool = [m for m in pool if m in REGENCY] or pool
    elif register == "modern":
        pool = [m for m in pool if m not in REGENCY] or pool
    weights = [1.4 if m in owner_names else 1.0 for m in pool]
    return rng.choices(pool, weights=weights)[0]


def build_sessions(rng: random.Random) -> tuple[list[Turn], dict[str, list[datetime]]]:
    filler = Filler(rng)
    turns: list[Turn] = []
    dates: dict[str, list[datetime]] = {}
    facts_by_channel: dict[str, list[Fact]] = defaultdict(list)
    for fact in FACTS:
        facts_by_channel[fact.channel].append(fact)
    for ch in CHANNELS:
        days = schedule(ch, rng)
        dates[ch.name] = days
        placed: dict[int, list[Fact]] = defaultdict(list)
        for fact in facts_by_channel[ch.name]:
            on = datetime.fromisoformat(fact.on).date()
            index = next((i for i, d in enumerate(days) if d.date() >= on), None)
            if index is None:
                raise ValueError(f"{fact.tag}: no {ch.name} session on or after {fact.on}")
            placed[index].append(fact)
        for index, day in enumerate(days):
            turns.extend(session_turns(rng, filler, ch, index, day, placed[index]))
    return turns, dates


def session_turns(rng: random.Random, filler: Filler, ch: Channel, index: int, day: datetime,
                  facts: list[Fact]) -> list[Turn]:
    members = ch.members
    topic = rng.choice(ch.topics)
    # Blocks: lists of (speaker, text, to, tag). Fact blocks keep their declared order.
    fact_blocks = []
    for fact in facts:
        block = []
        if fact.lead:
            asker = pick_speaker(rng, members, ch.owners, fact.speaker)
            block.append((asker, fact.lead, None, None))
        block.append((fact.speaker, fact.text, fact.to, fact.tag))
        if fact.tone != "none" and rng.random() < 0.6:
            who = pick_speaker(rng, members, ch.owners, fact.speaker)
            kind = ("r_" if who in REGENCY else "") + fact.tone
            block.append((who, rng.choice(REACTIONS[kind]), fact.speaker if rng.random() < 0.6
                          else None, None))
        fact_blocks.append(block)
    target = rng.randint(14, 25)
    fact_count = sum(len(b) for b in fact_blocks)
    filler_blocks: list[list[tuple[str, str, str | None, str | None]]] = []
    count = fact_count
    last = None
    while count < target or len(filler_blocks) < 3:
        if count < target - 2 and rng.random() < 0.3:
            first = pick_speaker(rng, members, ch.owners, last)
            register = "regency" if first in REGENCY else "modern"
            second = pick_speaker(rng, members, ch.owners, first, register)
            speakers = [first, second]
            if rng.random() < 0.7:
                speakers.append(pick_speaker(rng, members, ch.owners, second, register))
            lines = filler.exchange(speakers, members, day)
            if lines:
                block = []
                for i, (who, text) in enumerate(zip(speakers, lines, strict=False)):
                    to = speakers[i - 1] if i and rng.random() < 0.5 and speakers[i - 1] != who \
                        else None
                    block.append((who, text, to, None))
                filler_blocks.append(block)
                count += len(block)
                last = speakers[len(lines) - 1]
                continue
        who = pick_speaker(rng, members, ch.owners, last)
        text = filler.line(who, topic, day, members)
        to = last if last and rng.random() < 0.25 else None
        filler_blocks.append([(who, text, to, None)])
        count += 1
        last = who
    # Interleave: fact blocks at random slots, in order, never first.
    slots = sorted(rng.sample(range(1, len(filler_blocks) + 1), k=min(len(fact_blocks),
                                                                       len(filler_blocks))))
    while len(slots) < len(fact_blocks):
        slots.append(len(filler_blocks))
    blocks: list[list[tuple[str, str, str | None, str | None]]] = []
    fi = 0
    for i, fb in enumerate(filler_blocks):
        while fi < len(fact_blocks) and slots[fi] == i:
            blocks.append(fact_blocks[fi])
            fi += 1
        blocks.append(fb)
    blocks.extend(fact_blocks[fi:])
    out = []
    clock = day
    for block in blocks:
        for who, text, to, tag in block:
            clock += timedelta(seconds=rng.randint(20, 200))
            if rng.random() < 0.06:
                clock += timedelta(minutes=rng.randint(5, 25))
            out.append(Turn(ch.name, index, who, text, to, tag, clock))
    return out


def memory_text(turn: Turn) -> str:
    if turn.to:
        return f"{turn.speaker} said to {turn.to}: {turn.text}"
    return f"{turn.speaker} said: {turn.text}"


def iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def fill_question(text: str, when: dict[str, datetime]) -> str:
    def sub(match: re.Match[str]) -> str:
        kind, tag = match.group(1), match.group(2)
        moment = when[tag]
        if kind == "month":
            return moment.strftime("%B %Y")
        if kind == "date":
            return f"{moment:%A} {moment.day} {moment:%B %Y}"
        if kind == "nextday":
            moment = moment + timedelta(days=1)
            return f"{moment:%A} {moment.day} {moment:%B %Y}"
        if kind == "prevday":
            moment = moment - timedelta(days=1)
            return f"{moment:%A} {moment.day} {moment:%B %Y}"
        raise ValueError(kind)

    return re.sub(r"\{(month|date|nextday|prevday):(\w+)\}", sub, text)


def build() -> dict[str, object]:
    rng = random.Random(SEED)
    turns, dates = build_sessions(rng)
    channels = {ch.name: ch for ch in CHANNELS}
    # One memory per turn per owner present; ids follow time order across everybody.
    rows = []
    for turn in turns:
        for owner in channels[turn.channel].owners:
            rows.append((turn.time, owner, turn))
    rows.sort(key=lambda r: (r[0], list(OWNERS).index(r[1])))
    memories = []
    tag_ids: dict[tuple[str, str], str] = {}
    tag_time: dict[str, datetime] = {}
    for n, (moment, owner, turn) in enumerate(rows, start=1):
        mid = f"m{n:04d}"
        row: dict[str, object] = {"id": mid, "owner": owner, "text": memory_text(turn),
                                  "time": iso(moment)}
        if rng.random() < 0.05:
            row["importance"] = rng.randint(2, 9)
        memories.append(row)
        if turn.tag:
            tag_ids[(owner, turn.tag)] = mid
            tag_time[turn.tag] = moment
    last_time = max(t.time for t in turns if t.time)
    queries, answers = [], []
    for n, q in enumerate(QUESTIONS, start=1):
        qid = f"q{n:03d}"
        ev_times = [tag_time[t] for t in q.evidence]
        if q.ask:
            moment = max(ev_times) + timedelta(days=q.ask[1], hours=rng.randint(0, 3))
            if q.ask[0] == "week":  # "last Saturday" / "last weekend": before the next one
                said = max(ev_times)
                saturday = (said + timedelta(days=(5 - said.weekday()) % 7 or 7)).replace(
                    hour=0, minute=0, second=0)
                moment = min(moment, saturday - timedelta(hours=2))
        else:
            moment = last_time.replace(hour=0, minute=0, second=0) + timedelta(
                days=rng.randint(3, 9), hours=rng.randint(9, 22), minutes=rng.randint(0, 59))
        queries.append({
            "id": qid, "owner": q.owner, "text": fill_question(q.text, tag_time),
            "time": iso(moment), "category": q.category,
            "answer": fill_question(q.answer, tag_time),
        })
        answers.append({"query_id": qid,
                        "memory_ids": [tag_ids[(q.owner, t)] for t in q.evidence]})
    sizes = list(Counter((t.channel, t.session) for t in turns).values())
    return {"memories": memories, "queries": queries, "answers": answers, "dates": dates,
            "tag_time": tag_time, "tag_ids": tag_ids, "session_sizes": sizes}


def main() -> int:
    data = build()
    problems = check(data)
    write(data)
    problems += verify_files()
    print(report(data))
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("checks: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
