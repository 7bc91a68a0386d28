"""Discord embeds for what the engine returns, within Discord's limits.

Limits (Discord's): title 256 characters, description 4,096, 25 fields of name 256 and value
1,024, 6,000 in all. Members' words are shown as written: every text taken from the engine
goes through ``plain`` (markdown and mentions escaped), and messages carry no mention anyway.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import discord

from engine.cast import CastMember
from engine.personas import Character
from engine.services.autonomy_settings import LEVEL_NAMES, AutonomyOverview
from engine.services.characters import AI_DISCLOSURE, CharacterProfile
from engine.services.community import SetupReport
from engine.services.forgetting import Erasure
from engine.services.memory_browser import MemoryPage, MemoryRow, Overview
from engine.services.observatory import ObservatoryReport

__all__ = [
    "clip",
    "plain",
    "channel_label",
    "character_embed",
    "character_list_embed",
    "cast_embed",
    "observatory_embed",
    "memory_page_embed",
    "memory_overview_embed",
    "autonomy_embed",
    "setup_embed",
    "describe_erasure",
    "COLOUR",
]

COLOUR = discord.Colour.from_rgb(114, 84, 196)
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_MAX = 1024
TOTAL_MAX = 6000
_TIME = "%Y-%m-%d %H:%M"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def plain(text: str) -> str:
    """Text shown as written: no markdown, no mentions."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def channel_label(name: str) -> str:
    """A channel as members know it: a mention when we only know its id, else #name."""
    return f"<#{name}>" if name.isdigit() else f"#{plain(name)}"


def _lines(items: Iterable[str], limit: int = FIELD_MAX, empty: str = "none yet") -> str:
    """Lines joined until ``limit``; "…and N more" says what was left out."""
    items = list(items)
    if not items:
        return f"*{empty}*"
    out: list[str] = []
    used = 0
    for i, item in enumerate(items):
        rest = len(items) - i
        tail = f"…and {rest} more" if rest else ""
        line = clip(item, limit - 20)
        if used + len(line) + 1 > limit - len(tail) - 1:
            out.append(f"…and {rest} more")
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def _embed(title: str, description: str = "") -> discord.Embed:
    return discord.Embed(title=clip(title, TITLE_MAX),
                         description=clip(description, DESCRIPTION_MAX) or None, colour=COLOUR)


def _fit(embed: discord.Embed) -> discord.Embed:
    """Drop trailing fields until the embed fits Discord's 6,000 characters (then shorten
    the description)."""
    while len(embed) > TOTAL_MAX and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    excess = len(embed) - TOTAL_MAX
    if excess > 0 and embed.description:
        embed.description = clip(embed.description, len(embed.description) - excess)
    return embed


# -- characters -------------------------------------------------------------------------------


def character_embed(profile: CharacterProfile) -> discord.Embed:
    """A character's profile; it says the character is an AI persona."""
    c = profile.character
    embed = _embed(c.name, clip(plain(c.description), 2048) or "*No description yet.*")
    embed.set_author(name=AI_DISCLOSURE)
    if c.personality:
        embed.add_field(name="Personality", value=clip(plain(c.personality), FIELD_MAX),
                        inline=False)
    if c.first_mes:
        embed.add_field(name="Greeting", value=clip(plain(c.first_mes), FIELD_MAX), inline=False)
    if c.scenario:
        embed.add_field(name="Scenario", value=clip(plain(c.scenario), FIELD_MAX), inline=False)
    p = c.persona
    embed.add_field(name="Autonomy",
                    value=f"{p.autonomy_level} — {LEVEL_NAMES.get(p.autonomy_level, '?')}")
    embed.add_field(name="Talkativeness", value=f"{p.talkativeness:.0%}")
    if p.aliases:
        embed.add_field(name="Also answers to", value=clip(plain(", ".join(p.aliases)), FIELD_MAX))
    embed.add_field(name="Lives in",
                    value=_lines((channel_label(ch.external_id) for ch in profile.channels),
                                 empty="no channel yet — /cast add"), inline=False)
    if c.tags:
        embed.add_field(name="Tags", value=clip(plain(", ".join(c.tags)), FIELD_MAX))
    if p.avatar_url:
        embed.set_thumbnail(url=p.avatar_url)
    if c.creator:
        embed.set_footer(text=clip(f"Card by {c.creator}", 200))
    return _fit(embed)


