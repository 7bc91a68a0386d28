"""Enterprise extras on both backends: a community's own model endpoint and key, and its
white-label name.

Two fake OpenAI-compatible servers on 127.0.0.1 stand for the deployment's model and the
community's own; the real ``openai`` client talks to both. Billing limits are on (a fake
Stripe key), so tiers decide who may use what.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from engine.adapters.sql.tables import enterprise_settings
from engine.cards import parse_card
from engine.errors import InvalidInput
from engine.messages import IncomingMessage
from engine.services import billing, enterprise
from engine.services.deps import Deps
from engine.services.ingest import ingest
from engine.services.render import RenderOutcome, render_intent
from engine.services.setup import add_character, add_to_cast, open_space
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.stripe_api import API_KEY
from workers.bootstrap import Container

SECRETS = "a-long-random-secrets-key-for-tests"
THEIR_KEY = "sk-their-own-key-1234"


@pytest.fixture
def servers() -> Iterator[tuple[FakeOpenAI, FakeOpenAI]]:
    with FakeOpenAI(default_reply="Deployment model speaking.") as ours, \
            FakeOpenAI(default_reply="Their own model speaking.") as theirs:
        yield ours, theirs


@pytest.fixture
def make(make_container: Callable[..., Container], servers: tuple[FakeOpenAI, FakeOpenAI]
         ) -> Callable[..., Container]:
    """Containers with limits on and the deployment's model on the first fake server."""

    def build(**overrides: Any) -> Container:
        values: dict[str, Any] = dict(stripe_api_key=API_KEY, llm_base_url=servers[0].base_url,
                                      llm_max_retries=0, llm_timeout_s=5,
                                      secrets_key=SECRETS)
        values.update(overrides)
        return make_container(**values)

    return build


def _community(deps: Deps, space: str, tier: str = "free") -> tuple[int, int]:
    eco, (channel,) = open_space(deps, "console", space, ["general"])
    cid = add_character(deps, eco.id, parse_card({
        "name": "Jane", "description": "Kind and calm.", "personality": "gentle",
        "first_mes": "Good day."}))
    add_to_cast(deps, channel.id, cid)
    if tier != "free":
        billing.set_tier(deps, eco.id, tier)
    return eco.id, channel.id


def _talk(deps: Deps, space: str, n: int = 1) -> list[RenderOutcome]:
    outcomes = []
    for i in range(n):
        result = ingest(deps, IncomingMessage(
            platform="console", space_id=space, channel_id="general", author_id="u1",
            author_name="Mary", text=f"Jane, how are you today? ({i})", message_id=f"{space}{i}"))
        outcomes += [render_intent(deps, intent.id or 0) for intent in result.intents]
    return outcomes


def test_an_enterprise_community_is_voiced_by_its_own_model_and_key(
        make: Callable[..., Container], servers: tuple[FakeOpenAI, FakeOpenAI]) -> None:
    ours, theirs = servers
    deps = make().deps
    big, _ = _community(deps, "big-co", "enterprise")
    small, _ = _community(deps, "small-club")
    view = enterprise.set_model(deps, big, theirs.base_url, "their-model", THEIR_KEY,
                                by="console:boss")
    assert view.model_in_use and view.model is not None and view.model.has_key
    assert len(theirs.chat_requests) == 1  # the check before saving

    [spoken] = _talk(deps, "big-co")
    [other] = _talk(deps, "small-club")

    assert spoken.text == "Their own model speaking."
    assert other.text == "Deployment model speaking."
    assert theirs.chat_requests[-1]["model"] == "their-model"
    assert theirs.headers[-1]["authorization"] == f"Bearer {THEIR_KEY}"
    assert all("their" not in str(b.get("model")) for b in ours.chat_requests)
    month = f"{deps.clock.now():%Y-%m}"
    with deps.uow() as uow:
        # Their own model's calls are theirs: no monthly limit counts them.
        assert uow.billing.used(big, month, "model_calls") == 0
        assert uow.billing.used(small, month, "model_calls") == 1
        row = uow.enterprise.get(big)
    assert row is not None and row.model_key_encrypted
    assert THEIR_KEY not in row.model_key_encrypted  # never stored in clear
    assert "their-own-key" not in "\n".join(view.lines())  # nor shown


