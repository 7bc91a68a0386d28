"""``/marketplace``, ``/subscribe`` and ``/billing`` through the real discord.py against the
fake Discord (and, for billing, the fake Stripe API), on SQLite.

Every scenario ends by checking that each interaction was acknowledged once, within Discord's
3 seconds (the fake refuses a later acknowledgement).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine.cards import load_card_file
from engine.content import bundled_cast
from engine.marketplace.search import SearchQuery
from engine.services import casting, setup
from engine.services import marketplace as mp
from tests.bots.discord_interactions import (
    MANAGE_GUILD,
    CommandBot,
    command_bot,
    is_ephemeral,
    opt,
    run,
)
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.stripe_api import API_KEY, SECRET, FakeStripe
from workers.bootstrap import Container

CARDS = {load_card_file(p).name: p for p in bundled_cast()}
MARY = "770000000000000077"
TOM = "880000000000000088"
CREATOR = mp.Member("console:creator", "Cassandra")


@pytest.fixture
def backend() -> str:
    return "embedded"


@pytest.fixture
def billed(make_container: Callable[..., Container], fake_stripe: FakeStripe) -> Container:
    """Billing configured against the fake Stripe API."""
    return make_container(stripe_api_key=API_KEY, stripe_webhook_secret=SECRET,
                          stripe_price_pro="price_pro_monthly",
                          stripe_price_enterprise="price_enterprise_monthly",
                          stripe_api_base=fake_stripe.url,
                          billing_return_url="https://app.example/billing")


def _eco(container: Container, fake: FakeDiscord) -> int:
    ecosystem, _ = setup.open_space(container.deps, "discord", fake.guild_id, [])
    return ecosystem.id


def _names(container: Container, fake: FakeDiscord) -> list[str]:
    return sorted(c.name for c in setup.list_characters(container.deps, _eco(container, fake)))


def _seed(container: Container, platform: str, space: str, *names: str) -> int:
    deps = container.deps
    ecosystem, chans = setup.open_space(deps, platform, space, ["hall"])
    setup.import_characters(deps, ecosystem.id, [load_card_file(CARDS[n]) for n in names],
                            [c.id for c in chans])
    return ecosystem.id


def _workshop(container: Container, name: str, *characters: str, **kwargs: Any) -> str:
    """A package published elsewhere (by another creator); its share code."""
    eco = _seed(container, "console", f"workshop-{name}", *characters)
    out = mp.publish(container.deps, eco, "cast", name=name, creator=CREATOR,
                     description=f"The {name} package.", **kwargs)
    return out.listing.share_code


def _scenario(container: Container, fake: FakeDiscord,
              body: Callable[[CommandBot], Any]) -> None:
    async def main() -> None:
        async with command_bot(container, fake) as cb:
            await body(cb)
            assert cb.all_acknowledged_in_time()

    run(main())


def _links(cb: CommandBot, payload: dict[str, Any]) -> list[str]:
    return [c["url"] for row in cb.answer(payload).components
            for c in row.get("components", []) if c.get("url")]


def test_the_new_commands_sync(container: Container, fake_discord: FakeDiscord) -> None:
    _scenario(container, fake_discord, lambda cb: cb.bot.tree.sync())
    commands = {c["name"]: c for c in fake_discord.commands()}
    assert {"marketplace", "subscribe", "billing"} <= set(commands)
    subs = sorted(o["name"] for o in commands["marketplace"]["options"] if o["type"] == 1)
    assert subs == ["browse", "buy", "install", "publish", "rate", "search", "view"]
    rate = next(o for o in commands["marketplace"]["options"] if o["name"] == "rate")
    stars = next(o for o in rate["options"] if o["name"] == "stars")
    assert (stars["min_value"], stars["max_value"]) == (1, 5)


def test_publish_then_search_finds_it_and_the_next_page_turns(
        container: Container, fake_discord: FakeDiscord) -> None:
    _seed(container, "discord", fake_discord.guild_id, "Elizabeth Bennet", "Jane Bennet")
    for i in range(5):
        _workshop(container, f"Filler {i}", "William Collins")

    async def body(cb: CommandBot) -> None:
        publish = cb.command("marketplace publish", [opt("name", "Longbourn Sisters"),
                                                     opt("tags", "regency, family")],
                             permissions=MANAGE_GUILD)
        await cb.invoke(publish)
        shown = cb.text(publish)
        assert "Published **Longbourn Sisters** 1.0.0" in shown, shown
        assert "Elizabeth Bennet" in shown and "Jane Bennet" in shown
        [listing] = [p for p in mp.search(container.deps, SearchQuery("longbourn")).listings]

        search = cb.command("marketplace search", [opt("text", "longbourn")])
        await cb.invoke(search)
        assert listing.share_code in cb.text(search) and "Page 1" in cb.text(search)
        assert is_ephemeral(cb.answer(search))

        browse = cb.command("marketplace browse", [opt("sort", "new")])
        await cb.invoke(browse)
        first = cb.text(browse)
        assert first.count("installs") == 5 and "more on the next page" in first
        previous, following = cb.custom_ids(browse)
        click = cb.click(cb.answer(browse), following, user_id=MARY)
        await cb.invoke(click)
        assert [c["type"] for c in cb.callbacks(click)] == [6]  # acknowledged at once
        second = cb.text(browse)
        assert "Page 2" in second and second.count("installs") == 1
        assert "Filler 0" in second  # the oldest, last by "new"
        await cb.invoke(cb.click(cb.answer(browse), previous, user_id=MARY))
        assert cb.text(browse) == first

    _scenario(container, fake_discord, body)


def test_install_copies_the_cast_into_this_channel_and_members_are_refused(
        container: Container, fake_discord: FakeDiscord) -> None:
    code = _workshop(container, "Netherfield", "Charles Bingley", "Fitzwilliam Darcy")

    async def body(cb: CommandBot) -> None:
        refused = cb.command("marketplace install", [opt("package", code)], user_id=TOM)
        await cb.invoke(refused)
        assert "Only directors can do that" in cb.text(refused)
        assert _names(container, fake_discord) == []

        install = cb.command("marketplace install", [opt("package", code)],
                             permissions=MANAGE_GUILD)
        await cb.invoke(install)
        shown = cb.text(install)
        assert "Installed **Netherfield** 1.0.0" in shown, shown
        assert f"<#{fake_discord.channel_id}>" in shown

        view = cb.command("marketplace view", [opt("package", code)])
        await cb.invoke(view)
        shown = cb.text(view)
        assert "Charles Bingley" in shown and "by Cassandra" in shown and "free" in shown
        assert cb.answer(view).embeds[0]["fields"][4]["value"] == "1"  # installs

    _scenario(container, fake_discord, body)
    assert _names(container, fake_discord) == ["Charles Bingley", "Fitzwilliam Darcy"]
    cast = casting.cast_of_channel(container.deps, _eco(container, fake_discord),
                                   fake_discord.channel_id)
    assert sorted(m.name for m in cast) == ["Charles Bingley", "Fitzwilliam Darcy"]


def test_rating_twice_edits_the_members_rating(container: Container,
                                                fake_discord: FakeDiscord) -> None:
    code = _workshop(container, "Rosings", "William Collins")

    async def body(cb: CommandBot) -> None:
        first = cb.command("marketplace rate", [opt("package", code), opt("stars", 4),
                                                opt("review", "Delightful")])
        await cb.invoke(first)
        assert "★★★★☆ — Delightful" in cb.text(first)
        again = cb.command("marketplace rate", [opt("package", code), opt("stars", 2),
                                                opt("review", "Wore thin")])
        await cb.invoke(again)
        view = cb.command("marketplace view", [opt("package", code)])
        await cb.invoke(view)
        shown = cb.text(view)
        assert "2.0★ (1)" in shown and "Wore thin" in shown and "Delightful" not in shown

    _scenario(container, fake_discord, body)
    listing = mp.get_listing(container.deps, code)
    assert (listing.rating_count, listing.rating_sum) == (1, 2)


def test_subscribe_answers_with_the_checkout_link_and_premium_installs_offer_one(
        billed: Container, fake_discord: FakeDiscord, fake_stripe: FakeStripe) -> None:
    code = _workshop(billed, "Pemberley", "Fitzwilliam Darcy", premium=True, price_cents=299)

    async def body(cb: CommandBot) -> None:
        member = cb.command("subscribe", user_id=TOM)
        await cb.invoke(member)
        assert "Only directors can do that" in cb.text(member)

        subscribe = cb.command("subscribe", [opt("tier", "pro")], permissions=MANAGE_GUILD)
        await cb.invoke(subscribe)
        [url] = _links(cb, subscribe)
        assert url.startswith("https://checkout.stripe.com/") and is_ephemeral(
            cb.answer(subscribe))
        assert len(fake_stripe.sessions) == 1

        status = cb.command("billing", user_id=TOM)
        await cb.invoke(status)
        assert "Tier: Free" in cb.text(status) and "characters: 0 / 5" in cb.text(status)

        install = cb.command("marketplace install", [opt("package", code)],
                             permissions=MANAGE_GUILD)
        await cb.invoke(install)
        shown = cb.text(install)
        assert "'Pemberley' is a premium package (2.99)" in shown, shown
        [buy] = _links(cb, install)
        assert buy.startswith("https://checkout.stripe.com/")

    _scenario(billed, fake_discord, body)
    assert _names(billed, fake_discord) == []  # nothing installed before it is bought


def test_billing_without_stripe_shows_the_tier_and_usage(container: Container,
                                                         fake_discord: FakeDiscord) -> None:
    async def body(cb: CommandBot) -> None:
        status = cb.command("billing", permissions=MANAGE_GUILD)
        await cb.invoke(status)
        shown = cb.text(status)
        assert "Billing is not set up here." in shown and "Usage" in shown
        assert _links(cb, status) == []

    _scenario(container, fake_discord, body)
