"""One ``/personae`` invocation as the subcommands see it, and how they answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bots.slack.context import SlackContext
from bots.slack.permissions import may_direct
from engine.adapters.sql.spaces import Ecosystem
from engine.errors import UserFacingError
from engine.services.community import ChannelRef
from engine.services.deps import Deps

__all__ = ["Invocation", "Handler", "NotAllowed", "MAX_REPLY_CHARS", "clip"]

#: Longest reply text we send (Slack shows up to about 4,000 characters of a message well).
MAX_REPLY_CHARS = 3_900


class NotAllowed(UserFacingError):
    """The member may look but not direct."""


def clip(text: str, limit: int = MAX_REPLY_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 40].rstrip() + "\n… (cut: too long for one message)"


@dataclass
class Invocation:
    personae: SlackContext
    client: WebClient
    command: dict[str, Any]
    respond: Callable[..., Any]
    args: list[str]

    @property
    def team_id(self) -> str:
        return str(self.command.get("team_id", ""))

    @property
    def channel_id(self) -> str:
        return str(self.command.get("channel_id", ""))

    @property
    def user_id(self) -> str:
        return str(self.command.get("user_id", ""))

    @property
    def rest(self) -> str:
        return " ".join(self.args)

    @property
    def deps(self) -> Deps:
        return self.personae.deps

    @property
    def ecosystem(self) -> Ecosystem:
        return self.personae.ecosystem(self.team_id, str(self.command.get("team_domain", "")))

    @property
    def channel(self) -> ChannelRef:
        return ChannelRef(self.channel_id, str(self.command.get("channel_name", "") or ""))

    def require_director(self) -> None:
        if not may_direct(self.personae, self.client, self.ecosystem.id, self.user_id):
            group = self.personae.deps.settings.slack_director_group
            raise NotAllowed(
                "Only workspace admins and members of the director user group "
                f"(by default @{group}; `/personae setup` picks another) can do that. "
                "Everyone can look: `/personae observatory`, `/personae character list`.")

    def reply(self, text: str, *, public: bool = False) -> None:
        self.respond(text=clip(text), response_type="in_channel" if public else "ephemeral")

    def open_view(self, view: dict[str, Any]) -> None:
        self.client.views_open(trigger_id=self.command["trigger_id"], view=view)


Handler = Callable[[Invocation], None]
