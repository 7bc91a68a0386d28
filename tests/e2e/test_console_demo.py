"""The console community end to end, through the `personae` command as a user runs it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

LINE = re.compile(r"^\*\*(?P<speaker>[^*]+):\*\* (?P<text>\S.*)$")
CAST = {"Elizabeth Bennet", "Fitzwilliam Darcy", "Jane Bennet", "Charles Bingley",
        "Lydia Bennet", "William Collins"}


def personae(*args: str, env: dict[str, str] | None = None,
             timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bots.cli.main", *args],
        capture_output=True, text=True, timeout=timeout, env=env,
        cwd=Path(__file__).resolve().parents[2],
    )


def transcript(path: Path) -> list[tuple[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.startswith("**")]
    parsed = []
    for line in lines:
        match = LINE.match(line)
        assert match, f"not one message per line: {line!r}"
        parsed.append((match["speaker"], match["text"]))
    return parsed


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("demo")
    out: dict[str, Path] = {}
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        path = base / f"{name}.md"
        result = personae("demo", "--turns", "30", "--seed", seed, "--transcript", str(path),
                          "--say", "10:@Darcy, do you dance at all, sir?",
                          "--member-name", "Mary")
        assert result.returncode == 0, result.stderr
        assert "Renderer: offline" in result.stderr
        out[name] = path
    return out


def test_transcript_has_thirty_character_turns_one_message_per_line(
    runs: dict[str, Path],
) -> None:
    lines = transcript(runs["a"])
    characters = [s for s, _ in lines if s != "Mary"]
    assert len(characters) == 30
    assert set(characters) <= CAST
    assert len(set(characters)) >= 4, "the cast talks among themselves, not one voice"


def test_same_seed_same_messages_other_seed_other_messages(runs: dict[str, Path]) -> None:
    assert runs["a"].read_text() == runs["b"].read_text()
    assert transcript(runs["a"]) != transcript(runs["c"])


def test_member_addressing_darcy_gets_his_answer(runs: dict[str, Path]) -> None:
    lines = transcript(runs["a"])
    asked = next(i for i, (s, t) in enumerate(lines) if s == "Mary")
    assert lines[asked][1] == "@Darcy, do you dance at all, sir?"
    # Replies already scheduled before she spoke may come first; Darcy answers right after.
    assert "Fitzwilliam Darcy" in [s for s, _ in lines[asked + 1 : asked + 4]]


def test_unreachable_database_fails_clearly(tmp_path: Path) -> None:
    import os

    env = dict(os.environ, PERSONAE_DATABASE_URL="postgresql://nobody@127.0.0.1:9/none")
    result = personae("migrate", env=env, timeout=60)
    assert result.returncode == 3
    assert "Cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_redis_fails_clearly(tmp_path: Path) -> None:
    import os

    env = dict(os.environ, PERSONAE_DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
               PERSONAE_REDIS_URL="redis://127.0.0.1:9/0")
    result = personae("scheduler", "--once", env=env, timeout=60)
    assert result.returncode == 3
    assert "Cannot reach Redis" in result.stderr


def test_interactive_console_answers_a_member(tmp_path: Path) -> None:
    """Piped stdin drives the interactive mode: a line in, the addressed character answers.

    The output is read as it comes, until Jane's answer or a generous deadline (a busy machine
    can take many seconds to start the process and render), then the console is told to quit.
    """
    import queue
    import threading
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "bots.cli.main", "demo"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdin is not None and proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    stdout = proc.stdout
    reader = threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True)
    reader.start()
    proc.stdin.write("@Jane, how do you like Netherfield?\n")
    proc.stdin.flush()
    seen: list[str] = []
    answer = re.compile(r"^Jane Bennet \(\w+ → Guest\):")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not any(answer.search(x) for x in seen):
        try:
            seen.append(lines.get(timeout=0.5))
        except queue.Empty:
            continue
    proc.stdin.write("/quit\n")
    proc.stdin.flush()
    proc.stdin.close()
    err = proc.stderr.read() if proc.stderr else ""
    proc.wait(timeout=60)
    reader.join(timeout=10)
    while not lines.empty():
        seen.append(lines.get())
    out = "".join(seen)
    assert proc.returncode == 0, err
    assert "Renderer: offline" in out
    assert "(addressed: Jane Bennet)" in out
    assert re.search(r"^Jane Bennet \(\w+ → Guest\):", out, re.MULTILINE), out


def test_demo_uses_the_configured_model_endpoint(fake_openai: object) -> None:
    import os

    from tests.fakes.openai_server import FakeOpenAI

    assert isinstance(fake_openai, FakeOpenAI)
    fake_openai.default_reply = "What a delightful evening this is turning out to be."
    env = dict(os.environ, PERSONAE_LLM_BASE_URL=fake_openai.base_url,
               PERSONAE_LLM_MODEL="tiny-test-model")
    result = personae("demo", "--turns", "3", "--seed", "1", env=env)
    assert result.returncode == 0, result.stderr
    assert "Renderer: model:tiny-test-model" in result.stderr
    assert result.stdout.count("What a delightful evening") == 3
    body = fake_openai.chat_requests[0]
    assert body["model"] == "tiny-test-model"
    assert "AI persona" in body["messages"][0]["content"]
