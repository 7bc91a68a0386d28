"""Stories in the console: ``/stories`` lists the threads the engine follows, ``/stories ID``
shows one's dashboard (stage, tension bar, key events, what may happen next). The same engine
service as ``personae story`` and the bots' commands; this only turns results into lines."""

from __future__ import annotations

from bots.cli.story import tension_bar
from engine.errors import UserFacingError
from engine.services import stories
from engine.services.deps import Deps
from engine.stories.export import timeline_lines

__all__ = ["USAGE", "stories_command"]

USAGE = "/stories [list] | /stories [show] ID"
#: Key events shown by ``/stories ID`` (the latest).
SHOWN_EVENTS = 15


def stories_command(deps: Deps, ecosystem_id: int, rest: str) -> list[str]:
    """Run ``/stories REST``; returns the lines to show (errors as one line)."""
    words = rest.split()
    if words and words[0] == "show":
        words = words[1:]
    try:
        if not words or words == ["list"]:
            return _list(deps, ecosystem_id)
        if len(words) == 1 and words[0].lstrip("#").isdigit():
            return _show(deps, ecosystem_id, int(words[0].lstrip("#")))
    except UserFacingError as exc:
        return [str(exc)]
    return [f"Usage: {USAGE}"]


def _list(deps: Deps, ecosystem_id: int) -> list[str]:
    stories.detect_stories(deps, ecosystem_id)  # cheap: skipped when nothing happened since
    threads = stories.list_threads(deps, ecosystem_id)
    if not threads:
        return ["No stories yet."]
    return [f"#{t.id:<4} {t.stage.value:<11} {tension_bar(t.tension, 10)}  {t.title} "
            f"({t.genre.value})" for t in threads]


def _show(deps: Deps, ecosystem_id: int, thread_id: int) -> list[str]:
    t = stories.get_thread(deps, thread_id, ecosystem_id)
    lines = [t.title,
             f"  {t.genre.value} · {t.seed_type.value.replace('_', ' ')} · {t.stage.value}",
             f"  Tension {tension_bar(t.tension)}", "  Key events:"]
    lines += [f"    {line}" for line in timeline_lines(t)[-SHOWN_EVENTS:]] or ["    (none)"]
    lines.append("  What may happen next:")
    lines += [f"    - {p.text}" for p in t.predictions] or ["    (no goals to go by)"]
    return lines
