"""``/personae cast [add|remove NAME]``: who lives in this channel."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bots.slack.commands.base import Invocation
from engine.errors import InvalidInput
from engine.services import casting

__all__ = ["cast"]

USAGE = "Usage: `/personae cast` · `/personae cast add NAME` · `/personae cast remove NAME`"


def cast(inv: Invocation) -> None:
    action = inv.args[0].lower() if inv.args else "list"
    name = " ".join(inv.args[1:]).strip()
    eco = inv.ecosystem
    if action == "list":
        members = casting.cast_of_channel(inv.deps, eco.id, inv.channel_id)
        names = ", ".join(m.name for m in members) or "nobody yet"
        inv.reply(f"Living in this channel: {names}.")
        return
    if action not in ("add", "remove") or not name:
        raise InvalidInput(USAGE)
    inv.require_director()
    if action == "add":
        change = casting.add_to_channel(inv.deps, eco.id, inv.channel, name)
        verb = "now lives here" if change.changed else "already lived here"
    else:
        change = casting.remove_from_channel(inv.deps, eco.id, inv.channel, name)
        verb = "left this channel" if change.changed else "did not live here"
    present = ", ".join(m.name for m in change.cast) or "nobody"
    note = ""
    if action == "add" and not _app_is_member(inv):
        note = ("\nThe app is not in this channel yet, so nobody can speak here: "
                "`/invite @Personae` first.")
    inv.reply(f"{change.character} {verb}. Cast here: {present}.{note}", public=change.changed)


def _app_is_member(inv: Invocation) -> bool:
    try:
        info = inv.client.conversations_info(channel=inv.channel_id)["channel"]
    except SlackApiError:
        return False
    return bool(info.get("is_member", True))
