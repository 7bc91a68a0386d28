"""``/personae forget-me``: a member deletes everything Personae knows about them."""

from __future__ import annotations

from bots.slack.commands.base import Invocation
from bots.slack.context import PLATFORM
from engine.services.forgetting import forget_member

__all__ = ["forget_me"]

CONFIRM = "confirm"


def forget_me(inv: Invocation) -> None:
    if [a.lower() for a in inv.args] != [CONFIRM]:
        inv.reply("This deletes everything Personae knows about you in this workspace: your "
                  "messages as the characters stored them, their memories of you, their "
                  "relationships with you and any reply still waiting for you. It cannot be "
                  "undone. To go ahead: `/personae forget-me confirm`.")
        return
    report = forget_member(inv.deps, PLATFORM, inv.team_id, inv.user_id)
    inv.reply(f"Done: {report.events} messages, {report.memories} memories, "
              f"{report.relationships} relationships, {report.changes} history entries, "
              f"{report.confidences} confidences and {report.intents} pending replies about "
              "you were deleted. The characters no longer know you.")
