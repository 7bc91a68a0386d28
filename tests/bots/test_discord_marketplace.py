"""``/marketplace``, ``/subscribe`` and ``/billing`` through the real discord.py against the
fake Discord (and, for billing, the fake Stripe API), on SQLite.

Every scenario ends by checking that each interaction was acknowledged once, within Discord's
3 seconds (the fake refuses a later acknowledgement).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.adapters.sql.tables import memories
from engine.cards import load_card_file
from engine.content import bundled_cast
from engine.marketplace.search import SearchQuery
from engine.messages import IncomingMessage
from engine.services import billing, casting, setup
from engine.services import marketplace as mp
from engine.services.ingest import ingest
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
    assert subs == ["browse", "buy", "install", "installed", "publish", "rate", "report",
                    "reports", "restore", "search", "stats", "takedown", "uninstall", "update",
                    "view"]
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


# -- uninstall, update, installed, reports and moderation, creator stats, the billing portal ----

MOD = "990000000000000099"


@pytest.fixture
def moderated(make_container: Callable[..., Container]) -> Container:
    """The operator names MOD a marketplace moderator (and nobody else)."""
    return make_container(marketplace_moderators=f"discord:{MOD}, slack:UMOD")


def _memories(container: Container, character_id: int) -> int:
    with container.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(memories)
                                .where(memories.c.owner_id == character_id)).scalar_one())


def test_every_subcommand_fits_discords_limits(container: Container,
                                               fake_discord: FakeDiscord) -> None:
    """At most 25 subcommands in a group, and at most 8,000 characters of names, descriptions
    and choices in one command (Discord refuses the whole sync otherwise)."""
    _scenario(container, fake_discord, lambda cb: cb.bot.tree.sync())
    [group] = [c for c in fake_discord.commands() if c["name"] == "marketplace"]
    subs = [o for o in group["options"] if o["type"] == 1]
    assert len(subs) <= 25

    def chars(node: Any) -> int:
        if isinstance(node, dict):
            return sum(len(str(node[k])) for k in ("name", "description", "value")
                       if k in node and isinstance(node[k], str | int | float)) + sum(
                chars(v) for k, v in node.items() if k in ("options", "choices"))
        return sum(chars(n) for n in node) if isinstance(node, list) else 0

    assert chars(group) <= 8000


def test_uninstall_asks_first_then_removes_exactly_what_the_install_added(
        container: Container, fake_discord: FakeDiscord) -> None:
    """A director installs a package beside a character of the server's own; uninstalling an
    unknown package is refused with nothing changed; Cancel changes nothing; Confirm removes
    the package's characters (with their memories and relationships) and nothing else."""
    _seed(container, "discord", fake_discord.guild_id, "Lydia Bennet")
    code = _workshop(container, "Netherfield", "Charles Bingley", "Fitzwilliam Darcy")

    async def body(cb: CommandBot) -> None:
        install = cb.command("marketplace install", [opt("package", code)],
                             permissions=MANAGE_GUILD)
        await cb.invoke(install)
        assert "Installed **Netherfield**" in cb.text(install)

        listed = cb.command("marketplace installed", permissions=MANAGE_GUILD)
        await cb.invoke(listed)
        shown = cb.text(listed)
        assert f"`{code}` **Netherfield** 1.0.0 · 2 characters" in shown, shown
        assert "Charles Bingley" in shown and "Fitzwilliam Darcy" in shown

        member = cb.command("marketplace uninstall", [opt("package", code)], user_id=TOM)
        await cb.invoke(member)
        assert "Only directors can do that" in cb.text(member)

        unknown = cb.command("marketplace uninstall", [opt("package", "ZZZZ-ZZZZ")],
                             permissions=MANAGE_GUILD)
        await cb.invoke(unknown)
        assert "No installed package 'ZZZZ-ZZZZ' here" in cb.text(unknown)
        assert cb.custom_ids(unknown) == []  # nothing to confirm

        first = cb.command("marketplace uninstall", [opt("package", code)],
                           permissions=MANAGE_GUILD)
        await cb.invoke(first)
        question = cb.text(first)
        assert "Uninstall **Netherfield** 1.0.0? It removes its 2 characters (" in question
        assert "This cannot be undone." in question
        _confirm, cancel = cb.custom_ids(first)
        await cb.invoke(cb.click(cb.answer(first), cancel))
        assert cb.text(first) == "Cancelled; nothing was changed."
        assert _names(container, fake_discord) == ["Charles Bingley", "Fitzwilliam Darcy",
                                                   "Lydia Bennet"]

        again = cb.command("marketplace uninstall", [opt("package", "netherfield")],
                           permissions=MANAGE_GUILD)
        await cb.invoke(again)
        confirm, _cancel = cb.custom_ids(again)
        await cb.invoke(cb.click(cb.answer(again), confirm))
        done = cb.text(again)
        assert done.startswith("Uninstalled **Netherfield**: removed "), done
        assert "Charles Bingley" in done and "Fitzwilliam Darcy" in done

        empty = cb.command("marketplace installed", permissions=MANAGE_GUILD)
        await cb.invoke(empty)
        assert "No packages installed here." in cb.text(empty)

    _scenario(container, fake_discord, body)
    assert _names(container, fake_discord) == ["Lydia Bennet"]
    assert mp.installed(container.deps, _eco(container, fake_discord)) == []


