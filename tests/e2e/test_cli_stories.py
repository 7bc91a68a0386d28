"""`personae story …` and `personae scenario …` as a user runs them, against a temporary SQLite
database filled by `personae demo --scenario garden-conspiracy` (with a member insulting Darcy,
so that there is a feud to tell); bad input gets one clear line and exit code 2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bots.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
INSULTS = (
    "Darcy, you are a proud, disagreeable, hateful man.",
    "Darcy, you are the rudest, most insufferable person alive.",
    "Darcy, you are cruel and stupid and everyone despises you.",
    "Darcy, you are a vile, arrogant, contemptible fool.",
)
TURNS = 100


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('stories')}/community.db"
    says = [arg for i, text in enumerate(INSULTS) for arg in ("--say", f"{i + 1}:{text}")]
    result = subprocess.run(
        [sys.executable, "-m", "bots.cli.main", "demo", "--scenario", "garden-conspiracy",
         "--turns", str(TURNS), "--member-name", "Mary", "--database-url", url, *says],
        cwd=ROOT, env=dict(os.environ, PERSONAE_REDIS_URL="fakeredis://"),
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Scenario #1: garden-conspiracy is running." in result.stderr
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith("Scenario The Garden Conspiracy: completed, every objective "
                              "complete — 4/4 done"), result.stderr
    return url


def personae(database: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"PERSONAE_DATABASE_URL": database,
                                                    "PERSONAE_REDIS_URL": "fakeredis://"})


def _feud_id(database: str) -> int:
    listed = personae(database, "story", "list")
    assert listed.exit_code == 0, listed.output
    line = next(ln for ln in listed.stdout.splitlines() if "Darcy" in ln and "Mary" in ln)
    assert re.search(r"\[#*-*\] \d+%", line), line
    found = re.match(r"#(\d+)", line)
    assert found, line
    return int(found.group(1))


def test_story_list_show_and_export(database: str, tmp_path: Path) -> None:
    thread_id = _feud_id(database)
    shown = personae(database, "story", "show", str(thread_id))
    assert shown.exit_code == 0, shown.output
    assert re.search(r"^Tension \[[#-]{20}\] \d+%$", shown.stdout, re.MULTILINE), shown.stdout
    positions = [shown.stdout.index(insult[:40]) for insult in INSULTS]
    assert positions == sorted(positions)
    assert "What may happen next:" in shown.stdout

    out = tmp_path / "feud.md"
    exported = personae(database, "story", "export", str(thread_id), "-o", str(out))
    assert exported.exit_code == 0 and f"Wrote {out}" in exported.stdout
    markdown = out.read_text(encoding="utf-8")
    positions = [markdown.index(insult[:40]) for insult in INSULTS]
    assert positions == sorted(positions) and "## Cast" in markdown
    html = personae(database, "story", "export", str(thread_id), "--format", "html")
    assert html.exit_code == 0 and "<h2>Cast</h2>" in html.stdout


def test_scenario_list_start_status_direct_share_install(database: str) -> None:
    listed = personae(database, "scenario", "list")
    assert listed.exit_code == 0
    assert "#1 The Garden Conspiracy [completed] (garden-conspiracy)" in listed.stdout
    done = personae(database, "scenario", "status", "1")
    assert "  [x] hidden: Elizabeth's search succeeds" in done.stdout

    created = personae(database, "scenario", "create", "garden-conspiracy")
    assert created.exit_code == 0, created.output
    assert created.stdout.startswith("Created scenario #2: The Garden Conspiracy")
    started = personae(database, "scenario", "start", "2")
    assert started.stdout.strip() == "The Garden Conspiracy: running."
    status = personae(database, "scenario", "status", "2")
    assert "#2 The Garden Conspiracy [running]" in status.stdout
    assert "  [ ] primary: The truth comes out" in status.stdout
    members = personae(database, "scenario", "status", "2", "--no-director")
    assert "hidden" not in members.stdout and "primary" in members.stdout

    directed = personae(database, "scenario", "direct", "2", "A storm breaks over the garden.")
    assert directed.exit_code == 0, directed.output
    witnesses = directed.stdout.splitlines()[0].split(" — witnessed by ")[1].rstrip(".")
    assert set(witnesses.split(", ")) == {"Elizabeth Bennet", "Fitzwilliam Darcy",
                                          "Jane Bennet", "Charles Bingley", "Lydia Bennet",
                                          "William Collins"}
    assert "Objective complete: The storm drives everyone under the arbour." in directed.stdout

    code = personae(database, "scenario", "share", "2").stdout.strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code), code
    assert code in personae(database, "scenario", "templates").stdout
    installed = personae(database, "scenario", "install", code.lower())
    assert installed.exit_code == 0
    assert installed.stdout.startswith("Installed scenario #3: The Garden Conspiracy")
    exported = personae(database, "scenario", "export", "2")
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.startswith("# The Garden Conspiracy")
    assert exported.stdout.index("The Garden Conspiracy.") < exported.stdout.index(
        "A storm breaks over the garden.")
    assert "hidden" not in exported.stdout  # not complete, and --hidden was not asked
    assert "hidden" in personae(database, "scenario", "export", "2", "--hidden").stdout
    draft = personae(database, "scenario", "export", "3")  # installed, never started
    assert draft.exit_code == 2 and "has not started: there is no story yet" in draft.stderr
    assert personae(database, "scenario", "pause", "2").stdout.strip().endswith("paused.")
    assert personae(database, "scenario", "stop", "2").stdout.strip().endswith("stopped.")


@pytest.mark.parametrize(("args", "message"), [
    (("scenario", "start", "no-such-scenario"), "No scenario 'no-such-scenario' here."),
    (("scenario", "status", "no-such-scenario"), "No scenario 'no-such-scenario' here."),
    (("scenario", "create", "no-such-scenario"), "No bundled scenario 'no-such-scenario'."),
    (("scenario", "install", "NOPE-NOPE"), "No scenario template with code 'NOPE-NOPE'."),
    (("scenario", "direct", "1", "Thunder."), "is completed; direct it while it runs."),
    (("scenario", "resume", "1"), "is completed; it cannot resume."),
    (("story", "show", "9999"), "no story thread 9999"),
    (("story", "export", "9999"), "no story thread 9999"),
    (("story", "export", "1", "--format", "pdf"), "unknown story format 'pdf'"),
    (("story", "list", "--space", "console:elsewhere"), "No community 'console:elsewhere'"),
])
def test_bad_input_gets_one_clear_line_and_exit_code_2(database: str, args: tuple[str, ...],
                                                       message: str) -> None:
    result = personae(database, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and result.stderr.startswith("error: ")
    assert "Traceback" not in result.output


def test_bad_input_from_a_real_process(database: str) -> None:
    """The same through the `personae` command itself (the exit code a shell sees)."""
    result = subprocess.run(
        [sys.executable, "-m", "bots.cli.main", "story", "show", "424242"], cwd=ROOT,
        env=dict(os.environ, PERSONAE_DATABASE_URL=database, PERSONAE_REDIS_URL="fakeredis://"),
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: no story thread 424242"
