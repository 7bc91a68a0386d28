"""Stories through the real loop (both backends): escalating insults become an escalating
conflict thread whose tension rises, whose timeline holds the insults in order, and whose
export holds the dialogue in order; forgetting the member removes the thread."""

from __future__ import annotations

from collections.abc import Callable

from bots.console.community import ConsoleCommunity
from engine.services.forgetting import forget_member
from engine.services.reflect import reflect
from engine.services.stories import detect_stories, list_threads, story_of_thread
from engine.stories.export import render
from engine.stories.model import SeedType, Stage
from workers.bootstrap import Container

INSULTS = (
    "Darcy, you are a proud, disagreeable, hateful man.",
    "Darcy, you are the rudest, most insufferable person alive.",
    "Darcy, you are cruel and stupid and everyone despises you.",
    "Darcy, you are a vile, arrogant, contemptible fool.",
    "Darcy, you are a wretched, loathsome, hateful coward.",
)


def test_escalating_insults_become_a_feud_thread(make_container: Callable[..., Container]
                                                  ) -> None:
    container = make_container(max_chain=0)
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    deps, eco = container.deps, community.ecosystem.id
    community.say("Good evening, Mr. Darcy.")
    for text in INSULTS[:3]:
        community.say(text)
    report = detect_stories(deps, eco)
    assert report is not None and report.created
    assert detect_stories(deps, eco) is None  # nothing new: nothing to do
    [thread] = [t for t in list_threads(deps, eco)
                if t.seed_type is SeedType.ESCALATING_CONFLICT]
    assert "Darcy" in thread.title and "Mary" in thread.title
    first_tension = thread.tension
    for text in INSULTS[3:]:
        community.say(text)
    reflect(deps, eco, force=True)  # the periodic step runs detection
    [again] = [t for t in list_threads(deps, eco)
               if t.seed_type is SeedType.ESCALATING_CONFLICT]
    assert again.id == thread.id
    assert again.tension > first_tension > 0
    assert again.stage in (Stage.DEVELOPING, Stage.CLIMAX)
    summaries = [k.summary for k in again.key_events]
    assert len(summaries) == len(INSULTS)
    for insult, summary in zip(INSULTS, summaries, strict=True):
        assert insult[:40] in summary and summary.startswith("Mary insults")
    assert [k.at for k in again.key_events] == sorted(k.at for k in again.key_events)

    story = story_of_thread(deps, int(again.id or 0), eco)
    markdown = render(story, "md")
    html = render(story, "html")
    positions = [markdown.index(insult[:40]) for insult in INSULTS]
    assert positions == sorted(positions)
    assert "## Cast" in markdown and "<h2>Cast</h2>" in html
    assert all(insult[:40] in html for insult in INSULTS)

    forget_member(deps, "console", "local", "member")
    assert list_threads(deps, eco) == []
