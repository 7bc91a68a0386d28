"""``personae discord``: run the Discord bot; ``personae discord invite``: its invite URL."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Annotated

import typer

from bots.cli.errors import EXIT_USAGE, fail, friendly_errors
from engine.errors import InvalidInput
from engine.settings import Settings

__all__ = ["discord_app", "EXIT_LOGIN"]

#: Discord refused the token, or the application lacks the Message Content intent.
EXIT_LOGIN = 4

discord_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
)

_NO_TOKEN = ("no Discord bot token: set PERSONAE_DISCORD_TOKEN (or DISCORD_TOKEN) to the token "
             "of your application's bot (Developer Portal → Bot → Reset Token)")


def _logging(settings: Settings) -> None:
    """The configured level; the bot's own lines (connected, linked, kept for a retry) at
    least at INFO, since a long-running process should say what it is doing."""
    level = getattr(logging, settings.log_level.upper(), logging.WARNING)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("bots").setLevel(min(level, logging.INFO))
    # We never join voice: discord.py's warnings about missing voice libraries are noise.
    logging.getLogger("discord.client").addFilter(
        lambda record: "voice will NOT be supported" not in record.getMessage())


@discord_app.callback()
def run(ctx: typer.Context) -> None:
    """Run the bot (token from PERSONAE_DISCORD_TOKEN or DISCORD_TOKEN), beside
    `personae worker` and `personae scheduler` (in the embedded mode, with fakeredis, replies
    are rendered in this process)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = Settings()
    if not settings.discord_token:
        fail(_NO_TOKEN, EXIT_USAGE)
    _logging(settings)
    from bots.discord.process import LoginRefused, serve

    with friendly_errors():
        try:
            asyncio.run(serve(settings))
        except LoginRefused as exc:
            fail(str(exc), EXIT_LOGIN)
        except KeyboardInterrupt:
            typer.echo("Stopped.")


@discord_app.command()
def invite(
    client_id: Annotated[str | None, typer.Option(
        help="The Application ID (default: read from the bot token).")] = None,
) -> None:
    """Print the OAuth2 URL that adds the bot to a server, with exactly the scopes and
    permissions it needs, and what each permission is for."""
    from bots.discord.invite import (
        PERMISSIONS,
        SCOPES,
        client_id_from_token,
        invite_permissions,
        invite_url,
    )

    try:
        if client_id is None:
            token = Settings().discord_token
            if not token:
                fail("no client id: pass --client-id (the Application ID in the Developer "
                     "Portal) or set PERSONAE_DISCORD_TOKEN", EXIT_USAGE)
            client_id = client_id_from_token(token)
        url = invite_url(client_id)
    except InvalidInput as exc:
        fail(str(exc), EXIT_USAGE)
    typer.echo(url)
    typer.echo("")
    typer.echo(f"Scopes: {', '.join(SCOPES)}")
    typer.echo(f"Permissions (integer {invite_permissions().value}):")
    width = max(len(g.label) for g in PERMISSIONS)
    for grant in PERMISSIONS:
        typer.echo(f"  {grant.label:<{width}}  {grant.why}")

