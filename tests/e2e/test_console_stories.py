"""The console's ``/stories``: the list with tension bars, one story's dashboard (stage, tension,
key events in order, predictions), bad input as one line; and the command in the running
console, driven through piped stdin."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from bots.console.app import _command
from bots.console.community import ConsoleCommunity
from bots.console.stories import stories_command
from workers.bootstrap import Container

INSULTS = (
    "Darcy, you are a proud, disagreeable, hateful man.",
    "Darcy, you are the rudest, most insufferable person alive.",
    "Darcy, you are cruel and stupid and everyone despises you.",
    "Darcy, you are a vile, arrogant, contemptible fool.",
)


def _typed(community: ConsoleCommunity, line: str) -> str:
    out = io.StringIO()
    _command(community, Console(file=out, width=200, highlight=False), line)
    return out.getvalue()


def test_stories_lists_and_shows_a_feud(make_container: Callable[..., Container]) -> None:
    community = ConsoleCommunity(make_container(max_chain=0), member_name="Mary")
    community.open()
    assert _typed(community, "/stories").strip() == "No stories yet."
    community.say("Good evening, Mr. Darcy.")
    for text in INSULTS:
        community.say(text)

    listed = _typed(community, "/stories")
    line = next(ln for ln in listed.splitlines() if "Darcy" in ln)
    assert re.match(r"#\d+\s+(seed|developing|climax)\s+\[[#-]{10}\] \d+%  .*\(drama\)$", line)
    thread_id = line.split()[0].lstrip("#")

    shown = _typed(community, f"/stories {thread_id}")
    assert re.search(r"^  Tension \[[#-]{20}\] \d+%$", shown, re.MULTILINE), shown
    positions = [shown.index(insult[:40]) for insult in INSULTS]
    assert positions == sorted(positions)
    assert "What may happen next:" in shown
    assert _typed(community, f"/stories show {thread_id}") == shown
    assert _typed(community, "/story 9999").strip() == "no story thread 9999"
    deps, eco = community.deps, community.ecosystem.id
    assert stories_command(deps, eco, "dance") == ["Usage: /stories [list] | /stories [show] ID"]


def test_stories_in_the_running_console(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bots.cli.main", "demo", "--database-url",
         f"sqlite:///{tmp_path}/console.db"],
        input="/help\n/stories\n/stories 77\n/quit\n", capture_output=True, text=True,
        timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0, proc.stderr
    assert "/stories [ID]" in proc.stdout
    # (the cast may already have started a story in the seconds the console ran)
    assert "No stories yet." in proc.stdout or re.search(r"^#\d+ ", proc.stdout, re.MULTILINE)
    assert "no story thread 77" in proc.stdout