def character_list_embed(cast: Sequence[Character]) -> discord.Embed:
    """Every character of the community, one line each."""
    lines = [f"**{plain(c.name)}** — {clip(plain(' '.join(c.description.split())), 90)}"
             if c.description else f"**{plain(c.name)}**" for c in cast]
    embed = _embed(f"Characters ({len(cast)})",
                   _lines(lines, DESCRIPTION_MAX, empty="No characters yet: /character create "
                                                        "or /character import."))
    embed.set_footer(text=AI_DISCLOSURE)
    return embed


def cast_embed(channel: str, cast: Sequence[CastMember]) -> discord.Embed:
    """Who lives in a channel."""
    lines = [f"**{plain(m.name)}** — autonomy {m.autonomy_level}, talkativeness "
             f"{m.talkativeness:.0%}" + ("" if m.active else f" ({m.status})") for m in cast]
    return _embed(f"Living in {clip(channel, 200)} ({len(cast)})",
                  _lines(lines, DESCRIPTION_MAX,
                         empty="Nobody lives here yet: /cast add brings a character in."))


# -- the observatory -------------------------------------------------------------------------


def observatory_embed(report: ObservatoryReport) -> discord.Embed:
    """Active characters, relationships, ongoing conversations and notable changes."""
    active = [c for c in report.characters if c.active]
    quiet = len(report.characters) - len(active)
    embed = _embed(f"Observatory — {report.ecosystem}",
                   f"{len(report.characters)} characters, {len(active)} active in the last "
                   f"half hour." if report.characters else "No characters yet.")
    embed.add_field(name="Active characters", inline=False, value=_lines(
        [f"{c.emoji} **{plain(c.name)}** — {c.mood}" for c in active]
        + ([f"*{quiet} quiet*"] if quiet and active else []),
        empty=f"all {quiet} quiet" if quiet else "none yet"))
    embed.add_field(name="Relationships", inline=False, value=_lines(
        f"{plain(r.source)} → {plain(r.target)}: **{r.label}** (affinity {r.affinity:+.2f}, "
        f"trust {r.trust:+.2f})" for r in report.relationships))
    embed.add_field(name="Ongoing conversations", inline=False, value=_lines(
        f"{channel_label(c.channel)}: {plain(', '.join(c.participants))} ({c.messages} "
        f"messages)" for c in report.conversations))
    embed.add_field(name="Notable changes", inline=False,
                    value=_lines(plain(t) for t in reversed(report.notable_changes)))
    if report.alliances:
        embed.add_field(name="Alliances", inline=False,
                        value=_lines(plain(a) for a in report.alliances))
    if report.conflicts:
        embed.add_field(name="Conflicts", inline=False,
                        value=_lines(plain(k) for k in report.conflicts))
    if report.influential:
        embed.add_field(name="Most influential", value=plain(", ".join(report.influential)))
    if report.brokers:
        embed.add_field(name="Brokers between circles", value=plain(", ".join(report.brokers)))
    embed.set_footer(text=f"{AI_DISCLOSURE} · {report.at:{_TIME}} UTC")
    return _fit(embed)


# -- memories ---------------------------------------------------------------------------------


def _memory_line(row: MemoryRow) -> str:
    where = f" in {channel_label(row.channel)}" if row.channel else ""
    kind = row.kind + (f" · {plain(row.subject)}" if row.subject else "")
    faded = " (faded)" if row.archived else ""
    return (f"`#{row.id}` {row.created_at:{_TIME}}{where} — *{kind}*{faded}: "
            f"{clip(plain(' '.join(row.text.split())), 300)} "
            f"(importance {row.importance:.0f}, tone {row.emotional_tone:+.1f})")


def memory_page_embed(page: MemoryPage, scope: str) -> discord.Embed:
    """A page of memories (search, top, knowledge); ``scope`` says which channels."""
    name = page.character.name
    titles = {
        "text": f"{name}'s memories matching “{page.query}”" if page.query
        else f"{name}'s memories",
        "semantic": f"What {name} recalls for “{page.query}”",
        "top": f"{name}'s most important memories",
        "knowledge": f"What {name} knows" + (f" about {page.query}" if page.query else ""),
    }
    shown = len(page.memories)
    count = (f"{page.offset + 1}–{page.offset + shown} of {page.total}" if page.total
             else f"{shown}" if shown else "none")
    embed = _embed(titles.get(page.mode, name),
                   _lines((_memory_line(r) for r in page.memories), DESCRIPTION_MAX,
                          empty="No memories match."))
    embed.set_footer(text=f"{count} · {scope}")
    return embed


