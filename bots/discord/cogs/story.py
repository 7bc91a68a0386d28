"""``/story list|show|export``: the stories the engine follows in this server.

``list`` looks for new stories first (cheap: skipped when nothing happened since the last
look) and lists the threads with their stage and tension; ``show`` is the story dashboard (a
tension bar, the stage, who is in it, the key events and what may happen next); ``export``
writes the thread up as a story (title, cast, chapters by arc, the actual dialogue) and answers
with it as a Markdown or HTML file. Everyone can look (the answers are ephemeral). The story
option completes on thread titles (its value is the thread's id; a typed title works too).
"""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.cogs.base import (
    AUTOCOMPLETE_TIMEOUT_S,
    MAX_CHOICES,
    PersonaeCog,
    begin,
    install_error_handler,
    show,
)
from bots.discord.embeds import plain
from bots.discord.story_embeds import story_dashboard_embed, story_list_embed
from engine.errors import NotFound, ServiceUnavailable
from engine.services import stories
from engine.services.deps import Deps
from engine.stories.export import export_story
from engine.stories.model import StoryThread

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Story", "setup", "find_thread", "story_autocomplete", "export_filename"]

log = logging.getLogger(__name__)

#: Threads listed (and offered by autocompletion).
LISTED = 25


def find_thread(deps: Deps, ecosystem_id: int, ref: str) -> StoryThread:
    """A thread by id ("12", "#12") or title (case-insensitive; the most recent first)."""
    key = ref.strip().lstrip("#").strip()
    if key.isdigit():
        try:
            return stories.get_thread(deps, int(key), ecosystem_id)
        except NotFound:
            pass
    every = stories.list_threads(deps, ecosystem_id, limit=200)
    folded = key.casefold()
    for match in (lambda t: t.title.casefold() == folded,
                  lambda t: t.title.casefold().startswith(folded),
                  lambda t: folded in t.title.casefold()):
        hits = [t for t in every if match(t)]
        if hits:
            return hits[0]
    raise NotFound(f"No story {ref!r} here; /story list shows them."
                   if every else "No stories here yet: they grow out of what the characters "
                                 "(and you) do.")


def _participant_names(deps: Deps, thread: StoryThread) -> dict[int, str]:
    with deps.uow() as uow:
        return {pid: name for pid, (name, _) in
                uow.participants.names(list(thread.participants)).items()}


def _dashboard(deps: Deps, ecosystem_id: int, ref: str) -> discord.Embed:
    thread = find_thread(deps, ecosystem_id, ref)
    return story_dashboard_embed(thread, _participant_names(deps, thread))


def export_filename(title: str, fmt: str) -> str:
    kept = "".join(ch.lower() if ch.isalnum() else "-" for ch in title)
    stem = "-".join(part for part in kept.split("-") if part)[:60] or "story"
    return f"{stem}.{fmt}"


def _export(deps: Deps, ecosystem_id: int, ref: str, fmt: str) -> tuple[str, str]:
    """(title, rendered text) of the thread written up as a story."""
    thread = find_thread(deps, ecosystem_id, ref)
    story = stories.story_of_thread(deps, int(thread.id or 0), ecosystem_id)
    text = export_story(story.title, story.cast, story.chapters, fmt, notes=story.notes)
    return story.title, text


async def story_autocomplete(interaction: discord.Interaction,
                             current: str) -> list[app_commands.Choice[str]]:
    """Threads of this server whose titles match what is typed (value: the thread's id)."""
    if interaction.guild_id is None:
        return []
    bot: PersonaeBot = interaction.client  # type: ignore[assignment]
    guild_id, name = interaction.guild_id, (interaction.guild.name if interaction.guild else "")

    def load() -> list[StoryThread]:
        eco = bot.ecosystem_of(guild_id, name or "")
        return stories.list_threads(bot.deps, eco.id, limit=200)

    try:
        threads = await asyncio.wait_for(bot.run_engine(load), AUTOCOMPLETE_TIMEOUT_S)
    except (TimeoutError, ServiceUnavailable) as exc:
        log.warning("story titles for autocompletion unavailable: %s", exc or "timeout")
        return []
    typed = current.strip().casefold()
    starts = [t for t in threads if t.title.casefold().startswith(typed)]
    within = [t for t in threads if typed in t.title.casefold() and t not in starts]
    return [app_commands.Choice(name=f"{t.title} ({t.stage.value})"[:100], value=str(t.id))
            for t in (starts + within)[:MAX_CHOICES]]


@app_commands.guild_only()
class Story(PersonaeCog, commands.GroupCog, group_name="story",
            group_description="The stories growing among the characters"):
    """Story threads: the list, a dashboard, an export."""

    @app_commands.command(name="list", description="The stories of this server, with their "
                                                   "stage and tension")
    async def list_(self, interaction: discord.Interaction) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)

        def load() -> list[StoryThread]:
            stories.detect_stories(self.deps, eco)  # cheap when nothing happened since
            return stories.list_threads(self.deps, eco, limit=LISTED)

        await show(interaction, embed=story_list_embed(await self.call(load)))

    @app_commands.command(name="show", description="A story's dashboard: tension, stage, key "
                                                   "events, what may happen next")
    @app_commands.describe(story="The story (its title)")
    @app_commands.autocomplete(story=story_autocomplete)
    async def show_(self, interaction: discord.Interaction, story: str) -> None:
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        await show(interaction, embed=await self.call(_dashboard, self.deps, eco, story))

    @app_commands.command(description="A story written up as a file: title, cast, chapters, "
                                      "the dialogue")
    @app_commands.describe(story="The story (its title)", format="Markdown or HTML")
    @app_commands.choices(format=[app_commands.Choice(name="Markdown", value="md"),
                                  app_commands.Choice(name="HTML", value="html")])
    @app_commands.autocomplete(story=story_autocomplete)
    async def export(self, interaction: discord.Interaction, story: str,
                     format: str = "md") -> None:  # noqa: A002 - the option's name
        # Exports will count toward the server's quota once billing exists.
        await begin(interaction)
        eco = await self.ecosystem_id(interaction)
        title, text = await self.call(_export, self.deps, eco, story, format)
        name = export_filename(title, format)
        label = "Markdown" if format == "md" else "HTML"
        await show(interaction, f"**{plain(title)}**, as a story ({label}).",
                   file=discord.File(io.BytesIO(text.encode("utf-8")), name))


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Story(bot))
