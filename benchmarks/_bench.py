"""What every benchmark does first: one core, the repository importable, the machine named."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = [
    "ROOT", "setup", "machine", "cpu_model", "revision", "load_average", "print_runs",
]

ROOT = Path(__file__).resolve().parents[1]


def setup(cpu: int | None = 0) -> None:
    """Pin this process to ``cpu`` (before numpy starts BLAS threads, which would keep the old
    affinity) and put the repository on ``sys.path`` (``python benchmarks/x.py`` puts only
    ``benchmarks/`` there)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return model or "unknown CPU"


def machine() -> str:
    """CPU model, cores, OS and Python, for the report."""
    return (
        f"{cpu_model()}, {os.cpu_count()} logical cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def revision(paths: tuple[str, ...] = ("engine", "migrations", "workers")) -> str:
    """The commit measured, and whether ``paths`` had uncommitted changes (shared tree)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                              check=True, timeout=10).stdout.rstrip("\n")

    try:
        head = git("log", "-1", "--format=%h (%ci)")
        dirty = git("status", "--porcelain", "--", *paths)
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    if not dirty:
        return f"commit {head}"
    files = [line[3:] for line in dirty.splitlines()]
    shown = ", ".join(files[:4]) + (f" and {len(files) - 4} more" if len(files) > 4 else "")
    return f"commit {head} + uncommitted changes to {shown}"


def load_average() -> str:
    """The 1-minute load average, printed before and after the runs ("n/a" where unknown)."""
    with contextlib.suppress(OSError, AttributeError):
        return f"{os.getloadavg()[0]:.2f}"
    return "n/a"


def print_runs(
    rows: list[tuple[str, dict[str, float]]],
    columns: Sequence[str],
    render: Callable[[list[tuple[str, dict[str, float]]]], str],
    load_before: str,
    notes: Sequence[str] = (),
) -> dict[str, float]:
    """Add the median row, print the table (``render``), the load and ``notes``; return the
    medians."""
    median = {c: statistics.median(r[c] for _, r in rows) for c in columns}
    rows.append(("**median**", median))
    print(render(rows))
    print()
    print(f"- load average (1 min) before/after: {load_before} / {load_average()}")
    for line in notes:
        print(f"- {line}")
    return median