def test_reflections_of_an_enterprise_community_are_written_by_its_model(
        make: Callable[..., Container], servers: tuple[FakeOpenAI, FakeOpenAI]) -> None:
    _, theirs = servers
    deps = make().deps
    big, _ = _community(deps, "big-co", "enterprise")
    enterprise.set_model(deps, big, theirs.base_url, "their-model", THEIR_KEY, check=False)
    assert enterprise.model_for(deps, big) is enterprise.model_for(deps, big)  # built once
    with deps.uow() as uow:
        jane = uow.participants.cast_of(uow.spaces.list_channels(big)[0].id)[0].id
    assert deps.model is not None and deps.model is not enterprise.model_for(deps, big)
    from engine.services.consolidate import consolidate

    _talk(deps, "big-co", 2)
    before = len(theirs.chat_requests)
    consolidate(deps, jane or 0, force=True)
    assert len(theirs.chat_requests) > before


def test_a_free_community_is_told_own_models_need_enterprise(
        make: Callable[..., Container], servers: tuple[FakeOpenAI, FakeOpenAI]) -> None:
    _, theirs = servers
    deps = make().deps
    small, _ = _community(deps, "small-club")
    with pytest.raises(InvalidInput) as refused:
        enterprise.set_model(deps, small, theirs.base_url, "their-model", THEIR_KEY)
    assert str(refused.value) == ("Its own model endpoint is not part of Free: /subscribe "
                                  "enterprise (Enterprise) to use it.")
    with pytest.raises(InvalidInput, match="white-label"):
        enterprise.set_brand(deps, small, "Club Bot")
    assert theirs.chat_requests == []  # not even checked
    with deps.uow() as uow:
        assert uow.enterprise.get(small) is None


def test_an_endpoint_that_does_not_answer_changes_nothing(
        make: Callable[..., Container], servers: tuple[FakeOpenAI, FakeOpenAI]) -> None:
    _, theirs = servers
    deps = make().deps
    big, _ = _community(deps, "big-co", "enterprise")
    theirs.queue_error(401)
    with pytest.raises(InvalidInput) as refused:
        enterprise.set_model(deps, big, theirs.base_url, "their-model", "sk-wrong")
    assert "did not answer" in str(refused.value) and "Nothing was changed" in str(refused.value)
    with deps.uow() as uow:
        assert uow.enterprise.get(big) is None
    [spoken] = _talk(deps, "big-co")
    assert spoken.text == "Deployment model speaking."


@pytest.mark.parametrize("url, model, message", [
    ("ftp://llm.example/v1", "m", "must be an http(s) URL"),
    ("https://user:pw@llm.example/v1", "m", "must not carry a user name or password"),
    ("https://llm.example/v1", " ", "model name must be 1–200 characters"),
])
def test_bad_endpoints_are_refused_clearly(make: Callable[..., Container], url: str,
                                           model: str, message: str) -> None:
    deps = make().deps
    big, _ = _community(deps, "big-co", "enterprise")
    with pytest.raises(InvalidInput, match=re.escape(message)):
        enterprise.set_model(deps, big, url, model, THEIR_KEY)


def test_a_key_cannot_be_stored_without_the_secrets_key(
        make: Callable[..., Container], servers: tuple[FakeOpenAI, FakeOpenAI]) -> None:
    deps = make(secrets_key=None).deps
    big, _ = _community(deps, "big-co", "enterprise")
    with pytest.raises(InvalidInput, match="set PERSONAE_SECRETS_KEY"):
        enterprise.set_model(deps, big, servers[1].base_url, "their-model", THEIR_KEY)
    with deps.uow() as uow:
        assert uow.enterprise.get(big) is None


def test_a_downgrade_keeps_the_setting_but_the_deployment_model_speaks(
        make: Callable[..., Container], servers: tuple[FakeOpenAI, FakeOpenAI]) -> None:
    _, theirs = servers
    deps = make().deps
    big, _ = _community(deps, "big-co", "enterprise")
    enterprise.set_model(deps, big, theirs.base_url, "their-model", THEIR_KEY)
    enterprise.set_brand(deps, big, "Big Co Bot")
    billing.set_tier(deps, big, "free")

    view = enterprise.view(deps, big)
    assert view.model is not None and not view.model_in_use
    assert view.model_problem == "the tier does not include it"
    assert not view.brand_in_use and enterprise.brand_of(deps, big).name == "Personae"
    [spoken] = _talk(deps, "big-co")
    assert spoken.text == "Deployment model speaking."

    billing.set_tier(deps, big, "enterprise")  # back: used again, nothing to set anew
    assert enterprise.view(deps, big).model_in_use
    assert enterprise.brand_of(deps, big).name == "Big Co Bot"


