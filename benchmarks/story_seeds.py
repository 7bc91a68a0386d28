"""Story seed recognition: precision and recall per seed type on the labelled set, and speed.

One command::

    .venv/bin/python benchmarks/story_seeds.py
    .venv/bin/python benchmarks/story_seeds.py --misses        # list every miss and false alarm

The labelled set is ``tests/data/story_seeds/logs.jsonl`` (built by ``build.py`` beside it:
synthetic logs with positives of every seed type and hard negatives). A detected seed counts
when its type and participants equal an expected one. Targets (issue #7): precision and recall
>= 0.8 for each seed type; detection over an ecosystem's last 1,000 events in < 100 ms (timed
here on the pure recogniser over 1,000 events concatenated from the set, median of runs).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.messages import Event  # noqa: E402
from engine.relationships import Relationship  # noqa: E402
from engine.stories.evaluation import evaluate, load_logs  # noqa: E402
from engine.stories.seeds import SeedContext, detect_seeds  # noqa: E402

DATA = ROOT / "tests" / "data" / "story_seeds" / "logs.jsonl"


def _window(size: int) -> tuple[list[Event], SeedContext]:
    """``size`` events from the set's logs, renumbered into one ecosystem's history."""
    logs = load_logs(DATA)
    events: list[Event] = []
    rels: dict[tuple[int, int], Relationship] = {}
    next_id = 0
    while len(events) < size:
        for log in logs:
            for e in log.events:
                next_id += 1
                events.append(replace(e, id=next_id))
            rels.update(log.context.relationships)
            if len(events) >= size:
                break
    return events[:size], SeedContext(relationships=rels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    logs = load_logs(args.data)
    scores = evaluate(logs)
    print(f"{len(logs)} labelled logs ({sum(1 for g in logs if g.expected)} with seeds)\n")
    print(f"{'seed type':<24} {'support':>7} {'precision':>9} {'recall':>7}")
    for seed_type, s in scores.items():
        print(f"{seed_type.value:<24} {s.support:>7} {s.precision:>9.2f} {s.recall:>7.2f}")
    tp = sum(s.true_positives for s in scores.values())
    fp = sum(s.false_positives for s in scores.values())
    fn = sum(s.false_negatives for s in scores.values())
    print(f"{'all (micro)':<24} {tp + fn:>7} {tp / max(1, tp + fp):>9.2f} "
          f"{tp / max(1, tp + fn):>7.2f}")
    if args.misses:
        for seed_type, s in scores.items():
            for m in s.misses:
                print(f"  missed      {seed_type.value}: {m}")
            for m in s.false_alarms:
                print(f"  false alarm {seed_type.value}: {m}")
    events, context = _window(1000)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        found = detect_seeds(events, context)
        times.append(time.perf_counter() - start)
    print(f"\ndetection over 1,000 events: median {statistics.median(times) * 1000:.1f} ms "
          f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}; {len(found)} seeds) "
          f"- target < 100 ms")


if __name__ == "__main__":
    main()
