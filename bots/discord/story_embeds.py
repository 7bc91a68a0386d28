"""Embeds of ``/story`` and ``/scenario``: the story list, the story dashboard (a tension bar,
stage, participants, key events and predictions), a scenario's status and the template list.

Within Discord's limits like every embed (``bots.discord.embeds``); every text from the engine
goes through ``plain``. Hidden objectives are left out unless the caller says the member
directs (``visible_objectives`` is the engine's rule).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import discord

from bots.discord.embeds import (
    DESCRIPTION_MAX,
    FIELD_MAX,
    TITLE_MAX,
    TOTAL_MAX,
    channel_label,
    clip,
    plain,
)
from engine.scenarios.model import ObjectiveKind, Scenario, ScenarioStatus, visible_objectives
from engine.stories.export import timeline_lines
from engine.stories.model import Stage, StoryThread

__all__ = ["tension_bar", "story_list_embed", "story_dashboard_embed", "scenario_embed",
           "templates_embed", "STORY_COLOUR", "SHOWN_EVENTS", "SHOWN_PREDICTIONS"]

STORY_COLOUR = discord.Colour.from_rgb(196, 84, 114)
#: The most recent key events and the first predictions shown on the dashboard.
SHOWN_EVENTS = 12
SHOWN_PREDICTIONS = 6

_STAGE_MARK = {Stage.SEED: "🌱", Stage.DEVELOPING: "📈", Stage.CLIMAX: "🔥",
               Stage.RESOLUTION: "🕊️", Stage.DORMANT: "💤"}
_STATUS_MARK = {ScenarioStatus.DRAFT: "📝", ScenarioStatus.RUNNING: "▶️",
                ScenarioStatus.PAUSED: "⏸️", ScenarioStatus.STOPPED: "⏹️",
                ScenarioStatus.COMPLETED: "🏁"}


def tension_bar(tension: float, width: int = 12) -> str:
    """``██████░░░░░░ 50%`` (tension in 0-100)."""
    value = max(0.0, min(100.0, tension))
    filled = round(value / 100 * width)
    return f"{'█' * filled}{'░' * (width - filled)} {value:.0f}%"


def _embed(title: str, description: str = "") -> discord.Embed:
    return discord.Embed(title=clip(title, TITLE_MAX),
                         description=clip(description, DESCRIPTION_MAX) or None,
                         colour=STORY_COLOUR)


def _lines(items: Sequence[str], empty: str, limit: int = FIELD_MAX) -> str:
    """Lines up to ``limit`` characters; the first lines are dropped when they do not all fit
    (the newest matter most), saying how many."""
    if not items:
        return f"*{empty}*"
    kept: list[str] = []
    used = 0
    for line in reversed(items):
        line = clip(line, 300)
        if used + len(line) + 1 > limit - 24:
            break
        kept.insert(0, line)
        used += len(line) + 1
    dropped = len(items) - len(kept)
    return "\n".join(([f"…{dropped} earlier"] if dropped else []) + kept)


def _fit(embed: discord.Embed) -> discord.Embed:
    while len(embed) > TOTAL_MAX and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    return embed


# -- stories ----------------------------------------------------------------------------------


def story_list_embed(threads: Sequence[StoryThread]) -> discord.Embed:
    """The community's story threads: title, stage and tension, one line each."""
    lines = [f"{_STAGE_MARK.get(t.stage, '')} **{plain(clip(t.title, 120))}** — "
             f"{t.stage.value}, {t.genre.value} · `{tension_bar(t.tension, 10)}`"
             for t in threads]
    embed = _embed(f"Stories ({len(threads)})", "\n".join(lines) if lines else
                   "*No stories yet: they grow out of what the characters (and you) do.*")
    if len(embed.description or "") >= DESCRIPTION_MAX - 1:
        embed.description = clip("\n".join(lines[:40]), DESCRIPTION_MAX)
    embed.set_footer(text="/story show for one story's dashboard · /story export writes it up")
    return embed


def story_dashboard_embed(thread: StoryThread, names: Mapping[int, str]) -> discord.Embed:
    """The story dashboard: tension bar, stage, participants, key events and predictions."""
    kind = thread.seed_type.value.replace("_", " ")
    embed = _embed(thread.title, f"A {thread.genre.value} story ({kind}).")
    embed.add_field(name="Tension", value=f"`{tension_bar(thread.tension)}`", inline=False)
    embed.add_field(name="Stage",
                    value=f"{_STAGE_MARK.get(thread.stage, '')} {thread.stage.value}")
    who = [plain(names.get(p, f"#{p}")) for p in thread.participants]
    embed.add_field(name="Participants", value=clip(", ".join(who) or "*nobody*", FIELD_MAX))
    events = [plain(line) for line in timeline_lines(thread)[-SHOWN_EVENTS:]]
    embed.add_field(name="Key events", value=_lines(events, "none yet"), inline=False)
    predictions = [f"• {plain(p.text)}" for p in thread.predictions[:SHOWN_PREDICTIONS]]
    embed.add_field(name="What may happen next",
                    value=_lines(predictions, "no goals to go by"), inline=False)
    embed.set_footer(text=f"Story #{thread.id} · /story export writes it up as a story")
    return _fit(embed)


# -- scenarios --------------------------------------------------------------------------------


def scenario_embed(s: Scenario, *, director: bool, channel: str | None = None) -> discord.Embed:
    """A scenario's status: setting, mood, cast and objectives (hidden ones only for
    directors, until complete)."""
    mark = _STATUS_MARK.get(s.status, "")
    embed = _embed(s.title, plain(s.setting) if s.setting else "")
    embed.add_field(name="Status", value=f"{mark} {s.status.value}")
    if s.mood:
        embed.add_field(name="Mood", value=clip(plain(s.mood), FIELD_MAX))
    if channel:
        embed.add_field(name="Plays in", value=channel_label(channel))
    cast = [f"**{plain(c.name)}**" + (f" — {plain(c.role)}" if c.role else "") for c in s.cast]
    embed.add_field(name="Cast", value=_lines(cast, "the channel's characters"), inline=False)
    shown = visible_objectives(s, director)
    lines = [f"{'✅' if o.done else '⬜'} {o.kind.value}"
             + (" 🔒" if o.kind is ObjectiveKind.HIDDEN else "") + f": {plain(o.text)}"
             for o in shown]
    embed.add_field(name="Objectives", value=_lines(lines, "none"), inline=False)
    embed.set_footer(text=f"Scenario #{s.id} · {s.slug}")
    return _fit(embed)


def templates_embed(templates: Sequence[tuple[str, str]]) -> discord.Embed:
    lines = [f"`{code}` {plain(title)}" for code, title in templates]
    embed = _embed("Scenario templates", "\n".join(lines)[:DESCRIPTION_MAX] if lines else
                   "*No templates yet: /scenario share saves one.*")
    embed.set_footer(text="/scenario install CODE creates one here")
    return embed
