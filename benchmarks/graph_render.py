"""Relationship graph PNG rendering: a 50-character cast with about 300 relationships.

One command::

    .venv/bin/python benchmarks/graph_render.py               # writes /tmp/personae-graph.png
    .venv/bin/python benchmarks/graph_render.py --characters 12 --relationships 40 --runs 3

The cast is seeded: five friend groups, most ties inside a group and returned, a few crushes,
partners, rivals, enemies and estranged pairs, a third of the characters with a generated
avatar and each with a mood emoji. Communities come from ``SocialGraph.analyse`` (untimed);
each run times one ``render_graph_png`` call (``time.perf_counter``). The process pins itself to
CPU 0 and reports the median. The last image is written to ``--out`` for a human to look at.

This is a benchmark, not a test: nothing here asserts, and it never runs under pytest.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import platform
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path

import _bench  # noqa: E402 - pins the core and fixes sys.path before numpy loads

_bench.setup()
ROOT = _bench.ROOT

import matplotlib  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.image import imsave  # noqa: E402

from engine.relationships import Relationship  # noqa: E402
from engine.social.graph_image import NodeInfo, render_graph_png  # noqa: E402
from engine.social.labels import next_label  # noqa: E402
from engine.social.network import SocialGraph  # noqa: E402

TARGET_S = 1.0
_FIRST = ("Ada", "Bram", "Cora", "Dax", "Elin", "Finn", "Gwen", "Hugo", "Iris", "Jonah", "Kira",
          "Lev", "Mira", "Nico", "Opal", "Pip", "Quinn", "Rhea", "Sol", "Tess", "Uma", "Vik",
          "Wren", "Xan", "Yara", "Zeke")
_LAST = ("Vale", "Stone", "Reed", "Hart", "Moss", "Quill", "Frost", "Lark", "Birch", "Wynn")
_SPECIAL = ("愛子", "Ren 蓮", "Luna 🌙", "Noor ✨")
_MOODS = ("😊", "😠", "😢", "😨", "💕", "😒", "😐")


def avatar(seed: int, size: int = 96) -> bytes:
    """A small generated portrait-ish PNG: a coloured gradient with a pale face disc."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size] / size
    base = rng.random(3)
    image = np.clip(base[None, None, :] * (0.6 + 0.4 * y[..., None]), 0, 1)
    face = (x - 0.5) ** 2 + (y - 0.42) ** 2 < 0.07
    image[face] = (0.96, 0.84, 0.72)
    body = ((x - 0.5) ** 2 / 0.16 + (y - 1.05) ** 2 / 0.2) < 1
    image[body] = 1 - base * 0.7
    out = io.BytesIO()
    imsave(out, image, format="png")
    return out.getvalue()


def cast(characters: int, relationships: int, seed: int = 0) -> tuple[list[NodeInfo],
                                                                       list[Relationship]]:
    """A seeded cast and its relationships (see the module docstring)."""
    rng = random.Random(seed)
    nodes = []
    for i in range(characters):
        name = (_SPECIAL[i // 12] if i % 12 == 11 and i // 12 < len(_SPECIAL)
                else f"{_FIRST[i % len(_FIRST)]} {_LAST[(i * 7) % len(_LAST)]}")
        nodes.append(NodeInfo(i, name, avatar(i) if i % 3 == 0 else None, rng.choice(_MOODS)))
    group = {i: i % 5 for i in range(characters)}
    views: dict[tuple[int, int], Relationship] = {}
    while len(views) < relationships:
        a = rng.randrange(characters)
        same = [b for b in range(characters) if group[b] == group[a] and b != a]
        b = rng.choice(same) if same and rng.random() < 0.8 else rng.randrange(characters)
        if a == b:
            continue
        for s, t in ((a, b), (b, a)) if rng.random() < 0.7 else ((a, b),):
            inside = group[s] == group[t]
            rel = Relationship(
                s, t, 1, affinity=rng.uniform(0.05, 0.75) if inside else rng.uniform(-0.2, 0.35),
                trust=rng.uniform(0.0, 0.6), familiarity=rng.uniform(0.15, 0.9),
                respect=rng.uniform(-0.2, 0.6),
            )
            roll = rng.random()
            if roll < 0.05:
                rel = replace(rel, romance=0.6, affinity=0.6, trust=0.5)
            elif roll < 0.12:
                rel = replace(rel, rivalry=rng.uniform(0.45, 0.8))
            elif roll < 0.16:
                rel = replace(rel, affinity=rng.uniform(-0.9, -0.55))
            label = next_label(rel, "stranger")
            if roll > 0.97:
                label = "estranged"
            elif label == "crush" and rng.random() < 0.4:
                label = "partner"
            views[(s, t)] = replace(rel, label=label)
            if len(views) >= relationships:
                break
    return nodes, list(views.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--characters", type=int, default=50)
    parser.add_argument("--relationships", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", type=int, default=1200)
    parser.add_argument("--out", default="/tmp/personae-graph.png")
    args = parser.parse_args()
    nodes, rels = cast(args.characters, args.relationships)
    communities = SocialGraph.from_relationships(rels).analyse().communities
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                  .splitlines() if line.startswith("model name")), platform.processor())
    print(f"## Graph render — {len(nodes)} characters, {len(rels)} relationships, "
          f"{args.size}x{args.size} px\n")
    print(f"Machine: {model}, {os.cpu_count()} cores (pinned to one), Python "
          f"{platform.python_version()}, matplotlib {matplotlib.__version__}\n")
    print("| run | wall s | cpu s | PNG KiB |\n|---|---:|---:|---:|")
    walls, cpus, png = [], [], b""
    for i in range(args.runs):
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        png = render_graph_png(rels, nodes, communities=communities,
                               title="Personae — who feels what", size_px=args.size)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        print(f"| {i + 1} | {walls[-1]:.3f} | {cpus[-1]:.3f} | {len(png) / 1024:.0f} |")
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"| **median** | **{wall:.3f}** | {cpu:.3f} | |\n")
    print(f"Target < {TARGET_S:.1f} s: {'meets' if wall < TARGET_S else 'MISSES'} the target "
          "(first run includes font lookup).\n")
    Path(args.out).write_bytes(png)
    print(f"Wrote {args.out}.")


if __name__ == "__main__":
    main()
