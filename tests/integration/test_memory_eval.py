"""``personae memory eval`` runs the production recall on a scratch store; weights per ecosystem.

The evaluation must answer each query as production would (same store, lexical index, scoring
and embedder), see only the query's owner's memories made up to the query's time, and leave
no trace from one query to the next. Malformed files are refused with the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bots.cli.main import app
from bots.console.community import ConsoleCommunity
from engine.errors import InvalidInput
from engine.memory import RetrievalWeights
from engine.rendering.request import RenderRequest
from engine.services import setup
from engine.services.retrieval_eval import EvalItem, evaluate, read_items
from engine.settings import Settings
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker

MEMORIES = [
    {"id": "m1", "owner": "jane", "text": "Tom said: I'm moving to Lisbon next month.",
     "time": "2026-01-01T10:00:00+00:00"},
    {"id": "m2", "owner": "jane", "text": "Anna said: the weather is lovely today.",
     "time": "2026-01-02T10:00:00+00:00"},
    {"id": "m3", "owner": "jane", "text": "Tom said: my sister plays the cello.",
     "time": "2026-01-03T10:00:00+00:00", "importance": 7},
    {"id": "m4", "owner": "bob", "text": "Tom said: I moved to Lisbon, finally.",
     "time": "2026-01-01T10:00:00+00:00"},
    # After the queries' time: must not be seen.
    {"id": "m5", "owner": "jane", "text": "Tom said: Lisbon is behind me; I moved to Porto.",
     "time": "2026-03-01T10:00:00+00:00"},
]
QUERIES = [
    {"id": "q1", "owner": "jane", "text": "Where is Tom moving?",
     "time": "2026-02-01T00:00:00+00:00"},
    {"id": "q2", "owner": "jane", "text": "Which instrument does the sister play?",
     "time": "2026-02-01T00:00:00+00:00"},
    {"id": "q3", "owner": "nobody", "text": "Anything?", "time": "2026-02-01T00:00:00+00:00"},
]


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["memory", "eval", *args], env={"COLUMNS": "200", **(env or {})})


def test_eval_answers_each_query_from_its_owners_past_only(tmp_path: Path) -> None:
    memories = _jsonl(tmp_path / "m.jsonl", MEMORIES)
    queries = _jsonl(tmp_path / "q.jsonl", QUERIES)
    answers = _jsonl(tmp_path / "a.jsonl", [{"query_id": "q1", "memory_ids": ["m1"]},
                                            {"query_id": "q2", "memory_ids": ["m3"]}])
    out = tmp_path / "r.jsonl"
    result = _run(tmp_path, "--memories", str(memories), "--queries", str(queries),
                  "--k", "2", "--out", str(out), "--answers", str(answers))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["query_id"] for r in lines] == ["q1", "q2", "q3"]
    got = {r["query_id"]: r["memory_ids"] for r in lines}
    assert "m1" in got["q1"] and got["q2"][0] == "m3"
    assert all(len(ids) <= 2 for ids in got.values())
    assert got["q3"] == []  # an owner with no memories
    seen = {i for ids in got.values() for i in ids}
    assert "m4" not in seen  # bob's memory is never jane's
    assert "m5" not in seen  # made after the question was asked
    assert "recall@5 1.000" in result.output and "recall@2 1.000" in result.output


def test_queries_leave_no_trace_for_the_next(tmp_path: Path) -> None:
    """Recall marks memories accessed (recency): the evaluation rolls that back per query."""
    memories = [EvalItem(f"m{i}", "jane", f"Tom said: remark number {i} about tea",
                         read_items(_jsonl(tmp_path / "one.jsonl", [MEMORIES[0]]), "m")[0].time
                         + timedelta(hours=i)) for i in range(30)]
    query = EvalItem("q", "jane", "tea", memories[-1].time + timedelta(days=3))
    weights = RetrievalWeights()
    alone = list(evaluate(memories, [query], embedder=_hashing(), k=5, weights=weights))
    repeated = list(evaluate(memories, [query] * 1 + [EvalItem("q2", "jane", "tea", query.time)],
                             embedder=_hashing(), k=5, weights=weights))
    assert repeated[0][1] == repeated[1][1] == alone[0][1]


def _hashing():  # type: ignore[no-untyped-def]
    from engine.embedding import HashingEmbedder

    return HashingEmbedder()


def test_postgres_and_sqlite_stores_give_the_same_answers(
    tmp_path: Path, settings_for: Callable[..., Settings], backend: str
) -> None:
    if backend != "services":
        pytest.skip("compares the temporary SQLite store with PostgreSQL")
    url = settings_for(backend).database_url
    items = [EvalItem(str(m["id"]), str(m["owner"]), str(m["text"]),
                      read_items(_jsonl(tmp_path / f"{m['id']}.jsonl", [m]), "m")[0].time)
             for m in MEMORIES]
    queries = read_items(_jsonl(tmp_path / "q.jsonl", QUERIES), "queries")
    on_sqlite = list(evaluate(items, queries, embedder=_hashing(), k=3,
                              weights=RetrievalWeights()))
    on_postgres = list(evaluate(items, queries, embedder=_hashing(), k=3,
                                weights=RetrievalWeights(), database_url=url))
    assert on_sqlite == on_postgres


@pytest.mark.parametrize(("line", "message"), [
    ("not json", "m.jsonl:2: not JSON"),
    ('["a list"]', "m.jsonl:2: each line must be a JSON object"),
    ('{"id": "x", "owner": "jane", "text": "hi"}', "m.jsonl:2: missing time"),
    ('{"id": "x", "owner": "jane", "text": "hi", "time": "yesterday"}', "not an ISO time"),
    ('{"id": "x", "owner": "jane", "text": "hi", "time": "2026-01-01", "importance": 11}',
     "'importance' must be a number from 1 to 10"),
    ('{"id": "m1", "owner": "jane", "text": "hi", "time": "2026-01-01"}',
     "the id 'm1' appears twice"),
])
def test_malformed_lines_are_refused_with_file_and_line(
    tmp_path: Path, line: str, message: str
) -> None:
    memories = tmp_path / "m.jsonl"
    memories.write_text(json.dumps(MEMORIES[0]) + "\n" + line + "\n", encoding="utf-8")
    queries = _jsonl(tmp_path / "q.jsonl", QUERIES)
    out = tmp_path / "r.jsonl"
    result = _run(tmp_path, "--memories", str(memories), "--queries", str(queries),
                  "--out", str(out))
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()  # nothing half-written


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = _run(tmp_path, "--memories", str(tmp_path / "none.jsonl"), "--queries",
                  str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "r.jsonl"))
    assert result.exit_code == 2
    assert "cannot read the memories file" in result.output


# -- weights per ecosystem ----------------------------------------------------------------------


def test_weights_are_validated() -> None:
    assert RetrievalWeights.from_mapping({"recency": 0}).recency == 0.0
    with pytest.raises(InvalidInput, match="unknown retrieval weight 'novelty'"):
        RetrievalWeights.from_mapping({"novelty": 1.0})
    for bad in (-1, float("nan"), "high", True):
        with pytest.raises(InvalidInput, match="must be a number >= 0"):
            RetrievalWeights.from_mapping({"recency": bad})
    assert RetrievalWeights.of_ecosystem({}) == RetrievalWeights()


class SpyRenderer:
    """Records what reaches the renderer, says something plain."""

    name = "spy"

    def __init__(self) -> None:
        self.requests: list[RenderRequest] = []

    def render(self, request: RenderRequest) -> str:
        self.requests.append(request)
        return "Indeed."


def test_an_ecosystems_weights_decide_what_its_characters_recall(
    make_container: Callable[..., Container],
) -> None:
    spy = SpyRenderer()
    container = make_container(renderer=spy, memory_k=1, transcript_window=1)
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    deps = community.deps
    worker = EmbeddedWorker(container)
    eco = community.ecosystem.id
    clock = deps.clock

    def drain() -> None:
        from bots.console.simulation import Simulation

        sim = Simulation(community, clock, worker)  # type: ignore[arg-type]
        for _ in range(30):
            if worker.pending() == 0:
                return
            sim.advance_to_next_job()
            worker.run_pending(max_jobs=1)

    # An old, grave confidence about something else, then small talk about the garden.
    community.say("Jane, I must confide a terrible secret: I am ruined and frightened.")
    drain()
    clock.advance(2 * 86400.0)  # type: ignore[attr-defined]
    for n in range(3):
        community.say(f"Jane, the roses in the garden bloom again ({n}).")
        drain()
        clock.advance(3600.0)  # type: ignore[attr-defined]

    def recalled_for(text: str) -> tuple[str, ...]:
        spy.requests.clear()
        community.say(text)
        drain()
        jane = [r for r in spy.requests if r.character.name.startswith("Jane")]
        assert jane, "Jane answers"
        return jane[0].memories

    about_roses = recalled_for("Jane, do the roses in the garden bloom?")
    assert about_roses and "roses" in about_roses[0]
    setup.set_retrieval_weights(deps, eco, {"importance": 5.0, "relevance": 0.0,
                                            "lexical": 0.0, "recency": 0.0})
    assert setup.retrieval_weights(deps, eco).importance == 5.0
    grave = recalled_for("Jane, do the roses in the garden bloom?")
    assert grave and "secret" in grave[0]
    with pytest.raises(InvalidInput):
        setup.set_retrieval_weights(deps, eco, {"recency": -2.0})
    assert setup.retrieval_weights(deps, eco).importance == 5.0  # a refused change keeps all


def test_weights_command_shows_and_sets(container: Container) -> None:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    env = {"PERSONAE_DATABASE_URL": container.settings.database_url,
           "PERSONAE_REDIS_URL": container.settings.redis_url}
    runner = CliRunner()
    shown = runner.invoke(app, ["memory", "weights"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "recency=0.1  importance=0.5  relevance=1  lexical=0.75" in shown.output
    changed = runner.invoke(app, ["memory", "weights", "--recency", "0.25"], env=env)
    assert "recency=0.25" in changed.output
    refused = runner.invoke(app, ["memory", "weights", "--lexical", "-1"], env=env)
    assert refused.exit_code == 2 and "must be a number >= 0" in refused.output
    reset = runner.invoke(app, ["memory", "weights", "--reset"], env=env)
    assert "recency=0.1 " in reset.output
