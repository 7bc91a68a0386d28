"""The setup, import and character-edit modals, ``/personae autonomy`` and ``/personae memory``
through slack-bolt against the fake Slack: a modal opens with the current values, a submission
changes the community, an invalid one comes back as the field's error and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from slack_bolt import BoltResponse

from bots.slack.views import CHARACTER_CALLBACK, IMPORT_CALLBACK, SETUP_CALLBACK
from engine.cards import MAX_CARD_BYTES
from engine.services import autonomy_settings, characters, community
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


@pytest.fixture
def harness(make_container: Callable[..., Container], fake_slack: FakeSlack) -> SlackHarness:
    fake_slack.channels[OTHER] = "garden"
    return SlackHarness(make_container(**slack_settings(fake_slack)), fake_slack)


def _eco(h: SlackHarness) -> int:
    with h.container.deps.uow() as uow:
        eco = uow.spaces.find_ecosystem("slack", TEAM)
    assert eco is not None
    return eco.id


def _opened(h: SlackHarness, text: str, callback: str, *, user: str = ADMIN,
            channel: str = CHANNEL) -> dict[str, Any]:
    before = len(h.fake.state.views)
    h.command(text, user=user, channel=channel)
    assert len(h.fake.state.views) == before + 1, h.fake.state.responses[-1:]
    view = h.fake.state.views[-1]
    assert view["callback_id"] == callback
    return view


def _initial(view: dict[str, Any]) -> dict[str, Any]:
    """What the modal shows before the member types: block id → initial value."""
    found: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block.get("element", {})
        for key in ("initial_value", "initial_conversations", "initial_conversation"):
            if key in element:
                found[block["block_id"]] = element[key]
    return found


def _as_submitted(view: dict[str, Any], **changes: str) -> dict[str, Any]:
    """Every text input as Slack submits it (initial values unless changed; empty → None)."""
    values = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"]
              if b.get("element", {}).get("type") == "plain_text_input"}
    values.update(changes)
    return {k: {"type": "plain_text_input", "value": v or None} for k, v in values.items()}


def errors_of(response: BoltResponse) -> dict[str, str]:
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    errors: dict[str, str] = body["errors"]
    return errors


def _ephemeral(h: SlackHarness) -> str:
    assert h.fake.state.ephemeral, "no ephemeral message"
    return str(h.fake.state.ephemeral[-1]["text"])


# -- setup -------------------------------------------------------------------------------------

def _setup_values(channels: list[str], group: str | None, admin: str | None
                  ) -> dict[str, Any]:
    return {"cast_channels": {"type": "multi_conversations_select",
                              "selected_conversations": channels},
            "director_group": {"type": "plain_text_input", "value": group},
            "admin_channel": {"type": "conversations_select", "selected_conversation": admin}}


def test_setup_saves_the_channels_group_and_admin_channel_and_shows_them_next_time(
        harness: SlackHarness) -> None:
    harness.fake.add_group("S0009", "storytellers", [MEMBER])
    harness.command("setup", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    view = _opened(harness, "setup", SETUP_CALLBACK)
    assert _initial(view) == {"cast_channels": [CHANNEL]}
    response = harness.submit(view, _setup_values([CHANNEL, OTHER], "@storytellers", "C0009"))
    assert response.status == 200 and not response.body
    assert "Personae is set up" in _ephemeral(harness)
    saved = community.community_settings(harness.container.deps, _eco(harness))
    assert sorted(c.external_id for c in saved.cast_channels) == [CHANNEL, OTHER]
    assert (saved.director_role_id, saved.admin_channel_id) == ("S0009", "C0009")
    # Reopened: the modal shows what was saved; and the group's member may now direct.
    again = _opened(harness, "setup", SETUP_CALLBACK, user=MEMBER)
    assert _initial(again) == {"cast_channels": [CHANNEL, OTHER], "director_group": "S0009",
                               "admin_channel": "C0009"}


def test_setup_refuses_an_unknown_group_and_no_channels_in_place(harness: SlackHarness) -> None:
    view = _opened(harness, "setup", SETUP_CALLBACK)
    errors = errors_of(harness.submit(view, _setup_values([CHANNEL], "nobody-here", None)))
    assert list(errors) == ["director_group"] and "nobody-here" in errors["director_group"]
    errors = errors_of(harness.submit(view, _setup_values([], None, None)))
    assert list(errors) == ["cast_channels"] and "at least one channel" in errors["cast_channels"]
    saved = community.community_settings(harness.container.deps, _eco(harness))
    assert saved.cast_channels == [] and saved.director_role_id is None
    assert not harness.fake.state.ephemeral


# -- character edit ----------------------------------------------------------------------------

def test_the_edit_modal_shows_the_character_and_saves_changes(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet")
    eco = _eco(harness)
    current = characters.get_character(harness.container.deps, eco, "Elizabeth")
    view = _opened(harness, "character edit Elizabeth", CHARACTER_CALLBACK)
    shown = _initial(view)
    assert shown["name"] == "Elizabeth Bennet"
    assert shown["personality"] == current.personality[:3000]
    assert shown["description"] == current.description[:3000]
    assert shown["avatar_url"] == "https://example.org/avatars/elizabeth.png"
    assert json.loads(view["private_metadata"])["name"] == "Elizabeth Bennet"

    response = harness.submit(view, _as_submitted(
        view, personality="playful, quick to laugh",
        avatar_url="https://example.org/lizzy.png"))
    assert response.status == 200 and not response.body
    assert _ephemeral(harness) == "Elizabeth Bennet was updated."
    after = characters.get_character(harness.container.deps, eco, "Elizabeth")
    assert after.personality == "playful, quick to laugh"
    assert after.description == current.description  # untouched fields stay
    assert after.persona.avatar_url == "https://example.org/lizzy.png"


def test_an_invalid_edit_is_a_field_error_and_changes_nothing(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet", "Jane Bennet")
    eco = _eco(harness)
    before = characters.get_character(harness.container.deps, eco, "Elizabeth")
    view = _opened(harness, "character edit Elizabeth", CHARACTER_CALLBACK)
    errors = errors_of(harness.submit(view, _as_submitted(view, name=" ")))
    assert list(errors) == ["name"]
    errors = errors_of(harness.submit(view, _as_submitted(view, avatar_url="ftp://x")))
    assert list(errors) == ["avatar_url"]
    errors = errors_of(harness.submit(view, _as_submitted(view, description="x" * 25_000)))
    assert list(errors) == ["description"]
    assert characters.get_character(harness.container.deps, eco, "Elizabeth") == before
    assert not harness.fake.state.ephemeral


def test_editing_a_character_that_does_not_exist_says_so(harness: SlackHarness) -> None:
    harness.command("character edit Nobody", user=ADMIN)
    assert "Nobody" in harness.last_response()
    assert not harness.fake.state.views


# -- character import --------------------------------------------------------------------------

def _card(name: str = "Mr Collins") -> bytes:
    return json.dumps({"spec": "chara_card_v2", "spec_version": "2.0", "data": {
        "name": name, "description": "A clergyman of Hunsford.",
        "personality": "pompous, obsequious", "first_mes": "My dear cousin!",
        "scenario": "Longbourn, 1811"}}).encode()


def _file_state(file: dict[str, Any]) -> dict[str, Any]:
    return {"card_file": {"type": "file_input", "files": [file]}}


def test_a_card_file_is_imported_into_the_channel(harness: SlackHarness) -> None:
    view = _opened(harness, "character import", IMPORT_CALLBACK)
    file = harness.fake.add_file("collins.json", _card())
    response = harness.submit(view, _file_state(file))
    assert response.status == 200 and not response.body
    assert harness.fake.state.downloads == [file["id"]]
    assert "Mr Collins was imported" in _ephemeral(harness)
    harness.command("cast")
    assert "Mr Collins" in harness.last_response()


def test_a_pasted_card_is_imported(harness: SlackHarness) -> None:
    view = _opened(harness, "character import", IMPORT_CALLBACK)
    response = harness.submit(view, {"card_json": _card("Charlotte Lucas").decode()})
    assert response.status == 200 and not response.body
    names = characters.character_names(harness.container.deps, _eco(harness))
    assert names == ["Charlotte Lucas"]


def test_an_oversized_or_broken_card_is_refused_and_nothing_is_created(
        harness: SlackHarness) -> None:
    fake = harness.fake
    view = _opened(harness, "character import", IMPORT_CALLBACK)
    # Declared too big: refused before anything is downloaded.
    big = fake.add_file("huge.json", b"{}", size=MAX_CARD_BYTES + 1)
    errors = errors_of(harness.submit(view, _file_state(big)))
    assert list(errors) == ["card_file"] and "2 MB" in errors["card_file"]
    assert fake.state.downloads == []
    # Declared small, but bigger when read: still refused.
    liar = fake.add_file("liar.json", b'{"data": {"name": "' + b"x" * MAX_CARD_BYTES + b'"}}',
                         size=100)
    errors = errors_of(harness.submit(view, _file_state(liar)))
    assert list(errors) == ["card_file"] and "2 MB" in errors["card_file"]
    # Not JSON, and JSON without a name: the error is on the block the card came from.
    broken = fake.add_file("broken.json", b"{not json")
    errors = errors_of(harness.submit(view, _file_state(broken)))
    assert list(errors) == ["card_file"] and "JSON" in errors["card_file"]
    nameless = {"spec": "chara_card_v2", "spec_version": "2.0", "data": {"description": "x"}}
    errors = errors_of(harness.submit(view, {"card_json": json.dumps(nameless)}))
    assert list(errors) == ["card_json"] and "name" in errors["card_json"]
    errors = errors_of(harness.submit(view, {"card_json": "  "}))
    assert list(errors) == ["card_json"]
    assert characters.character_names(harness.container.deps, _eco(harness)) == []
    assert not harness.fake.state.ephemeral


def test_only_directors_open_the_import_modal(harness: SlackHarness) -> None:
    harness.command("character import", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    assert not harness.fake.state.views


def test_a_modal_submitted_by_someone_who_may_not_direct_changes_nothing(
        harness: SlackHarness) -> None:
    # The modals were opened by an admin; a member's submission (rights lost while the modal
    # was open, or a replayed payload) is refused on the modal's first field.
    imported = _opened(harness, "character import", IMPORT_CALLBACK)
    errors = errors_of(harness.submit(imported, {"card_json": _card().decode()}, user=MEMBER))
    assert errors == {"card_file": "Only workspace admins and members of the director user "
                                   "group can do that; nothing was changed."}
    setup = _opened(harness, "setup", SETUP_CALLBACK)
    errors = errors_of(harness.submit(setup, _setup_values([OTHER], None, None), user=MEMBER))
    assert list(errors) == ["cast_channels"]
    created = _opened(harness, "character create", CHARACTER_CALLBACK)
    errors = errors_of(harness.submit(created, _as_submitted(created, name="Kitty Bennet"),
                                      user=MEMBER))
    assert list(errors) == ["name"]
    assert characters.character_names(harness.container.deps, _eco(harness)) == []
    assert community.community_settings(harness.container.deps,
                                        _eco(harness)).cast_channels == []
    assert not harness.fake.state.ephemeral


# -- autonomy ----------------------------------------------------------------------------------

def test_autonomy_shows_and_directors_change_it(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet")
    harness.command("cast add Elizabeth", user=ADMIN, channel=OTHER)
    eco = _eco(harness)
    harness.command("autonomy", user=MEMBER)
    overview = harness.last_response()
    assert f"*#{CHANNEL}*" in overview and "(default)" in overview
    assert "Elizabeth Bennet: autonomy" in overview

    for words in ("autonomy level Elizabeth 2", "autonomy pace 30", "autonomy quiet off"):
        harness.command(words, user=MEMBER)
        assert "Only workspace admins" in harness.last_response(), words

    harness.command("autonomy level Elizabeth 2", user=ADMIN)
    assert harness.last_response() == "Elizabeth Bennet's autonomy level is now 2."
    harness.command("autonomy pace 30", user=ADMIN)
    assert harness.last_response().startswith("Pace in this channel: at least 30 s")
    harness.command("autonomy quiet 23:00 07:00 Europe/London", user=ADMIN)
    assert "Europe/London" in harness.last_response()
    view = autonomy_settings.autonomy_overview(harness.container.deps, eco, CHANNEL)
    assert view.pace_s == 30 and view.quiet_hours is not None
    assert [c.level for c in view.characters] == [2]
    # The other channel kept the defaults, until set everywhere.
    other = autonomy_settings.autonomy_overview(harness.container.deps, eco, OTHER)
    assert other.pace_s is None and other.quiet_hours is None
    harness.command("autonomy pace 45 everywhere", user=ADMIN)
    assert "in every channel" in harness.last_response()
    harness.command("autonomy quiet off everywhere", user=ADMIN)
    harness.command("autonomy", user=MEMBER, channel=OTHER)
    assert "pace 45 s; quiet hours none" in harness.last_response()
    assert autonomy_settings.autonomy_overview(
        harness.container.deps, eco, CHANNEL).quiet_hours is None

    # Announcements of relationship changes: on by default, directors switch them.
    harness.command("autonomy announce off", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    harness.command("autonomy announce off", user=ADMIN)
    assert harness.last_response() == ("Relationship changes and alliances are no longer "
                                       "announced in this channel.")
    assert not autonomy_settings.autonomy_overview(harness.container.deps, eco,
                                                   CHANNEL).announces
    assert autonomy_settings.autonomy_overview(harness.container.deps, eco, OTHER).announces
    harness.command("autonomy", user=MEMBER)
    assert "relationship changes not announced" in harness.last_response()
    harness.command("autonomy announce maybe", user=ADMIN)
    assert harness.last_response().startswith("Usage: `/personae autonomy`")


def test_autonomy_refuses_bad_values_clearly(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet")
    harness.command("autonomy level Elizabeth 9", user=ADMIN)
    assert "Autonomy levels go from 0 to 3, not 9." in harness.last_response()
    harness.command("autonomy quiet 25:00 07:00", user=ADMIN)
    assert "25:00" in harness.last_response()
    harness.command("autonomy fly", user=ADMIN)
    assert harness.last_response().startswith("Usage: `/personae autonomy`")
    harness.command("autonomy level Nobody 1", user=ADMIN)
    assert "Nobody" in harness.last_response()


# -- memory ------------------------------------------------------------------------------------

def test_members_see_the_asking_channels_memories_and_directors_every_channel(
        harness: SlackHarness) -> None:
    harness.seed_cast("Jane Bennet")
    harness.command("cast add Jane", user=ADMIN, channel=OTHER)
    assert "Jane Bennet" in harness.last_response()
    harness.message("Jane, my parrot is called Zanzibar.", ts="1700.0001")
    harness.message("Jane, the garden roses are blooming.", ts="1700.0002", channel=OTHER)
    harness.run_jobs()

    harness.command("memory Jane", user=MEMBER)
    here = harness.last_response()
    assert "Zanzibar" in here and "roses" not in here
    harness.command("memory Jane roses", user=MEMBER)  # by meaning, still only this channel
    assert "roses" not in harness.last_response()
    harness.command("memory Jane", user=MEMBER, channel=OTHER)
    there = harness.last_response()
    assert "roses" in there and "Zanzibar" not in there
    harness.command("memory Jane everywhere", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    harness.command("memory Jane everywhere", user=ADMIN)
    everywhere = harness.last_response()
    assert "Zanzibar" in everywhere and "roses" in everywhere
    # A channel the community has never seen: nothing was witnessed there.
    harness.command("memory Jane", user=MEMBER, channel="C0777")
    assert harness.last_response() == "Jane Bennet remembers nothing of that here."
    harness.command("memory Nobody", user=MEMBER)
    assert "Nobody" in harness.last_response()
