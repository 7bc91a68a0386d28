"""Socket Mode: the app opens a WebSocket to Slack with the app-level token (``xapp-…``), so no
public URL is needed — the default for self-hosting. slack_sdk's built-in client: no extra
package."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

__all__ = ["run_socket_mode"]


def run_socket_mode(app: App, app_token: str) -> None:
    """Connect and serve until interrupted."""
    SocketModeHandler(app, app_token, web_client=app.client).start()
