"""``/personae story …`` and ``/personae scenario …`` through slack-bolt against the fake Slack:
a scenario created through its modal (field errors in place), started, its status without the
hidden objectives for members, a directed event witnessed by exactly the channel's cast, shared
and installed by code; a story's dashboard (tension bar, key events, predictions) and its export
uploaded as Markdown and HTML files."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bots.slack.commands.scenarios import SCENARIO_CALLBACK, definition_from_form
from engine.adapters.sql.tables import memories
from engine.services import scenarios
from engine.services.stories import detect_stories, list_threads
from engine.stories.model import SeedType
from tests.bots.slack_harness import (
    ADMIN,
    CHANNEL,
    MEMBER,
    TEAM,
    SlackHarness,
    slack_settings,
)
from tests.fakes.slack_api import FakeSlack
from workers.bootstrap import Container

OTHER = "C0002"
HERE = ("Elizabeth Bennet", "Lydia Bennet", "Jane Bennet")
INSULTS = (
    "Darcy, you are a proud, disagreeable, hateful man.",
    "Darcy, you are the rudest, most insufferable person alive.",
    "Darcy, you are cruel and stupid and everyone despises you.",
    "Darcy, you are a vile, arrogant, contemptible fool.",
)
OBJECTIVES = ('primary: The storm drives them indoors | directed "storm"\n'
              "hidden: Lydia tells Elizabeth her secret | act Lydia confide Elizabeth")


@pytest.fixture
def harness(make_container: Callable[..., Container], fake_slack: FakeSlack) -> SlackHarness:
    fake_slack.channels[OTHER] = "library"
    return SlackHarness(make_container(**slack_settings(fake_slack, max_chain=0)), fake_slack)


def _eco(h: SlackHarness) -> int:
    with h.container.deps.uow() as uow:
        eco = uow.spaces.find_ecosystem("slack", TEAM)
    assert eco is not None
    return eco.id


def _errors(response: Any) -> dict[str, str]:
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    errors: dict[str, str] = body["errors"]
    return errors


def _scenario_view(h: SlackHarness) -> dict[str, Any]:
    before = len(h.fake.state.views)
    h.command("scenario create", user=ADMIN)
    assert len(h.fake.state.views) == before + 1, h.fake.state.responses[-1:]
    view = h.fake.state.views[-1]
    assert view["callback_id"] == SCENARIO_CALLBACK
    assert [b["block_id"] for b in view["blocks"]] == [
        "title", "setting", "mood", "cast", "objectives"]
    return view


def _form(title: str = "The Locket", objectives: str = OBJECTIVES, cast: str = "",
          setting: str = "Longbourn, a warm afternoon.", mood: str = "hushed"
          ) -> dict[str, str | None]:
    return {"title": title or None, "setting": setting or None, "mood": mood or None,
            "cast": cast or None, "objectives": objectives or None}


# -- scenarios ---------------------------------------------------------------------------------

def test_a_scenario_is_created_in_its_modal_started_and_hides_its_secret_from_members(
        harness: SlackHarness) -> None:
    harness.seed_cast(*HERE)
    harness.command("scenario create", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    assert not harness.fake.called("views.open")
    view = _scenario_view(harness)

    # Refusals come back on the field they are about, and nothing is created.
    errors = _errors(harness.submit(view, _form(title="", objectives="hidden: no condition")))
    assert set(errors) == {"title", "objectives"}
    assert "line 1" in errors["objectives"] and "|" in errors["objectives"]
    errors = _errors(harness.submit(view, _form(objectives="primary: x | act Lydia dance Jane")))
    assert list(errors) == ["objectives"] and "unknown act 'dance'" in errors["objectives"]
    errors = _errors(harness.submit(view, _form(objectives="primary: x | objective o7")))
    assert "no objective 'o7'" in errors["objectives"]
    errors = _errors(harness.submit(view, _form(cast="Mr. Wickham: a charming liar")))
    assert list(errors) == ["cast"] and "Mr. Wickham" in errors["cast"]
    assert scenarios.list_scenarios(harness.container.deps, _eco(harness)) == []

    response = harness.submit(view, _form(cast="Elizabeth Bennet: the sharp-eyed sister | "
                                               "find out who took the locket\nLydia Bennet"))
    assert response.status == 200 and not response.body
    assert "is ready" in harness.fake.state.ephemeral[-1]["text"]
    [made] = scenarios.list_scenarios(harness.container.deps, _eco(harness))
    assert [c.name for c in made.cast] == ["Elizabeth Bennet", "Lydia Bennet"]
    assert made.cast[0].goals == ("find out who took the locket",)
    assert [(o.id, o.kind.value) for o in made.objectives] == [("o1", "primary"),
                                                                ("o2", "hidden")]

    harness.command("scenario start", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    harness.command("scenario start", user=ADMIN)
    started = harness.fake.state.responses[-1]
    assert started["response_type"] == "in_channel" and "The Locket* begins" in started["text"]
    assert "Longbourn, a warm afternoon." in started["text"]

    harness.command("scenario status", user=MEMBER)
    seen = harness.last_response()
    assert "running" in seen and "The storm drives them indoors" in seen
    assert "Lydia tells Elizabeth" not in seen and "hidden" not in seen
    harness.command(f"scenario status {made.id}", user=ADMIN)
    assert "⬜ hidden: Lydia tells Elizabeth her secret" in harness.last_response()
    harness.command("scenario list", user=MEMBER)
    assert f"`#{made.id}` *The Locket* — running" in harness.last_response()

    harness.command("scenario pause", user=ADMIN)
    assert "is paused" in harness.last_response()
    harness.command(f"scenario resume {made.id}", user=ADMIN)
    assert "is running" in harness.last_response()


def test_a_directed_event_is_witnessed_by_exactly_the_channels_cast(
        harness: SlackHarness) -> None:
    ids = harness.seed_cast(*HERE)
    away = harness.seed_cast("William Collins", channel=OTHER)["William Collins"]
    deps, eco = harness.container.deps, _eco(harness)
    made = scenarios.create(deps, eco, {"title": "The Locket", "cast": list(HERE),
                                        "objectives": [{"id": "storm", "text": "A storm",
                                                        "condition": 'directed "storm"'}]})
    harness.command("scenario direct A storm breaks over the garden.", user=ADMIN)
    assert "is draft; direct it while it runs" in harness.last_response()
    scenarios.start(deps, made.id or 0)

    harness.command("scenario direct A storm breaks over the garden.", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    harness.command(f"scenario direct {made.id} A storm breaks over the garden.", user=ADMIN)
    public, private = harness.fake.state.responses[-2:]
    assert public["response_type"] == "in_channel"
    assert public["text"] == "✦ _A storm breaks over the garden._"
    assert private["response_type"] == "ephemeral"
    assert all(name in private["text"] for name in HERE)
    assert "William Collins" not in private["text"]
    assert "Objective complete (primary): A storm" in private["text"]
    with harness.container.database.engine.connect() as conn:
        witnesses = set(conn.execute(select(memories.c.owner_id).where(
            memories.c.text.contains("A storm breaks"))).scalars())
    assert witnesses == set(ids.values()) and away not in witnesses
    assert scenarios.get(deps, made.id or 0).status.value == "completed"


def test_a_whole_scenario_is_exported_with_its_secret_for_directors_only(
        harness: SlackHarness) -> None:
    harness.seed_cast(*HERE)
    deps, eco = harness.container.deps, _eco(harness)
    made = scenarios.create(deps, eco, {
        "title": "The Locket", "cast": list(HERE),
        "objectives": [{"id": "storm", "text": "The storm drives them indoors",
                        "condition": 'directed "storm"'},
                       {"id": "secret", "kind": "hidden", "text": "Lydia tells her secret",
                        "condition": "act Lydia confide Elizabeth"}]})
    scenarios.start(deps, made.id or 0)
    harness.command(f"scenario direct {made.id} A storm breaks over the garden.", user=ADMIN)

    harness.command(f"scenario export {made.id} md", user=MEMBER)
    assert harness.last_response() == "Exported “The Locket” as Markdown."
    [member_copy] = [f for f in harness.fake.state.files.values()]
    assert member_copy.filename == "the-locket.md" and member_copy.channel == CHANNEL
    text = member_copy.data.decode()
    assert "A storm breaks over the garden." in text
    assert "Lydia tells her secret" not in text  # hidden from members

    harness.command("scenario export", user=ADMIN)  # this channel's, both formats
    assert harness.last_response() == "Exported “The Locket” as Markdown and HTML."
    director_md = [f for f in harness.fake.state.files.values()
                   if f.filename.endswith(".md")][-1].data.decode()
    assert "Lydia tells her secret" in director_md
    harness.command("scenario export 999", user=ADMIN)
    assert "999" in harness.last_response() and not harness.last_response().startswith(
        "Exported")


def test_a_scenario_is_shared_and_installed_by_code(harness: SlackHarness) -> None:
    harness.seed_cast(*HERE)
    deps, eco = harness.container.deps, _eco(harness)
    made = scenarios.create(
        deps, eco, {"title": "Tea at Longbourn", "cast": ["Jane Bennet"],
                    "objectives": [{"condition": "act Jane greet *"}]})
    harness.command("scenario templates", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    harness.command(f"scenario share {made.id}", user=ADMIN)
    reply = harness.last_response()
    code = reply.split("`")[1]
    assert len(code) == 9 and code[4] == "-"
    harness.command("scenario templates", user=ADMIN)
    assert f"`{code}` Tea at Longbourn" in harness.last_response()
    harness.command(f"scenario install {code.lower()}", user=ADMIN)
    assert "Installed scenario #" in harness.last_response()
    assert len(scenarios.list_scenarios(deps, eco)) == 2
    harness.command("scenario install NOPE-NOPE", user=ADMIN)
    assert "No scenario template with code 'NOPE-NOPE'" in harness.last_response()
    harness.command("scenario status no-such-thing", user=MEMBER)
    assert "No scenario 'no-such-thing' here" in harness.last_response()
    harness.command("scenario juggle", user=ADMIN)
    assert harness.last_response().startswith("Usage: `/personae scenario list`")


def test_a_bundled_scenario_starts_by_its_slug(harness: SlackHarness) -> None:
    harness.seed_cast()
    harness.command("scenario start garden-conspiracy", user=ADMIN)
    assert "*The Garden Conspiracy* begins." in harness.last_response()
    harness.command("scenario status", user=MEMBER)
    seen = harness.last_response()
    assert "running" in seen and "The truth comes out" in seen and "hidden" not in seen
    harness.command("scenario start no-such-thing", user=ADMIN)
    assert "No scenario 'no-such-thing' here" in harness.last_response()


def test_no_scenario_in_a_channel_says_how_to_make_one(harness: SlackHarness) -> None:
    harness.seed_cast("Jane Bennet")
    harness.command("scenario")
    assert "No scenario in this channel yet" in harness.last_response()


def test_the_modal_form_reads_prefixes_and_defaults_to_the_channels_cast() -> None:
    definition, errors = definition_from_form(
        {"title": " T ", "objectives": "\nA | directed \"x\"\n\n• SUBPLOT: B | objective o1\n"
                  "secret: objective o2"},
        ["Jane Bennet"])
    assert errors == {}
    assert definition["cast"] == [{"name": "Jane Bennet"}]
    assert [(o["id"], o["kind"], o["text"]) for o in definition["objectives"]] == [
        ("o1", "primary", "A"), ("o2", "subplot", "B"), ("o3", "hidden", "objective o2")]
    _, errors = definition_from_form({"title": "T", "objectives": ""}, [])
    assert set(errors) == {"objectives", "cast"}


# -- stories -----------------------------------------------------------------------------------

def _feud(h: SlackHarness) -> int:
    h.seed_cast("Fitzwilliam Darcy", "Elizabeth Bennet")
    h.message("Good evening, Mr. Darcy.", ts="1700.0001")
    for i, text in enumerate(INSULTS):
        h.message(text, ts=f"1700.{i + 2:04d}")
    deps, eco = h.container.deps, _eco(h)
    detect_stories(deps, eco, force=True)
    [thread] = [t for t in list_threads(deps, eco)
                if t.seed_type is SeedType.ESCALATING_CONFLICT]
    return int(thread.id or 0)


def test_a_story_is_listed_and_shown_as_a_dashboard(harness: SlackHarness) -> None:
    harness.seed_cast("Jane Bennet")
    harness.command("story list")
    assert harness.last_response().startswith("No stories yet")
    thread_id = _feud(harness)
    harness.command("story list")
    listed = harness.last_response()
    assert f"`#{thread_id}`" in listed and "Darcy" in listed and "%" in listed
    assert "▰" in listed or "▱" in listed

    harness.command(f"story show {thread_id}")
    answer = harness.fake.state.responses[-1]
    blocks = answer["blocks"]
    assert blocks[0]["type"] == "header" and "Darcy" in blocks[0]["text"]["text"]
    facts = " ".join(f["text"] for f in blocks[1]["fields"])
    assert "*Stage*" in facts and "*Tension*" in facts and "%" in facts
    assert "▰" in facts or "▱" in facts
    events = next(b for b in blocks if b.get("block_id") == "key_events")["text"]["text"]
    positions = [events.index(insult[:30]) for insult in INSULTS]
    assert positions == sorted(positions)
    assert next(b for b in blocks if b.get("block_id") == "predictions")
    assert "Darcy" in answer["text"]  # the plain-text fallback


def test_a_story_is_exported_as_markdown_and_html_files(harness: SlackHarness) -> None:
    thread_id = _feud(harness)
    harness.command(f"story export {thread_id}", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    assert not harness.fake.called("files.getUploadURLExternal")
    harness.command(f"story export {thread_id}", user=ADMIN)
    assert harness.last_response().startswith("Exported “")
    assert "Markdown and HTML" in harness.last_response()
    steps = [c.method for c in harness.fake.calls if c.method.startswith("files.")]
    assert steps == ["files.getUploadURLExternal", "files.getUploadURLExternal",
                     "files.completeUploadExternal"]
    files = {f.filename.rsplit(".", 1)[1]: f for f in harness.fake.state.files.values()}
    assert set(files) == {"md", "html"}
    assert all(f.channel == CHANNEL for f in files.values())
    markdown = files["md"].data.decode()
    positions = [markdown.index(insult[:40]) for insult in INSULTS]
    assert positions == sorted(positions) and "## Cast" in markdown
    assert "<h2>Cast</h2>" in files["html"].data.decode()
    harness.command(f"story export {thread_id} html", user=ADMIN)
    assert harness.last_response().endswith("as HTML.")


def test_bad_story_commands_get_the_usage_or_a_clear_line(harness: SlackHarness) -> None:
    harness.command("story dance")
    assert harness.last_response().startswith("Usage: `/personae story list`")
    harness.command("story show 999")
    assert "no story thread 999" in harness.last_response()
    harness.command("story show abc")
    assert "`abc` is not a story id" in harness.last_response()
    harness.command("story export 1 pdf", user=ADMIN)
    assert "Export as `md` or `html`, not `pdf`" in harness.last_response()
    harness.command("help")
    assert "story show ID" in harness.last_response() and "scenario direct" in \
        harness.last_response()
