"""``/enterprise`` on Discord, and notices posted in a server's channels, through the real
discord.py against the fake Discord (REST, 127.0.0.1) — and a fake OpenAI-compatible server
for a server's own model.

Billing limits are on (a fake Stripe key), so the tier decides: an Enterprise server sets its
own model (checked with one tiny completion, the key stored encrypted) and its white label
(the bot's nickname and avatar in the server: ``PATCH /guilds/{id}/members/@me``), a Free one
is told what it needs. Every test ends by checking each interaction was acknowledged once, in
time. SQLite (the engine services run on both backends in tests/integration/).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from engine.adapters.sql.tables import enterprise_settings
from engine.messages import IncomingMessage
from engine.services import billing, enterprise, notices
from engine.services.ingest import ingest
from engine.services.render import render_intent
from engine.services.setup import open_space
from tests.bots.discord_harness import cast_channel
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
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.stripe_api import API_KEY
from workers.bootstrap import Container
from workers.embedded import EmbeddedWorker

SECRETS = "a-long-random-secrets-key-for-tests"
THEIR_KEY = "sk-their-own-key-1234"
ME = "PATCH /guilds/{guild_id}/members/@me"
EXECUTE = "POST /webhooks/{webhook_id}/{token}"


@pytest.fixture
def backend() -> str:
    return "embedded"


@pytest.fixture
def theirs() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(default_reply="OK") as server:
        yield server


@pytest.fixture
def make(make_container: Callable[..., Container]) -> Callable[..., Container]:
    def build(**overrides: Any) -> Container:
        values: dict[str, Any] = dict(stripe_api_key=API_KEY, secrets_key=SECRETS,
                                      llm_max_retries=0, llm_timeout_s=5)
        values.update(overrides)
        return make_container(**values)

    return build


def _server(container: Container, fake: FakeDiscord, tier: str = "enterprise") -> int:
    eco, _ = open_space(container.deps, "discord", fake.guild_id, [fake.channel_id])
    if tier != "free":
        billing.set_tier(container.deps, eco.id, tier)
    return eco.id


def _scenario(container: Container, fake: FakeDiscord, body: Callable[[CommandBot], Any]
              ) -> None:
    async def main() -> None:
        async with command_bot(container, fake) as cb:
            await body(cb)
            assert cb.all_acknowledged_in_time()

    run(main())


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _row(container: Container, eco: int) -> dict[str, Any] | None:
    with container.database.engine.connect() as conn:
        row = conn.execute(select(enterprise_settings).where(
            enterprise_settings.c.ecosystem_id == eco)).mappings().first()
    return dict(row) if row is not None else None


# -- own model ------------------------------------------------------------------------------------


def test_an_enterprise_server_sets_its_own_model_through_the_form(
        make: Callable[..., Container], fake_discord: FakeDiscord, theirs: FakeOpenAI) -> None:
    container = make()
    eco = _server(container, fake_discord)

    async def body(cb: CommandBot) -> None:
        command = cb.command("enterprise model", permissions=MANAGE_GUILD)
        await cb.invoke(command)
        form = cb.modal(command)
        assert first_text_input_ids(form) == ["personae-enterprise-endpoint",
                                              "personae-enterprise-model",
                                              "personae-enterprise-key"]
        submitted = cb.submit(form["custom_id"], {
            "personae-enterprise-endpoint": theirs.base_url,
            "personae-enterprise-model": "their-model",
            "personae-enterprise-key": THEIR_KEY}, permissions=MANAGE_GUILD)
        await cb.invoke(submitted)
        shown = cb.text(submitted)
        assert "Saved: the endpoint answered" in shown and "their-model" in shown
        assert THEIR_KEY not in shown and "key set" in shown  # never echoed
        assert is_ephemeral(cb.answer(submitted))

        looked = cb.command("enterprise show", permissions=MANAGE_GUILD)
        await cb.invoke(looked)
        assert "their-model" in cb.text(looked) and THEIR_KEY not in cb.text(looked)

    _scenario(container, fake_discord, body)
    # The check: one tiny completion with their key, before anything was saved.
    [check] = theirs.chat_requests
    assert check["model"] == "their-model" and check["max_tokens"] == 5
    assert theirs.headers[-1]["authorization"] == f"Bearer {THEIR_KEY}"
    row = _row(container, eco)
    assert row is not None and row["model_name"] == "their-model"
    assert row["model_base_url"] == theirs.base_url
    assert all(THEIR_KEY not in str(value) for value in row.values())  # not in clear
    assert enterprise.model_for(container.deps, eco) is not None  # in use


def test_an_endpoint_that_does_not_answer_saves_nothing(
        make: Callable[..., Container], fake_discord: FakeDiscord, theirs: FakeOpenAI) -> None:
    container = make()
    eco = _server(container, fake_discord)
    theirs.queue_error(401)

    async def body(cb: CommandBot) -> None:
        command = cb.command("enterprise model", permissions=MANAGE_GUILD)
        await cb.invoke(command)
        submitted = cb.submit(cb.modal(command)["custom_id"], {
            "personae-enterprise-endpoint": theirs.base_url,
            "personae-enterprise-model": "their-model",
            "personae-enterprise-key": "sk-wrong"}, permissions=MANAGE_GUILD)
        await cb.invoke(submitted)
        shown = cb.text(submitted)
        assert "did not answer" in shown and "Nothing was changed" in shown
        assert "sk-wrong" not in shown

    _scenario(container, fake_discord, body)
    assert _row(container, eco) is None


def test_a_free_server_is_told_its_own_model_needs_enterprise(
        make: Callable[..., Container], fake_discord: FakeDiscord) -> None:
    container = make()
    eco = _server(container, fake_discord, "free")

    async def body(cb: CommandBot) -> None:
        command = cb.command("enterprise model", permissions=MANAGE_GUILD)
        await cb.invoke(command)
        [callback] = cb.callbacks(command)
        assert callback["type"] == 4  # an answer, not the form: no key is ever typed
        shown = cb.text(command)
        assert "not part of Free" in shown and "/subscribe enterprise (Enterprise)" in shown
        assert is_ephemeral(cb.answer(command))

        brand = cb.command("enterprise brand", [opt("name", "Club Bot")],
                           permissions=MANAGE_GUILD)
        await cb.invoke(brand)
        assert "white-label" in cb.text(brand) and "Enterprise" in cb.text(brand)

    _scenario(container, fake_discord, body)
    assert _row(container, eco) is None
    assert fake_discord.route_counts[ME] == 0  # the nickname was not touched


def test_members_without_manage_server_are_refused(
        make: Callable[..., Container], fake_discord: FakeDiscord) -> None:
    container = make()
    eco = _server(container, fake_discord)

    async def body(cb: CommandBot) -> None:
        for path in ("enterprise show", "enterprise model", "enterprise brand-clear"):
            command = cb.command(path, [])
            await cb.invoke(command)
            assert "Only server admins (Manage Server)" in cb.text(command)

    _scenario(container, fake_discord, body)
    assert _row(container, eco) is None
    assert fake_discord.route_counts[ME] == 0
    [group] = [c for c in fake_discord.commands() if c["name"] == "enterprise"]
    assert group["default_member_permissions"] == MANAGE_GUILD  # hidden from the others
    assert sorted(o["name"] for o in group["options"]) == [
        "brand", "brand-clear", "model", "model-clear", "show"]


# -- white label ----------------------------------------------------------------------------------


def test_brand_with_a_png_sets_the_bots_nickname_and_avatar_in_the_server(
        make: Callable[..., Container], fake_discord: FakeDiscord) -> None:
    container = make()
    eco = _server(container, fake_discord)
    png = _png()

    async def body(cb: CommandBot) -> None:
        attachment = cb.cdn.serve("logo.png", png)
        command = cb.command("enterprise brand", [opt("name", "  Big   Co Bot "),
                                                  opt("avatar", attachment["id"], 11)],
                             resolved={"attachments": {attachment["id"]: attachment}},
                             permissions=MANAGE_GUILD)
        await cb.invoke(command)
        assert "The bot is now **Big Co Bot** in this server with the new avatar" in \
            cb.text(command)

        cleared = cb.command("enterprise brand-clear", permissions=MANAGE_GUILD)
        await cb.invoke(cleared)
        assert "**Personae** again" in cb.text(cleared)

    _scenario(container, fake_discord, body)
    set_, reset = [r for r in fake_discord.requests if r.route == ME]
    assert set_.json["nick"] == "Big Co Bot"
    assert set_.json["avatar"].startswith("data:image/png;base64,")
    assert reset.json == {"nick": "", "avatar": None}  # discord.py sends "" for no nickname
    assert fake_discord.members_me[(fake_discord.guild_id, fake_discord.app_id)] == {
        "nick": None, "avatar": None}
    [(avatar_hash, uploaded)] = fake_discord.member_avatars.items()
    assert uploaded == png
    assert _row(container, eco) is None  # cleared: nothing left
    history = [r for r in fake_discord.requests if r.route == ME]
    assert len(history) == 2 and avatar_hash


def test_the_stored_brand_is_the_name_and_the_discord_avatar_url(
        make: Callable[..., Container], fake_discord: FakeDiscord) -> None:
    container = make()
    eco = _server(container, fake_discord)

    async def body(cb: CommandBot) -> None:
        attachment = cb.cdn.serve("logo.png", _png())
        command = cb.command("enterprise brand", [opt("name", "Big Co Bot"),
                                                  opt("avatar", attachment["id"], 11)],
                             resolved={"attachments": {attachment["id"]: attachment}},
                             permissions=MANAGE_GUILD)
        await cb.invoke(command)
        renamed = cb.command("enterprise brand", [opt("name", "Big Co")],
                             permissions=MANAGE_GUILD)  # no image: the avatar stays
        await cb.invoke(renamed)
        assert "The bot is now **Big Co** in this server." in cb.text(renamed)

    _scenario(container, fake_discord, body)
    [avatar_hash] = fake_discord.member_avatars
    brand = enterprise.brand_of(container.deps, eco)
    assert brand.name == "Big Co"
    assert brand.avatar_url is not None and (
        f"/guilds/{fake_discord.guild_id}/users/{fake_discord.app_id}/avatars/{avatar_hash}"
        in brand.avatar_url)
    assert "avatar" not in [r for r in fake_discord.requests if r.route == ME][-1].json


@pytest.mark.parametrize("filename,data,size,said", [
    ("card.json", b'{"name": "not an image"}', None, "`card.json` is not a PNG, JPEG, GIF or "
                                                     "WebP image"),
    ("logo.bmp", b"BM" + bytes(64), None, "is not a PNG, JPEG, GIF or WebP image"),
    ("huge.png", b"\x89PNG\r\n\x1a\n", 3 * 1024 * 1024, "an avatar is at most 2,097,152 bytes"),
])
def test_an_attachment_that_is_not_a_small_image_is_refused_and_nothing_changes(
        make: Callable[..., Container], fake_discord: FakeDiscord, filename: str, data: bytes,
        size: int | None, said: str) -> None:
    container = make()
    eco = _server(container, fake_discord)

    async def body(cb: CommandBot) -> None:
        attachment = cb.cdn.serve(filename, data, size=size)
        command = cb.command("enterprise brand", [opt("name", "Big Co Bot"),
                                                  opt("avatar", attachment["id"], 11)],
                             resolved={"attachments": {attachment["id"]: attachment}},
                             permissions=MANAGE_GUILD)
        await cb.invoke(command)
        shown = cb.text(command)
        assert said in shown and "Nothing was changed" in shown
        assert is_ephemeral(cb.answer(command))
        if size is not None:
            assert cb.cdn.downloads == {}  # refused before it was downloaded

    _scenario(container, fake_discord, body)
    assert fake_discord.route_counts[ME] == 0  # Discord was not asked
    assert _row(container, eco) is None


def test_without_change_nickname_discord_refuses_and_nothing_is_stored(
        make: Callable[..., Container], fake_discord: FakeDiscord) -> None:
    container = make()
    eco = _server(container, fake_discord)
    fake_discord.set_change_nickname(fake_discord.guild_id, False)

    async def body(cb: CommandBot) -> None:
        command = cb.command("enterprise brand", [opt("name", "Big Co Bot")],
                             permissions=MANAGE_GUILD)
        await cb.invoke(command)
        shown = cb.text(command)
        assert "Change Nickname permission" in shown and "Nothing was changed" in shown

    _scenario(container, fake_discord, body)
    assert [r.status for r in fake_discord.requests if r.route == ME] == [403]
    assert _row(container, eco) is None


def test_a_brand_that_cannot_be_stored_gives_the_bot_its_name_back(
        make: Callable[..., Container], fake_discord: FakeDiscord,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The server drops to Free between the tier check and the save: the refusal is shown, and
    the nickname and avatar Discord had already changed are put back (nothing stored)."""
    container = make()
    eco = _server(container, fake_discord)
    real_set_brand = enterprise.set_brand

    def tier_lost_meanwhile(deps: Any, ecosystem_id: int, *args: Any, **kwargs: Any) -> Any:
        billing.set_tier(deps, ecosystem_id, "free")
        return real_set_brand(deps, ecosystem_id, *args, **kwargs)

    monkeypatch.setattr(enterprise, "set_brand", tier_lost_meanwhile)
    png = _png()

    async def body(cb: CommandBot) -> None:
        attachment = cb.cdn.serve("logo.png", png)
        command = cb.command("enterprise brand", [opt("name", "Big Co Bot"),
                                                  opt("avatar", attachment["id"], 11)],
                             resolved={"attachments": {attachment["id"]: attachment}},
                             permissions=MANAGE_GUILD)
        await cb.invoke(command)
        assert "not part of Free" in cb.text(command)

    _scenario(container, fake_discord, body)
    changed, undone = [r for r in fake_discord.requests if r.route == ME]
    assert changed.json["nick"] == "Big Co Bot" and changed.status == 200
    assert undone.json == {"nick": "", "avatar": None} and undone.status == 200
    assert fake_discord.members_me[(fake_discord.guild_id, fake_discord.app_id)] == {
        "nick": None, "avatar": None}
    assert _row(container, eco) is None


