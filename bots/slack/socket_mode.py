"""Socket Mode: the app opens a WebSocket to Slack with the app-level token (``xapp-…``), so no
public URL is needed — the default for self-hosting. slack_sdk's built-in client: no extra
package. Envelopes (events, the slash command, interactivity) go through the same bolt app as
HTTP mode, and each is acknowledged on the socket with its ``envelope_id``."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

__all__ = ["socket_mode_handler", "run_socket_mode"]


def socket_mode_handler(app: App, app_token: str) -> SocketModeHandler:
    """The handler (not connected yet): ``connect()`` and ``close()``, or ``start()``.

    ``apps.connections.open`` goes to the app's Web API client (``PERSONAE_SLACK_API_BASE``)."""
    return SocketModeHandler(app, app_token, web_client=app.client)


def run_socket_mode(app: App, app_token: str) -> None:
    """Connect and serve until interrupted."""
    socket_mode_handler(app, app_token).start()
