"""``/scenario create|start|pause|resume|stop|status|direct|templates|share|install``: the
scenario director.

A scenario plays in the channel it was created in (its cast: the characters named in the
form, else those living in that channel). ``create`` opens a form (title, setting, mood, cast,
objectives one per line, see ``bots.discord.scenario_form``); ``start`` also takes a bundled
scenario by name ("The Garden Conspiracy"), creating it here first. ``direct`` injects an event
("A storm breaks.") that every character present in the scenario's channel perceives, and
nobody else (``engine.services.scenarios.direct``). Everything is for directors except
``status``, which shows hidden objectives to directors only. When no scenario is named, the
newest one playing in this channel that fits is meant (a running one to pause, a paused one to
resume...). Answers are ephemeral.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bots.discord.checks import director_only, is_director
from bots.discord.cogs.base import (
    AUTOCOMPLETE_TIMEOUT_S,
    MAX_CHOICES,
    PersonaeCog,
    begin,
    install_error_handler,
    show,
    target_channel,
)
from bots.discord.cogs.story import export_filename
from bots.discord.embeds import plain
from bots.discord.scenario_form import ScenarioModal, cast_from_line, definition_from_form
from bots.discord.story_embeds import scenario_embed, templates_embed
from engine.errors import InvalidInput, NotFound, ServiceUnavailable
from engine.scenarios.model import Scenario, ScenarioStatus
from engine.services import casting, characters, scenarios
from engine.services.community import ChannelRef
from engine.services.deps import Deps
from engine.services.scenario_export import export_scenario

if TYPE_CHECKING:
    from bots.discord.app import PersonaeBot

__all__ = ["Scenarios", "setup", "pick", "bundled_slug", "scenario_autocomplete"]

log = logging.getLogger(__name__)

S = ScenarioStatus
_SCENARIO_HELP = "The scenario (default: the newest playing in this channel)"


# -- blocking helpers (run off the event loop) ------------------------------------------------


def _channel_id(deps: Deps, ecosystem_id: int, external_id: str) -> int | None:
    with deps.uow() as uow:
        row = uow.spaces.find_channel(ecosystem_id, external_id)
    return row.id if row is not None else None


def bundled_slug(ref: str) -> str | None:
    """The bundled scenario ``ref`` names (its slug or its title), if any."""
    key = ref.strip().casefold()
    for slug in scenarios.bundled_scenarios():
        if key == slug or key == str(scenarios.bundled_definition(slug).get("title", "")
                                     ).casefold():
            return slug
    return None


def pick(deps: Deps, ecosystem_id: int, channel: str, ref: str | None,
         prefer: Sequence[frozenset[ScenarioStatus]] = ()) -> Scenario:
    """The scenario ``ref`` names (id, slug or title); without one, the newest playing in
    ``channel`` (else in the community) in the first of the ``prefer`` statuses that has one."""
    if ref:
        return scenarios.find(deps, ecosystem_id, ref)
    every = scenarios.list_scenarios(deps, ecosystem_id)
    if not every:
        raise NotFound("No scenario here yet: /scenario create one, or /scenario start "
                       "The Garden Conspiracy.")
    here_id = _channel_id(deps, ecosystem_id, channel)
    here = [s for s in every if here_id is not None and s.channel_id == here_id] or every
    for statuses in prefer:
        hits = [s for s in here if s.status in statuses]
        if hits:
            return hits[-1]
    return here[-1]


def _create(deps: Deps, ecosystem_id: int, channel: ChannelRef,
            fields: dict[str, str]) -> Scenario:
    named = cast_from_line(fields.get("cast", ""))
    if named:
        cast = [characters.canonical_name(deps, ecosystem_id, n) for n in named]
    else:
        cast = [m.name for m in casting.cast_of_channel(deps, ecosystem_id, channel.external_id)]
        if not cast:
            raise InvalidInput("Nobody lives in this channel: name the cast in the form, or "
                               "/cast add characters here first. Nothing was created.")
    definition = definition_from_form(fields, list(dict.fromkeys(cast)))
    return scenarios.create(deps, ecosystem_id, definition,
                            channel_id=_channel_id(deps, ecosystem_id, channel.external_id))


def _start(deps: Deps, ecosystem_id: int, channel: str, ref: str | None) -> tuple[Scenario, bool]:
    """Start the scenario ``ref`` names; a bundled one named by title or slug that is not here
    yet is created in this channel first. Returns it and whether it was created."""
    created = False
    try:
        found = pick(deps, ecosystem_id, channel, ref, [frozenset({S.DRAFT, S.STOPPED})])
    except NotFound:
        slug = bundled_slug(ref or "")
        if slug is None:
            raise
        found = scenarios.create(deps, ecosystem_id, slug,
                                 channel_id=_channel_id(deps, ecosystem_id, channel))
        created = True
    return scenarios.start(deps, int(found.id or 0)), created


def _lifecycle(deps: Deps, ecosystem_id: int, channel: str, ref: str | None,
               action: str) -> Scenario:
    prefer = {"pause": [frozenset({S.RUNNING})], "resume": [frozenset({S.PAUSED})],
              "stop": [frozenset({S.RUNNING, S.PAUSED})]}[action]
    found = pick(deps, ecosystem_id, channel, ref, prefer)
    changed: Scenario = getattr(scenarios, action)(deps, int(found.id or 0))
    return changed


def _status(deps: Deps, ecosystem_id: int, channel: str, ref: str | None
            ) -> tuple[Scenario, str | None]:
    found = pick(deps, ecosystem_id, channel, ref,
                 [frozenset({S.RUNNING}), frozenset({S.PAUSED})])
    plays_in = None
    if found.channel_id is not None:
        with deps.uow() as uow:
            row = uow.spaces.get_channel(found.channel_id)
        plays_in = row.external_id if row is not None else None
    return found, plays_in


def _export(deps: Deps, ecosystem_id: int, channel: str, ref: str | None, fmt: str,
            director: bool) -> tuple[Scenario, str]:
    found = pick(deps, ecosystem_id, channel, ref,
                 [frozenset({S.RUNNING}), frozenset({S.PAUSED}),
                  frozenset({S.COMPLETED, S.STOPPED})])
    return found, export_scenario(deps, int(found.id or 0), fmt, include_hidden=director)


def _direct(deps: Deps, ecosystem_id: int, channel: str, ref: str | None, text: str
            ) -> tuple[Scenario, scenarios.DirectResult]:
    found = pick(deps, ecosystem_id, channel, ref, [frozenset({S.RUNNING})])
    return found, scenarios.direct(deps, int(found.id or 0), text)


def _share(deps: Deps, ecosystem_id: int, channel: str, ref: str | None) -> tuple[Scenario, str]:
    found = pick(deps, ecosystem_id, channel, ref)
    return found, scenarios.share(deps, int(found.id or 0))


def _install(deps: Deps, ecosystem_id: int, channel: str, code: str) -> Scenario:
    return scenarios.install(deps, ecosystem_id, code,
                             channel_id=_channel_id(deps, ecosystem_id, channel))


# -- autocompletion ---------------------------------------------------------------------------


async def scenario_autocomplete(interaction: discord.Interaction,
                                current: str) -> list[app_commands.Choice[str]]:
    """This server's scenarios (value: the id), then bundled ones not created here yet."""
    if interaction.guild_id is None:
        return []
    bot: PersonaeBot = interaction.client  # type: ignore[assignment]
    guild_id, name = interaction.guild_id, (interaction.guild.name if interaction.guild else "")

    def load() -> list[tuple[str, str]]:
        eco = bot.ecosystem_of(guild_id, name or "")
        here = scenarios.list_scenarios(bot.deps, eco.id)
        choices = [(f"{s.title} [{s.status.value}]", str(s.id)) for s in reversed(here)]
        slugs = {s.slug for s in here}
        for slug in scenarios.bundled_scenarios():
            if slug not in slugs:
                title = str(scenarios.bundled_definition(slug).get("title") or slug)
                choices.append((f"{title} (bundled)", title))
        return choices

    try:
        choices = await asyncio.wait_for(bot.run_engine(load), AUTOCOMPLETE_TIMEOUT_S)
    except (TimeoutError, ServiceUnavailable) as exc:
        log.warning("scenarios for autocompletion unavailable: %s", exc or "timeout")
        return []
    typed = current.strip().casefold()
    return [app_commands.Choice(name=label[:100], value=value[:100])
            for label, value in choices if typed in label.casefold()][:MAX_CHOICES]


