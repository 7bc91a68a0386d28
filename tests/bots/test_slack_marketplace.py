"""``/personae marketplace …``, ``subscribe`` and ``billing`` through slack-bolt against the
fake Slack Web API (and the fake Stripe API where billing is configured)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.adapters.sql.tables import memories
from engine.marketplace import SearchQuery, member_key
from engine.messages import IncomingMessage
from engine.services import billing, characters, setup
from engine.services import marketplace as mp
from engine.services.ingest import ingest
from tests.bots.slack_harness import ADMIN, MEMBER, TEAM, SlackHarness, seed_cast, slack_settings
from tests.fakes.slack_api import FakeSlack
from tests.fakes.stripe_api import API_KEY, SECRET, FakeStripe
from workers.bootstrap import Container

ELSEWHERE = "T0999"


@pytest.fixture
def harness(make_container: Callable[..., Container], fake_slack: FakeSlack) -> SlackHarness:
    return SlackHarness(make_container(**slack_settings(fake_slack)), fake_slack)


@pytest.fixture
def billed(make_container: Callable[..., Container], fake_slack: FakeSlack,
           fake_stripe: FakeStripe) -> SlackHarness:
    """Billing configured against the fake Stripe API (limits on)."""
    return SlackHarness(make_container(**slack_settings(
        fake_slack, stripe_api_key=API_KEY, stripe_webhook_secret=SECRET,
        stripe_price_pro="price_pro_monthly", stripe_price_enterprise="price_ent_monthly",
        stripe_api_base=fake_stripe.url, billing_return_url="https://app.example/billing")),
        fake_slack)


def _eco(h: SlackHarness, team: str = TEAM) -> int:
    with h.container.deps.uow() as uow:
        eco = uow.spaces.find_ecosystem("slack", team)
    assert eco is not None
    return eco.id


def _published_elsewhere(h: SlackHarness, name: str = "Longbourn Sisters", *,
                         price_cents: int = 0) -> mp.Published:
    """A cast published from another workspace (Elizabeth and Jane)."""
    seed_cast(h.container, "Elizabeth Bennet", "Jane Bennet", channel="C0999", team=ELSEWHERE)
    return mp.publish(h.container.deps, _eco(h, ELSEWHERE), "cast", name=name,
                      creator=mp.Member(member_key("slack", "UCREATOR"), "Cass Creator"),
                      tags=["regency", "sisters"], genre="romance",
                      premium=price_cents > 0, price_cents=price_cents)


def _blocks(h: SlackHarness) -> list[dict[str, Any]]:
    blocks = h.fake.state.responses[-1].get("blocks") or []
    assert isinstance(blocks, list)
    return blocks


def test_publish_then_search_lists_it(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet", "Fitzwilliam Darcy")
    harness.command("marketplace publish Pride Party", user=ADMIN)
    assert "Published *Pride Party* 1.0.0: share code `" in harness.last_response()
    harness.command("marketplace search pride")
    blocks = json.dumps(_blocks(harness))
    assert "*Pride Party*" in blocks and "by Ada Admin" in blocks
    assert "no ratings yet" in blocks and "0 installs" in blocks
    harness.command("marketplace browse")
    assert "Pride Party" in json.dumps(_blocks(harness))
    harness.command("marketplace search nothing-like-it")
    assert harness.last_response() == "No listings found."


def test_view_shows_the_cast_tags_and_creator(harness: SlackHarness) -> None:
    code = _published_elsewhere(harness).listing.share_code
    harness.command(f"marketplace view {code}")
    text = harness.last_response()
    assert "*Longbourn Sisters*" in text and "by Cass Creator" in text
    assert "#regency #sisters" in text and "Elizabeth Bennet" in text and "Jane Bennet" in text
    assert f"/personae marketplace install {code}" in json.dumps(_blocks(harness))


def test_install_copies_the_cast_into_this_workspace(harness: SlackHarness) -> None:
    code = _published_elsewhere(harness).listing.share_code
    harness.command(f"marketplace install {code}", user=ADMIN)
    assert harness.last_response().startswith("Installed *Longbourn Sisters* 1.0.0 in this "
                                               "channel: ")
    assert sorted(characters.character_names(harness.container.deps, _eco(harness))) == [
        "Elizabeth Bennet", "Jane Bennet"]
    harness.command("cast")
    assert "Elizabeth Bennet" in harness.last_response()
    assert mp.get_listing(harness.container.deps, code).install_count == 1


def test_a_member_without_permission_is_refused(harness: SlackHarness) -> None:
    code = _published_elsewhere(harness).listing.share_code
    harness.command(f"marketplace install {code}", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    harness.command("marketplace publish Mine", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    harness.command("subscribe pro", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    eco, _ = setup.open_space(harness.container.deps, "slack", TEAM, [])
    assert characters.character_names(harness.container.deps, eco.id) == []


def test_rating_twice_edits_the_rating(harness: SlackHarness) -> None:
    code = _published_elsewhere(harness).listing.share_code
    harness.command(f"marketplace rate {code} 2 too short")
    assert harness.last_response().startswith(f"Rated `{code}` ★★☆☆☆")
    harness.command(f"marketplace rate {code} 5 grew on me")
    listing = mp.get_listing(harness.container.deps, code)
    assert (listing.rating_count, listing.rating) == (1, 5.0)
    harness.command(f"marketplace view {code}")
    text = harness.last_response()
    assert "5.0★ (1)" in text and "grew on me" in text and "too short" not in text
    harness.command(f"marketplace rate {code} six")
    assert "1 to 5 stars" in harness.last_response()


def test_an_unknown_marketplace_subcommand_gets_the_usage(harness: SlackHarness) -> None:
    harness.command("marketplace juggle")
    assert harness.last_response().startswith("Usage: `/personae marketplace browse")


def test_subscribe_returns_the_checkout_url_as_a_button(billed: SlackHarness,
                                                        fake_stripe: FakeStripe) -> None:
    billed.command("subscribe pro", user=ADMIN)
    assert "https://checkout.stripe.com/" in billed.last_response()
    (button,) = _blocks(billed)[1]["elements"]
    assert button["url"].startswith("https://checkout.stripe.com/")
    (call,) = fake_stripe.requests_to("/v1/checkout/sessions")
    assert call[3]["line_items[0][price]"] == "price_pro_monthly"
    billed.command("billing", user=ADMIN)
    text = billed.last_response()
    assert "*Tier:* Free" in text and "characters: 0 / 5" in text
    assert "/personae subscribe pro" in text


def test_a_premium_package_answers_with_a_checkout_link(billed: SlackHarness) -> None:
    code = _published_elsewhere(billed, price_cents=499).listing.share_code
    billed.command(f"marketplace install {code}", user=ADMIN)
    text = billed.last_response()
    assert "premium package (4.99 USD" in text and "https://checkout.stripe.com/" in text
    assert characters.character_names(billed.container.deps, _eco(billed)) == []


def test_billing_without_stripe_shows_the_tier_and_usage(harness: SlackHarness) -> None:
    harness.seed_cast("Elizabeth Bennet")
    harness.command("billing")
    text = harness.last_response()
    assert "*Tier:*" in text and "characters: 1 / unlimited" in text
    assert "Billing is not configured" in text
    harness.command("subscribe", user=ADMIN)
    assert "Billing is not configured" in harness.last_response()


# -- uninstall, update, installed, reports and moderation, creator stats, the billing portal ----

MODERATOR = "UMOD"


@pytest.fixture
def moderated(make_container: Callable[..., Container], fake_slack: FakeSlack) -> SlackHarness:
    """The operator names UMOD (and a Discord user) the marketplace's moderators."""
    h = SlackHarness(make_container(**slack_settings(
        fake_slack, marketplace_moderators=f"slack:{MODERATOR},discord:1234567890")), fake_slack)
    fake_slack.add_user(MODERATOR, "Mo Moderator")
    return h


