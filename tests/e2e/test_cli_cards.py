"""`personae characters import|export|list` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from engine.content import bundled_cast

ROOT = Path(__file__).resolve().parents[2]


def personae(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PERSONAE_DATABASE_URL=f"sqlite:///{tmp_path}/cards.db",
               PERSONAE_REDIS_URL="fakeredis://")
    return subprocess.run([sys.executable, "-m", "bots.cli.main", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_import_export_keeps_unknown_fields(tmp_path: Path) -> None:
    card = json.loads(bundled_cast()[0].read_text())
    card["data"]["extensions"]["some_other_tool"] = {"depth": 4, "notes": ["kept"]}
    card["data"]["character_book"] = {"entries": [{"keys": ["Pemberley"], "content": "…"}]}
    card["x_top_level"] = True
    source = tmp_path / "card.json"
    source.write_text(json.dumps(card))
    imported = personae(tmp_path, "characters", "import", str(source), "--channel", "hall")
    assert imported.returncode == 0, imported.stderr
    name = card["data"]["name"]
    assert f"Imported {name}" in imported.stdout
    listed = personae(tmp_path, "characters", "list")
    assert name in listed.stdout
    out = tmp_path / "out.json"
    exported = personae(tmp_path, "characters", "export", name, "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert json.loads(out.read_text()) == card


def test_malformed_card_names_the_field_and_imports_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(bundled_cast()[1].read_text())
    bad = json.loads(bundled_cast()[2].read_text())
    bad["data"]["extensions"]["personae"]["big_five"]["openness"] = 7
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(bad))
    result = personae(tmp_path, "characters", "import", str(good), str(broken))
    assert result.returncode == 2
    assert "data.extensions.personae.big_five.openness" in result.stderr
    assert "Traceback" not in result.stderr
    # Cards are all validated before any is stored: nothing was half-imported.
    assert personae(tmp_path, "characters", "list").stdout.strip() == ""


def test_not_json_and_unknown_character(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    result = personae(tmp_path, "characters", "import", str(junk))
    assert result.returncode == 2 and "not valid JSON" in result.stderr
    missing = personae(tmp_path, "characters", "export", "Mr. Wickham")
    assert missing.returncode == 2 and "No character named 'Mr. Wickham'" in missing.stderr


def test_name_clash_imports_none_of_the_batch(tmp_path: Path) -> None:
    first, second = bundled_cast()[:2]
    assert personae(tmp_path, "characters", "import", str(first)).returncode == 0
    result = personae(tmp_path, "characters", "import", str(second), str(first))
    assert result.returncode == 2 and "already lives here" in result.stderr
    assert len(personae(tmp_path, "characters", "list").stdout.strip().splitlines()) == 1
