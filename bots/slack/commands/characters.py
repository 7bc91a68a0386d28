"""``/personae character list|info|create|edit|delete|import``."""

from __future__ import annotations

from bots.slack.commands.base import Invocation
from bots.slack.views import character_modal, import_modal
from engine.errors import InvalidInput
from engine.services import characters as service

__all__ = ["character"]

USAGE = ("Usage: `/personae character list` · `info NAME` · `create` · `edit NAME` · "
         "`delete NAME` · `import`")


def character(inv: Invocation) -> None:
    action = inv.args[0].lower() if inv.args else "list"
    name = " ".join(inv.args[1:]).strip()
    eco = inv.ecosystem
    if action == "list":
        found = service.character_names(inv.deps, eco.id)
        inv.reply("Characters: " + (", ".join(found) if found else
                                    "none yet (`/personae character create` or `import`)."))
    elif action == "info":
        _need(name, "info")
        inv.reply(_profile_text(inv, name))
    elif action == "create":
        inv.require_director()
        inv.open_view(character_modal(inv.team_id, inv.channel_id))
    elif action == "edit":
        _need(name, "edit")
        inv.require_director()
        current = service.get_character(inv.deps, eco.id, name)
        inv.open_view(character_modal(inv.team_id, inv.channel_id, current))
    elif action == "delete":
        _need(name, "delete")
        inv.require_director()
        gone = service.delete_character(inv.deps, eco.id, name)
        inv.reply(f"{gone} was deleted, with their memories and relationships.", public=True)
    elif action == "import":
        inv.require_director()
        inv.open_view(import_modal(inv.team_id, inv.channel_id))
    else:
        raise InvalidInput(USAGE)


def _need(name: str, action: str) -> None:
    if not name:
        raise InvalidInput(f"Which character? `/personae character {action} NAME`")


def _profile_text(inv: Invocation, name: str) -> str:
    found = service.profile(inv.deps, inv.ecosystem.id, name)
    c = found.character
    where = ", ".join(f"<#{ch.external_id}>" for ch in found.channels) or "no channel yet"
    lines = [f"*{c.name}* — {service.AI_DISCLOSURE}", f"Lives in: {where}"]
    if c.description:
        lines.append(f"*Description:* {c.description}")
    if c.personality:
        lines.append(f"*Personality:* {c.personality}")
    lines.append(f"*Autonomy level:* {c.persona.autonomy_level}")
    return "\n".join(lines)
