"""The slash commands, through the real discord.py against the fake Discord REST API.

Each test injects the interactions a member's client would send (commands, autocomplete,
modal submissions, button and select clicks) and checks what the member sees and what the
engine stored. The fake refuses an acknowledgement later than 3 seconds: every test ends by
checking each interaction was acknowledged once, in time. SQLite unless said otherwise (one
scenario runs on PostgreSQL).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.adapters.sql.tables import events
from engine.cards import export_card, load_card_file
from engine.content import bundled_cast
from engine.messages import IncomingMessage
from engine.services import setup
from engine.services.ingest import ingest
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
_NAME = re.compile(r"^[-_\w]{1,32}$")


@pytest.fixture
def backend() -> str:
    """SQLite for the command tests (the engine services are tested on both backends)."""
    return "embedded"


def _eco(container: Container, fake: FakeDiscord) -> int:
    ecosystem, _ = setup.open_space(container.deps, "discord", fake.guild_id, [])
    return ecosystem.id


def _names(container: Container, fake: FakeDiscord) -> list[str]:
    return [c.name for c in setup.list_characters(container.deps, _eco(container, fake))]


def _seed(container: Container, fake: FakeDiscord, *names: str, channel: str | None = None
          ) -> None:
    """Bundled characters, moved into ``channel`` (a Discord channel id) if given."""
    deps = container.deps
    ecosystem, chans = setup.open_space(deps, "discord", fake.guild_id,
                                        [channel] if channel else [])
    ids = setup.import_characters(deps, ecosystem.id, [load_card_file(CARDS[n]) for n in names],
                                  [c.id for c in chans])
    assert len(ids) == len(names)


def _say(container: Container, fake: FakeDiscord, text: str, n: int, *,
         author: str = MARY, name: str = "Mary King") -> None:
    ingest(container.deps, IncomingMessage(
        platform="discord", space_id=fake.guild_id, channel_id=fake.channel_id,
        author_id=author, author_name=name, text=text, message_id=f"m{n}"))


def _scenario(container: Container, fake: FakeDiscord,
              body: Callable[[CommandBot], Any], **kwargs: Any) -> None:
    async def main() -> None:
        async with command_bot(container, fake, **kwargs) as cb:
            await body(cb)
            assert cb.all_acknowledged_in_time()

    run(main())


# -- the command tree ----------------------------------------------------------------------------


def _walk(options: list[dict[str, Any]], path: str) -> list[str]:
    problems = []
    for option in options:
        where = f"{path} {option['name']}"
        if not _NAME.match(option["name"]) or option["name"] != option["name"].lower():
            problems.append(f"{where}: bad name")
        if not 1 <= len(option.get("description", "")) <= 100:
            problems.append(f"{where}: description of {len(option.get('description', ''))}")
        if option["type"] in (1, 2):
            problems += _walk(option.get("options", []), where)
    return problems


def test_command_tree_syncs_to_the_fake(container: Container, fake_discord: FakeDiscord) -> None:
    async def body(cb: CommandBot) -> None:
        synced = await cb.bot.tree.sync()  # again: the same set, the same ids
        assert sorted(c.name for c in synced) == sorted(c["name"] for c in
                                                        fake_discord.commands())

    _scenario(container, fake_discord, body)
    commands = {c["name"]: c for c in fake_discord.commands()}
    assert set(commands) == {"personae", "character", "cast", "autonomy", "relationships",
                             "observatory", "memory", "forget-me", "story", "scenario",
                             "marketplace", "subscribe", "billing", "enterprise"}
    subcommands = {name: sorted(o["name"] for o in c["options"] if o["type"] == 1)
                   for name, c in commands.items()}
    assert subcommands["character"] == ["avatar", "create", "delete", "edit", "import", "info",
                                        "list"]
    assert subcommands["cast"] == ["add", "list", "remove"]
    assert subcommands["autonomy"] == ["announcements", "level", "pace", "quiet-hours",
                                       "quiet-hours-off", "show"]
    assert subcommands["relationships"] == ["graph", "story"]
    assert subcommands["memory"] == ["knowledge", "search", "show", "top"]
    assert subcommands["personae"] == ["setup"]
    problems = [p for name, c in commands.items() for p in _walk(c["options"], name)]
    assert problems == []
    assert commands["personae"]["default_member_permissions"] == MANAGE_GUILD
    assert all(c.get("contexts") in (None, [0]) and c.get("dm_permission") is not True
               for c in commands.values())  # server-only
    info = next(o for o in commands["character"]["options"] if o["name"] == "info")
    assert info["options"][0]["autocomplete"] is True
    card = next(o for o in next(o for o in commands["character"]["options"]
                                if o["name"] == "import")["options"] if o["name"] == "card")
    assert card["type"] == 11  # an attachment


# -- characters ----------------------------------------------------------------------------------


def test_create_through_the_form_then_edit_and_delete(container: Container,
                                                      fake_discord: FakeDiscord) -> None:
    async def body(cb: CommandBot) -> None:
        create = cb.command("character create", [opt("here", True)], permissions=MANAGE_GUILD)
        await cb.invoke(create)
        form = cb.modal(create)
        inputs = first_text_input_ids(form)
        assert inputs == [f"personae-character-{k}" for k in
                          ("name", "description", "personality", "first_mes", "scenario")]
        submitted = cb.submit(form["custom_id"], {
            "personae-character-name": "Ada Lovelace",
            "personae-character-description": "A mathematician who dreams of engines.",
            "personae-character-personality": "", "personae-character-first_mes": "Hello!",
            "personae-character-scenario": ""}, permissions=MANAGE_GUILD)
        await cb.invoke(submitted)
        shown = cb.text(submitted)
        assert "Created **Ada Lovelace**" in shown and "AI persona" in shown
        assert f"<#{fake_discord.channel_id}>" in shown  # lives here
        assert is_ephemeral(cb.answer(submitted))

        edit = cb.command("character edit", [opt("character", "Ada")], permissions=MANAGE_GUILD)
        await cb.invoke(edit)
        form = cb.modal(edit)
        defaults = {c["custom_id"]: c.get("value") for row in form["components"]
                    for c in row["components"]}
        assert defaults["personae-character-first_mes"] == "Hello!"
        saved = cb.submit(form["custom_id"], {**{k: v or "" for k, v in defaults.items()},
                                              "personae-character-personality": "Brilliant."},
                          permissions=MANAGE_GUILD)
        await cb.invoke(saved)
        assert "Saved **Ada Lovelace**" in cb.text(saved) and "Brilliant." in cb.text(saved)

        delete = cb.command("character delete", [opt("character", "Ada Lovelace")],
                            permissions=MANAGE_GUILD)
        await cb.invoke(delete)
        assert "cannot be undone" in cb.text(delete)
        confirm, _cancel = cb.custom_ids(delete)
        await cb.invoke(cb.click(cb.answer(delete), confirm))
        assert cb.text(delete) == "Deleted **Ada Lovelace**."
        assert cb.answer(delete).components == []

    _scenario(container, fake_discord, body)
    assert _names(container, fake_discord) == []


def test_a_second_character_of_the_same_name_is_refused_clearly(
        container: Container, fake_discord: FakeDiscord) -> None:
    _seed(container, fake_discord, "Jane Bennet")

    async def body(cb: CommandBot) -> None:
        create = cb.command("character create", permissions=MANAGE_GUILD)
        await cb.invoke(create)
        submitted = cb.submit(cb.modal(create)["custom_id"], {
            "personae-character-name": "jane bennet",
            "personae-character-description": "Another Jane."}, permissions=MANAGE_GUILD)
        await cb.invoke(submitted)
        assert "A character named 'jane bennet' already lives here" in cb.text(submitted)
        assert is_ephemeral(cb.answer(submitted))

    _scenario(container, fake_discord, body)
    assert _names(container, fake_discord) == ["Jane Bennet"]


def _card(name: str = "William Collins", **personae: Any) -> bytes:
    card = export_card(load_card_file(CARDS[name]))
    card["data"]["extensions"]["personae"].update(personae)
    return json.dumps(card).encode()


def test_import_a_card_attachment(container: Container, fake_discord: FakeDiscord) -> None:
    async def body(cb: CommandBot) -> None:
        attachment = cb.cdn.serve("mary.json", _card("Charles Bingley"))
        command = cb.command("character import", [opt("card", attachment["id"], 11)],
                             resolved={"attachments": {attachment["id"]: attachment}},
                             permissions=MANAGE_GUILD)
        await cb.invoke(command)
        shown = cb.text(command)
        assert "Imported **Charles Bingley** from `mary.json`" in shown
        assert "AI persona" in shown
        assert cb.cdn.downloads == {"mary.json": 1}

    _scenario(container, fake_discord, body)
    assert _names(container, fake_discord) == ["Charles Bingley"]


def test_a_10_mb_card_is_refused_before_it_is_downloaded(container: Container,
                                                          fake_discord: FakeDiscord) -> None:
    async def body(cb: CommandBot) -> None:
        attachment = cb.cdn.serve("huge.json", b"{}", size=10 * 1024 * 1024)
        command = cb.command("character import", [opt("card", attachment["id"], 11)],
                             resolved={"attachments": {attachment["id"]: attachment}},
                             permissions=MANAGE_GUILD)
        await cb.invoke(command)
        [answer] = [m for m in cb.fake.posted() if m.interaction_id == command["id"]]
        assert is_ephemeral(answer)
        assert "10,485,760 bytes; cards are at most 2,097,152 bytes (2 MB)" in answer.content
        assert cb.cdn.downloads == {}  # never downloaded

    _scenario(container, fake_discord, body)
    assert _names(container, fake_discord) == []


def test_a_card_with_a_broken_field_is_refused_naming_it(container: Container,
                                                         fake_discord: FakeDiscord) -> None:
    async def body(cb: CommandBot) -> None:
        attachment = cb.cdn.serve("broken.json", _card(talkativeness="very"))
        command = cb.command("character import", [opt("card", attachment["id"], 11)],
                             resolved={"attachments": {attachment["id"]: attachment}},
                             permissions=MANAGE_GUILD)
        await cb.invoke(command)
        shown = cb.text(command)
        assert ("Invalid character card: field 'data.extensions.personae.talkativeness' must "
                "be a number from 0 to 1, not a string") in shown
        assert "Traceback" not in shown and is_ephemeral(cb.answer(command))

    _scenario(container, fake_discord, body)
    assert _names(container, fake_discord) == []


def test_autocomplete_offers_matching_names(container: Container,
                                            fake_discord: FakeDiscord) -> None:
    _seed(container, fake_discord, "Elizabeth Bennet", "Jane Bennet", "Fitzwilliam Darcy")

    async def body(cb: CommandBot) -> None:
        typed = cb.command("character info", [opt("character", "ben", focused=True)],
                           autocomplete=True)
        await cb.invoke(typed)
        [callback] = cb.callbacks(typed)
        assert callback["type"] == 8
        assert [c["name"] for c in callback["data"]["choices"]] == [
            "Elizabeth Bennet", "Jane Bennet"]
        nothing = cb.command("cast add", [opt("character", "", focused=True)], autocomplete=True)
        await cb.invoke(nothing)
        assert len(cb.callbacks(nothing)[0]["data"]["choices"]) == 3

        info = cb.command("character info", [opt("character", "Darcy")])
        await cb.invoke(info)
        shown = cb.text(info)
        assert "Fitzwilliam Darcy" in shown and "AI persona" in shown
        unknown = cb.command("character info", [opt("character", "Napoleon")])
        await cb.invoke(unknown)
        assert cb.text(unknown).startswith("No character named 'Napoleon'")

        listed = cb.command("character list")
        await cb.invoke(listed)
        assert "Characters (3)" in cb.text(listed)

        avatar = cb.command("character avatar", [opt("character", "Jane"),
                                                 opt("url", "https://img.example/jane.png")],
                            permissions=MANAGE_GUILD)
        await cb.invoke(avatar)
        [embed] = cb.answer(avatar).embeds
        assert embed["thumbnail"]["url"] == "https://img.example/jane.png"
        bad = cb.command("character avatar", [opt("character", "Jane"), opt("url", "jane.png")],
                         permissions=MANAGE_GUILD)
        await cb.invoke(bad)
        assert "field 'avatar_url' must be an http(s) URL" in cb.text(bad)

    _scenario(container, fake_discord, body)


# -- permissions ---------------------------------------------------------------------------------


def test_a_member_without_permission_is_refused_and_nothing_changes(
        container: Container, fake_discord: FakeDiscord) -> None:
    _seed(container, fake_discord, "Lydia Bennet")

    async def body(cb: CommandBot) -> None:
        for command in (
            cb.command("cast add", [opt("character", "Lydia Bennet")]),
            cb.command("autonomy level", [opt("character", "Lydia Bennet"), opt("level", 0)]),
            cb.command("character create"),
            cb.command("personae setup"),
        ):
            await cb.invoke(command)
            [answer] = [m for m in cb.fake.posted() if m.interaction_id == command["id"]]
            assert is_ephemeral(answer)
            assert answer.content.startswith("Only "), answer.content
            assert "Nothing was changed" in answer.content
        list_ = cb.command("cast list")
        await cb.invoke(list_)
        assert "Nobody lives here yet" in cb.text(list_)

    _scenario(container, fake_discord, body)
    lydia = setup.find_character(container.deps, _eco(container, fake_discord), "Lydia Bennet")
    assert lydia.persona.autonomy_level == load_card_file(
        CARDS["Lydia Bennet"]).persona.autonomy_level  # unchanged


def test_the_director_role_grants_directing(container: Container,
                                           fake_discord: FakeDiscord) -> None:
    _seed(container, fake_discord, "Lydia Bennet", "Jane Bennet")
    stage, director = "5550001", "5550002"

    async def body(cb: CommandBot) -> None:
        # By name, before setup chose one: the default "Director" role.
        by_name = cb.command("cast add", [opt("character", "Lydia Bennet")], roles=[director])
        await cb.invoke(by_name)
        assert "**Lydia Bennet** now lives in" in cb.text(by_name)
        # An admin chooses another role: the default one stops counting.
        chosen = cb.command("personae setup", [opt("director_role", stage, 8)],
                            resolved={"roles": {stage: {
                                "id": stage, "name": "Stage managers", "color": 0,
                                "hoist": False, "position": 1, "permissions": "0",
                                "managed": False, "mentionable": False}}},
                            permissions=MANAGE_GUILD)
        await cb.invoke(chosen)
        assert f"<@&{stage}>" in cb.text(chosen)
        refused = cb.command("cast add", [opt("character", "Jane Bennet")], roles=[director])
        await cb.invoke(refused)
        assert cb.text(refused).startswith("Only directors")
        assert "'Stage managers' role" in cb.text(refused)
        allowed = cb.command("cast add", [opt("character", "Jane Bennet")], roles=[stage])
        await cb.invoke(allowed)
        assert "**Jane Bennet** now lives in" in cb.text(allowed)
        # Setting up stays the admins' (it decides who directs).
        setup_ = cb.command("personae setup", roles=[stage])
        await cb.invoke(setup_)
        assert cb.text(setup_).startswith("Only server admins")

    _scenario(container, fake_discord, body,
              roles={director: "Director", stage: "Stage managers"})


# -- setup ---------------------------------------------------------------------------------------


def test_setup_picks_channels_role_and_admin_channel(container: Container,
                                                     fake_discord: FakeDiscord) -> None:
    garden = fake_discord.add_channel("garden")
    admins = fake_discord.add_channel("admins")
    eco = _eco(container, fake_discord)
    ecosystem, (blocked,) = setup.open_space(container.deps, "discord", fake_discord.guild_id,
                                             [garden])
    with container.deps.uow() as uow:
        uow.spaces.update_channel_settings(blocked.id, {"delivery_blocked": True})
        uow.commit()

    async def body(cb: CommandBot) -> None:
        command = cb.command("personae setup", [opt("admin_channel", admins, 7)],
                             resolved=cb.channel_resolved(admins), permissions=MANAGE_GUILD)
        await cb.invoke(command)
        shown = cb.text(command)
        assert f"<#{admins}>" in shown and "'Director' role" in shown
        assert f"<#{fake_discord.channel_id}>" not in shown  # no cast channel yet
        assert f"Delivery resumed in\n<#{garden}>" in shown
        [select] = cb.custom_ids(command)
        picked = cb.click(cb.answer(command), select, component_type=8,
                          values=[fake_discord.channel_id, garden],
                          resolved=cb.channel_resolved(fake_discord.channel_id, garden),
                          permissions=MANAGE_GUILD)
        await cb.invoke(picked)
        assert [c["type"] for c in cb.callbacks(picked)] == [6]  # acknowledged at once
        picked_channels = cb.text(command).split("Cast channels\n")[1].split("\nDirectors")[0]
        assert sorted(picked_channels.split("\n")) == sorted(
            [f"<#{fake_discord.channel_id}>", f"<#{garden}>"])
        assert cb.answer(command).components == []
        again = cb.command("personae setup", permissions=MANAGE_GUILD)
        await cb.invoke(again)  # the picker starts from the current cast channels
        [row] = cb.answer(again).components
        assert sorted(str(v["id"]) for v in row["components"][0]["default_values"]) == sorted(
            [fake_discord.channel_id, garden])
        assert f"<#{admins}>" in cb.text(again)  # left out: kept

    _scenario(container, fake_discord, body)
    with container.deps.uow() as uow:
        ecosystem = uow.spaces.get_ecosystem(eco)
        channels = {c.external_id: c for c in uow.spaces.list_channels(eco)}
    assert ecosystem is not None and ecosystem.settings["admin_channel_id"] == admins
    assert "delivery_blocked" not in channels[garden].settings
    assert channels[garden].settings["cast_channel"] is True
    assert channels[fake_discord.channel_id].settings["cast_channel"] is True
    assert channels[fake_discord.channel_id].name == "general"


# -- cast, autonomy ------------------------------------------------------------------------------


def test_cast_add_then_list_and_autonomy(container: Container,
                                         fake_discord: FakeDiscord) -> None:
    _seed(container, fake_discord, "Elizabeth Bennet", "Fitzwilliam Darcy")

    async def body(cb: CommandBot) -> None:
        for name in ("Elizabeth", "Fitzwilliam Darcy"):
            add = cb.command("cast add", [opt("character", name)], permissions=MANAGE_GUILD)
            await cb.invoke(add)
            assert "now lives in" in cb.text(add)
        listed = cb.command("cast list")
        await cb.invoke(listed)
        shown = cb.text(listed)
        assert f"Living in <#{fake_discord.channel_id}> (2)" in shown
        assert "**Elizabeth Bennet**" in shown and "**Fitzwilliam Darcy**" in shown

        level = cb.command("autonomy level", [opt("character", "Darcy"), opt("level", 0)],
                           permissions=MANAGE_GUILD)
        await cb.invoke(level)
        assert "answers only when addressed" in cb.text(level)
        quiet = cb.command("autonomy quiet-hours", [opt("start", "23:00"), opt("end", "7:00"),
                                                    opt("timezone", "Europe/Paris")],
                           permissions=MANAGE_GUILD)
        await cb.invoke(quiet)
        assert "23:00–07:00 (Europe/Paris)" in cb.text(quiet)
        typo = cb.command("autonomy quiet-hours", [opt("start", "25:00"), opt("end", "7")],
                          permissions=MANAGE_GUILD)
        await cb.invoke(typo)
        assert "start of quiet hours must be a time like" in cb.text(typo)
        pace = cb.command("autonomy pace", [opt("seconds", 45)], permissions=MANAGE_GUILD)
        await cb.invoke(pace)
        zones = cb.command("autonomy quiet-hours", [opt("timezone", "europe/par",
                                                        focused=True)], autocomplete=True)
        await cb.invoke(zones)
        assert [c["name"] for c in cb.callbacks(zones)[0]["data"]["choices"]] == ["Europe/Paris"]
        shown_ = cb.command("autonomy show")
        await cb.invoke(shown_)
        overview = cb.text(shown_)
        assert "45 s between posts" in overview and "23:00–07:00" in overview
        assert "**Fitzwilliam Darcy** — level 0" in overview
        assert "relationship changes and alliances" in overview

        member = cb.command("autonomy announcements", [opt("on", False)])
        await cb.invoke(member)
        assert "Manage Server" in cb.text(member) or "director" in cb.text(member)
        off = cb.command("autonomy announcements", [opt("on", False)],
                         permissions=MANAGE_GUILD)
        await cb.invoke(off)
        assert "no longer announced in" in cb.text(off)
        shown_ = cb.command("autonomy show")
        await cb.invoke(shown_)
        assert "Announcements" in cb.text(shown_) and "off" in cb.text(shown_)

        removed = cb.command("cast remove", [opt("character", "Elizabeth")],
                             permissions=MANAGE_GUILD)
        await cb.invoke(removed)
        assert "**Elizabeth Bennet** left" in cb.text(removed)

    _scenario(container, fake_discord, body)


# -- looking: relationships, the observatory, memories ------------------------------------------


def _lively(container: Container, fake: FakeDiscord) -> None:
    _seed(container, fake, "Elizabeth Bennet", "Fitzwilliam Darcy", "Jane Bennet",
          channel=fake.channel_id)
    for n, line in enumerate((
        "Elizabeth, you are the cleverest person I know!",
        "Darcy, you are proud and rude; I cannot abide you.",
        "Jane, I have a parrot called Zanzibar, keep it secret.",
        "Elizabeth, the parrot Zanzibar says hello.",
    )):
        _say(container, fake, line, n)


def test_relationships_graph_and_story(container: Container, fake_discord: FakeDiscord) -> None:
    _lively(container, fake_discord)

    async def body(cb: CommandBot) -> None:
        graph = cb.command("relationships graph")
        await cb.invoke(graph)
        answer = cb.answer(graph)
        assert answer.files == ["relationships.png"]
        assert answer.uploads["relationships.png"].startswith(b"\x89PNG\r\n\x1a\n")
        assert answer.embeds[0]["image"]["url"] == "attachment://relationships.png"
        assert [c["type"] for c in cb.callbacks(graph)] == [5]  # deferred: rendering is slow

        story = cb.command("relationships story", [opt("first", "Elizabeth"),
                                                   opt("second", "Mary King")])
        await cb.invoke(story)
        assert "Elizabeth Bennet → Mary King" in cb.text(story)

    _scenario(container, fake_discord, body)


def test_slow_work_is_acknowledged_first_then_shown(container: Container,
                                                   fake_discord: FakeDiscord,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The graph taking longer than Discord's 3 seconds: the command was deferred at once,
    and the PNG arrives afterwards."""
    from engine.services import observatory

    real = observatory.relationship_graph

    def slow(*args: Any, **kwargs: Any) -> bytes:
        time.sleep(3.3)
        return real(*args, **kwargs)

    # Before the bot loads its extensions (each load imports the Cog module afresh).
    monkeypatch.setattr(observatory, "relationship_graph", slow)
    _seed(container, fake_discord, "Jane Bennet", channel=fake_discord.channel_id)

    async def body(cb: CommandBot) -> None:
        graph = cb.command("relationships graph")
        started = time.monotonic()
        await cb.invoke(graph)
        assert time.monotonic() - started > 3.3
        assert [c["type"] for c in cb.callbacks(graph)] == [5]
        assert cb.answer(graph).files == ["relationships.png"]

    _scenario(container, fake_discord, body)


