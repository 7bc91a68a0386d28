"""Reporting helpers of the ingest benchmark: where the time goes (cProfile grouped by area),
and a fixed calibration workload that tells a busy machine from a slow engine."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import time

from _bench import ROOT

__all__ = ["format_profile", "calibration_ms", "percentile"]


def format_profile(
    profiler: cProfile.Profile, messages: int, top: int = 10, *, unit: str = "message",
    whole: str = "ingest",
) -> str:
    """The ``top`` engine functions by cumulative time and the own time by area, per ``unit``
    (``messages`` of them were profiled; ``whole`` names the profiled call in the headers)."""
    stats = pstats.Stats(profiler, stream=io.StringIO())
    raw = stats.stats  # type: ignore[attr-defined]
    total = max(stats.total_tt, 1e-12)  # type: ignore[attr-defined]
    root = str(ROOT / "engine")
    rows = []
    for (filename, line, func), (_cc, ncalls, tottime, cumtime, _callers) in raw.items():
        if not filename.startswith(root):
            continue
        rel = os.path.relpath(filename, ROOT)
        rows.append((cumtime, tottime, ncalls, f"{rel}:{line} {func}"))
    rows.sort(reverse=True)
    abbr = "msg" if unit == "message" else unit
    areas: dict[str, float] = {}
    for (filename, _line, func), (_cc, _n, tottime, _cum, _callers) in raw.items():
        area = _area(filename, func)
        areas[area] = areas.get(area, 0.0) + tottime
    lines = [
        f"Profile: {messages} {unit}s under cProfile (untimed; cProfile inflates Python-heavy "
        f"code). Total {total * 1e3 / messages:.2f} ms/{unit} profiled.",
        "",
        f"| engine function | calls/{abbr} | cumulative ms/{abbr} | own ms/{abbr} | "
        f"% of {whole} |",
        "|---|---:|---:|---:|---:|",
    ]
    for cumtime, tottime, ncalls, name in rows[:top]:
        lines.append(
            f"| `{name}` | {ncalls / messages:.1f} | {cumtime * 1e3 / messages:.3f} | "
            f"{tottime * 1e3 / messages:.3f} | {100 * cumtime / total:.0f}% |"
        )
    lines += [
        "",
        "Own time by area (where the time goes, whoever calls it):",
        "",
        f"| area | own ms/{abbr} | % of {whole} |",
        "|---|---:|---:|",
    ]
    for area, tottime in sorted(areas.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {area} | {tottime * 1e3 / messages:.3f} | {100 * tottime / total:.0f}% |")
    return "\n".join(lines)


_AREAS = (
    ("sqlalchemy/", "SQLAlchemy (building, compiling, executing statements)"),
    ("sqlite3", "SQLite driver and engine"),
    ("psycopg", "psycopg driver (PostgreSQL round trips)"),
    ("/rq/", "RQ, Redis client, fakeredis (render jobs, event stream)"),
    ("/redis/", "RQ, Redis client, fakeredis (render jobs, event stream)"),
    ("fakeredis", "RQ, Redis client, fakeredis (render jobs, event stream)"),
    ("/re/", "regular expressions (compiling and matching)"),
    ("re.Pattern", "regular expressions (compiling and matching)"),
    ("vaderSentiment", "VADER sentiment"),
    ("/json/", "JSON encoding and decoding"),
    ("/pgvector/", "pgvector adapter (formatting vectors)"),
    ("/numpy/", "numpy"),
    ("numpy.", "numpy"),
)


def _area(filename: str, func: str) -> str:
    """The part of the stack a profiled function belongs to."""
    where = filename if filename != "~" else func
    for marker, area in _AREAS:
        if marker in where:
            return area
    if where.startswith(str(ROOT / "engine")):
        return "engine code (domain and services)"
    if where.startswith(str(ROOT / "workers")):
        return "workers code (queue and stream adapters)"
    if filename == "~":
        return "other built-ins (datetime, dict, str ...)"
    return "other Python (stdlib, dataclasses, pydantic ...)"


def calibration_ms() -> float:
    """A fixed pure-Python workload (median of 3), to tell a slow machine from a slow engine."""
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        total = 0
        for i in range(200_000):
            total += i * i % 7
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in [0, 100]) of an ascending list."""
    if not sorted_values:
        return float("nan")
    pos = (len(sorted_values) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)
