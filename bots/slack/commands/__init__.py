"""``/personae <subcommand>``: one slash command, routed to small handler modules.

Acknowledged at once (Slack wants an answer within 3 s); the work, and the answer through the
command's ``response_url``, follow. An unknown subcommand gets the help text.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bots.slack.commands import (
    autonomy,
    billing,
    cast,
    characters,
    enterprise,
    marketplace,
    members,
    observe,
    scenarios,
    setup,
    stories,
)
from bots.slack.commands.base import Handler, Invocation, clip
from bots.slack.context import personae_of
from engine.errors import UserFacingError

__all__ = ["register", "on_personae", "HELP", "SUBCOMMANDS"]

log = logging.getLogger(__name__)

#: First word → handler (a handler reads any further words itself).
SUBCOMMANDS: dict[str, Handler] = {
    "setup": setup.setup,
    "character": characters.character,
    "characters": characters.character,
    "cast": cast.cast,
    "autonomy": autonomy.autonomy,
    "relationships": observe.relationships,
    "observatory": observe.observatory,
    "memory": observe.memory,
    "memories": observe.memory,
    "forget-me": members.forget_me,
    "story": stories.story,
    "stories": stories.story,
    "scenario": scenarios.scenario,
    "scenarios": scenarios.scenario,
    "marketplace": marketplace.marketplace,
    "subscribe": billing.subscribe,
    "billing": billing.billing,
    "enterprise": enterprise.enterprise,
}

HELP = """*Personae* — AI characters living in this workspace. `/personae <subcommand>`:
*Everyone*
• `observatory` — the cast, moods, relationships, alliances, conflicts, conversations
• `relationships` — the relationship graph as an image · `relationships why NAME, NAME`
• `character list` · `character info NAME` · `cast` — who lives in this channel
• `memory NAME [words]` — what a character remembers (of this channel)
• `autonomy` — this channel's pace, quiet hours and the characters' autonomy
• `story list` · `story show ID` — the stories unfolding: tension, key events, what comes next
• `scenario list` · `scenario status [ID]` — the scenario playing here and its objectives
• `scenario export [ID] [md|html]` — the whole run written up as a story
• `marketplace browse|search WORDS|view CODE` · `marketplace rate CODE 1-5 [review]`
• `marketplace report CODE REASON` — to the moderators · `marketplace stats` — your packages
• `billing` — this workspace's tier and this month's usage
• `forget-me` — delete everything Personae knows about you
*Directors* (workspace admins and the director user group)
• `setup` — cast channels, director group, admin channel
• `character create` · `character edit NAME` · `character delete NAME` · `character import`
• `cast add NAME` · `cast remove NAME` — in the channel it concerns
• `autonomy level NAME 0-3` · `autonomy pace SECONDS [everywhere]`
• `autonomy quiet 23:00 07:00 [ZONE] [everywhere]` · `autonomy quiet off [everywhere]`
• `story export ID [md|html]` — the story as Markdown and HTML files
• `scenario create` · `scenario start|pause|resume|stop [ID]` · `scenario direct [ID] TEXT`
• `scenario templates` · `scenario share [ID]` · `scenario install CODE`
• `marketplace install CODE` · `marketplace publish NAME` — share this workspace's cast
• `marketplace installed` · `marketplace update CODE` · `marketplace uninstall CODE`
• `subscribe [pro|enterprise]` — a Checkout link · `billing` — also the billing portal
*Workspace admins* (Enterprise)
• `enterprise show` · `enterprise model` — your own model and key (checked) · `model-clear`
• `enterprise brand NAME [AVATAR_URL]` · `brand-clear` — the bot's name and icon here
*Marketplace moderators* (named by the operator)
• `marketplace reports` · `marketplace takedown CODE REASON` · `marketplace restore CODE`"""


def on_personae(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient,
                context: Any) -> None:
    ack()
    words = str(command.get("text") or "").split()
    sub = words[0].lower() if words else "help"
    handler = SUBCOMMANDS.get(sub)
    if handler is None:
        prefix = "" if sub in ("help", "-h", "--help") else f"Unknown subcommand `{sub}`.\n\n"
        respond(text=clip(prefix + HELP), response_type="ephemeral")
        return
    invocation = Invocation(personae_of(context), client, command, respond, words[1:])
    try:
        handler(invocation)
    except UserFacingError as exc:
        respond(text=clip(str(exc)), response_type="ephemeral")
    except Exception:  # noqa: BLE001 - a member sees a short line; the log has the trace
        log.exception("/personae %s failed", sub)
        respond(text="Something went wrong on our side; the admins will find it in the logs.",
                response_type="ephemeral")


def register(app: App) -> None:
    app.command("/personae")(on_personae)
    scenarios.register(app)
    billing.register(app)
    enterprise.register(app)
