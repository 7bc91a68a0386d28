"""``/personae enterprise …`` and notices posted in a workspace's channels, through slack-bolt
and slack_sdk against the fake Slack Web API (127.0.0.1), with a fake OpenAI-compatible server
for a workspace's own model.

Billing limits are on (a fake Stripe key): an Enterprise workspace's admins set its own model
(a modal; one tiny completion checks it before anything is saved; the key is stored encrypted
and never shown) and its white label (the name and icon of the bot's notices, the App Home's
header); a Free workspace is told what it needs; members who are not admins change nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_bolt import BoltResponse
from sqlalchemy import select

from bots.slack.commands.enterprise import MODEL_CALLBACK, parse_brand
from engine.adapters.sql.tables import enterprise_settings
from engine.messages import IncomingMessage
from engine.services import billing, enterprise, notices
from engine.services.ingest import ingest
from engine.services.render import render_intent
from engine.services.setup import open_space
from tests.bots.slack_harness import ADMIN, CHANNEL, MEMBER, TEAM, SlackHarness, slack_settings
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_api import FakeSlack
from tests.fakes.stripe_api import API_KEY
from workers.bootstrap import Container

SECRETS = "a-long-random-secrets-key-for-tests"
THEIR_KEY = "sk-their-own-key-1234"


@pytest.fixture
def backend() -> str:
    return "embedded"


@pytest.fixture
def theirs() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(default_reply="OK") as server:
        yield server


@pytest.fixture
def make(make_container: Callable[..., Container], fake_slack: FakeSlack
         ) -> Callable[..., SlackHarness]:
    def build(tier: str = "enterprise", **overrides: Any) -> SlackHarness:
        values: dict[str, Any] = dict(stripe_api_key=API_KEY, secrets_key=SECRETS,
                                      llm_max_retries=0, llm_timeout_s=5,
                                      slack_channel_rate="100/1")
        values.update(overrides)
        harness = SlackHarness(make_container(**slack_settings(fake_slack, **values)),
                               fake_slack)
        eco, _ = open_space(harness.container.deps, "slack", TEAM, [CHANNEL])
        if tier != "free":
            billing.set_tier(harness.container.deps, eco.id, tier)
        return harness

    return build


def _eco(h: SlackHarness) -> int:
    eco, _ = open_space(h.container.deps, "slack", TEAM, [])
    return eco.id


def _row(h: SlackHarness) -> dict[str, Any] | None:
    with h.container.database.engine.connect() as conn:
        row = conn.execute(select(enterprise_settings).where(
            enterprise_settings.c.ecosystem_id == _eco(h))).mappings().first()
    return dict(row) if row is not None else None


def _open_model_form(h: SlackHarness) -> dict[str, Any]:
    before = len(h.fake.state.views)
    h.command("enterprise model", user=ADMIN)
    assert len(h.fake.state.views) == before + 1, h.fake.state.responses[-1:]
    form = h.fake.state.views[-1]
    assert form["callback_id"] == MODEL_CALLBACK
    return form


def _answer(response: BoltResponse) -> dict[str, Any]:
    return json.loads(response.body) if response.body else {}


def _everything_said(h: SlackHarness) -> str:
    return json.dumps([h.fake.state.views, h.fake.state.responses, h.fake.state.ephemeral])


# -- own model ------------------------------------------------------------------------------------


def test_an_admin_sets_the_workspaces_own_model_through_the_modal(
        make: Callable[..., SlackHarness], theirs: FakeOpenAI) -> None:
    h = make()
    form = _open_model_form(h)
    assert [b["block_id"] for b in form["blocks"]] == ["endpoint", "model", "key"]

    response = h.submit(form, {"endpoint": theirs.base_url, "model": "their-model",
                               "key": THEIR_KEY})

    # Answered at once with "Checking…" (the check may outlast Slack's 3 s), then the outcome.
    answer = _answer(response)
    assert answer["response_action"] == "update" and "Checking" in json.dumps(answer)
    outcome = json.dumps(h.fake.state.views[-1])
    assert "Saved:" in outcome and "their-model" in outcome and "key set" in outcome
    [check] = theirs.chat_requests
    assert check["model"] == "their-model"
    assert theirs.headers[-1]["authorization"] == f"Bearer {THEIR_KEY}"
    row = _row(h)
    assert row is not None and row["model_name"] == "their-model"
    assert all(THEIR_KEY not in str(value) for value in row.values())  # encrypted
    h.command("enterprise show", user=ADMIN)
    assert "their-model" in h.last_response()
    assert THEIR_KEY not in _everything_said(h)  # never echoed anywhere


def test_a_bad_endpoint_is_a_field_error_and_one_that_does_not_answer_saves_nothing(
        make: Callable[..., SlackHarness], theirs: FakeOpenAI) -> None:
    h = make()
    form = _open_model_form(h)

    refused = _answer(h.submit(form, {"endpoint": "ftp://llm.example", "model": "m"}))
    assert refused == {"response_action": "errors", "errors": {
        "endpoint": "An http(s) URL, e.g. https://llm.example.com/v1"}}

    theirs.queue_error(500)
    h.submit(form, {"endpoint": theirs.base_url, "model": "their-model", "key": "sk-wrong"})
    outcome = json.dumps(h.fake.state.views[-1])
    assert "Not saved." in outcome and "did not answer" in outcome
    assert "Nothing was changed" in outcome and "sk-wrong" not in outcome
    assert _row(h) is None


def test_a_free_workspace_is_told_it_needs_enterprise_and_no_form_opens(
        make: Callable[..., SlackHarness]) -> None:
    h = make("free")
    h.command("enterprise model", user=ADMIN)
    said = h.last_response()
    assert "not part of Free" in said and "/subscribe enterprise (Enterprise)" in said
    assert h.fake.state.views == []  # no key is ever typed
    h.command("enterprise brand Club Bot", user=ADMIN)
    assert "white-label" in h.last_response() and "Enterprise" in h.last_response()
    assert _row(h) is None


def test_members_who_are_not_admins_change_nothing(make: Callable[..., SlackHarness],
                                                   theirs: FakeOpenAI) -> None:
    h = make()
    for words in ("enterprise show", "enterprise model", "enterprise brand Sneaky Bot",
                  "enterprise brand-clear"):
        h.command(words, user=MEMBER)
        assert "Only workspace admins and owners" in h.last_response()
    assert h.fake.state.views == []
    # A submission made by a member (the form opened by an admin) is refused in place too.
    form = _open_model_form(h)
    refused = _answer(h.submit(form, {"endpoint": theirs.base_url, "model": "m"}, user=MEMBER))
    assert "Only workspace admins" in refused["errors"]["endpoint"]
    assert theirs.chat_requests == [] and _row(h) is None


# -- white label ----------------------------------------------------------------------------------


def test_brand_words_and_links_are_read_as_slack_sends_them() -> None:
    assert parse_brand(["Acme", "Helper"]) == ("Acme Helper", None)
    assert parse_brand(["Acme", "<https://acme.example/bot.png>"]) == (
        "Acme", "https://acme.example/bot.png")
    assert parse_brand(["<https://acme.example/b.png|acme.example/b.png>"]) == (
        None, "https://acme.example/b.png")
    assert parse_brand(["Tom", "&amp;", "Jerry"]) == ("Tom & Jerry", None)
    assert parse_brand(["Acme", "<javascript:alert(1)>"]) == ("Acme", "javascript:alert(1)")


def test_brand_names_the_notices_and_the_home_header(make: Callable[..., SlackHarness]) -> None:
    h = make()
    h.command("enterprise brand Acme Helper <https://acme.example/bot.png>", user=ADMIN)
    assert "as *Acme Helper* and the icon https://acme.example/bot.png" in h.last_response()
    assert enterprise.brand_of(h.container.deps, _eco(h)).name == "Acme Helper"

    h.event({"type": "app_home_opened", "user": MEMBER, "channel": "D0001", "tab": "home"})
    header = h.fake.state.published[MEMBER]["blocks"][0]
    assert header["text"]["text"] == "Acme Helper — Observatory"

    h.command("enterprise brand " + "x" * 33, user=ADMIN)
    assert "1–32 characters" in h.last_response()  # refused: the brand stays
    h.command("enterprise brand Acme <javascript:alert(1)>", user=ADMIN)
    assert "http(s) URL" in h.last_response()
    assert enterprise.brand_of(h.container.deps, _eco(h)).name == "Acme Helper"

    h.command("enterprise brand <!channel> Bot", user=ADMIN)  # a name that looks like a ping
    assert "as *&lt;!channel&gt; Bot*" in h.last_response()  # shown, never a mention

    h.command("enterprise brand-clear", user=ADMIN)
    assert "as *Personae* again" in h.last_response()
    assert enterprise.brand_of(h.container.deps, _eco(h)).avatar_url is None


# -- notices --------------------------------------------------------------------------------------


def test_a_quota_notice_is_posted_under_the_brand_once(make: Callable[..., SlackHarness],
                                                       fake_openai: FakeOpenAI) -> None:
    # An Enterprise contract with one model call a month: the second reply is over it.
    h = make(llm_base_url=fake_openai.base_url, tiers={"enterprise": {"model_calls": 1}})
    deps = h.container.deps
    h.seed_cast("Elizabeth Bennet")
    enterprise.set_brand(deps, _eco(h), "Acme Helper", "https://acme.example/bot.png")
    for n in range(2):
        result = ingest(deps, IncomingMessage(
            platform="slack", space_id=TEAM, channel_id=CHANNEL, author_id=MEMBER,
            author_name="Mary King", text=f"Elizabeth, what news today? ({n})",
            message_id=f"1700.00{n}"))
        for intent in result.intents:
            assert render_intent(deps, intent.id or 0).status == "delivered"
    assert [p.username for p in h.fake.posted(CHANNEL)] == ["Elizabeth Bennet"] * 2

    h.run_jobs()  # the notice's job
    *_, posted = h.fake.posted(CHANNEL)
    assert (posted.username, posted.icon_url) == ("Acme Helper", "https://acme.example/bot.png")
    assert "model calls" in posted.text and "Until then" in posted.text
    with deps.uow() as uow:
        [notice] = [e for e in uow.events.all(_eco(h)) if e.payload.get("type") == "quota"]
    assert notice.external_id == posted.ts

    assert notices.deliver_notice(deps, notice.id or 0).status == "already posted"
    h.run_jobs()
    assert len(h.fake.posted(CHANNEL)) == 3