def test_engine_failures_become_clear_ephemeral_lines(container: Container,
                                                     fake_discord: FakeDiscord,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.errors import ServiceUnavailable
    from engine.services import observatory

    def away(*args: Any, **kwargs: Any) -> Any:
        raise ServiceUnavailable("PostgreSQL at db:5432 refused the connection")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("internal detail")

    monkeypatch.setattr(observatory, "observatory", away)
    monkeypatch.setattr(observatory, "relationship_graph", broken)

    async def body(cb: CommandBot) -> None:
        down = cb.command("observatory")
        await cb.invoke(down)
        assert cb.text(down).startswith("Personae cannot reach its storage right now")
        bug = cb.command("relationships graph")
        await cb.invoke(bug)
        assert cb.text(bug).startswith("Something went wrong on our side")
        assert "internal detail" not in cb.text(bug)
        assert is_ephemeral(cb.answer(down)) and is_ephemeral(cb.answer(bug))

    _scenario(container, fake_discord, body)


def test_observatory_embed(container: Container, fake_discord: FakeDiscord) -> None:
    _lively(container, fake_discord)

    async def body(cb: CommandBot) -> None:
        command = cb.command("observatory")
        await cb.invoke(command)
        [embed] = cb.answer(command).embeds
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert list(fields)[:4] == ["Active characters", "Relationships",
                                    "Ongoing conversations", "Notable changes"]
        assert f"<#{fake_discord.channel_id}>" in fields["Ongoing conversations"] or \
            "#general" in fields["Ongoing conversations"]
        assert "Mary King" in fields["Ongoing conversations"]
        assert fields["Relationships"]  # "none yet" until feelings run strong
        assert "AI persona" in embed["footer"]["text"]
        assert len(json.dumps(embed)) < 6000

    _scenario(container, fake_discord, body)


def test_memory_search_is_scoped_to_the_channel_for_members(
        container: Container, fake_discord: FakeDiscord) -> None:
    _lively(container, fake_discord)
    elsewhere = fake_discord.add_channel("elsewhere")

    async def body(cb: CommandBot) -> None:
        search = cb.command("memory search", [opt("character", "Jane"),
                                              opt("query", "Zanzibar")])
        await cb.invoke(search)
        shown = cb.text(search)
        assert "Jane Bennet's memories matching “Zanzibar”" in shown
        assert "parrot called Zanzibar" in shown and "witnessed in" in shown
        assert is_ephemeral(cb.answer(search))

        away = cb.command("memory search", [opt("character", "Jane"), opt("query", "Zanzibar")],
                          channel_id=elsewhere)
        await cb.invoke(away)
        assert "No memories match" in cb.text(away)

        everywhere = cb.command("memory search", [opt("character", "Jane"),
                                                  opt("query", "Zanzibar"),
                                                  opt("everywhere", True)], channel_id=elsewhere)
        await cb.invoke(everywhere)
        assert cb.text(everywhere).startswith("Only directors can browse memories from every")
        allowed = cb.command("memory search", [opt("character", "Jane"),
                                               opt("query", "parrot"), opt("meaning", True),
                                               opt("everywhere", True)],
                             channel_id=elsewhere, permissions=MANAGE_GUILD)
        await cb.invoke(allowed)
        assert "What Jane Bennet recalls for “parrot”" in cb.text(allowed)
        assert "Zanzibar" in cb.text(allowed)

        top = cb.command("memory top", [opt("character", "Jane")])
        await cb.invoke(top)
        assert cb.text(top).startswith("Only directors")
        overview = cb.command("memory show", [opt("character", "Jane")],
                              permissions=MANAGE_GUILD)
        await cb.invoke(overview)
        assert "Jane Bennet — memory" in cb.text(overview)

    _scenario(container, fake_discord, body)


# -- forget me -----------------------------------------------------------------------------------


def _events_by(container: Container, author_name: str) -> int:
    with container.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events)
                                .where(events.c.author_name == author_name)).scalar_one())


