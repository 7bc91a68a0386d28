"""``/personae marketplace …``, ``subscribe`` and ``billing`` through slack-bolt against the
fake Slack Web API (and the fake Stripe API where billing is configured)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from engine.marketplace import member_key
from engine.services import characters, setup
from engine.services import marketplace as mp
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
