"""``/story`` and ``/scenario`` through the real discord.py against the fake Discord REST API.

A scenario created through its form (the channel's cast by default), started, its status
without the hidden objectives for members, a directed event witnessed by exactly the characters
present, members refused with nothing changed, the bundled "The Garden Conspiracy" started by
name, share and install by code; a story grown from insults, its dashboard (tension bar, key
events) and its export as a file holding the dialogue in order. Every interaction is
acknowledged within the fake's 3 seconds. SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.adapters.sql.tables import events, memories
from engine.cards import load_card_file
from engine.content import bundled_cast
from engine.messages import IncomingMessage
from engine.scenarios.model import ScenarioStatus
from engine.services import scenarios, setup
from engine.services.ingest import ingest
from engine.services.stories import detect_stories, list_threads
from engine.stories.model import SeedType
from tests.bots.discord_interactions import (
    MANAGE_GUILD,
    CommandBot,
    command_bot,
    first_text_input_ids,
    is_ephemeral,
    opt,
    run,
)
from tests.fakes.discord_api import FakeDiscord
from workers.bootstrap import Container

CARDS = {load_card_file(p).name: p for p in bundled_cast()}
MARY = "770000000000000077"
ELSEWHERE = "990000000000000099"  # a channel of the server the scene is not in
HERE = ("Elizabeth Bennet", "Lydia Bennet", "Jane Bennet")
OBJECTIVES = ('primary: The storm drives them indoors | directed "storm"\n'
              "\n"
              "hidden: Lydia tells Elizabeth her secret | act Lydia confide Elizabeth")
INSULTS = (
    "Darcy, you are a proud, disagreeable, hateful man.",
    "Darcy, you are the rudest, most insufferable person alive.",
    "Darcy, you are cruel and stupid and everyone despises you.",
    "Darcy, you are a vile, arrogant, contemptible fool.",
)


@pytest.fixture
def backend() -> str:
    return "embedded"


def _eco(container: Container, fake: FakeDiscord) -> int:
    ecosystem, _ = setup.open_space(container.deps, "discord", fake.guild_id, [])
    return ecosystem.id


def _seed(container: Container, fake: FakeDiscord, names: tuple[str, ...],
          channel: str) -> None:
    ecosystem, chans = setup.open_space(container.deps, "discord", fake.guild_id, [channel])
    setup.import_characters(container.deps, ecosystem.id,
                            [load_card_file(CARDS[n]) for n in names], [c.id for c in chans])


def _cast(container: Container, fake: FakeDiscord) -> None:
    """Elizabeth, Lydia and Jane live in the fake's channel; Darcy elsewhere."""
    _seed(container, fake, HERE, fake.channel_id)
    _seed(container, fake, ("Fitzwilliam Darcy",), ELSEWHERE)


def _scenarios(container: Container, fake: FakeDiscord) -> list[Any]:
    return scenarios.list_scenarios(container.deps, _eco(container, fake))


def _session(container: Container, fake: FakeDiscord,
             body: Callable[[CommandBot], Any]) -> None:
    async def main() -> None:
        async with command_bot(container, fake) as cb:
            await body(cb)
            assert cb.all_acknowledged_in_time()

    run(main())


async def _create(cb: CommandBot, *, title: str = "The Locket", cast: str = "",
                  objectives: str = OBJECTIVES) -> dict[str, Any]:
    """/scenario create through its form, as a director; returns the submission."""
    create = cb.command("scenario create", permissions=MANAGE_GUILD)
    await cb.invoke(create)
    form = cb.modal(create)
    assert first_text_input_ids(form) == [f"personae-scenario-{k}" for k in
                                          ("title", "setting", "mood", "cast", "objectives")]
    submitted = cb.submit(form["custom_id"], {
        "personae-scenario-title": title,
        "personae-scenario-setting": "Longbourn, a warm afternoon.",
        "personae-scenario-mood": "hushed", "personae-scenario-cast": cast,
        "personae-scenario-objectives": objectives}, permissions=MANAGE_GUILD)
    await cb.invoke(submitted)
    return submitted


