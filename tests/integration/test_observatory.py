"""The Observatory, the graph PNG and the relationship story, as the bots will call them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bots.console.community import ConsoleCommunity
from engine.errors import NotFound
from engine.services.observatory import (
    observatory,
    relationship_graph,
    relationship_story,
    render_text,
)
from workers.bootstrap import Container

ROOT = Path(__file__).resolve().parents[2]


def _lively(container: Container) -> ConsoleCommunity:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    for text in ("Jane, you are wonderful and so kind!", "Thank you, dear Jane.",
                 "Jane, you are the loveliest soul.", "Let me help you, Jane.",
                 "Jane, your kindness is a gift.",
                 "Darcy, you are a vile, arrogant, hateful man.",
                 "Darcy, you are the rudest man alive."):
        community.say(text)
    return community


def test_observatory_reports_moods_relationships_conflicts_and_changes(
    make_container: object,
) -> None:
    community = _lively(make_container(max_chain=0))  # type: ignore[operator]
    report = observatory(community.deps, community.ecosystem.id)
    names = {c.name for c in report.characters}
    assert {"Jane Bennet", "Fitzwilliam Darcy"} <= names
    darcy = next(c for c in report.characters if c.name == "Fitzwilliam Darcy")
    assert darcy.mood in ("anger", "sadness") and darcy.emoji in "😠😢"
    assert any(r.source == "Jane Bennet" and r.target == "Mary" and r.label == "friend"
               for r in report.relationships)
    assert any("Fitzwilliam Darcy vs Mary" in c or "Mary vs Fitzwilliam Darcy" in c
               for c in report.conflicts)
    assert "Jane Bennet now counts Mary as a friend." in report.notable_changes
    assert report.conversations and "Mary" in report.conversations[0].participants
    text = render_text(report)
    assert "Observatory" in text and "Notable changes:" in text


def test_graph_png_and_the_story_between_two(make_container: object) -> None:
    community = _lively(make_container(max_chain=0))  # type: ignore[operator]
    png = relationship_graph(community.deps, community.ecosystem.id, size_px=600)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
    story = relationship_story(community.deps, community.ecosystem.id,
                               "Fitzwilliam Darcy", "Mary")
    assert "Why Fitzwilliam Darcy feels this way about Mary" in story
    assert "insult" in story and "hateful" in story
    with pytest.raises(NotFound):
        relationship_story(community.deps, community.ecosystem.id, "Mr. Wickham", "Mary")


def test_analytics_are_cached_until_relationships_change(container: Container) -> None:
    from engine.services.observatory import analytics_for

    community = _lively(container)
    first = analytics_for(community.deps, community.ecosystem.id)
    assert analytics_for(community.deps, community.ecosystem.id) is first
    community.say("Jane, you are wonderful!")
    assert analytics_for(community.deps, community.ecosystem.id) is not first


def test_observatory_and_graph_commands(tmp_path: Path) -> None:
    import os

    db = tmp_path / "demo.db"
    env = dict(os.environ, PERSONAE_DATABASE_URL=f"sqlite:///{db}")

    def personae(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bots.cli.main", *args], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=180)

    demo = personae("demo", "--turns", "20", "--database-url", f"sqlite:///{db}",
                    "--say", "2:Darcy, you are a vile, hateful man.")
    assert demo.returncode == 0, demo.stderr
    obs = personae("observatory")
    assert obs.returncode == 0, obs.stderr
    assert "Characters:" in obs.stdout and "Fitzwilliam Darcy" in obs.stdout
    png = tmp_path / "g.png"
    graph = personae("relationships", "graph", "-o", str(png))
    assert graph.returncode == 0 and png.read_bytes().startswith(b"\x89PNG")
    why = personae("relationships", "why", "Fitzwilliam Darcy", "Guest")
    assert why.returncode == 0 and "hateful" in why.stdout
    missing = personae("observatory", "--space", "discord:nowhere")
    assert missing.returncode == 2 and "No community" in missing.stderr
