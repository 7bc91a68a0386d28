"""The commands' embeds stay within Discord's limits whatever the engine returns, show members'
words as written, and label characters as AI personas (pure: no Discord, no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from bots.discord.embeds import (
    character_embed,
    character_list_embed,
    clip,
    memory_page_embed,
    observatory_embed,
)
from engine.adapters.sql.spaces import Channel
from engine.personas import Character
from engine.services.characters import CharacterProfile
from engine.services.memory_browser import CharacterRef, MemoryPage, MemoryRow
from engine.services.observatory import (
    CharacterStatus,
    Conversation,
    ObservatoryReport,
    RelationshipLine,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
LONG = "word " * 5_000


def _fits(embed: discord.Embed) -> None:
    assert len(embed) <= 6000
    assert len(embed.title or "") <= 256 and len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for f in embed.fields:
        assert 1 <= len(f.name) <= 256 and 1 <= len(f.value) <= 1024


def test_a_huge_observatory_fits() -> None:
    report = ObservatoryReport("A very busy server", NOW)
    report.characters = [CharacterStatus(f"Character {i} " + "x" * 60, "joyful", "😀", 0.5,
                                         NOW, i % 2 == 0) for i in range(1000)]
    report.relationships = [RelationshipLine(f"A{i}", f"B{i}", "friend", 0.5, 0.4)
                            for i in range(500)]
    report.conversations = [Conversation(str(10**17 + i), ("Mary", "Elizabeth"), 40, NOW)
                            for i in range(200)]
    report.notable_changes = [LONG] * 50
    report.alliances = ["x" * 3000] * 20
    report.conflicts = ["y" * 3000] * 20
    report.influential = ["Elizabeth"] * 3
    embed = observatory_embed(report)
    _fits(embed)
    names = [f.name for f in embed.fields]
    assert names[:4] == ["Active characters", "Relationships", "Ongoing conversations",
                         "Notable changes"]
    assert "more" in embed.fields[0].value and f"<#{10**17}>" in embed.fields[2].value


def test_a_character_with_long_texts_fits_and_says_it_is_an_ai() -> None:
    character = Character("Ada " + "L" * 76, description=LONG, personality=LONG,
                          first_mes=LONG, scenario=LONG, tags=["t" * 100] * 50, creator=LONG)
    channels = [Channel(i, 1, str(10**17 + i), f"c{i}") for i in range(300)]
    embed = character_embed(CharacterProfile(character, channels))
    _fits(embed)
    assert embed.author.name is not None and "AI persona" in embed.author.name
    listed = character_list_embed([Character(f"N{i}", description=LONG) for i in range(1000)])
    _fits(listed)
    assert listed.footer.text is not None and "AI persona" in listed.footer.text


def test_members_words_are_shown_as_written() -> None:
    row = MemoryRow(1, 1, "observation", "@everyone look: **bold** <@&123> _x_", 5.0, 0.2,
                    False, NOW, NOW, 1, "general")
    page = MemoryPage(CharacterRef(1, "Jane", 1), "text", "look", [row] * 10, 10, 0, 10)
    embed = memory_page_embed(page, "witnessed in #general")
    _fits(embed)
    text = embed.description or ""
    assert "@everyone" not in text.replace("@\u200beveryone", "")  # mentions escaped
    assert r"\*\*bold\*\*" in text and r"\_x\_" in text
    long_rows = [MemoryRow(i, 1, "observation", LONG, 5.0, 0.0, False, NOW, NOW)
                 for i in range(10)]
    _fits(memory_page_embed(MemoryPage(CharacterRef(1, "Jane", 1), "semantic", "q", long_rows,
                                       None, 0, 10), "every channel"))


def test_clip() -> None:
    assert clip("abc", 3) == "abc" and clip("abcd", 3) == "ab…" and len(clip(LONG, 100)) == 100