def memory_overview_embed(ov: Overview) -> discord.Embed:
    """A character's memory at a glance."""
    embed = _embed(f"{ov.character.name} — memory",
                   plain(ov.summary) if ov.summary else "*No memory summary yet.*")
    kinds = sorted(set(ov.counts.active) | set(ov.counts.archived))
    embed.add_field(name="Memories", inline=False, value=_lines(
        f"{k}: {ov.counts.active.get(k, 0)} active, {ov.counts.archived.get(k, 0)} faded"
        for k in kinds))
    embed.add_field(name="Most important", inline=False,
                    value=_lines(_memory_line(r) for r in ov.top))
    embed.add_field(name="Latest reflections", inline=False,
                    value=_lines(_memory_line(r.memory) for r in ov.reflections))
    embed.set_footer(text="Last consolidated " + (f"{ov.consolidated_at:{_TIME}} UTC"
                                                  if ov.consolidated_at else "never"))
    return _fit(embed)


# -- directing --------------------------------------------------------------------------------


def autonomy_embed(ov: AutonomyOverview) -> discord.Embed:
    pace = (f"{ov.pace_s:g} s between posts (this channel's own)" if ov.pace_s
            else f"{ov.default_pace_s:g} s between posts (the default)")
    quiet = ("none" if ov.quiet_hours is None else
             ov.quiet_hours.describe() + (" — **quiet now**" if ov.quiet_now else ""))
    embed = _embed(f"Autonomy in {channel_label(ov.channel)}")
    embed.add_field(name="Pace", value=pace)
    embed.add_field(name="Quiet hours", value=quiet)
    embed.add_field(name="Announcements", value="relationship changes and alliances"
                    if ov.announces else "off")
    embed.add_field(name="Characters", inline=False, value=_lines(
        (f"**{plain(c.name)}** — level {c.level} ({LEVEL_NAMES.get(c.level, '?')}), "
         f"talkativeness {c.talkativeness:.0%}" for c in ov.characters),
        empty="nobody lives here yet"))
    return embed


def setup_embed(report: SetupReport, director_role: str, admin_channel: str | None
                ) -> discord.Embed:
    s = report.settings
    embed = _embed("Personae is set up",
                   "Pick the channels the cast lives in below (run `/personae setup` again "
                   "to change anything).")
    embed.add_field(name="Cast channels", inline=False, value=_lines(
        (channel_label(c.external_id) for c in s.cast_channels), empty="none picked yet"))
    embed.add_field(name="Directors", value=f"Manage Server, and {director_role}")
    embed.add_field(name="Delivery problems reported in",
                    value=channel_label(admin_channel) if admin_channel else "*nowhere yet*")
    if report.unblocked:
        embed.add_field(name="Delivery resumed in", inline=False, value=_lines(
            channel_label(c.external_id) for c in report.unblocked))
    if report.dropped:
        embed.add_field(name="No longer cast channels", inline=False, value=_lines(
            channel_label(c.external_id) for c in report.dropped)
            + "\n*Characters living there stay until /cast remove.*")
    return embed


def describe_erasure(report: Erasure) -> str:
    """What forgetting a member removed, in a sentence."""
    if not any((report.events, report.memories, report.relationships, report.changes,
                report.confidences, report.conflicts, report.intents, report.redacted)):
        return ("Personae held nothing about you in this server: there was nothing to delete. "
                "What you write in cast channels from now on is remembered again.")
    return (f"Done: Personae forgot you in this server. Deleted {report.events} of your "
            f"messages, {report.memories} memories of you ({report.derived} of them drawn from "
            f"what you said), {report.relationships} relationships and {report.changes} history "
            f"entries, {report.confidences} confidences, {report.conflicts} conflicts and "
            f"{report.intents} pending replies; your name was removed from {report.redacted} "
            f"other memories. What you write in cast channels from now on is remembered again.")
