"""``personae characters import|export|list``: Character Card V2 files in and out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bots.cli.errors import fail, friendly_errors
from engine.settings import Settings

__all__ = ["characters_app"]

characters_app = typer.Typer(help="Import, export and list characters (Character Card V2 JSON).")

SpaceOption = Annotated[
    str, typer.Option("--space", help="PLATFORM:SPACE_ID of the community (e.g. console:local).")
]


def _space(value: str) -> tuple[str, str]:
    platform, sep, space = value.partition(":")
    if not sep or not platform or not space:
        fail(f"--space expects PLATFORM:SPACE_ID, got {value!r}")
    return platform, space


@characters_app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="Card JSON files.")],
    space: SpaceOption = "console:local",
    channel: Annotated[str | None, typer.Option(help="Also move them into this channel.")] = None,
) -> None:
    """Import cards; a malformed card is refused with the field that is wrong."""
    from engine.cards import load_card_file
    from engine.services import setup
    from workers.bootstrap import build

    platform, space_id = _space(space)
    with friendly_errors():
        deps = build(Settings()).deps
        cards = [(path, load_card_file(path)) for path in files]
        eco, chans = setup.open_space(deps, platform, space_id, [channel] if channel else [])
        setup.import_characters(deps, eco.id, [c for _, c in cards], [c.id for c in chans])
        for path, character in cards:
            typer.echo(f"Imported {character.name} from {path.name}")


@characters_app.command("export")
def export(
    name: Annotated[str, typer.Argument(help="Character name.")],
    space: SpaceOption = "console:local",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File (default stdout).")] = None,
) -> None:
    """Export a character as Character Card V2 JSON (unknown fields kept)."""
    from engine.services import setup
    from workers.bootstrap import build

    platform, space_id = _space(space)
    with friendly_errors():
        deps = build(Settings()).deps
        eco, _ = setup.open_space(deps, platform, space_id, [])
        card = setup.export_character(deps, eco.id, name)
    text = json.dumps(card, indent=2, ensure_ascii=False)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"Wrote {output}", err=True)


@characters_app.command("list")
def list_(space: SpaceOption = "console:local") -> None:
    """List the characters of a community."""
    from engine.services import setup
    from workers.bootstrap import build

    platform, space_id = _space(space)
    with friendly_errors():
        deps = build(Settings()).deps
        eco, _ = setup.open_space(deps, platform, space_id, [])
        for character in setup.list_characters(deps, eco.id):
            typer.echo(f"{character.name}\t{character.status}\t{', '.join(character.tags)}")