# -- notices --------------------------------------------------------------------------------------


def test_a_quota_notice_is_posted_through_the_webhook_under_the_brand_once(
        make: Callable[..., Container], fake_discord: FakeDiscord,
        fake_openai: FakeOpenAI) -> None:
    # An Enterprise contract with one model call a month; the bot's white label contains
    # "discord", which webhook names may not: the name is made acceptable.
    container = make(discord_token=fake_discord.token, discord_api_base=fake_discord.api_base,
                     llm_base_url=fake_openai.base_url, reply_delay_s=0.0,
                     channel_min_interval_s=0.0, tiers={"enterprise": {"model_calls": 1}})
    deps = container.deps
    cast_channel(container, fake_discord.guild_id, fake_discord.channel_id,
                 ["Elizabeth Bennet"])
    eco = _server(container, fake_discord)
    enterprise.set_brand(deps, eco, "Discord Den", "https://cdn.example/den.png")

    for n in range(2):  # the second reply is over the month's model calls
        result = ingest(deps, IncomingMessage(
            platform="discord", space_id=fake_discord.guild_id,
            channel_id=fake_discord.channel_id, author_id="770000000000000077",
            author_name="Mary King", text=f"Elizabeth, what news today? ({n})",
            message_id=f"m{n}"))
        for intent in result.intents:
            assert render_intent(deps, intent.id or 0).status == "delivered"
    assert [m.username for m in fake_discord.posted(fake_discord.channel_id)] == [
        "Elizabeth Bennet"] * 2  # the notice waits for its job

    worker = EmbeddedWorker(container)
    worker.run_pending()
    *_, posted = fake_discord.posted(fake_discord.channel_id)
    assert posted.kind == "webhook"
    assert posted.username == "D\u200aiscord Den" and posted.avatar_url == \
        "https://cdn.example/den.png"
    assert "Enterprise" in posted.content and "model calls" in posted.content
    with deps.uow() as uow:
        [notice] = [e for e in uow.events.all(eco) if e.payload.get("type") == "quota"]
    assert notice.external_id == posted.id and notice.author_name == "Discord Den"

    # The job again (a retry, or a second worker): nothing more is posted.
    assert notices.deliver_notice(deps, notice.id or 0).status == "already posted"
    worker.run_pending()
    assert len(fake_discord.posted(fake_discord.channel_id)) == 3
    assert fake_discord.route_counts[EXECUTE] == 3
