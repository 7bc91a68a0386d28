"""The scenario form of ``/scenario create``: a modal, and what its fields become.

Objectives are typed one per line: an optional kind prefix (``primary:``, the default;
``subplot:``; ``hidden:``, seen only by directors until complete), then the objective's text
and its condition separated by ``|`` (or the condition alone, which is then its text too)::

    Lydia tells the truth | act Lydia confide Elizabeth
    subplot: Bingley comforts Jane | act Bingley help Jane
    hidden: objective o1 and goal Elizabeth achieved "locket"

Conditions are the engine's language (``engine.scenarios.conditions``); the definition is
checked by the engine (``engine.scenarios.model.from_definition`` through
``engine.services.scenarios.create``), which names any bad field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bots.discord.cogs.base import report_error
from engine.scenarios.form import objectives_from_lines

__all__ = ["ScenarioModal", "objectives_from_lines", "cast_from_line", "definition_from_form",
           "FORM_FIELDS"]

FORM_FIELDS = ("title", "setting", "mood", "cast", "objectives")
def cast_from_line(text: str) -> list[str]:
    """Cast names from a comma- (or newline-) separated line."""
    return [n.strip() for n in text.replace("\n", ",").split(",") if n.strip()]


def definition_from_form(fields: dict[str, str], cast: Sequence[str]) -> dict[str, Any]:
    """The scenario definition the form describes, with ``cast`` (names) as its cast."""
    return {"title": fields.get("title", "").strip(),
            "setting": fields.get("setting", "").strip(),
            "mood": fields.get("mood", "").strip(),
            "cast": list(cast),
            "objectives": objectives_from_lines(fields.get("objectives", ""))}


Submit = Callable[[discord.Interaction, dict[str, str]], Awaitable[None]]

_INPUTS: dict[str, tuple[str, discord.TextStyle, bool, int, str]] = {
    # key: (label, style, required, max length, placeholder)
    "title": ("Title", discord.TextStyle.short, True, 100, "The Garden Conspiracy"),
    "setting": ("Setting", discord.TextStyle.paragraph, False, 2000,
                "Where and when: Longbourn, a warm afternoon; the locket has vanished…"),
    "mood": ("Mood", discord.TextStyle.short, False, 200, "hushed, suspicious"),
    "cast": ("Cast (names, commas; blank: this channel's)", discord.TextStyle.short, False,
             400, "Elizabeth Bennet, Lydia Bennet"),
    "objectives": ("Objectives, one per line", discord.TextStyle.paragraph, False, 4000,
                   "Lydia confides | act Lydia confide Elizabeth\nhidden: text | condition"),
}


class ScenarioModal(discord.ui.Modal):
    """The scenario form: title, setting, mood, cast, objectives."""

    def __init__(self, *, on_submit: Submit, title: str = "New scenario") -> None:
        super().__init__(title=title[:45], timeout=10 * 60.0)
        self._submit = on_submit
        self.inputs: dict[str, discord.ui.TextInput[Any]] = {}
        for key in FORM_FIELDS:
            label, style, required, max_length, placeholder = _INPUTS[key]
            item: discord.ui.TextInput[Any] = discord.ui.TextInput(
                label=label[:45], style=style, required=required, max_length=max_length,
                placeholder=placeholder[:100], custom_id=f"personae-scenario-{key}")
            self.inputs[key] = item
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self._submit(interaction, {k: i.value for k, i in self.inputs.items()})

    async def on_error(self, interaction: discord.Interaction,  # type: ignore[override]
                       error: Exception) -> None:
        await report_error(interaction, error)
