"""``personae memory search|knowledge|top|reflections|associations|show``: the memory browser.

Every command reads one character's memories through ``engine.services.memory_browser`` (the
services the bots' commands call too) and prints rich tables. Nothing here writes: a semantic
search does not even mark the recalled memories as accessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console, RenderableType

from bots.cli.characters import SpaceOption, _space
from bots.cli.errors import fail, friendly_errors
from engine.services.deps import Deps
from engine.settings import Settings

__all__ = ["memory_app"]

memory_app = typer.Typer(
    help="Browse a character's memories: search, knowledge, reflections, feelings.",
    no_args_is_help=True,
)

CharacterArg = Annotated[str, typer.Argument(help="The character: name, alias ('Darcy') or id.")]
ArchivedOption = Annotated[bool, typer.Option("--archived", help="Include faded (archived) memories.")]
KindOption = Annotated[list[str], typer.Option("--kind", help="Only this kind: observation, reflection or knowledge (repeatable).")]
LimitOption = Annotated[int, typer.Option("--limit", "-n", help="How many to show (at most 200).")]
OffsetOption = Annotated[int, typer.Option("--offset", help="Skip this many (the next page).")]


@contextmanager
def _community(space: str) -> Iterator[tuple[Deps, int]]:
    """The engine's dependencies and the ecosystem id of ``--space``; errors as one line."""
    from workers.bootstrap import build

    platform, space_id = _space(space)
    with friendly_errors():
        container = build(Settings())
        try:
            with container.deps.uow() as uow:
                eco = uow.spaces.find_ecosystem(platform, space_id)
            if eco is None:
                fail(f"No community {space!r} in this database (PERSONAE_DATABASE_URL).")
            yield container.deps, eco.id
        finally:
            container.close()


def _print(renderable: RenderableType) -> None:
    Console(highlight=False).print(renderable)


@memory_app.command("search")
def search(
    character: CharacterArg,
    query: Annotated[str, typer.Argument(help="Words that must all occur (\"quoted phrase\" for a phrase); with --semantic, what to recall.")],
    semantic: Annotated[bool, typer.Option("--semantic", help="Rank by meaning as recall does (active memories only).")] = False,
    kind: KindOption = [],  # noqa: B006
    archived: ArchivedOption = False,
    channel: Annotated[str | None, typer.Option(help="Only memories of this channel.")] = None,
    since: Annotated[datetime | None, typer.Option(help="Created at or after (UTC), e.g. 2026-01-31.")] = None,
    until: Annotated[datetime | None, typer.Option(help="Created before (UTC).")] = None,
    order: Annotated[str, typer.Option(help="newest, oldest or importance (text search).")] = "newest",
    limit: LimitOption = 20,
    offset: OffsetOption = 0,
    space: SpaceOption = "console:local",
) -> None:
    """Search a character's memories by their words, or by meaning with --semantic."""
    from bots.memory_views import page_view
    from engine.services import memory_browser

    with _community(space) as (deps, eco):
        page = memory_browser.search(
            deps, eco, character, query, semantic=semantic, kinds=tuple(kind), channel=channel,
            since=since, until=until, include_archived=archived, order=order,  # type: ignore[arg-type]
            limit=limit, offset=offset,
        )
        _print(page_view(page))


@memory_app.command("top")
def top(
    character: CharacterArg,
    kind: KindOption = [],  # noqa: B006
    archived: ArchivedOption = False,
    limit: LimitOption = 10,
    offset: OffsetOption = 0,
    space: SpaceOption = "console:local",
) -> None:
    """A character's most important memories."""
    from bots.memory_views import page_view
    from engine.services import memory_browser

    with _community(space) as (deps, eco):
        _print(page_view(memory_browser.top(deps, eco, character, kinds=tuple(kind),
                                            include_archived=archived, limit=limit,
                                            offset=offset)))


@memory_app.command("knowledge")
def knowledge(
    character: CharacterArg,
    about: Annotated[str | None, typer.Option(help="Only what it knows about this character or member.")] = None,
    archived: ArchivedOption = False,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    space: SpaceOption = "console:local",
) -> None:
    """What a character knows about the others (semantic memory), most important first."""
    from bots.memory_views import page_view
    from engine.services import memory_browser

    with _community(space) as (deps, eco):
        _print(page_view(memory_browser.knowledge(deps, eco, character, about=about,
                                                  include_archived=archived, limit=limit,
                                                  offset=offset)))


@memory_app.command("reflections")
def reflections(
    character: CharacterArg,
    memory: Annotated[int | None, typer.Option("--memory", help="Show this memory: what it was drawn from and which reflections cite it.")] = None,
    kind: KindOption = [],  # noqa: B006
    archived: ArchivedOption = False,
    limit: LimitOption = 20,
    offset: OffsetOption = 0,
    space: SpaceOption = "console:local",
) -> None:
    """The consolidation view: each reflection with the memories it came from."""
    from bots.memory_views import detail_view, reflections_view
    from engine.services import memory_browser

    with _community(space) as (deps, eco):
        if memory is not None:
            _print(detail_view(memory_browser.memory_detail(deps, eco, character, memory)))
            return
        view = memory_browser.reflections(
            deps, eco, character, kinds=tuple(kind) or memory_browser.CONSOLIDATED,
            include_archived=archived, limit=limit, offset=offset,
        )
        _print(reflections_view(view))


@memory_app.command("associations")
def associations(
    character: CharacterArg,
    archived: ArchivedOption = False,
    limit: LimitOption = 20,
    space: SpaceOption = "console:local",
) -> None:
    """How a character's memories of each participant feel (mean tone, warmest, coldest)."""
    from bots.memory_views import associations_view
    from engine.services import memory_browser

    with _community(space) as (deps, eco):
        _print(associations_view(memory_browser.associations(
            deps, eco, character, include_archived=archived, limit=limit)))


@memory_app.command("show")
def show(character: CharacterArg, space: SpaceOption = "console:local") -> None:
    """A character's memory at a glance: summary, counts, top memories, latest reflections."""
    from bots.memory_views import overview_view
    from engine.services import memory_browser

    with _community(space) as (deps, eco):
        _print(overview_view(memory_browser.overview(deps, eco, character)))
