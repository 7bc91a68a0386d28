"""``/personae setup``: the setup modal (cast channels, director group, admin channel)."""

from __future__ import annotations

from bots.slack.commands.base import Invocation
from bots.slack.views import setup_modal
from engine.services import community

__all__ = ["setup"]


def setup(inv: Invocation) -> None:
    inv.require_director()
    current = community.community_settings(inv.deps, inv.ecosystem.id)
    inv.open_view(setup_modal(inv.team_id, inv.channel_id, current,
                              inv.deps.settings.slack_director_group))
