"""What every listener needs, found in ``context["personae"]``: the container, the ecosystem of
a workspace, and the Slack directory (names of members and channels)."""

from __future__ import annotations

import threading
from typing import Any

from bots.slack.directory import Directory
from engine.adapters.sql.spaces import Ecosystem
from engine.services import setup
from engine.services.deps import Deps
from workers.bootstrap import Container
from workers.slack.threads import ThreadMap

__all__ = ["PLATFORM", "SlackContext", "personae_of"]

PLATFORM = "slack"


class SlackContext:
    def __init__(self, container: Container) -> None:
        self.container = container
        self.directory = Directory()
        self.threads = ThreadMap(container.redis)
        self._ecosystems: dict[str, Ecosystem] = {}
        self._lock = threading.Lock()

    @property
    def deps(self) -> Deps:
        return self.container.deps

    def ecosystem(self, team_id: str, name: str = "") -> Ecosystem:
        """The ecosystem of a workspace (created on first use; cached: its id never changes)."""
        with self._lock:
            found = self._ecosystems.get(team_id)
        if found is None:
            found, _ = setup.open_space(self.deps, PLATFORM, team_id, [], name=name)
            with self._lock:
                self._ecosystems[team_id] = found
        return found


def personae_of(context: Any) -> SlackContext:
    """The ``SlackContext`` a listener was given (put there by the app's middleware)."""
    found: SlackContext = context["personae"]
    return found
