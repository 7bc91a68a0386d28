"""``/personae autonomy``: this channel's pace and quiet hours, the characters' autonomy;
directors change them."""

from __future__ import annotations

from bots.slack.commands.base import Invocation
from engine.errors import InvalidInput
from engine.pacing import QuietHours
from engine.services import autonomy_settings as service

__all__ = ["autonomy"]

USAGE = ("Usage: `/personae autonomy` · `autonomy level NAME 0-3` · "
         "`autonomy pace SECONDS [everywhere]` · `autonomy quiet 23:00 07:00 [ZONE] "
         "[everywhere]` · `autonomy quiet off [everywhere]` · "
         "`autonomy announce on|off [everywhere]`")
EVERYWHERE = "everywhere"


def autonomy(inv: Invocation) -> None:
    if not inv.args:
        inv.reply(_overview(inv))
        return
    action, rest = inv.args[0].lower(), inv.args[1:]
    everywhere = bool(rest) and rest[-1].lower() == EVERYWHERE
    if everywhere:
        rest = rest[:-1]
    where = None if everywhere else inv.channel
    scope = "in every channel" if everywhere else "in this channel"
    eco = inv.ecosystem
    if action == "level" and len(rest) >= 2 and _is_int(rest[-1]):
        inv.require_director()
        character = service.set_autonomy_level(inv.deps, eco.id, " ".join(rest[:-1]),
                                               int(rest[-1]))
        inv.reply(f"{character.name}'s autonomy level is now {character.persona.autonomy_level}.")
    elif action == "pace" and len(rest) == 1 and _is_number(rest[0]):
        inv.require_director()
        service.set_pace(inv.deps, eco.id, where, float(rest[0]))
        seconds = float(rest[0])
        inv.reply(f"Pace {scope}: " + (f"at least {seconds:g} s between character posts."
                                      if seconds > 0 else "back to the default."))
    elif action == "quiet" and rest and rest[0].lower() == "off" and len(rest) == 1:
        inv.require_director()
        service.set_quiet_hours(inv.deps, eco.id, where, None)
        inv.reply(f"No quiet hours {scope} any more.")
    elif action == "quiet" and len(rest) in (2, 3):
        inv.require_director()
        quiet = QuietHours.parse(rest[0], rest[1], rest[2] if len(rest) == 3 else "UTC")
        service.set_quiet_hours(inv.deps, eco.id, where, quiet)
        inv.reply(f"Quiet hours {scope}: {quiet.describe()}. Characters start nothing then, "
                  "but still answer when addressed.")
    elif action == "announce" and len(rest) == 1 and rest[0].lower() in ("on", "off"):
        inv.require_director()
        on = rest[0].lower() == "on"
        service.set_announcements(inv.deps, eco.id, where, on)
        inv.reply(f"Relationship changes and alliances are {'now' if on else 'no longer'} "
                  f"announced {scope}.")
    else:
        raise InvalidInput(USAGE)


def _overview(inv: Invocation) -> str:
    view = service.autonomy_overview(inv.deps, inv.ecosystem.id, inv.channel_id)
    pace = (f"{view.pace_s:g} s" if view.pace_s is not None
            else f"{view.default_pace_s:g} s (default)")
    quiet = view.quiet_hours.describe() if view.quiet_hours else "none"
    lines = [f"*#{view.channel}* — pace {pace}; quiet hours {quiet}"
             + (" (quiet now)" if view.quiet_now else "")
             + ("" if view.announces else "; relationship changes not announced")]
    lines += [f"• {c.name}: autonomy {c.level}, talkativeness {c.talkativeness:.1f}"
              for c in view.characters] or ["Nobody lives here yet."]
    return "\n".join(lines)


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