# -- the commands -----------------------------------------------------------------------------


def _state(s: Scenario) -> str:
    return f"**{plain(s.title)}** is {s.status.value}"


@app_commands.guild_only()
class Scenarios(PersonaeCog, commands.GroupCog, group_name="scenario",
                group_description="Direct a scenario: a situation the characters play out"):
    """The scenario director."""

    @app_commands.command(description="Create a scenario with a form (it plays in this channel)")
    @director_only()
    async def create(self, interaction: discord.Interaction) -> None:
        channel = target_channel(interaction)

        async def save(submitted: discord.Interaction, fields: dict[str, str]) -> None:
            await begin(submitted)
            eco = await self.ecosystem_id(submitted)
            created = await self.call(_create, self.deps, eco, channel, fields)
            await show(submitted, f"Created **{plain(created.title)}** (a draft); "
                                  "/scenario start to begin.",
                       embed=scenario_embed(created, director=True,
                                            channel=channel.external_id))

        # A modal must be the first answer: no deferring, and nothing slow before it.
        await interaction.response.send_modal(ScenarioModal(on_submit=save))

    @app_commands.command(description="Start a scenario (or a bundled one by name)")
    @app_commands.describe(scenario=_SCENARIO_HELP + "; or The Garden Conspiracy")
    @app_commands.autocomplete(scenario=scenario_autocomplete)
    @director_only()
    async def start(self, interaction: discord.Interaction, scenario: str | None = None) -> None:
        await begin(interaction)
        here = target_channel(interaction).external_id
        eco = await self.ecosystem_id(interaction)
        started, created = await self.call(_start, self.deps, eco, here, scenario)
        note = "Created and started" if created else "Started"
        await show(interaction, f"{note} **{plain(started.title)}**: the cast takes up its "
                                "goals and the scene is set.",
                   embed=scenario_embed(started, director=True))

    async def _change(self, interaction: discord.Interaction, scenario: str | None,
                      action: str) -> None:
        await begin(interaction)
        here = target_channel(interaction).external_id
        eco = await self.ecosystem_id(interaction)
        changed = await self.call(_lifecycle, self.deps, eco, here, scenario, action)
        await show(interaction, f"{_state(changed)}.")

    @app_commands.command(description="Pause a running scenario")
    @app_commands.describe(scenario=_SCENARIO_HELP)
    @app_commands.autocomplete(scenario=scenario_autocomplete)
    @director_only()
    async def pause(self, interaction: discord.Interaction, scenario: str | None = None) -> None:
        await self._change(interaction, scenario, "pause")

    @app_commands.command(description="Resume a paused scenario")
    @app_commands.describe(scenario=_SCENARIO_HELP)
    @app_commands.autocomplete(scenario=scenario_autocomplete)
    @director_only()
    async def resume(self, interaction: discord.Interaction, scenario: str | None = None) -> None:
        await self._change(interaction, scenario, "resume")

    @app_commands.command(description="Stop a scenario (the cast drops its scenario goals)")
    @app_commands.describe(scenario=_SCENARIO_HELP)
    @app_commands.autocomplete(scenario=scenario_autocomplete)
    @director_only()
    async def stop(self, interaction: discord.Interaction, scenario: str | None = None) -> None:
        await self._change(interaction, scenario, "stop")

    @app_commands.command(description="A scenario's status and objectives")
    @app_commands.describe(scenario=_SCENARIO_HELP)
    @app_commands.autocomplete(scenario=scenario_autocomplete)
    async def status(self, interaction: discord.Interaction, scenario: str | None = None) -> None:
        await begin(interaction)
        here = target_channel(interaction).external_id
        director = await is_director(interaction)
        eco = await self.ecosystem_id(interaction)
        found, plays_in = await self.call(_status, self.deps, eco, here, scenario)
        await show(interaction, embed=scenario_embed(found, director=director,
                                                     channel=plays_in))

    @app_commands.command(description="Direct the scene: an event every character present "
                                      "perceives")
    @app_commands.describe(event="What happens, e.g. 'A storm breaks.'",
                           scenario=_SCENARIO_HELP)
    @app_commands.autocomplete(scenario=scenario_autocomplete)
    @director_only()
    async def direct(self, interaction: discord.Interaction,
                     event: app_commands.Range[str, 1, 1000],
                     scenario: str | None = None) -> None:
        await begin(interaction)
        here = target_channel(interaction).external_id
        eco = await self.ecosystem_id(interaction)
        found, result = await self.call(_direct, self.deps, eco, here, scenario, event)
        witnesses = ", ".join(plain(n) for n in result.witnesses) or "nobody"
        lines = [f"*{plain(event.strip())}*", f"Witnessed by {witnesses}."]
        if result.intents:
            lines.append(f"{len(result.intents)} reaction(s) on the way.")
        lines += [f"Objective complete: {plain(o.text)}" for o in result.completed]
        await show(interaction, "\n".join(lines))

    @app_commands.command(description="The whole scenario written up as a file: a chapter "
                                      "per directed event, the dialogue")
    @app_commands.describe(scenario=_SCENARIO_HELP, format="Markdown or HTML")
    @app_commands.choices(format=[app_commands.Choice(name="Markdown", value="md"),
                                  app_commands.Choice(name="HTML", value="html")])
    @app_commands.autocomplete(scenario=scenario_autocomplete)
    async def export(self, interaction: discord.Interaction, scenario: str | None = None,
                     format: str = "md") -> None:  # noqa: A002 - the option's name
        await begin(interaction)
        here = target_channel(interaction).external_id
        director = await is_director(interaction)  # hidden objectives only for directors
        eco = await self.ecosystem_id(interaction)
        found, text = await self.call(_export, self.deps, eco, here, scenario, format, director)
        label = "Markdown" if format == "md" else "HTML"
        await show(interaction, f"**{plain(found.title)}**, as a story ({label}).",
                   file=discord.File(io.BytesIO(text.encode("utf-8")),
                                     export_filename(found.title, format)))

    @app_commands.command(description="Saved scenario templates and their codes")
    @director_only()
    async def templates(self, interaction: discord.Interaction) -> None:
        await begin(interaction)
        saved = await self.call(scenarios.templates, self.deps)
        await show(interaction, embed=templates_embed(saved))

    @app_commands.command(description="Save a scenario as a template; get its share code")
    @app_commands.describe(scenario=_SCENARIO_HELP)
    @app_commands.autocomplete(scenario=scenario_autocomplete)
    @director_only()
    async def share(self, interaction: discord.Interaction, scenario: str | None = None) -> None:
        await begin(interaction)
        here = target_channel(interaction).external_id
        eco = await self.ecosystem_id(interaction)
        found, code = await self.call(_share, self.deps, eco, here, scenario)
        await show(interaction, f"**{plain(found.title)}** saved as a template. Its code: "
                                f"`{code}` — /scenario install {code} on any server.")

    @app_commands.command(description="Create a scenario here from a template's share code")
    @app_commands.describe(code="The share code, e.g. ABCD-2345")
    @director_only()
    async def install(self, interaction: discord.Interaction,
                      code: app_commands.Range[str, 1, 20]) -> None:
        await begin(interaction)
        here = target_channel(interaction).external_id
        eco = await self.ecosystem_id(interaction)
        installed = await self.call(_install, self.deps, eco, here, code)
        await show(interaction, f"Installed **{plain(installed.title)}** (a draft); "
                                "/scenario start to begin.",
                   embed=scenario_embed(installed, director=True))


async def setup(bot: PersonaeBot) -> None:
    install_error_handler(bot.tree)
    await bot.add_cog(Scenarios(bot))