def test_forget_me_erases_the_members_data(container: Container,
                                           fake_discord: FakeDiscord) -> None:
    _lively(container, fake_discord)
    _say(container, fake_discord, "Jane, what a lovely bonnet.", 99, author="880000000000000088",
         name="Kitty")
    assert _events_by(container, "Mary King") == 4

    async def body(cb: CommandBot) -> None:
        ask = cb.command("forget-me", user_id=MARY)
        await cb.invoke(ask)
        assert [c["type"] for c in cb.callbacks(ask)] == [4]  # the buttons are the answer
        assert "cannot be undone" in cb.text(ask) and is_ephemeral(cb.answer(ask))
        confirm, cancel = cb.custom_ids(ask)
        intruder = cb.click(cb.answer(ask), confirm, user_id="880000000000000088")
        await cb.invoke(intruder)
        assert cb.callbacks(intruder)[0]["data"]["content"] == "This is not yours to answer."
        assert _events_by(container, "Mary King") == 4

        await cb.invoke(cb.click(cb.answer(ask), confirm, user_id=MARY))
        shown = cb.text(ask)
        assert shown.startswith("Done: Personae forgot you in this server. Deleted 4 of your "
                                "messages"), shown
        assert cb.answer(ask).components == []

        again = cb.command("forget-me", user_id=MARY)
        await cb.invoke(again)
        await cb.invoke(cb.click(cb.answer(again), cb.custom_ids(again)[1], user_id=MARY))
        assert cb.text(again) == "Cancelled; nothing was changed."

    _scenario(container, fake_discord, body)
    assert _events_by(container, "Mary King") == 0
    assert _events_by(container, "Kitty") == 1
    memory_texts = []
    with container.deps.uow() as uow:
        eco = _eco(container, fake_discord)
        for c in uow.participants.list_characters(eco):
            memory_texts += [m.text for m in uow.browser.search(
                _filter(c.id), order="newest", limit=200, offset=0)]
    assert not any("Zanzibar" in t for t in memory_texts)
    assert any("bonnet" in t for t in memory_texts)


