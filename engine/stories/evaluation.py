"""Scoring seed recognition on labelled interaction logs (``tests/data/story_seeds``).

A labelled log is one JSON object per line: its events (id, at, author, target, act, sentiment,
text), the relationship snapshot and other social state the rules read (betrayals, alliances,
conflicts, names), and the seeds a reader would expect (type and participants). A seed is
found when one of the detected seeds has the same type and the same participants; precision
and recall are counted per seed type over all logs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.acts import Act
from engine.messages import Event, EventKind, ParticipantKind
from engine.relationships import Relationship
from engine.social.alliances import Alliance
from engine.social.conflicts import Conflict
from engine.stories.model import SeedType
from engine.stories.seeds import Betrayal, SeedContext, detect_seeds

__all__ = ["LabelledLog", "Score", "load_logs", "parse_log", "evaluate"]

Key = tuple[SeedType, tuple[int, ...]]


@dataclass
class LabelledLog:
    id: str
    kind: str
    events: list[Event]
    context: SeedContext
    expected: set[Key]


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def support(self) -> int:
        return self.true_positives + self.false_negatives


def parse_log(raw: dict[str, Any]) -> LabelledLog:
    names = {int(k): str(v) for k, v in (raw.get("names") or {}).items()}
    eco = 1
    events = [
        Event(ecosystem_id=eco, channel_id=1, kind=EventKind.MESSAGE,
              idempotency_key=f"{raw['id']}:{e['id']}",
              created_at=datetime.fromisoformat(e["at"]), author_id=e.get("author"),
              author_kind=ParticipantKind.CHARACTER,
              author_name=names.get(e.get("author") or 0, ""), text=e.get("text", ""),
              act=Act(e["act"]) if e.get("act") else None, target_id=e.get("target"),
              sentiment=float(e.get("sentiment", 0.0)), id=int(e["id"]))
        for e in raw.get("events", [])
    ]
    rels = {}
    for r in raw.get("relationships", []):
        rel = Relationship(
            source_id=r["source"], target_id=r["target"], ecosystem_id=eco,
            affinity=r.get("affinity", 0.0), trust=r.get("trust", 0.0),
            familiarity=r.get("familiarity", 0.3), romance=r.get("romance", 0.0),
            rivalry=r.get("rivalry", 0.0), respect=r.get("respect", 0.0),
            grudge=r.get("grudge", 0.0), label=r.get("label", "acquaintance"))
        rels[(rel.source_id, rel.target_id)] = rel
    start = events[0].created_at if events else datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    context = SeedContext(
        relationships=rels,
        betrayals=[Betrayal(b["betrayer"], b["betrayed"], b.get("event_id"),
                            kind=b.get("kind", "betray")) for b in raw.get("betrayals", [])],
        alliances=[Alliance(members=frozenset(a["members"]), against=frozenset(a["against"]),
                            purpose=a.get("purpose", ""), formed_at=start,
                            status=a.get("status", "active"), strength=a.get("strength", 0.5))
                   for a in raw.get("alliances", [])],
        conflicts=[Conflict(parties=frozenset(c["parties"]), intensity=c.get("intensity", 0.5),
                            stage=c.get("stage", "open")) for c in raw.get("conflicts", [])],
        names=names,
    )
    expected = {(SeedType(s["type"]), tuple(sorted(s["participants"])))
                for s in raw.get("expected", [])}
    return LabelledLog(id=str(raw["id"]), kind=str(raw.get("kind", "")), events=events,
                       context=context, expected=expected)


def load_logs(path: Path | str) -> list[LabelledLog]:
    with open(path, encoding="utf-8") as handle:
        return [parse_log(json.loads(line)) for line in handle if line.strip()]


def evaluate(logs: Iterable[LabelledLog], types: Sequence[SeedType] = tuple(SeedType)
             ) -> dict[SeedType, Score]:
    """Precision and recall per seed type of :func:`detect_seeds` over ``logs``."""
    scores = {t: Score() for t in types}
    for log in logs:
        found = {s.key for s in detect_seeds(log.events, log.context)}
        for key in found | log.expected:
            score = scores.get(key[0])
            if score is None:
                continue
            if key in found and key in log.expected:
                score.true_positives += 1
            elif key in found:
                score.false_positives += 1
                score.false_alarms.append(f"{log.id} {list(key[1])}")
            else:
                score.false_negatives += 1
                score.misses.append(f"{log.id} {list(key[1])}")
    return scores