def test_a_changed_secrets_key_falls_back_and_says_to_set_the_model_again(
        make: Callable[..., Container], servers: tuple[FakeOpenAI, FakeOpenAI]) -> None:
    _, theirs = servers
    first = make()
    big, _ = _community(first.deps, "big-co", "enterprise")
    enterprise.set_model(first.deps, big, theirs.base_url, "their-model", THEIR_KEY)
    deps = Deps(**{**first.deps.__dict__,
                   "settings": first.settings.model_copy(
                       update={"secrets_key": "another-long-random-secrets-key"})})

    view = enterprise.view(deps, big)
    assert not view.model_in_use and "cannot be decrypted" in (view.model_problem or "")
    assert enterprise.model_for(deps, big) is None
    [spoken] = _talk(deps, "big-co")
    assert spoken.text == "Deployment model speaking."  # never a garbled key sent anywhere
    assert all(h.get("authorization") == f"Bearer {THEIR_KEY}" for h in theirs.headers)


def test_the_white_label_name_signs_the_communitys_notices(
        make: Callable[..., Container]) -> None:
    # An Enterprise contract with a monthly model-call cap, so a quota notice is written.
    deps = make(tiers={"enterprise": {"model_calls": 1}}).deps
    big, _ = _community(deps, "big-co", "enterprise")
    brand = enterprise.set_brand(deps, big, "  Big   Co Bot ",
                                 "https://cdn.example/bigco.png", by="console:boss")
    assert (brand.name, brand.avatar_url) == ("Big Co Bot", "https://cdn.example/bigco.png")
    with pytest.raises(InvalidInput, match="1–32 characters"):
        enterprise.set_brand(deps, big, "x" * 33)
    with pytest.raises(InvalidInput, match="http"):
        enterprise.set_brand(deps, big, None, "javascript:alert(1)")
    assert enterprise.brand_of(deps, big).name == "Big Co Bot"  # the refusals changed nothing

    _talk(deps, "big-co", 2)  # the second render is over the cap: one notice
    with deps.uow() as uow:
        notices = [e for e in uow.events.all(big) if e.payload.get("type") == "quota"]
    assert [n.author_name for n in notices] == ["Big Co Bot"]

    assert enterprise.clear_brand(deps, big).name == "Personae"
    with deps.uow() as uow:
        assert uow.enterprise.get(big) is None  # nothing set: no row left


def test_limits_off_unlocks_the_extras(make: Callable[..., Container]) -> None:
    deps = make(stripe_api_key=None).deps  # a self-hosted install that sells nothing
    eco, _ = _community(deps, "home")
    assert enterprise.set_brand(deps, eco, "Home Bot").name == "Home Bot"
    assert enterprise.brand_of(deps, eco).name == "Home Bot"


def test_the_command_line_sets_and_shows_without_printing_the_key(
        make: Callable[..., Container], servers: tuple[FakeOpenAI, FakeOpenAI],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from bots.cli.main import app

    c = make(stripe_api_key=None)
    _community(c.deps, "local")
    monkeypatch.setenv("THEIR_KEY", THEIR_KEY)
    runner = CliRunner()
    result = runner.invoke(app, ["enterprise", "model", "set", servers[1].base_url,
                                 "their-model", "--key-from-env", "THEIR_KEY"])
    assert result.exit_code == 0, result.output
    assert f"Model: their-model at {servers[1].base_url} (key set; in use)" in result.output
    assert THEIR_KEY not in result.output
    result = runner.invoke(app, ["enterprise", "model", "set", servers[1].base_url, "m",
                                 "--key-from-env", "NOT_SET_ANYWHERE"])
    assert result.exit_code != 0 and "NOT_SET_ANYWHERE is not set" in result.output
    result = runner.invoke(app, ["enterprise", "brand", "set", "--name", "Local Bot"])
    assert result.exit_code == 0 and "The bot is now Local Bot." in result.output
    result = runner.invoke(app, ["enterprise", "show"])
    assert "Bot name: Local Bot (in use)" in result.output
    with c.database.engine.connect() as conn:
        stored = conn.execute(select(enterprise_settings.c.model_key_encrypted)).scalar()
    assert stored and THEIR_KEY not in stored