def _filter(owner_id: int | None) -> Any:
    from engine.adapters.sql.memory_browser_store import MemoryFilter

    return MemoryFilter(owner_id=owner_id or 0, terms=(), kinds=(), channel_id=None, since=None,
                        until=None, include_archived=True)


# -- PostgreSQL ----------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.parametrize("backend", ["services"])
def test_commands_on_postgresql(container: Container, fake_discord: FakeDiscord) -> None:
    _lively(container, fake_discord)

    async def body(cb: CommandBot) -> None:
        attachment = cb.cdn.serve("lydia.json", _card("Lydia Bennet"))
        imported = cb.command("character import", [opt("card", attachment["id"], 11),
                                                   opt("here", True)],
                              resolved={"attachments": {attachment["id"]: attachment}},
                              permissions=MANAGE_GUILD)
        await cb.invoke(imported)
        assert "Imported **Lydia Bennet**" in cb.text(imported)
        listed = cb.command("cast list")
        await cb.invoke(listed)
        assert f"Living in <#{fake_discord.channel_id}> (4)" in cb.text(listed)
        typed = cb.command("memory search", [opt("character", "eliz", focused=True)],
                           autocomplete=True)
        await cb.invoke(typed)
        assert [c["name"] for c in cb.callbacks(typed)[0]["data"]["choices"]] == [
            "Elizabeth Bennet"]
        for command in (cb.command("observatory"), cb.command("relationships graph"),
                        cb.command("memory search", [opt("character", "Jane"),
                                                     opt("query", "Zanzibar")])):
            await cb.invoke(command)
            assert cb.answer(command).embeds, cb.text(command)

    _scenario(container, fake_discord, body)
