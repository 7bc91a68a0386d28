"""The app factory: one slack-bolt ``App`` holding the container; features are listener modules.

Listeners only translate: a Slack event becomes an engine call, the result a Slack message or
view. Every listener finds the container in ``context["personae"]`` (``SlackContext``), put
there by a global middleware, so listeners stay plain functions testable with a fake context.
Rendering and delivery run on the RQ workers; acknowledging Slack never waits for them.
"""

from __future__ import annotations

import html
import importlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from bots.slack.context import SlackContext
from bots.slack.dedupe import EventDeduplicator
from workers.bootstrap import Container
from workers.slack.outbox import make_web_client

__all__ = ["LISTENERS", "create_app", "SCOPES", "INSTALL_PATH", "REDIRECT_PATH"]

log = logging.getLogger(__name__)

#: Every feature of the app, one module each with ``register(app)``. Later capabilities
#: (scenarios, stories, marketplace, billing) add one line here.
LISTENERS: tuple[str, ...] = (
    "bots.slack.intake",
    "bots.slack.commands",
    "bots.slack.modals",
    "bots.slack.home",
)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

#: The bot scopes the app asks for (also in ``bots/slack/manifest.yaml``).
SCOPES: tuple[str, ...] = (
    "app_mentions:read", "channels:history", "channels:read", "chat:write",
    "chat:write.customize", "commands", "files:read", "files:write", "groups:history",
    "groups:read", "usergroups:read", "users:read",
)


def create_app(
    container: Container,
    *,
    client: WebClient | None = None,
    process_before_response: bool = False,
    oauth: bool | None = None,
    listeners: Sequence[str] = LISTENERS,
) -> App:
    """Build the app from the container's settings.

    Args:
        client: The Web API client (default: one for ``PERSONAE_SLACK_API_BASE`` with the bot
            token, waiting out 429s).
        process_before_response: Run listeners before answering Slack (tests, FaaS); the
            default answers first and works in a thread pool, so every ack is immediate.
        oauth: Install for many workspaces through OAuth (default: when a client id is set
            and no bot token).
    """
    settings = container.settings
    if oauth is None:
        oauth = bool(settings.slack_client_id and not settings.slack_bot_token)
    options: dict[str, Any] = {
        "signing_secret": settings.slack_signing_secret or "",
        "process_before_response": process_before_response,
        "request_verification_enabled": bool(settings.slack_signing_secret),
        "name": "personae",
    }
    if oauth:
        options["oauth_settings"] = _oauth_settings(container)
        options["installation_store"] = options["oauth_settings"].installation_store
        options["client"] = client or make_web_client(None, settings.slack_api_base)
    else:
        options["client"] = client or make_web_client(settings.slack_bot_token,
                                                      settings.slack_api_base)
        options["token_verification_enabled"] = False
    app = App(**options)
    personae = SlackContext(container)
    dedupe = EventDeduplicator(container.redis)

    def inject(context: dict[str, Any], body: dict[str, Any],
               next: Callable[[], None]) -> BoltResponse | None:  # noqa: A002 - bolt's name
        if dedupe.seen_before(body):
            return BoltResponse(status=200, body="")
        context["personae"] = personae
        next()
        return None

    app.use(inject)
    for name in listeners:
        importlib.import_module(name).register(app)
    return app


#: What a failed install says, by bolt's reason; the page always says how to start again.
_INSTALL_FAILURES = {
    "invalid_browser": "This install was started in another browser (or its cookie is gone).",
    "invalid_state": "This install link has expired or was already used (a link is valid "
                     "once, for ten minutes).",
    "missing_code": "Slack sent no authorisation code.",
    "invalid_code": "Slack refused the authorisation code (expired or already used).",
    "storage_error": "The installation could not be saved; the admins will find why in the "
                     "logs.",
    "access_denied": "The install was cancelled on Slack's page.",
}


def _install_failed(args: FailureArgs) -> BoltResponse:
    """A plain page saying what went wrong and how to start again (bolt's default is a
    generic "Something went wrong")."""
    log.warning("Slack install failed: %s (%s)", args.reason, args.error or "-")
    reason = _INSTALL_FAILURES.get(args.reason, f"Slack reported: {args.reason}.")
    status = 500 if args.reason == "storage_error" else 400
    page = (f"<html><head><title>Personae: not installed</title></head><body>"
            f"<h1>Personae was not installed</h1><p>{html.escape(reason)}</p>"
            f'<p>Start again at <a href="{INSTALL_PATH}">{INSTALL_PATH}</a>.</p></body></html>')
    return BoltResponse(status=status, body=page,
                        headers={"Content-Type": "text/html; charset=utf-8"})


def _oauth_settings(container: Container) -> OAuthSettings:
    from bots.slack.oauth_state import RedisOAuthStateStore
    from workers.slack.installations import SqlInstallationStore

    settings = container.settings
    client_id = settings.slack_client_id or ""
    return OAuthSettings(
        client_id=client_id,
        client_secret=settings.slack_client_secret or "",
        scopes=list(SCOPES),
        installation_store=SqlInstallationStore(container.database.engine, client_id),
        state_store=RedisOAuthStateStore(container.redis),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        # /slack/install goes straight to Slack's authorize page (no "Add to Slack" page).
        install_page_rendering_enabled=False,
        callback_options=CallbackOptions(success=_installed, failure=_install_failed),
    )


def _installed(args: SuccessArgs) -> BoltResponse:
    return args.default.success(args)
