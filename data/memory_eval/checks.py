"""The labelled set's checks (each question's evidence holds its key phrases, nothing else of
the owner's does, the story's order holds ...), its three files, and the sanity report."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from questions import QUESTIONS, TIMELINE
from setting import CHANNELS, OWNERS

__all__ = ["OUT", "check", "write", "verify_files", "report"]

#: The files are written beside this script.
OUT = Path(__file__).resolve().parent


def check(data: dict[str, object]) -> list[str]:
    """Problems with the built set (empty when it is sound)."""
    memories: list[dict[str, object]] = data["memories"]  # type: ignore[assignment]
    queries: list[dict[str, object]] = data["queries"]  # type: ignore[assignment]
    answers: list[dict[str, object]] = data["answers"]  # type: ignore[assignment]
    tag_ids: dict[tuple[str, str], str] = data["tag_ids"]  # type: ignore[assignment]
    tag_time: dict[str, datetime] = data["tag_time"]  # type: ignore[assignment]
    by_id = {str(m["id"]): m for m in memories}
    problems = []
    if len(by_id) != len(memories):
        problems.append("duplicate memory ids")
    by_owner: dict[str, list[dict[str, object]]] = defaultdict(list)
    for m in memories:
        by_owner[str(m["owner"])].append(m)
    for tag, how, ref in TIMELINE:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", ref):
            limit = datetime.fromisoformat(ref).replace(tzinfo=UTC)
        else:
            limit = tag_time[ref]
        if (tag_time[tag] < limit) != (how == "before"):
            problems.append(f"timeline: {tag} is not {how} {ref}")
    for q in QUESTIONS:
        # "in <month>": the weekend or Saturday the evidence tells of is in the same month.
        if "{month:" in q.text and tag_time[q.evidence[0]].day < 9:
            problems.append(f"{q.evidence[0]}: told too early in its month for a month question")
    for q, query, answer in zip(QUESTIONS, queries, answers, strict=True):
        qid = query["id"]
        if answer["query_id"] != qid:
            problems.append(f"{qid}: answer row out of order")
        ids = answer["memory_ids"]
        if not ids:
            problems.append(f"{qid}: no evidence")
        texts = []
        for tag, mid in zip(q.evidence, ids, strict=True):  # type: ignore[arg-type]
            m = by_id.get(mid)
            if m is None or m["owner"] != q.owner or tag_ids.get((q.owner, tag)) != mid:
                problems.append(f"{qid}: evidence {tag} is not {q.owner}'s")
                continue
            text = str(m["text"]).lower()
            texts.append(text)
            if not any(k.lower() in text for k in q.keys):
                problems.append(f"{qid}: evidence {tag} holds none of {q.keys}")
            if str(m["time"]) >= str(query["time"]):
                problems.append(f"{qid}: asked before its evidence {tag}")
        for k in q.keys:
            if not any(k.lower() in t for t in texts):
                problems.append(f"{qid}: key {k!r} is in no evidence turn")
        evidence_ids = set(ids)  # type: ignore[arg-type]
        for k in q.unique if q.unique is not None else q.keys:
            for m in by_owner[q.owner]:
                if m["id"] not in evidence_ids and k.lower() in str(m["text"]).lower():
                    problems.append(f"{qid}: {k!r} also in {m['id']}: {m['text']}")
        for tag in q.contrast:
            if (q.owner, tag) not in tag_ids:
                problems.append(f"{qid}: contrast {tag} is not {q.owner}'s")
            elif tag_time[tag].strftime("%Y-%m") == tag_time[q.evidence[0]].strftime("%Y-%m"):
                problems.append(f"{qid}: contrast {tag} falls in the evidence's month")
        if "{" in str(query["text"]) or "{" in str(query["answer"]):
            problems.append(f"{qid}: unfilled placeholder")
    return problems


def write(data: dict[str, object]) -> None:
    for name in ("memories", "queries", "answers"):
        rows: list[dict[str, object]] = data[name]  # type: ignore[assignment]
        with open(OUT / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def verify_files() -> list[str]:
    """Parse the written files back: every answer id exists and belongs to its query's owner."""
    problems = []
    memories = [json.loads(x) for x in open(OUT / "memories.jsonl", encoding="utf-8")]
    queries = [json.loads(x) for x in open(OUT / "queries.jsonl", encoding="utf-8")]
    answers = [json.loads(x) for x in open(OUT / "answers.jsonl", encoding="utf-8")]
    owner_of = {m["id"]: m["owner"] for m in memories}
    for m in memories:
        datetime.fromisoformat(m["time"])
        if not set(m) <= {"id", "owner", "text", "time", "importance"}:
            problems.append(f"{m['id']}: unexpected keys")
    q_owner = {q["id"]: q["owner"] for q in queries}
    for q in queries:
        if datetime.fromisoformat(q["time"]).utcoffset() is None:
            problems.append(f"{q['id']}: time without offset")
    if {a["query_id"] for a in answers} != set(q_owner):
        problems.append("answers and queries do not match one to one")
    for a in answers:
        for mid in a["memory_ids"]:
            if mid not in owner_of:
                problems.append(f"{a['query_id']}: unknown memory {mid}")
            elif owner_of[mid] != q_owner[a["query_id"]]:
                problems.append(f"{a['query_id']}: {mid} belongs to {owner_of[mid]}")
    return problems