# -- the command tree --------------------------------------------------------------------------


def test_story_and_scenario_commands_sync_with_valid_options(
        container: Container, fake_discord: FakeDiscord) -> None:
    _session(container, fake_discord, lambda cb: cb.bot.tree.sync())
    commands = {c["name"]: c for c in fake_discord.commands()}
    assert {"story", "scenario"} <= set(commands)
    subs = {name: {o["name"]: o for o in commands[name]["options"] if o["type"] == 1}
            for name in ("story", "scenario")}
    assert sorted(subs["story"]) == ["export", "list", "show"]
    assert sorted(subs["scenario"]) == ["create", "direct", "export", "install", "pause",
                                        "resume", "share", "start", "status", "stop",
                                        "templates"]
    for name, group in subs.items():
        for sub, option in group.items():
            assert 1 <= len(option["description"]) <= 100, (name, sub)
            for o in option.get("options", []):
                assert o["name"].islower() and 1 <= len(o["description"]) <= 100, (sub, o)
    show = {o["name"]: o for o in subs["story"]["show"]["options"]}
    assert show["story"]["autocomplete"] is True and show["story"]["required"] is True
    export = {o["name"]: o for o in subs["story"]["export"]["options"]}
    assert [c["value"] for c in export["format"]["choices"]] == ["md", "html"]
    assert export["story"]["autocomplete"] is True
    direct = {o["name"]: o for o in subs["scenario"]["direct"]["options"]}
    assert direct["event"]["required"] is True and direct["event"]["max_length"] == 1000
    assert direct["scenario"]["autocomplete"] is True and not direct["scenario"].get("required")
    assert all(c.get("dm_permission") is not True for c in
               (commands["story"], commands["scenario"]))


# -- scenarios ---------------------------------------------------------------------------------


def test_create_through_the_form_then_start(container: Container,
                                           fake_discord: FakeDiscord) -> None:
    _cast(container, fake_discord)

    async def body(cb: CommandBot) -> None:
        submitted = await _create(cb)
        shown = cb.text(submitted)
        assert "Created **The Locket** (a draft)" in shown
        assert all(name in shown for name in HERE) and "Darcy" not in shown  # this channel's
        assert "Lydia tells Elizabeth her secret" in shown  # the director sees the hidden one
        assert is_ephemeral(cb.answer(submitted))

        start = cb.command("scenario start", permissions=MANAGE_GUILD)
        await cb.invoke(start)
        assert "Started **The Locket**" in cb.text(start)
        again = cb.command("scenario start", [opt("scenario", "The Locket")],
                           permissions=MANAGE_GUILD)
        await cb.invoke(again)
        assert cb.text(again) == "Scenario 'The Locket' is running; it cannot start."
        assert is_ephemeral(cb.answer(again))

        bad = await _create(cb, title="Broken",
                            objectives="hidden: Lydia hides | act Lydia sulk Jane")
        assert cb.text(bad) == ("Objective line 1: Objective condition 'act Lydia sulk Jane': "
                                "unknown act 'sulk'.")
        named = await _create(cb, title="Terrace", cast="lydia, Darcy",
                              objectives="act Darcy threaten Lydia")
        assert "Created **Terrace** (a draft)" in cb.text(named)
        nobody = await _create(cb, title="Nobody", cast="Napoleon")
        assert cb.text(nobody).startswith("Not characters of this community: Napoleon.")

    _session(container, fake_discord, body)
    locket, terrace = _scenarios(container, fake_discord)
    assert locket.status is ScenarioStatus.RUNNING and locket.title == "The Locket"
    assert [c.name for c in locket.cast] == list(HERE)  # the channel's cast
    assert [(o.kind.value, o.condition) for o in locket.objectives] == [
        ("primary", 'directed "storm"'), ("hidden", "act Lydia confide Elizabeth")]
    assert [c.name for c in terrace.cast] == ["Lydia Bennet", "Fitzwilliam Darcy"]
    assert terrace.status is ScenarioStatus.DRAFT
    with container.database.engine.connect() as conn:  # the setting was narrated at the start
        opening = conn.execute(select(events.c.text).where(
            events.c.text.startswith("The Locket."))).scalars().all()
    assert opening == ["The Locket. Longbourn, a warm afternoon. (hushed)"]


