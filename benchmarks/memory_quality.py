"""Retrieval quality on the labelled set (issue #4): recall@5 and recall@10 per embedder.

Runs the production retrieval path (``engine.services.retrieval_eval.evaluate``, what
``personae memory eval`` runs) over ``data/memory_eval`` (1,720 memories of 3 characters over
six months, 152 questions in 7 categories, see its README) with each embedder that is
installed: the hashing embedder (default), and the local all-MiniLM-L6-v2 model when the
``local-embeddings`` extra is. Prints one table per embedder, overall and by category, and
the time taken. Retrieval is deterministic: one run is the result (only the times vary).

    .venv/bin/python benchmarks/memory_quality.py [--weights recency=0.25,...] [--k 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._bench import machine, setup  # noqa: E402
from bots.cli.memory_tuning import parse_weights, read_answers  # noqa: E402
from engine.embedding import HashingEmbedder  # noqa: E402
from engine.ports import Embedder  # noqa: E402
from engine.services.retrieval_eval import evaluate, read_items, recall_at  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "memory_eval"


def _embedders() -> list[tuple[str, Embedder | None, str]]:
    found: list[tuple[str, Embedder | None, str]] = [
        ("hashing", HashingEmbedder(384), "feature hashing of words and word pairs, 384-d"),
    ]
    try:
        from engine.adapters.local_embedder import LocalEmbedder

        found.append(("local", LocalEmbedder(), "all-MiniLM-L6-v2 on the CPU (local extra)"))
    except (RuntimeError, ImportError) as exc:
        found.append(("local", None, f"not installed: {exc}"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=None, help="override the default weights")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    setup(cpu=None)
    memories = read_items(args.data / "memories.jsonl", "memories")
    queries = read_items(args.data / "queries.jsonl", "queries")
    answers = read_answers(args.data / "answers.jsonl")
    categories = {
        json.loads(line)["id"]: json.loads(line).get("category", "all")
        for line in (args.data / "queries.jsonl").read_text().splitlines() if line.strip()
    }
    weights = parse_weights(args.weights)
    print("# Retrieval quality on the labelled set (data/memory_eval)")
    print(f"- machine: {machine()} (not pinned: the local model uses both cores)")
    print(f"- {len(memories):,} memories, {len(queries)} questions; k={args.k}; weights "
          + ", ".join(f"{n}={v:g}" for n, v in weights.as_dict().items()))
    print("- recall@k: share of a question's evidence memories found in its top k, "
          "averaged over questions")
    for name, embedder, note in _embedders():
        print(f"\n## {name}: {note}")
        if embedder is None:
            continue
        started = time.perf_counter()
        results = dict(evaluate(memories, queries, embedder=embedder, k=args.k,
                                weights=weights))
        elapsed = time.perf_counter() - started
        by_category: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for query_id, evidence in answers.items():
            by_category[categories.get(query_id, "all")][query_id] = evidence
        print(f"\n| questions | n | recall@5 | recall@{args.k} |\n|---|---:|---:|---:|")
        for category in sorted(by_category):
            subset = by_category[category]
            print(f"| {category} | {len(subset)} | {recall_at(results, subset, 5):.3f} | "
                  f"{recall_at(results, subset, args.k):.3f} |")
        print(f"| **all** | {len(answers)} | **{recall_at(results, answers, 5):.3f}** | "
              f"**{recall_at(results, answers, args.k):.3f}** |")
        print(f"\n- time: {elapsed:.1f} s (loading and embedding the memories included)")


if __name__ == "__main__":
    main()