def report(data: dict[str, object]) -> str:
    memories: list[dict[str, object]] = data["memories"]  # type: ignore[assignment]
    queries: list[dict[str, object]] = data["queries"]  # type: ignore[assignment]
    answers: list[dict[str, object]] = data["answers"]  # type: ignore[assignment]
    dates: dict[str, list[datetime]] = data["dates"]  # type: ignore[assignment]
    lines = []
    words = [len(str(m["text"]).split()) for m in memories]
    distinct = sum(len({m["text"] for m in memories if m["owner"] == o}) for o in OWNERS)
    sizes: list[int] = data["session_sizes"]  # type: ignore[assignment]
    lines.append(f"memories: {len(memories)}  queries: {len(queries)}  "
                 f"avg words/memory: {sum(words) / len(words):.1f}  "
                 f"distinct texts within an owner: {distinct / len(memories):.0%}  "
                 f"turns per session: {min(sizes)}-{max(sizes)} "
                 f"(mean {sum(sizes) / len(sizes):.1f})  "
                 f"with importance: {sum('importance' in m for m in memories)}")
    per_owner = Counter(str(m["owner"]) for m in memories)
    q_owner = Counter(str(q["owner"]) for q in queries)
    for owner in OWNERS:
        chans = [c for c in CHANNELS if owner in c.owners]
        sessions = sum(c.sessions for c in chans)
        speakers = sorted({p for c in chans for p in c.members} - {OWNERS[owner]})
        times = [str(m["time"]) for m in memories if m["owner"] == owner]
        lines.append(
            f"  {owner:<10} memories {per_owner[owner]:>4}  sessions {sessions:>2} "
            f"({sum(1 for m in memories if m['owner'] == owner) / sessions:.1f} turns each)  "
            f"queries {q_owner[owner]:>2}  {min(times)[:10]}..{max(times)[:10]}  "
            f"others: {', '.join(speakers)}")
    cats = Counter(str(q["category"]) for q in queries)
    lines.append("queries per category: " + ", ".join(f"{c} {n}" for c, n in cats.items()))
    ev = Counter(len(a["memory_ids"]) for a in answers)  # type: ignore[arg-type]
    lines.append("evidence turns per query: "
                 + ", ".join(f"{k}: {v}" for k, v in sorted(ev.items())))
    lines.append("sessions per channel: " + ", ".join(f"{k} {len(v)}" for k, v in dates.items()))
    return "\n".join(lines)
