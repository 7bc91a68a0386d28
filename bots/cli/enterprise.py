"""``personae enterprise show|model|brand``: an Enterprise community's own model endpoint and
its white-label bot name and avatar (``engine.services.enterprise``)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from bots.cli.billing import SpaceOption, _ecosystem
from bots.cli.errors import friendly_errors

__all__ = ["enterprise_app"]

enterprise_app = typer.Typer(help="Enterprise: the community's own model endpoint and key, "
                             "and a white-label bot name and avatar.")
model_app = typer.Typer(help="The community's own OpenAI-compatible model endpoint.")
brand_app = typer.Typer(help="The bot's white-label name and avatar in the community.")
enterprise_app.add_typer(model_app, name="model")
enterprise_app.add_typer(brand_app, name="brand")

_BY = "console:operator"


def _echo_view(view: object) -> None:
    for line in view.lines():  # type: ignore[attr-defined]
        typer.echo(line)


@enterprise_app.command("show")
def show_command(space: SpaceOption = "console:local") -> None:
    """What the community set, and whether it is in use (the key is never shown)."""
    from engine.services import enterprise

    with friendly_errors():
        deps, eco = _ecosystem(space)
        _echo_view(enterprise.view(deps, eco))  # type: ignore[arg-type]


@model_app.command("set")
def model_set_command(
    base_url: Annotated[str, typer.Argument(help="OpenAI-compatible endpoint, e.g. "
                                            "https://llm.example.com/v1")],
    model: Annotated[str, typer.Argument(help="Model name sent with each request.")],
    key_from_env: Annotated[str | None, typer.Option(
        help="Read the API key from this environment variable (keeps it out of the shell "
        "history).")] = None,
    ask_key: Annotated[bool, typer.Option(help="Ask for the API key (hidden input).")] = False,
    check: Annotated[bool, typer.Option(help="Check the endpoint answers before saving.")]
    = True,
    space: SpaceOption = "console:local",
) -> None:
    """Voice the community's characters through its own model (checked, key encrypted)."""
    from engine.errors import InvalidInput
    from engine.services import enterprise

    with friendly_errors():
        key: str | None = None
        if key_from_env:
            key = os.environ.get(key_from_env)
            if not key:
                raise InvalidInput(f"The environment variable {key_from_env} is not set.")
        elif ask_key:
            key = typer.prompt("API key", hide_input=True)
        deps, eco = _ecosystem(space)
        _echo_view(enterprise.set_model(deps, eco, base_url, model, key,  # type: ignore[arg-type]
                                        by=_BY, check=check))


@model_app.command("clear")
def model_clear_command(space: SpaceOption = "console:local") -> None:
    """Back to the deployment's model; the stored key is erased."""
    from engine.services import enterprise

    with friendly_errors():
        deps, eco = _ecosystem(space)
        _echo_view(enterprise.clear_model(deps, eco, by=_BY))  # type: ignore[arg-type]


@brand_app.command("set")
def brand_set_command(
    name: Annotated[str | None, typer.Option(help="The bot's name (1–32 characters).")] = None,
    avatar_url: Annotated[str | None, typer.Option(help="An http(s) image URL.")] = None,
    space: SpaceOption = "console:local",
) -> None:
    """Give the bot a white-label name and/or avatar in the community."""
    from engine.services import enterprise

    with friendly_errors():
        deps, eco = _ecosystem(space)
        brand = enterprise.set_brand(deps, eco, name, avatar_url, by=_BY)  # type: ignore[arg-type]
    typer.echo(f"The bot is now {brand.name}"
               + (f" with the avatar {brand.avatar_url}" if brand.avatar_url else "") + ".")


@brand_app.command("clear")
def brand_clear_command(space: SpaceOption = "console:local") -> None:
    """Back to "Personae" and no avatar."""
    from engine.services import enterprise

    with friendly_errors():
        deps, eco = _ecosystem(space)
        enterprise.clear_brand(deps, eco, by=_BY)  # type: ignore[arg-type]
    typer.echo("The bot is Personae again.")
