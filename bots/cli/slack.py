"""``personae slack``: run the Slack app (Socket Mode by default, ``--http`` for the HTTP
endpoint); ``personae slack manifest``: print the app manifest that creates the Slack app."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from bots.cli.errors import EXIT_USAGE, fail, friendly_errors
from engine.settings import Settings

__all__ = ["slack_app", "MANIFEST"]

MANIFEST = Path(__file__).resolve().parents[1] / "slack" / "manifest.yaml"

slack_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)

_NO_BOT = ("no Slack credentials: set PERSONAE_SLACK_BOT_TOKEN (xoxb-…, OAuth & Permissions → "
           "Bot User OAuth Token), or for HTTP mode with installs into many workspaces "
           "PERSONAE_SLACK_CLIENT_ID and PERSONAE_SLACK_CLIENT_SECRET")
_NO_APP_TOKEN = ("Socket Mode needs an app-level token: set PERSONAE_SLACK_APP_TOKEN (xapp-…, "
                 "Basic Information → App-Level Tokens, scope connections:write), or run "
                 "with --http behind a public URL")
_NO_SECRET = ("HTTP mode needs the signing secret: set PERSONAE_SLACK_SIGNING_SECRET "
              "(Basic Information → App Credentials)")


def _logging(settings: Settings) -> None:
    level = getattr(logging, settings.log_level.upper(), logging.WARNING)
    logging.basicConfig(level=min(level, logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("slack_bolt").setLevel(max(level, logging.WARNING))
    logging.getLogger("slack_sdk").setLevel(max(level, logging.WARNING))
    logging.getLogger("rq").setLevel(max(level, logging.WARNING))


@slack_app.callback()
def run(
    ctx: typer.Context,
    http: Annotated[bool, typer.Option("--http", help="Serve the HTTP endpoint (events, commands, interactivity, OAuth install) instead of Socket Mode.")] = False,
    port: Annotated[int, typer.Option(help="HTTP mode: the port.")] = 3000,
    host: Annotated[str, typer.Option(help="HTTP mode: the address to listen on.")] = "0.0.0.0",
) -> None:
    """Run the Slack app beside `personae worker` and `personae scheduler` (in the embedded
    mode, with fakeredis, replies are rendered in this process)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = Settings()
    if not (settings.slack_bot_token or (http and settings.slack_client_id)):
        fail(_NO_BOT, EXIT_USAGE)
    if http and not settings.slack_signing_secret:
        fail(_NO_SECRET, EXIT_USAGE)
    if not http and not settings.slack_app_token:
        fail(_NO_APP_TOKEN, EXIT_USAGE)
    _logging(settings)
    from bots.slack.app import create_app
    from workers.bootstrap import build, install
    from workers.embedded import EmbeddedWorker

    with friendly_errors():
        container = build(settings)
        install(container)
        if settings.embedded:
            EmbeddedWorker(container).start()
        app = create_app(container)
        try:
            if http:
                from bots.slack.http import EVENTS_PATH, SlackHttpServer

                server = SlackHttpServer(app, host, port)
                typer.echo(f"Slack HTTP endpoint on http://{host}:{server.port}{EVENTS_PATH}",
                           err=True)
                server.serve_forever()
            else:
                from bots.slack.socket_mode import run_socket_mode

                typer.echo("Slack app connected in Socket Mode.", err=True)
                run_socket_mode(app, settings.slack_app_token or "")
        except KeyboardInterrupt:
            typer.echo("Stopped.")


@slack_app.command()
def manifest() -> None:
    """Print the Slack app manifest (api.slack.com/apps → Create New App → From a manifest)."""
    typer.echo(MANIFEST.read_text(encoding="utf-8"))