def _memories(h: SlackHarness, character_id: int) -> int:
    with h.container.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(memories)
                                .where(memories.c.owner_id == character_id)).scalar_one())


def test_uninstall_removes_exactly_what_the_install_added(harness: SlackHarness) -> None:
    """The workspace has Lydia of its own and installs Elizabeth and Jane; a member may not
    uninstall, an unknown code is named and changes nothing; a director's uninstall removes
    the two installed characters and leaves Lydia."""
    deps = harness.container.deps
    harness.seed_cast("Lydia Bennet")
    code = _published_elsewhere(harness).listing.share_code
    harness.command(f"marketplace install {code}", user=ADMIN)
    harness.command("marketplace installed", user=ADMIN)
    listed = harness.last_response()
    assert f"*Longbourn Sisters* `{code}` 1.0.0 — 2 characters: " in listed, listed
    assert "Elizabeth Bennet" in listed and "Jane Bennet" in listed
    assert "uninstall CODE" in json.dumps(_blocks(harness))

    harness.command(f"marketplace uninstall {code}", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    harness.command("marketplace uninstall ZZZZ-ZZZZ", user=ADMIN)
    assert harness.last_response() == "No installed package 'ZZZZ-ZZZZ' here."
    assert sorted(characters.character_names(deps, _eco(harness))) == [
        "Elizabeth Bennet", "Jane Bennet", "Lydia Bennet"]

    harness.command(f"marketplace uninstall {code.lower()}", user=ADMIN)
    done = harness.last_response()
    assert done.startswith(f"Uninstalled `{code.lower()}`: removed "), done
    assert "Elizabeth Bennet" in done and "Jane Bennet" in done
    assert characters.character_names(deps, _eco(harness)) == ["Lydia Bennet"]
    harness.command("marketplace installed", user=ADMIN)
    assert harness.last_response().startswith("No packages installed here.")


def test_update_keeps_lived_memories(harness: SlackHarness) -> None:
    """Jane witnesses a message after the install; the creator publishes 1.1.0 (Jane's
    description edited, Bingley added): the update edits Jane in place, keeps her memories and
    brings Bingley into this channel."""
    deps = harness.container.deps
    published = _published_elsewhere(harness)
    code = published.listing.share_code
    harness.command(f"marketplace install {code}", user=ADMIN)
    eco = _eco(harness)
    jane = setup.find_character(deps, eco, "Jane Bennet")
    assert jane.id is not None
    ingest(deps, IncomingMessage(platform="slack", space_id=TEAM, channel_id="C0001",
                                 author_id=MEMBER, author_name="Mary King",
                                 text="Jane, I found your bonnet by the pond!",
                                 message_id="1700000000.000100"))
    lived = _memories(harness, jane.id)
    assert lived > 0
    source = _eco(harness, ELSEWHERE)
    with deps.uow() as uow:
        j = uow.participants.find_character(source, "Jane Bennet")
        assert j is not None
        j.description = "Jane, now engaged to Mr. Bingley."
        uow.participants.update_character(j)
        uow.commit()
    seed_cast(harness.container, "Charles Bingley", channel="C0999", team=ELSEWHERE)
    again = mp.publish(deps, source, "cast", name="Longbourn Sisters",
                       creator=mp.Member(member_key("slack", "UCREATOR"), "Cass Creator"))
    assert again.version == "1.1.0"

    harness.command("marketplace installed", user=ADMIN)
    assert f"*1.1.0 is out*: `/personae marketplace update {code}`" in harness.last_response()
    harness.command(f"marketplace update {code}", user=MEMBER)
    assert "Only workspace admins" in harness.last_response()
    harness.command(f"marketplace update {code}", user=ADMIN)
    shown = harness.last_response()
    assert shown.startswith("Updated *Longbourn Sisters* to 1.1.0."), shown
    assert "New: Charles Bingley in this channel." in shown
    after = setup.find_character(deps, eco, "Jane Bennet")
    assert after.id == jane.id and after.description == "Jane, now engaged to Mr. Bingley."
    assert _memories(harness, jane.id) == lived
    harness.command("cast")
    assert "Charles Bingley" in harness.last_response()
    harness.command(f"marketplace update {code}", user=ADMIN)
    assert "already at its latest version (1.1.0)" in harness.last_response()


def test_report_then_a_moderator_takes_it_down_and_restores_it(moderated: SlackHarness) -> None:
    """A member reports; neither they nor a workspace admin may list reports, take down or
    restore (a clear refusal, the package stays listed); the moderator sees the report, takes
    the package down (not found by search, not installable) and restores it."""
    h = moderated
    deps = h.container.deps
    code = _published_elsewhere(h).listing.share_code

    def listed() -> list[str]:
        return [p.share_code for p in mp.search(deps, SearchQuery("longbourn")).listings]

    h.command(f"marketplace report {code}")
    assert "Say which package and what is wrong with it" in h.last_response()
    h.command(f"marketplace report {code} Copies my own cast word for word.")
    assert h.last_response().startswith(f"Reported `{code}` to the marketplace's moderators")

    for user in (MEMBER, ADMIN):
        for text in ("marketplace reports", f"marketplace takedown {code} no reason",
                     f"marketplace takedown {code}", f"marketplace restore {code}"):
            h.command(text, user=user)
            answer = h.last_response()
            assert answer.startswith("Only the marketplace's moderators can do that"), answer
            assert "Nothing was changed." in answer
            assert h.fake.state.responses[-1]["response_type"] == "ephemeral"
    assert listed() == [code]

    h.command("marketplace reports", user=MODERATOR)
    shown = h.last_response()
    assert f"`{code}` *Longbourn Sisters* (by Cass Creator)" in shown
    assert "Copies my own cast word for word." in shown
    h.command(f"marketplace takedown {code}", user=MODERATOR)
    assert "Say why" in h.last_response() and listed() == [code]
    h.command(f"marketplace takedown {code} Plagiarised cast.", user=MODERATOR)
    assert h.last_response().startswith(
        f"Took down *Longbourn Sisters* `{code}`: Plagiarised cast.")
    assert listed() == []
    h.command(f"marketplace install {code}", user=ADMIN)
    assert "was taken down" in h.last_response()
    assert characters.character_names(deps, _eco(h)) == []
    h.command(f"marketplace view {code}", user=MODERATOR)
    assert "*Taken down:* Plagiarised cast." in h.last_response()
    h.command("marketplace reports", user=MODERATOR)
    assert h.last_response() == "No open reports."
    h.command(f"marketplace restore {code}", user=MODERATOR)
    assert h.last_response().startswith(f"Restored *Longbourn Sisters* `{code}`")
    assert listed() == [code]


def test_creator_stats_show_installs_and_active_use(harness: SlackHarness) -> None:
    """Ada publishes this workspace's cast; two other communities install it and one of its
    characters speaks: her stats show 2 installs and 1 character in use."""
    deps = harness.container.deps
    harness.seed_cast("Elizabeth Bennet")
    harness.command("marketplace stats", user=ADMIN)
    assert harness.last_response().startswith("You have not published a package yet")
    harness.command("marketplace publish Lizzy", user=ADMIN)
    [listing] = mp.search(deps, SearchQuery("lizzy")).listings
    for place in ("elsewhere-1", "elsewhere-2"):
        eco, _ = setup.open_space(deps, "console", place, ["hall"])
        out = mp.install(deps, eco.id, listing.share_code)
    with deps.uow() as uow:
        uow.participants.set_last_spoke(out.installation.character_ids[0], deps.clock.now())
        uow.commit()
    harness.command("marketplace stats", user=ADMIN)
    shown = harness.last_response()
    assert "*Your packages*: 2 installs in all; 1 installed characters spoke" in shown
    assert (f"*Lizzy* 1.0.0 `{listing.share_code}` — 2 installs · 2 still installed · "
            "1 characters active in 30 days · unrated") in shown, shown
    harness.command("marketplace stats", user=MEMBER)
    assert harness.last_response().startswith("You have not published a package yet")


def test_billing_for_a_subscribed_workspace_answers_with_the_portal_button(
        billed: SlackHarness, fake_stripe: FakeStripe) -> None:
    """After the workspace's Checkout completed (a webhook event; the subscription re-read
    from the fake Stripe API), a director's `billing` carries the Customer Portal session's
    URL as a button; a member sees the tier without it."""
    billed.command("billing")  # the workspace's community exists from the first command
    eco = _eco(billed)
    fake_stripe.put_subscription("sub_1", "active", "price_pro_monthly",
                                 metadata={"ecosystem_id": str(eco)})
    assert billing.handle_event(billed.container.deps, {
        "id": "evt_1", "object": "event", "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_test_1", "object": "checkout.session",
                            "mode": "subscription", "client_reference_id": str(eco),
                            "customer": "cus_1", "subscription": "sub_1"}}}
    ).startswith("pro, active")
    billed.command("billing", user=ADMIN)
    assert "*Tier:* Pro (subscription: active)" in billed.last_response()
    (button,) = _blocks(billed)[1]["elements"]
    assert button["url"] == "https://billing.stripe.com/p/session/cus_1"
    assert button["action_id"] == "personae_portal"
    billed.command("billing", user=MEMBER)
    assert "*Tier:* Pro" in billed.last_response()
    assert "billing.stripe.com" not in json.dumps(billed.fake.state.responses[-1])
    [(_, _, _, form)] = fake_stripe.requests_to("/v1/billing_portal/sessions")
    assert form["customer"] == "cus_1" and form["return_url"] == "https://app.example/billing"