def test_a_member_without_permission_is_refused_and_nothing_changes(
        container: Container, fake_discord: FakeDiscord) -> None:
    _cast(container, fake_discord)
    eco = _eco(container, fake_discord)
    draft = scenarios.create(container.deps, eco, {"title": "Quiet", "cast": list(HERE)},
                             channel_id=None)
    with container.database.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(events)).scalar_one()

    async def body(cb: CommandBot) -> None:
        for command in (
            cb.command("scenario create"),
            cb.command("scenario start", [opt("scenario", "Quiet")]),
            cb.command("scenario start", [opt("scenario", "The Garden Conspiracy")]),
            cb.command("scenario direct", [opt("event", "A storm breaks.")]),
            cb.command("scenario stop"),
            cb.command("scenario share"),
            cb.command("scenario install", [opt("code", "ABCD-2345")]),
            cb.command("scenario templates"),
        ):
            await cb.invoke(command)
            [answer] = [m for m in cb.fake.posted() if m.interaction_id == command["id"]]
            assert is_ephemeral(answer)
            assert answer.content.startswith("Only directors"), answer.content
            assert "Nothing was changed" in answer.content
        status = cb.command("scenario status")  # looking is open to everyone
        await cb.invoke(status)
        assert "Quiet" in cb.text(status) and "draft" in cb.text(status)

    _session(container, fake_discord, body)
    [still] = _scenarios(container, fake_discord)
    assert still.id == draft.id and still.status is ScenarioStatus.DRAFT
    assert scenarios.templates(container.deps) == []
    with container.database.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar_one() == before


def test_a_directed_event_is_witnessed_by_exactly_the_present_cast(
        container: Container, fake_discord: FakeDiscord) -> None:
    _cast(container, fake_discord)

    async def body(cb: CommandBot) -> None:
        await _create(cb)
        await cb.invoke(cb.command("scenario start", permissions=MANAGE_GUILD))
        direct = cb.command("scenario direct", [opt("event", "A storm breaks over the garden.")],
                            permissions=MANAGE_GUILD)
        await cb.invoke(direct)
        shown = cb.text(direct)
        assert shown.startswith("*A storm breaks over the garden.*\nWitnessed by ")
        assert all(name in shown for name in HERE) and "Darcy" not in shown
        assert "Objective complete: The storm drives them indoors" in shown
        assert is_ephemeral(cb.answer(direct))

        paused = cb.command("scenario pause", permissions=MANAGE_GUILD)
        await cb.invoke(paused)
        assert cb.text(paused) == "**The Locket** is paused."
        refused = cb.command("scenario direct", [opt("event", "Thunder.")],
                             permissions=MANAGE_GUILD)
        await cb.invoke(refused)
        assert cb.text(refused) == ("Scenario 'The Locket' is paused; direct it while it "
                                    "runs.")
        resumed = cb.command("scenario resume", permissions=MANAGE_GUILD)
        await cb.invoke(resumed)
        assert cb.text(resumed) == "**The Locket** is running."

        # The whole scenario as a file: the storm opens a chapter; anyone may export.
        exported = cb.command("scenario export", [opt("format", "md")])
        await cb.invoke(exported)
        answer = cb.answer(exported)
        assert is_ephemeral(answer) and "as a story (Markdown)" in answer.content
        [(name, data)] = answer.uploads.items()
        text = data.decode()
        assert name.endswith(".md") and text.startswith("# The Locket")
        assert "A storm breaks over the garden." in text and "Thunder." not in text

    _session(container, fake_discord, body)
    deps, eco = container.deps, _eco(container, fake_discord)
    with container.database.engine.connect() as conn:
        owners = set(conn.execute(select(memories.c.owner_id).where(
            memories.c.text.contains("A storm breaks over the garden"))).scalars())
        directed = conn.execute(select(func.count()).select_from(events).where(
            events.c.text == "A storm breaks over the garden.")).scalar_one()
        thunder = conn.execute(select(func.count()).select_from(events).where(
            events.c.text == "Thunder.")).scalar_one()
    assert owners == {setup.find_character(deps, eco, n).id for n in HERE}
    assert directed == 1 and thunder == 0


