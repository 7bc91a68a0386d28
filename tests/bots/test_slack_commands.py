"""``/personae`` through slack-bolt: help, permissions, the character modal (its field errors),
the relationship image (files_upload_v2's steps), forget-me, and the App Home observatory."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from bots.slack.views import CHARACTER_CALLBACK
from engine.services import characters
from tests.bots.slack_harness import (
    ADMIN,
    CHANNEL,
    MEMBER,
    TEAM,
    SlackHarness,
    eventually,
    slack_settings,
)
from tests.fakes.slack_api import FakeSlack
from workers.bootstrap import Container


@pytest.fixture
def harness(make_container: Callable[..., Container], fake_slack: FakeSlack) -> SlackHarness:
    return SlackHarness(make_container(**slack_settings(fake_slack)), fake_slack)



def _eco(h: SlackHarness) -> int:
    with h.container.deps.uow() as uow:
        eco = uow.spaces.find_ecosystem("slack", TEAM)
    assert eco is not None
    return eco.id


def test_an_unknown_subcommand_gets_the_help_text(harness: SlackHarness) -> None:
    assert harness.command("dance wildly").status == 200
    text = harness.last_response()
    assert "Unknown subcommand `dance`" in text
    assert "/personae <subcommand>" in text and "forget-me" in text


def test_a_member_may_look_but_not_direct(harness: SlackHarness) -> None:
    harness.command("character create", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    assert not harness.fake.called("views.open")
    harness.command("character list", user=MEMBER)
    assert harness.last_response().startswith("Characters:")


def test_a_director_group_member_may_direct(harness: SlackHarness) -> None:
    harness.fake.add_group("S0001", "personae-directors", [MEMBER])
    harness.command("character create", user=MEMBER)
    assert harness.fake.called("views.open")


def _character_view(h: SlackHarness) -> dict:
    h.command("character create", user=ADMIN)
    view = h.fake.state.views[-1]
    assert view["callback_id"] == CHARACTER_CALLBACK
    return view


def _errors(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    return body["errors"]


def test_a_modal_field_the_engine_refuses_comes_back_as_that_fields_error(
        harness: SlackHarness) -> None:
    view = _character_view(harness)
    errors = _errors(harness.submit(view, {"name": "   ", "personality": "shy"}))
    assert list(errors) == ["name"] and "empty" in errors["name"]
    errors = _errors(harness.submit(view, {"name": "Anne", "avatar_url": "not a url"}))
    assert list(errors) == ["avatar_url"]


def test_oversized_modal_input_gets_a_clear_error(harness: SlackHarness) -> None:
    view = _character_view(harness)
    errors = _errors(harness.submit(view, {"name": "A" * 300}))
    assert "300 characters" in errors["name"] and "80" in errors["name"]
    errors = _errors(harness.submit(view, {"name": "Anne", "description": "x" * 25_000}))
    assert list(errors) == ["description"] and "25,000" in errors["description"]
    assert characters.character_names(harness.container.deps, _eco(harness)) == []


def test_a_valid_modal_creates_the_character_in_this_channel(harness: SlackHarness) -> None:
    view = _character_view(harness)
    response = harness.submit(view, {"name": "Anne de Bourgh", "personality": "sickly, quiet",
                                     "avatar_url": "https://example.org/anne.png"})
    assert response.status == 200 and not response.body
    harness.command("cast")
    assert "Anne de Bourgh" in harness.last_response()
    profile = characters.profile(harness.container.deps, _eco(harness), "Anne")
    assert profile.character.persona.avatar_url == "https://example.org/anne.png"


def test_the_relationship_graph_is_uploaded_in_three_steps(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet", "Fitzwilliam Darcy")
    harness.command("relationships")
    steps = [c.method for c in harness.fake.calls
             if c.method.startswith("files.")]
    assert steps == ["files.getUploadURLExternal", "files.completeUploadExternal"]
    (uploaded,) = harness.fake.state.files.values()
    assert uploaded.data.startswith(b"\x89PNG") and uploaded.channel == CHANNEL


def test_forget_me_asks_then_forgets(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet")
    harness.message("Elizabeth, remember me!", ts="1700.0100")
    harness.command("forget-me")
    assert "forget-me confirm" in harness.last_response()
    harness.command("forget-me confirm")
    assert harness.last_response().startswith("Done: 1 messages")


def test_the_home_tab_is_the_observatory(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet", "Jane Bennet")
    harness.event({"type": "app_home_opened", "user": MEMBER, "channel": "D0001",
                   "tab": "home"})
    view = eventually(lambda: harness.fake.state.published.get(MEMBER))
    texts = json.dumps(view["blocks"])
    assert "Elizabeth Bennet" in texts and "Jane Bennet" in texts and "AI persona" in texts
    assert any(b["type"] == "image" and b["slack_file"]["id"] for b in view["blocks"])
