"""``personae observatory`` and ``personae relationships graph|why``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bots.cli.characters import SpaceOption, _space
from bots.cli.errors import fail, friendly_errors
from engine.settings import Settings

__all__ = ["relationships_app", "observatory_command", "members_app"]

relationships_app = typer.Typer(help="The relationship graph, and the story between two.")


def _ecosystem(space: str):  # noqa: ANN202
    from workers.bootstrap import build

    platform, space_id = _space(space)
    deps = build(Settings()).deps
    with deps.uow() as uow:
        eco = uow.spaces.find_ecosystem(platform, space_id)
    if eco is None:
        fail(f"No community {space!r} in this database (PERSONAE_DATABASE_URL).")
    return deps, eco


def observatory_command(space: SpaceOption = "console:local") -> None:
    """Active characters and moods, relationships, alliances, conflicts, conversations."""
    from engine.services.observatory import observatory, render_text

    with friendly_errors():
        deps, eco = _ecosystem(space)
        typer.echo(render_text(observatory(deps, eco.id)))


@relationships_app.command("graph")
def graph(
    output: Annotated[Path, typer.Option("-o", "--output", help="PNG file to write.")] = Path("relationships.png"),
    space: SpaceOption = "console:local",
) -> None:
    """Draw the relationship graph as a PNG."""
    from engine.services.observatory import relationship_graph

    with friendly_errors():
        deps, eco = _ecosystem(space)
        output.write_bytes(relationship_graph(deps, eco.id))
    typer.echo(f"Wrote {output}")


@relationships_app.command("why")
def why(
    first: Annotated[str, typer.Argument(help="A character or member name.")],
    second: Annotated[str, typer.Argument(help="Another one.")],
    space: SpaceOption = "console:local",
) -> None:
    """Why two participants feel as they do about each other, from their history."""
    from engine.services.observatory import relationship_story

    with friendly_errors():
        deps, eco = _ecosystem(space)
        typer.echo(relationship_story(deps, eco.id, first, second))


members_app = typer.Typer(help="Community members' data.")


@members_app.command("forget")
def forget(
    member_id: Annotated[str, typer.Argument(help="The member's platform user id.")],
    space: SpaceOption = "console:local",
) -> None:
    """Delete everything about one member (their "forget me" request)."""
    from engine.services.forgetting import forget_member
    from workers.bootstrap import build

    platform, space_id = _space(space)
    with friendly_errors():
        report = forget_member(build(Settings()).deps, platform, space_id, member_id)
    typer.echo(
        f"Forgot member {member_id}: {report.events} messages, {report.memories} memories, "
        f"{report.relationships} relationships, {report.changes} history entries, "
        f"{report.confidences} confidences, {report.intents} pending replies removed."
    )