def test_status_hides_hidden_objectives_from_members(container: Container,
                                                     fake_discord: FakeDiscord) -> None:
    _cast(container, fake_discord)

    async def body(cb: CommandBot) -> None:
        await _create(cb)
        member = cb.command("scenario status", user_id=MARY)
        await cb.invoke(member)
        seen = cb.text(member)
        assert "The storm drives them indoors" in seen
        assert "Lydia tells Elizabeth" not in seen and "hidden" not in seen
        assert is_ephemeral(cb.answer(member))
        director = cb.command("scenario status", [opt("scenario", "The Locket")],
                              permissions=MANAGE_GUILD)
        await cb.invoke(director)
        assert "Lydia tells Elizabeth her secret" in cb.text(director)
        assert f"<#{fake_discord.channel_id}>" in cb.text(director)  # where it plays

    _session(container, fake_discord, body)


def test_bundled_scenario_started_by_name_then_shared_and_installed(
        container: Container, fake_discord: FakeDiscord) -> None:
    cast = ("Elizabeth Bennet", "Lydia Bennet", "Jane Bennet", "Fitzwilliam Darcy",
            "William Collins", "Charles Bingley")
    _seed(container, fake_discord, cast, fake_discord.channel_id)

    async def body(cb: CommandBot) -> None:
        typed = cb.command("scenario start", [opt("scenario", "garden", focused=True)],
                           permissions=MANAGE_GUILD, autocomplete=True)
        await cb.invoke(typed)
        [callback] = cb.callbacks(typed)
        assert callback["data"]["choices"] == [
            {"name": "The Garden Conspiracy (bundled)", "value": "The Garden Conspiracy"}]
        start = cb.command("scenario start", [opt("scenario", "The Garden Conspiracy")],
                           permissions=MANAGE_GUILD)
        await cb.invoke(start)
        assert "Created and started **The Garden Conspiracy**" in cb.text(start)

        share = cb.command("scenario share", permissions=MANAGE_GUILD)
        await cb.invoke(share)
        code = cb.text(share).split("`")[1]
        install = cb.command("scenario install", [opt("code", code.lower())],
                             permissions=MANAGE_GUILD)
        await cb.invoke(install)
        assert "Installed **The Garden Conspiracy** (a draft)" in cb.text(install)
        listed = cb.command("scenario templates", permissions=MANAGE_GUILD)
        await cb.invoke(listed)
        assert code in cb.text(listed)
        unknown = cb.command("scenario install", [opt("code", "NOPE-NOPE")],
                             permissions=MANAGE_GUILD)
        await cb.invoke(unknown)
        assert cb.text(unknown) == "No scenario template with code 'NOPE-NOPE'."

    _session(container, fake_discord, body)
    every = _scenarios(container, fake_discord)
    assert [(s.slug, s.status) for s in every] == [
        ("garden-conspiracy", ScenarioStatus.RUNNING), ("garden-conspiracy", ScenarioStatus.DRAFT)]


# -- stories -----------------------------------------------------------------------------------


