"""``personae story list|show|export``: the stories the engine follows in a community."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bots.cli.characters import SpaceOption
from bots.cli.errors import friendly_errors
from bots.cli.social import _ecosystem

__all__ = ["story_app", "tension_bar"]

story_app = typer.Typer(help="Story threads: list them, show one, export one as a story.")


def tension_bar(tension: float, width: int = 20) -> str:
    """``[########------------] 42%``."""
    filled = round(max(0.0, min(100.0, tension)) / 100 * width)
    return f"[{'#' * filled}{'-' * (width - filled)}] {tension:.0f}%"


@story_app.command("list")
def list_command(
    space: SpaceOption = "console:local",
    detect: Annotated[bool, typer.Option(help="Look for new stories first.")] = True,
) -> None:
    """The story threads of a community, most recent first."""
    from engine.services.stories import detect_stories, list_threads

    with friendly_errors():
        deps, eco = _ecosystem(space)
        if detect:
            detect_stories(deps, eco.id, force=True)
        threads = list_threads(deps, eco.id)
    if not threads:
        typer.echo("No stories yet.")
        return
    for t in threads:
        typer.echo(f"#{t.id:<4} {t.stage.value:<11} {tension_bar(t.tension, 10)}  {t.title} "
                   f"({t.genre.value})")


@story_app.command("show")
def show_command(
    thread_id: Annotated[int, typer.Argument(help="The story's id (see `story list`).")],
    space: SpaceOption = "console:local",
) -> None:
    """A story's dashboard: stage, tension, key events, predictions."""
    from engine.services.stories import get_thread
    from engine.stories.export import timeline_lines

    with friendly_errors():
        deps, eco = _ecosystem(space)
        t = get_thread(deps, thread_id, eco.id)
    typer.echo(f"{t.title}\n{t.genre.value} · {t.seed_type.value.replace('_', ' ')} · "
               f"{t.stage.value}\nTension {tension_bar(t.tension)}\n\nKey events:")
    for line in timeline_lines(t)[-15:] or ["(none)"]:
        typer.echo(f"  {line}")
    typer.echo("\nWhat may happen next:")
    for p in t.predictions or []:
        typer.echo(f"  - {p.text}")
    if not t.predictions:
        typer.echo("  (no goals to go by)")


@story_app.command("export")
def export_command(
    thread_id: Annotated[int, typer.Argument(help="The story's id (see `story list`).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="md or html.")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write "
                                                "(default: print).")] = None,
    narrate: Annotated[bool, typer.Option(help="Model-written narration between scenes "
                                          "(when a model is configured).")] = False,
    space: SpaceOption = "console:local",
) -> None:
    """Export a story as Markdown or HTML: title, cast, chapters by arc, the dialogue."""
    from engine.services.stories import story_of_thread
    from engine.stories.export import narrate as add_narration
    from engine.stories.export import render

    with friendly_errors():
        deps, eco = _ecosystem(space)
        story = story_of_thread(deps, thread_id, eco.id)
        if narrate:
            story = add_narration(story, deps.model)
        text = render(story, fmt)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"Wrote {output}")
