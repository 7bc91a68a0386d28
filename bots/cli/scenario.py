"""``personae scenario …``: the scenario director from the command line (the same engine
service as the console's ``/scenario`` and the bots' commands)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bots.cli.characters import SpaceOption
from bots.cli.errors import fail, friendly_errors
from bots.cli.social import _ecosystem

__all__ = ["scenario_app"]

scenario_app = typer.Typer(help="Scenarios: create, run, direct, share by code.")

Ref = Annotated[str, typer.Argument(help="The scenario's id or slug.")]


def _channel(deps: Any, eco_id: int, name: str | None) -> int | None:
    if name is None:
        return None
    with deps.uow() as uow:
        channel = uow.spaces.find_channel(eco_id, name)
    if channel is None:
        fail(f"No channel {name!r} in this community.")
    return int(channel.id)


@scenario_app.command("create")
def create(
    source: Annotated[str, typer.Argument(help="A bundled scenario's slug (e.g. garden-conspiracy) or a JSON file.")],
    space: SpaceOption = "console:local",
    channel: Annotated[str | None, typer.Option(help="The channel it plays in (default: the first with a cast).")] = None,
) -> None:
    """Create a scenario (a draft) from a bundled one or a JSON definition."""
    from engine.services import scenarios

    with friendly_errors():
        deps, eco = _ecosystem(space)
        definition: dict[str, Any] | str = source
        if source.endswith(".json") or Path(source).is_file():
            try:
                definition = json.loads(Path(source).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                fail(f"Cannot read {source}: {exc}")
        s = scenarios.create(deps, eco.id, definition, channel_id=_channel(deps, eco.id, channel))
    typer.echo(f"Created scenario #{s.id}: {s.title} ({s.slug}).")


@scenario_app.command("list")
def list_(space: SpaceOption = "console:local") -> None:
    """The community's scenarios."""
    from engine.services import scenarios

    with friendly_errors():
        deps, eco = _ecosystem(space)
        for s in scenarios.list_scenarios(deps, eco.id):
            typer.echo(f"#{s.id} {s.title} [{s.status.value}] ({s.slug})")


@scenario_app.command("status")
@scenario_app.command("show")
def show(ref: Ref, space: SpaceOption = "console:local",
         director: Annotated[bool, typer.Option(help="Show hidden objectives too.")] = True) -> None:
    """Title, status, setting, cast and objectives."""
    from bots.console.scenario import describe
    from engine.services import scenarios

    with friendly_errors():
        deps, eco = _ecosystem(space)
        for line in describe(scenarios.find(deps, eco.id, ref), director):
            typer.echo(line)


@scenario_app.command("export")
def export(
    ref: Ref,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md or html.")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: print).")] = None,
    hidden: Annotated[bool, typer.Option(help="List hidden objectives not yet complete too.")] = False,
    narrate: Annotated[bool, typer.Option(help="Model-written narration between scenes (when a model is configured).")] = False,
    space: SpaceOption = "console:local",
) -> None:
    """The whole scenario as a story: a chapter per directed event, the dialogue, objectives."""
    from engine.services import scenarios
    from engine.services.scenario_export import export_scenario

    with friendly_errors():
        deps, eco = _ecosystem(space)
        scenario = scenarios.find(deps, eco.id, ref)
        text = export_scenario(deps, scenario.id or 0, fmt, include_hidden=hidden,
                               with_narration=narrate)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"Wrote {output}")


def _lifecycle(action: str) -> Any:
    def command(ref: Ref, space: SpaceOption = "console:local") -> None:
        from engine.services import scenarios

        with friendly_errors():
            deps, eco = _ecosystem(space)
            s = getattr(scenarios, action)(deps, scenarios.find(deps, eco.id, ref).id)
        typer.echo(f"{s.title}: {s.status.value}.")

    command.__doc__ = f"{action.capitalize()} a scenario."
    return command


for _action in ("start", "pause", "resume", "stop"):
    scenario_app.command(_action)(_lifecycle(_action))


@scenario_app.command("direct")
def direct(ref: Ref, text: Annotated[str, typer.Argument(help="What happens, e.g. 'A storm breaks.'")],
           space: SpaceOption = "console:local") -> None:
    """Inject an event every character present perceives (queues their reactions)."""
    from engine.services import scenarios

    with friendly_errors():
        deps, eco = _ecosystem(space)
        result = scenarios.direct(deps, scenarios.find(deps, eco.id, ref).id or 0, text)
    typer.echo(f"* {text} — witnessed by {', '.join(result.witnesses) or 'nobody'}.")
    for o in result.completed:
        typer.echo(f"Objective complete: {o.text}")


@scenario_app.command("templates")
def templates() -> None:
    """Saved scenario templates, with their codes."""
    from engine.services import scenarios

    with friendly_errors():
        deps, _ = _ecosystem_any()
        for code, title in scenarios.templates(deps):
            typer.echo(f"{code}  {title}")


def _ecosystem_any() -> tuple[Any, None]:
    from engine.settings import Settings
    from workers.bootstrap import build

    return build(Settings()).deps, None


@scenario_app.command("share")
def share(ref: Ref, space: SpaceOption = "console:local") -> None:
    """Save a scenario as a template; prints the code that installs it elsewhere."""
    from engine.services import scenarios

    with friendly_errors():
        deps, eco = _ecosystem(space)
        code = scenarios.share(deps, scenarios.find(deps, eco.id, ref).id or 0)
    typer.echo(code)


@scenario_app.command("install")
def install(code: Annotated[str, typer.Argument(help="A template's share code.")],
            space: SpaceOption = "console:local",
            channel: Annotated[str | None, typer.Option(help="The channel it plays in.")] = None) -> None:
    """Create a scenario in this community from a shared template's code."""
    from engine.services import scenarios

    with friendly_errors():
        deps, eco = _ecosystem(space)
        s = scenarios.install(deps, eco.id, code, channel_id=_channel(deps, eco.id, channel))
    typer.echo(f"Installed scenario #{s.id}: {s.title}.")