def test_update_keeps_lived_memories_and_adds_the_new_character_here(
        container: Container, fake_discord: FakeDiscord) -> None:
    """Jane lives through a message after the install; the creator publishes 1.1.0 (Jane's
    description edited, Bingley added); the update changes Jane's card in place, keeps every
    memory she made, and Bingley joins this channel. Updating again says it is the latest."""
    deps = container.deps
    workshop = _seed(container, "console", "workshop-longbourn", "Jane Bennet")
    code = mp.publish(deps, workshop, "cast", name="Longbourn", creator=CREATOR).listing.share_code

    eco = _eco(container, fake_discord)
    lived: tuple[int, int] = (0, 0)  # (Jane's id, her memories before the update)

    def live_then_publish_again() -> tuple[int, int]:
        """Jane witnesses a message; the creator edits her, adds Bingley, publishes 1.1.0."""
        jane = setup.find_character(deps, eco, "Jane Bennet")
        assert jane.id is not None
        ingest(deps, IncomingMessage(platform="discord", space_id=fake_discord.guild_id,
                                     channel_id=fake_discord.channel_id, author_id=TOM,
                                     author_name="Tom",
                                     text="Jane, I found your bonnet by the pond!",
                                     message_id="1000000000000000001"))
        with deps.uow() as uow:
            j = uow.participants.find_character(workshop, "Jane Bennet")
            assert j is not None
            j.description = "Jane, now engaged to Mr. Bingley."
            uow.participants.update_character(j)
            uow.commit()
        setup.import_characters(deps, workshop, [load_card_file(CARDS["Charles Bingley"])], [])
        again = mp.publish(deps, workshop, "cast", name="Longbourn", creator=CREATOR)
        assert again.version == "1.1.0"
        return jane.id, _memories(container, jane.id)

    async def body(cb: CommandBot) -> None:
        nonlocal lived
        await cb.invoke(cb.command("marketplace install", [opt("package", code)],
                                   permissions=MANAGE_GUILD))
        lived = live_then_publish_again()
        assert lived[1] > 0
        listed = cb.command("marketplace installed", permissions=MANAGE_GUILD)
        await cb.invoke(listed)
        assert f"**1.1.0 is out**: `/marketplace update {code}`" in cb.text(listed)

        member = cb.command("marketplace update", [opt("package", code)], user_id=TOM)
        await cb.invoke(member)
        assert "Only directors can do that" in cb.text(member)

        update = cb.command("marketplace update", [opt("package", code)],
                            permissions=MANAGE_GUILD)
        await cb.invoke(update)
        shown = cb.text(update)
        assert shown.startswith("Updated **Longbourn** to 1.1.0."), shown
        assert "Updated in place: Jane Bennet (names, memories" in shown
        assert f"New: Charles Bingley, in <#{fake_discord.channel_id}>." in shown

        again = cb.command("marketplace update", [opt("package", code)],
                           permissions=MANAGE_GUILD)
        await cb.invoke(again)
        assert "'Longbourn' is already at its latest version (1.1.0)" in cb.text(again)

    _scenario(container, fake_discord, body)
    after = setup.find_character(deps, eco, "Jane Bennet")
    assert after.id == lived[0] and after.description == "Jane, now engaged to Mr. Bingley."
    assert _memories(container, lived[0]) == lived[1]  # the same Jane, every memory kept
    cast = casting.cast_of_channel(deps, eco, fake_discord.channel_id)
    assert sorted(m.name for m in cast) == ["Charles Bingley", "Jane Bennet"]


