"""What everyone may look at: ``observatory``, ``relationships [why A, B]``, ``memory``."""

from __future__ import annotations

import re

from slack_sdk.errors import SlackApiError

from bots.slack.commands.base import Invocation
from engine.errors import InvalidInput
from engine.services import community, memory_browser
from engine.services.observatory import observatory as observatory_report
from engine.services.observatory import relationship_graph, relationship_story, render_text

__all__ = ["observatory", "relationships", "memory"]

#: Memories shown by one search.
PAGE = 10
_PAIR = re.compile(r"\s*(?:,|&|\band\b)\s*", re.IGNORECASE)


def observatory(inv: Invocation) -> None:
    report = observatory_report(inv.deps, inv.ecosystem.id)
    inv.reply("```" + render_text(report) + "```")


def relationships(inv: Invocation) -> None:
    if inv.args and inv.args[0].lower() == "why":
        names = [n for n in _PAIR.split(" ".join(inv.args[1:])) if n.strip()]
        if len(names) != 2:
            raise InvalidInput("Usage: `/personae relationships why NAME, NAME`")
        inv.reply(relationship_story(inv.deps, inv.ecosystem.id, names[0], names[1]))
        return
    png = relationship_graph(inv.deps, inv.ecosystem.id)
    try:
        inv.client.files_upload_v2(channel=inv.channel_id, content=png,
                                   filename="relationships.png", title="Relationships",
                                   initial_comment="The relationship graph, as it stands.")
    except SlackApiError as exc:
        if exc.response.get("error") in ("not_in_channel", "channel_not_found"):
            raise InvalidInput("The app is not in this channel, so it cannot share the image "
                               "here: `/invite @Personae` first.") from exc
        raise


def memory(inv: Invocation) -> None:
    if not inv.args:
        raise InvalidInput("Usage: `/personae memory NAME [words]` (add `everywhere` to "
                           "search every channel; directors only).")
    words = list(inv.args)
    everywhere = words[-1].lower() == "everywhere"
    if everywhere:
        words = words[:-1]
        inv.require_director()
    eco = inv.ecosystem.id
    ref, query = memory_browser.split_character(inv.deps, eco, " ".join(words))
    # Members see what was witnessed in the channel they ask from; directors everywhere.
    page, _ = community.search_memories(inv.deps, eco, ref.name, query, is_director=everywhere,
                                        everywhere=everywhere, here=inv.channel_id, limit=PAGE)
    if not page.memories and query:
        page, _ = community.search_memories(inv.deps, eco, ref.name, query, semantic=True,
                                            is_director=everywhere, everywhere=everywhere,
                                            here=inv.channel_id, limit=PAGE)
    if not page.memories:
        inv.reply(f"{ref.name} remembers nothing of that here.")
        return
    found = f" ({page.total} found)" if page.total is not None else ""
    lines = [f"*{ref.name}* remembers{found}:"]
    lines += [f"• {m.created_at:%Y-%m-%d %H:%M} — {m.text}" for m in page.memories]
    inv.reply("\n".join(lines))