def _feud(container: Container, fake: FakeDiscord) -> int:
    """Mary insults Darcy, harder each time, in the fake's channel: a feud thread."""
    _seed(container, fake, ("Fitzwilliam Darcy",), fake.channel_id)
    for n, text in enumerate(("Good evening, Mr. Darcy.", *INSULTS)):
        ingest(container.deps, IncomingMessage(
            platform="discord", space_id=fake.guild_id, channel_id=fake.channel_id,
            author_id=MARY, author_name="Mary King", text=text, message_id=f"m{n}"))
    eco = _eco(container, fake)
    detect_stories(container.deps, eco, force=True)
    [thread] = [t for t in list_threads(container.deps, eco)
                if t.seed_type is SeedType.ESCALATING_CONFLICT]
    return int(thread.id or 0)


def test_story_list_show_dashboard_with_tension_bar_and_key_events(
        container: Container, fake_discord: FakeDiscord) -> None:
    async def body(cb: CommandBot) -> None:
        listed = cb.command("story list")
        await cb.invoke(listed)
        assert "No stories yet" in cb.text(listed)
        missing = cb.command("story show", [opt("story", "Anything")])
        await cb.invoke(missing)
        assert cb.text(missing).startswith("No stories here yet")
        assert is_ephemeral(cb.answer(missing))

        thread_id = _feud(container, fake_discord)
        listed = cb.command("story list", user_id=MARY)
        await cb.invoke(listed)
        shown = cb.text(listed)
        assert "Stories (" in shown and "Darcy" in shown and "%" in shown

        typed = cb.command("story show", [opt("story", "darcy", focused=True)],
                           autocomplete=True)
        await cb.invoke(typed)
        choices = cb.callbacks(typed)[0]["data"]["choices"]
        assert str(thread_id) in [c["value"] for c in choices]

        dashboard = cb.command("story show", [opt("story", str(thread_id))], user_id=MARY)
        await cb.invoke(dashboard)
        [embed] = cb.answer(dashboard).embeds
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert "Darcy" in embed["title"]
        assert "█" in fields["Tension"] and "%" in fields["Tension"]
        assert fields["Stage"].split()[-1] in ("seed", "developing", "climax")
        assert "Mary King" in fields["Participants"] and "Darcy" in fields["Participants"]
        key = fields["Key events"].splitlines()
        assert len(key) == len(INSULTS) and all("insults" in line for line in key)
        assert [INSULTS.index(next(i for i in INSULTS if i[:30] in line)) for line in key] == [
            0, 1, 2, 3]
        assert "What may happen next" in fields
        by_title = cb.command("story show", [opt("story", embed["title"][:12])])
        await cb.invoke(by_title)
        assert cb.answer(by_title).embeds[0]["title"] == embed["title"]

    _session(container, fake_discord, body)


def test_story_export_is_a_file_with_the_dialogue_in_order(
        container: Container, fake_discord: FakeDiscord) -> None:
    thread_id = _feud(container, fake_discord)

    async def body(cb: CommandBot) -> None:
        md = cb.command("story export", [opt("story", str(thread_id))], user_id=MARY)
        await cb.invoke(md)
        answer = cb.answer(md)
        assert is_ephemeral(answer) and "as a story (Markdown)" in answer.content
        [(name, data)] = answer.uploads.items()
        assert name.endswith(".md") and "darcy" in name
        text = data.decode()
        assert text.startswith("# ") and "## Cast" in text
        positions = [text.index(insult[:30]) for insult in INSULTS]
        assert positions == sorted(positions)

        html = cb.command("story export", [opt("story", str(thread_id)), opt("format", "html")])
        await cb.invoke(html)
        [(name, data)] = cb.answer(html).uploads.items()
        assert name.endswith(".html") and b"<h2>Cast</h2>" in data
        body_html = data.decode()
        assert [body_html.index(i[:30]) for i in INSULTS] == sorted(
            body_html.index(i[:30]) for i in INSULTS)

    _session(container, fake_discord, body)
