"""``personae memory eval`` and ``personae memory weights``: measuring and tuning retrieval.

``eval`` reads memories and queries as JSON lines, answers every query with
``engine.services.retrieval_eval.evaluate`` (the configured embedder and weights, on a
temporary store), writes ``{"query_id", "memory_ids"}`` lines, and with ``--answers`` prints
recall@5 and recall@k. ``weights`` shows or sets a community's retrieval weights.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bots.cli.characters import SpaceOption, _space
from bots.cli.errors import fail, friendly_errors
from engine.errors import InvalidInput
from engine.memory import RetrievalWeights
from engine.services.retrieval_eval import evaluate, read_items, recall_at
from engine.settings import Settings

__all__ = ["eval_command", "weights_command", "parse_weights", "read_answers"]


def parse_weights(spec: str | None) -> RetrievalWeights:
    """``"recency=0.5,lexical=1"`` over the default weights (unknown names are refused)."""
    if not spec:
        return RetrievalWeights()
    values: dict[str, float] = {}
    for part in spec.split(","):
        name, _, raw = part.partition("=")
        try:
            values[name.strip()] = float(raw)
        except ValueError as exc:
            raise InvalidInput(f"--weights: {part!r} is not name=number") from exc
    return RetrievalWeights.from_mapping(values)


def read_answers(path: Path) -> dict[str, list[str]]:
    """``{"query_id", "memory_ids"}`` lines (the evidence of each query)."""
    answers: dict[str, list[str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            answers[str(raw["query_id"])] = [str(i) for i in raw["memory_ids"]]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InvalidInput(
                f"{path}:{number}: expected {{\"query_id\", \"memory_ids\"}}") from exc
    return answers


def eval_command(
    memories: Annotated[Path, typer.Option("--memories", help="JSON lines: id, owner, text, "
                                           "time (ISO), optional importance (1-10).")],
    queries: Annotated[Path, typer.Option("--queries", help="JSON lines: id, owner, text, time.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the query_id/memory_ids "
                                      "lines ('-' for standard output).")],
    k: Annotated[int, typer.Option("--k", min=1, max=1000, help="Memories per query.")] = 10,
    answers: Annotated[Path | None, typer.Option(
        "--answers", help="Optional JSON lines query_id/memory_ids of the evidence: print "
        "recall@5 and recall@k.")] = None,
    weights: Annotated[str | None, typer.Option(
        "--weights", help="Override retrieval weights, e.g. 'recency=0.2,lexical=1'.")] = None,
    database_url: Annotated[str | None, typer.Option(
        "--database-url", help="An empty scratch database instead of a temporary SQLite file "
        "(e.g. PostgreSQL, to measure pgvector).")] = None,
) -> None:
    """Answer every query with the production retrieval path on a temporary store."""
    from engine.embedding import make_embedder

    console = Console(stderr=True, highlight=False)
    with friendly_errors():
        settings = Settings()
        memory_items = read_items(memories, "memories")
        query_items = read_items(queries, "queries")
        evidence = read_answers(answers) if answers else None
        chosen = parse_weights(weights)
        embedder = make_embedder(settings)
        started = time.perf_counter()
        results: dict[str, list[str]] = {}
        sink = sys.stdout if str(out) == "-" else out.open("w", encoding="utf-8")
        try:
            for query_id, found in evaluate(
                memory_items, query_items, embedder=embedder, k=k, weights=chosen,
                database_url=database_url,
            ):
                results[query_id] = found
                sink.write(json.dumps({"query_id": query_id, "memory_ids": found}) + "\n")
        finally:
            if sink is not sys.stdout:
                sink.close()
        elapsed = time.perf_counter() - started
    if not query_items:
        fail("The queries file holds no query.")
    console.print(
        f"{len(query_items)} queries over {len(memory_items)} memories, embedder "
        f"{settings.embedder}, k={k}: {elapsed:.1f} s"
    )
    if evidence is not None:
        console.print(f"recall@5 {recall_at(results, evidence, 5):.3f}   "
                      f"recall@{k} {recall_at(results, evidence, k):.3f}   "
                      f"({len(evidence)} labelled queries)")


def weights_command(
    space: SpaceOption = "console:local",
    recency: Annotated[float | None, typer.Option(help="Weight of recency.")] = None,
    importance: Annotated[float | None, typer.Option(help="Weight of importance.")] = None,
    relevance: Annotated[float | None, typer.Option(help="Weight of meaning (embeddings).")] = None,
    lexical: Annotated[float | None, typer.Option(help="Weight of the words (BM25).")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Back to the defaults first.")] = False,
) -> None:
    """Show a community's retrieval weights, or change some of them."""
    from engine.services import setup
    from workers.bootstrap import build

    platform, space_id = _space(space)
    changes = {name: value for name, value in (
        ("recency", recency), ("importance", importance), ("relevance", relevance),
        ("lexical", lexical)) if value is not None}
    with friendly_errors():
        container = build(Settings())
        try:
            with container.deps.uow() as uow:
                eco = uow.spaces.find_ecosystem(platform, space_id)
            if eco is None:
                fail(f"No community {space!r} in this database (PERSONAE_DATABASE_URL).")
            if changes or reset:
                chosen = setup.set_retrieval_weights(container.deps, eco.id, changes, reset=reset)
            else:
                chosen = setup.retrieval_weights(container.deps, eco.id)
        finally:
            container.close()
    typer.echo("  ".join(f"{name}={value:g}" for name, value in chosen.as_dict().items()))