def test_report_then_a_moderator_takes_it_down_and_restores_it(
        moderated: Container, fake_discord: FakeDiscord) -> None:
    """A member reports a package; neither they nor a server admin may see the reports or
    take it down (a clear refusal, the package stays listed); the operator's moderator sees
    the report, takes the package down (hidden, not installable, its report closed) and
    restores it."""
    deps = moderated.deps
    code = _workshop(moderated, "Rosings", "William Collins")
    listed = lambda: [p.share_code for p in mp.search(deps, SearchQuery("rosings")).listings]  # noqa: E731

    async def body(cb: CommandBot) -> None:
        report = cb.command("marketplace report", [
            opt("package", code), opt("reason", "Copies my own cast word for word.")],
            user_id=TOM)
        await cb.invoke(report)
        assert f"Reported `{code}` to the marketplace's moderators (report #" in cb.text(report)

        for user, permissions in ((TOM, "0"), (MARY, MANAGE_GUILD)):
            for path, options in (("marketplace reports", []),
                                  ("marketplace takedown", [opt("package", code),
                                                            opt("reason", "no")]),
                                  ("marketplace restore", [opt("package", code)])):
                refused = cb.command(path, options, user_id=user, permissions=permissions)
                await cb.invoke(refused)
                assert cb.text(refused).startswith(
                    "Only the marketplace's moderators can do that"), cb.text(refused)
                assert "Nothing was changed." in cb.text(refused)
                assert is_ephemeral(cb.answer(refused))
        assert listed() == [code]

        reports = cb.command("marketplace reports", user_id=MOD)
        await cb.invoke(reports)
        shown = cb.text(reports)
        assert f"`{code}` **Rosings** (by Cassandra)" in shown
        assert "Copies my own cast word for word." in shown

        takedown = cb.command("marketplace takedown",
                              [opt("package", code), opt("reason", "Plagiarised cast.")],
                              user_id=MOD)
        await cb.invoke(takedown)
        assert cb.text(takedown).startswith(f"Took down **Rosings** (`{code}`): Plagiarised cast.")
        assert listed() == []

        install = cb.command("marketplace install", [opt("package", code)],
                             permissions=MANAGE_GUILD)
        await cb.invoke(install)
        assert "was taken down" in cb.text(install)
        hidden = cb.command("marketplace view", [opt("package", code)], user_id=TOM)
        await cb.invoke(hidden)
        assert "was taken down by the moderators" in cb.text(hidden)
        seen = cb.command("marketplace view", [opt("package", code)], user_id=MOD)
        await cb.invoke(seen)
        assert "Taken down: Plagiarised cast." in cb.text(seen)
        closed = cb.command("marketplace reports", user_id=MOD)
        await cb.invoke(closed)
        assert "No open reports." in cb.text(closed)

        restore = cb.command("marketplace restore", [opt("package", code)], user_id=MOD)
        await cb.invoke(restore)
        assert cb.text(restore).startswith(f"Restored **Rosings** (`{code}`)")

    _scenario(moderated, fake_discord, body)
    assert listed() == [code]
    assert _names(moderated, fake_discord) == []  # the refused install added nothing


def test_creator_stats_show_installs_and_active_use(container: Container,
                                                    fake_discord: FakeDiscord) -> None:
    """Mary publishes this server's cast; two other communities install it and one of its
    characters speaks there: Mary's stats show 2 installs and 1 character in use; a member
    who published nothing is told so."""
    deps = container.deps
    _seed(container, "discord", fake_discord.guild_id, "Elizabeth Bennet")

    def installed_twice_and_spoken() -> Any:
        [listing] = mp.search(deps, SearchQuery("lizzy")).listings
        assert listing.creator_key == f"discord:{MARY}"
        for place in ("elsewhere-1", "elsewhere-2"):
            eco, _ = setup.open_space(deps, "console", place, ["hall"])
            out = mp.install(deps, eco.id, listing.share_code)
        with deps.uow() as uow:
            uow.participants.set_last_spoke(out.installation.character_ids[0],
                                            deps.clock.now())
            uow.commit()
        return listing

    async def body(cb: CommandBot) -> None:
        await cb.invoke(cb.command("marketplace publish", [opt("name", "Lizzy")],
                                   permissions=MANAGE_GUILD, user_id=MARY))
        listing = installed_twice_and_spoken()
        stats = cb.command("marketplace stats", user_id=MARY)
        await cb.invoke(stats)
        shown = cb.text(stats)
        assert "2 installs in all; 1 installed characters spoke in the last 30 days." in shown
        assert (f"`{listing.share_code}` · 2 installs · 2 still installed · "
                "1 characters active in 30 days · unrated") in shown, shown
        nothing = cb.command("marketplace stats", user_id=TOM)
        await cb.invoke(nothing)
        assert "You have not published a package yet." in cb.text(nothing)

    _scenario(container, fake_discord, body)


def test_billing_for_a_subscribed_server_answers_with_the_portal_button(
        billed: Container, fake_discord: FakeDiscord, fake_stripe: FakeStripe) -> None:
    """Once the server's Checkout completed (a webhook event, the subscription re-read from
    the fake Stripe API), a director's /billing carries the Customer Portal session's URL as
    a link button; a member sees the tier without it."""
    eco = _eco(billed, fake_discord)
    fake_stripe.put_subscription("sub_1", "active", "price_pro_monthly",
                                 metadata={"ecosystem_id": str(eco)})
    assert billing.handle_event(billed.deps, {
        "id": "evt_1", "object": "event", "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_test_1", "object": "checkout.session",
                            "mode": "subscription", "client_reference_id": str(eco),
                            "customer": "cus_1", "subscription": "sub_1"}}}
    ).startswith("pro, active")

    async def body(cb: CommandBot) -> None:
        director = cb.command("billing", permissions=MANAGE_GUILD)
        await cb.invoke(director)
        assert "Tier: Pro" in cb.text(director) and "portal" in cb.text(director)
        assert _links(cb, director) == ["https://billing.stripe.com/p/session/cus_1"]
        assert is_ephemeral(cb.answer(director))
        member = cb.command("billing", user_id=TOM)
        await cb.invoke(member)
        assert "Tier: Pro" in cb.text(member) and _links(cb, member) == []

    _scenario(billed, fake_discord, body)
    [(_, _, _, form)] = fake_stripe.requests_to("/v1/billing_portal/sessions")
    assert form["customer"] == "cus_1"
    assert form["return_url"] == "https://app.example/billing"