def test_an_install_says_when_package_images_cannot_become_avatars_yet(
        harness: SlackHarness) -> None:
    # No PERSONAE_PUBLIC_BASE_URL: the images are kept, the avatars left, and the reply says
    # how to get them shown.
    import base64
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    seed_cast(harness.container, "Elizabeth Bennet", "Jane Bennet", channel="C0999",
              team=ELSEWHERE)
    deps = harness.container.deps
    doc = mp.package_from_ecosystem(deps, _eco(harness, ELSEWHERE), "cast", name="Portraits")
    doc["images"]["jane.png"] = base64.b64encode(out.getvalue()).decode()
    next(c for c in doc["characters"] if c["card"]["data"]["name"] == "Jane Bennet")[
        "image"] = "jane.png"
    code = mp.publish_package(deps, doc, creator=mp.Member(
        member_key("slack", "UCREATOR"), "Cass Creator")).listing.share_code
    harness.command(f"marketplace install {code}", user=ADMIN)
    reply = harness.last_response()
    assert reply.startswith("Installed *Portraits*")
    assert "set PERSONAE_PUBLIC_BASE_URL so platforms can show them" in reply
    # The card's own avatar stays; nothing points at a media URL no one can reach.
    avatar = setup.find_character(deps, _eco(harness), "Jane Bennet").persona.avatar_url
    assert avatar is None or "/media/" not in avatar
