"""The console's ``/memories <character> [query]`` command (the memory browser's services).

Without a query: the character's memory at a glance. With one: the memories whose text holds
every word of it; when none does, what the character would recall for it (semantic search).
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from bots.memory_views import overview_view, page_view
from engine.errors import InvalidInput
from engine.services import memory_browser
from engine.services.deps import Deps

__all__ = ["memories_command", "USAGE"]

USAGE = "Usage: /memories CHARACTER [WORDS] — e.g. /memories Darcy ball"
#: Memories shown by one /memories search.
PAGE = 10


def memories_command(deps: Deps, ecosystem_id: int, rest: str) -> RenderableType:
    """What ``/memories`` prints for the text after the command word."""
    if not rest.strip():
        raise InvalidInput(USAGE)
    ref, query = memory_browser.split_character(deps, ecosystem_id, rest)
    if not query:
        return overview_view(memory_browser.overview(deps, ecosystem_id, ref.id))
    page = memory_browser.search(deps, ecosystem_id, ref.id, query, limit=PAGE)
    if page.memories:
        return page_view(page)
    recalled = memory_browser.search(deps, ecosystem_id, ref.id, query, semantic=True,
                                     limit=PAGE)
    note = Text(f"No memory of {ref.name} holds '{query}'; what comes to mind instead:",
                style="yellow")
    return Group(note, page_view(recalled))
