"""The README documents every setting (the configuration table must not drift)."""

from __future__ import annotations

from pathlib import Path

from engine.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table() -> None:
    missing = [name for name in Settings.model_fields
               if f"`PERSONAE_{name.upper()}`" not in README]
    assert missing == []


def test_quickstart_is_two_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("```", 2)[1]
    commands = [ln for ln in quickstart.splitlines()[1:] if ln.strip()]
    assert [c.split("#")[0].strip() for c in commands] == ["make demo", "make test"]
