"""Tiers, quotas, priority processing and Stripe billing, on both backends.

Stripe is a fake API on 127.0.0.1 (``tests/fakes/stripe_api.py``); webhooks are signed with
the real ``stripe`` library and sent over HTTP to the real endpoint (``personae billing
serve``'s app).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import insert

from bots.billing.webhook import PATH, Running, serve
from engine.adapters.sql.tables import packages
from engine.adapters.stripe_billing import StripeBilling
from engine.billing.tiers import QuotaExceeded
from engine.cards import parse_card
from engine.clock import ManualClock
from engine.messages import IncomingMessage
from engine.personas import Character
from engine.rendering.model_renderer import ModelRenderer
from engine.rendering.offline import OfflineRenderer
from engine.services import billing, quotas
from engine.services.deps import Deps
from engine.services.ingest import ingest
from engine.services.render import render_intent
from engine.services.setup import add_character, add_to_cast, import_characters, open_space
from engine.services.stories import story_of_thread
from engine.stories.model import Genre, SeedType, StoryThread
from tests.fakes.stripe_api import API_KEY, SECRET, FakeStripe
from workers.bootstrap import Container

PRO, ENTERPRISE = "price_pro_monthly", "price_enterprise_monthly"


def _card(i: int) -> Character:
    return parse_card({"name": f"Extra {i}", "description": "A quiet clerk.",
                       "personality": "shy", "first_mes": "Hello there."})


@pytest.fixture
def billed(make_container: Callable[..., Container], fake_stripe: FakeStripe
           ) -> Callable[..., Container]:
    """Containers with billing configured against the fake Stripe API (limits on)."""

    def make(**overrides: Any) -> Container:
        values: dict[str, Any] = dict(
            stripe_api_key=API_KEY, stripe_webhook_secret=SECRET, stripe_price_pro=PRO,
            stripe_price_enterprise=ENTERPRISE, stripe_api_base=fake_stripe.url,
            billing_return_url="https://app.example/billing")
        values.update(overrides)
        return make_container(**values)

    return make


def _space(deps: Deps, characters: int = 0, platform: str = "discord", space: str = "guild-1"
           ) -> tuple[int, int]:
    eco, (channel,) = open_space(deps, platform, space, ["general"])
    for i in range(characters):
        cid = add_character(deps, eco.id, _card(i))
        add_to_cast(deps, channel.id, cid)
    return eco.id, channel.id


# -- quotas ----------------------------------------------------------------------------------

def test_free_tier_allows_five_characters_and_refuses_the_sixth(billed: Callable[..., Container]
                                                               ) -> None:
    deps = billed().deps
    eco, _ = _space(deps, characters=5)
    with pytest.raises(QuotaExceeded) as refused:
        add_character(deps, eco, _card(5))
    assert str(refused.value) == ("This community is on Free: 5 characters at most. "
                                  "/subscribe for Pro (50).")
    billing.set_tier(deps, eco, "pro")
    add_character(deps, eco, _card(5))
    assert quotas.tier_of(deps, eco).name == "pro"


def test_an_import_over_the_limit_stores_none(billed: Callable[..., Container]) -> None:
    deps = billed().deps
    eco, _ = _space(deps, characters=4)
    with pytest.raises(QuotaExceeded):
        import_characters(deps, eco, [_card(10), _card(11)])
    assert billing.status(deps, eco).usage["characters"] == 4
    import_characters(deps, eco, [_card(10)])
    assert billing.status(deps, eco).usage["characters"] == 5


def test_limits_are_off_without_billing(make_container: Callable[..., Container]) -> None:
    deps = make_container().deps
    eco, _ = _space(deps, characters=7)
    assert billing.status(deps, eco).usage["characters"] == 7


def test_tracked_relationships_stop_at_ten_on_free(billed: Callable[..., Container]) -> None:
    c = billed()
    deps = c.deps
    eco, _ = _space(deps, characters=1)
    for i in range(11):
        ingest(deps, IncomingMessage(platform="discord", space_id="guild-1",
                                     channel_id="general", author_id=f"u{i}",
                                     author_name=f"Member {i}", text="Hello, Extra 0!",
                                     message_id=f"m{i}"))
    status = billing.status(deps, eco)
    assert status.usage["relationships"] == 10  # the eleventh member stays untracked
    with deps.uow() as uow:
        pairs = {(r.source_id, r.target_id) for r in uow.relationships.for_ecosystem(eco)}
        member = uow.participants.find_human(eco, "u10")
        assert member is not None and not any(member[0] in p for p in pairs)
        notices = [e for e in uow.events.all(eco) if e.payload.get("type") == "quota"]
    assert len(notices) == 1 and "10 tracked relationships at most" in notices[0].text
    # An existing pair keeps evolving.
    ingest(deps, IncomingMessage(platform="discord", space_id="guild-1", channel_id="general",
                                 author_id="u0", author_name="Member 0",
                                 text="Extra 0, you are wonderful!", message_id="again"))
    assert billing.status(deps, eco).usage["relationships"] == 10


def _thread(deps: Deps, eco: int) -> int:
    now = deps.clock.now()
    with deps.uow() as uow:
        tid = uow.stories.save(StoryThread(
            ecosystem_id=eco, title="A quarrel", seed_type=SeedType.ESCALATING_CONFLICT,
            genre=Genre.DRAMA, participants=(), created_at=now, updated_at=now))
        uow.commit()
    return tid


def test_three_story_exports_a_month_on_free(billed: Callable[..., Container]) -> None:
    c = billed()
    deps, clock = c.deps, c.deps.clock
    eco, _ = _space(deps)
    tid = _thread(deps, eco)
    for _ in range(3):
        story_of_thread(deps, tid, eco)
    with pytest.raises(QuotaExceeded) as refused:
        story_of_thread(deps, tid, eco)
    assert "3 story exports a month at most. /subscribe for Pro (unlimited)." in str(
        refused.value)
    assert isinstance(clock, ManualClock)
    clock.advance(32 * 86400)  # a new month
    story_of_thread(deps, tid, eco)


def test_scenario_exports_count_with_story_exports(billed: Callable[..., Container]) -> None:
    from engine.services import scenarios
    from engine.services.scenario_export import export_scenario

    c = billed()
    deps = c.deps
    eco, channel = _space(deps, characters=2)
    scenario = scenarios.create(deps, eco, {
        "title": "The Quiet Office", "setting": "A rainy Monday.", "cast": [{"name": "Extra 0"}],
        "objectives": [{"id": "o1", "kind": "primary", "text": "Rain",
                        "condition": "directed \"rain\""}]}, channel_id=channel)
    scenarios.start(deps, scenario.id or 0)
    story_of_thread(deps, _thread(deps, eco), eco)
    for _ in range(2):  # the second and third exports of the month
        assert "The Quiet Office" in export_scenario(deps, scenario.id or 0)
    with pytest.raises(QuotaExceeded, match="3 story exports a month at most"):
        export_scenario(deps, scenario.id or 0, "html")


def test_marketplace_installs_obey_the_tier_and_premium_needs_a_purchase(
        billed: Callable[..., Container]) -> None:
    from engine.services import marketplace as mp
    from engine.services.billing import set_tier

    c = billed()
    deps = c.deps
    source, _ = _space(deps, platform="console", space="workshop")
    set_tier(deps, source, "pro")
    for i in range(6):
        add_character(deps, source, _card(i))
    creator = mp.Member("console:creator", "Cassandra")
    cast = mp.publish(deps, source, "cast", name="Six Clerks", creator=creator)
    premium = mp.publish(deps, source, "character", name="One Clerk", creator=creator,
                         characters=["Extra 0"], premium=True, price_cents=299)
    target, channel = _space(deps, platform="console", space="office")

    with pytest.raises(QuotaExceeded, match="5 characters at most"):
        mp.install(deps, target, cast.listing.share_code, channel_ids=[channel])
    with deps.uow() as uow:  # nothing half-installed
        assert uow.participants.list_characters(target) == []
    with pytest.raises(mp.PaymentRequired):
        mp.install(deps, target, premium.listing.share_code)
    with deps.uow() as uow:  # bought through Checkout (the webhook records it)
        uow.billing.add_entitlement(target, premium.listing.id, "cs_test_1", deps.clock.now())
        uow.commit()
    assert mp.install(deps, target, premium.listing.share_code).names == {"Extra 0": "Extra 0"}
    set_tier(deps, target, "pro")
    installed = mp.install(deps, target, cast.listing.share_code, channel_ids=[channel])
    assert len(installed.names) == 6


class _Model:
    name = "model:fake"

    def __init__(self) -> None:
        self.calls = 0

    def complete(self, messages: Any, *, max_tokens: int, temperature: float = 0.8) -> str:
        self.calls += 1
        return "What a remarkably fine morning it is."


def test_model_calls_over_the_month_fall_back_to_offline_with_one_notice(
        billed: Callable[..., Container]) -> None:
    model = _Model()
    c = billed(renderer=ModelRenderer(model, fallback=OfflineRenderer()))
    deps = c.deps
    eco, channel = _space(deps, characters=1, platform="console")
    month = f"{deps.clock.now():%Y-%m}"
    with deps.uow() as uow:
        uow.billing.add_usage(eco, month, "model_calls", 999)
        uow.commit()
    outcomes = []
    for i in range(3):
        result = ingest(deps, IncomingMessage(
            platform="console", space_id="guild-1", channel_id="general", author_id="u1",
            author_name="Mary", text=f"Extra 0, what do you think? ({i})", message_id=f"q{i}"))
        for intent in result.intents:
            outcomes.append(render_intent(deps, intent.id or 0))
    assert [o.status for o in outcomes] == ["delivered"] * 3
    assert model.calls == 1  # the 1,000th call; then the offline renderer
    assert outcomes[0].text == "What a remarkably fine morning it is."
    assert all(o.text != outcomes[0].text for o in outcomes[1:])
    with deps.uow() as uow:
        notices = [e for e in uow.events.all(eco) if e.payload.get("type") == "quota"]
        assert uow.billing.used(eco, month, "model_calls") == 1000
    assert len(notices) == 1
    assert notices[0].text.startswith("This community is on Free: 1,000 model calls a month "
                                      "at most. /subscribe for Pro (50,000).")


# -- priority processing ------------------------------------------------------------------------

RAN: list[str] = []


def record_job(name: str) -> None:
    RAN.append(name)


def test_the_worker_takes_priority_jobs_first(make_container: Callable[..., Container]) -> None:
    from workers.embedded import EmbeddedWorker

    c = make_container()
    RAN.clear()
    assert c.priority_queue is not None and [q.name for q in c.queues] == [
        c.priority_queue.name, c.queue.name]
    for i in range(3):
        c.queue.enqueue(record_job, f"normal-{i}")
    for i in range(2):
        c.priority_queue.enqueue(record_job, f"priority-{i}")
    EmbeddedWorker(c).run_pending()
    assert RAN == ["priority-0", "priority-1", "normal-0", "normal-1", "normal-2"]


def test_render_jobs_of_pro_communities_go_to_the_priority_queue(
        billed: Callable[..., Container]) -> None:
    c = billed()
    deps = c.deps
    _space(deps, characters=1)
    pro, _ = _space(deps, characters=1, space="guild-2")
    billing.set_tier(deps, pro, "pro")
    assert c.priority_queue is not None

    def say(space: str) -> None:
        ingest(deps, IncomingMessage(platform="discord", space_id=space,
                                     channel_id="general", author_id="u1", author_name="Mary",
                                     text="Extra 0, hello!", message_id=f"m-{space}"))

    say("guild-1")
    assert (len(c.priority_queue), len(c.queue)) == (0, 1)
    say("guild-2")
    assert (len(c.priority_queue), len(c.queue)) == (1, 1)


# -- Stripe: checkout, portal, purchases ---------------------------------------------------------

def test_subscribe_opens_one_checkout_session_per_click(billed: Callable[..., Container],
                                                        fake_stripe: FakeStripe) -> None:
    deps = billed().deps
    eco, _ = _space(deps)
    first = billing.subscribe(deps, eco, "pro")
    again = billing.subscribe(deps, eco, "pro")  # a double click: the same session
    assert first == again and first.startswith("https://checkout.stripe.com/")
    calls = fake_stripe.requests_to("/v1/checkout/sessions")
    assert len(calls) == 2 and len(fake_stripe.sessions) == 1
    _, _, headers, form = calls[0]
    assert headers["Idempotency-Key"] == calls[1][2]["Idempotency-Key"]
    assert headers["Idempotency-Key"].startswith(f"subscribe-{eco}-pro-")
    assert form["mode"] == "subscription" and form["client_reference_id"] == str(eco)
    assert form["line_items[0][price]"] == PRO
    assert form["subscription_data[metadata][ecosystem_id]"] == str(eco)
    with pytest.raises(billing.InvalidInput, match="no subscription yet"):
        billing.portal(deps, eco)


def _post(server: Running, payload: bytes, signature: str | None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{PATH}", data=payload,
                                     method="POST")
    request.add_header("Content-Type", "application/json")
    if signature is not None:
        request.add_header("Stripe-Signature", signature)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def webhook(billed: Callable[..., Container]) -> Iterator[tuple[Container, Running]]:
    c = billed()
    server = serve(c.deps, StripeBilling.from_settings(c.settings), "127.0.0.1", 0,
                   background=True, grace_check_s=3600)
    yield c, server
    server.stop()


def _event(event_id: str, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": event_id, "object": "event", "type": kind, "created": int(time.time()),
            "data": {"object": obj}}


def _completed(eco: int, event_id: str = "evt_checkout") -> dict[str, Any]:
    return _event(event_id, "checkout.session.completed", {
        "id": "cs_test_9", "object": "checkout.session", "mode": "subscription",
        "client_reference_id": str(eco), "customer": "cus_1", "subscription": "sub_1",
        "metadata": {"ecosystem_id": str(eco)}})


def test_a_signed_checkout_completion_upgrades_at_once(webhook: tuple[Container, Running],
                                                       fake_stripe: FakeStripe) -> None:
    c, server = webhook
    eco, _ = _space(c.deps)
    fake_stripe.put_subscription("sub_1", "active", PRO, metadata={"ecosystem_id": str(eco)})
    code, body = _post(server, *FakeStripe.signed(_completed(eco)))
    assert code == 200 and body["outcome"].startswith("pro, active")
    assert quotas.tier_of(c.deps, eco).name == "pro"
    assert billing.portal(c.deps, eco).startswith("https://billing.stripe.com/")
    assert fake_stripe.requests_to("/v1/billing_portal/sessions")[0][3]["customer"] == "cus_1"


def test_forged_stale_and_unsigned_webhooks_are_refused(webhook: tuple[Container, Running],
                                                        fake_stripe: FakeStripe) -> None:
    c, server = webhook
    eco, _ = _space(c.deps)
    fake_stripe.put_subscription("sub_1", "active", PRO)
    payload, header = FakeStripe.signed(_completed(eco))
    assert _post(server, payload, None)[0] == 401
    forged_payload, forged = FakeStripe.signed(_completed(eco), secret="whsec_someone_else")
    assert _post(server, forged_payload, forged)[0] == 401
    tampered = payload.replace(b"cus_1", b"cus_2")
    assert _post(server, tampered, header)[0] == 401
    stale = FakeStripe.signed(_completed(eco), at=int(time.time()) - 301)
    assert _post(server, *stale)[0] == 401
    assert _post(server, b"not json", FakeStripe.signed({"id": "x"})[1])[0] == 401
    raw = b"[1, 2]"
    from stripe import WebhookSignature

    assert _post(server, raw, WebhookSignature.generate_signature_header(
        raw.decode(), SECRET))[0] == 400
    assert quotas.tier_of(c.deps, eco).name == "free"
    assert fake_stripe.requests_to("/v1/subscriptions/sub_1") == []


def test_a_duplicated_event_is_applied_once(webhook: tuple[Container, Running],
                                            fake_stripe: FakeStripe) -> None:
    c, server = webhook
    eco, _ = _space(c.deps)
    fake_stripe.put_subscription("sub_1", "active", PRO)
    event = _completed(eco)
    assert _post(server, *FakeStripe.signed(event))[1]["outcome"].startswith("pro")
    assert _post(server, *FakeStripe.signed(event))[1]["outcome"] == "duplicate"
    assert len(fake_stripe.requests_to("/v1/subscriptions/sub_1")) == 1


def test_out_of_order_events_end_in_the_subscriptions_state(
        webhook: tuple[Container, Running], fake_stripe: FakeStripe) -> None:
    c, server = webhook
    eco, _ = _space(c.deps)
    meta = {"ecosystem_id": str(eco)}
    # Upgraded to Enterprise, which Stripe says is the state now; the events arrive newest
    # first: the upgrade, then the stale creation on Pro, then the checkout.
    fake_stripe.put_subscription("sub_1", "active", ENTERPRISE, metadata=meta)
    sub = {"id": "sub_1", "object": "subscription", "customer": "cus_1", "metadata": meta}
    updated = _event("evt_2", "customer.subscription.updated", {
        **sub, "status": "active", "items": {"data": [{"price": {"id": ENTERPRISE}}]}})
    created = _event("evt_1", "customer.subscription.created",
                     {**sub, "status": "incomplete", "items": {"data": [{"price": {"id": PRO}}]}})
    for event in (updated, created, _completed(eco, "evt_0")):
        assert _post(server, *FakeStripe.signed(event))[0] == 200
    assert quotas.tier_of(c.deps, eco).name == "enterprise"
    # Canceled now; a late "updated: active" event does not bring the tier back.
    fake_stripe.put_subscription("sub_1", "canceled", ENTERPRISE, metadata=meta)
    deleted = _event("evt_4", "customer.subscription.deleted", {**sub, "status": "canceled"})
    late = _event("evt_3", "customer.subscription.updated", {**sub, "status": "active"})
    for event in (deleted, late):
        assert _post(server, *FakeStripe.signed(event))[0] == 200
    status = billing.status(c.deps, eco)
    assert (status.tier.name, status.status) == ("free", "canceled")


def test_failed_payment_grace_then_downgrade_pauses_and_upgrade_resumes(
        webhook: tuple[Container, Running], fake_stripe: FakeStripe) -> None:
    c, server = webhook
    deps, clock = c.deps, c.deps.clock
    assert isinstance(clock, ManualClock)
    eco, channel = _space(deps)
    fake_stripe.put_subscription("sub_1", "active", PRO, metadata={"ecosystem_id": str(eco)})
    assert _post(server, *FakeStripe.signed(_completed(eco)))[0] == 200
    for i in range(8):
        add_to_cast(deps, channel, add_character(deps, eco, _card(i)))
    fake_stripe.put_subscription("sub_1", "past_due", PRO, metadata={"ecosystem_id": str(eco)})
    failed = _event("evt_fail", "invoice.payment_failed",
                    {"id": "in_1", "object": "invoice", "subscription": "sub_1",
                     "customer": "cus_1"})
    code, body = _post(server, *FakeStripe.signed(failed))
    assert code == 200 and body["outcome"].startswith("past_due: grace until")
    assert quotas.tier_of(deps, eco).name == "pro" and billing.enforce_grace(deps) == []
    clock.advance(7 * 86400 + 60)
    assert quotas.tier_of(deps, eco).name == "free"  # the limits bite at once
    assert billing.enforce_grace(deps) == [eco]
    status = billing.status(deps, eco)
    assert status.tier.name == "free" and status.paused == ["Extra 5", "Extra 6", "Extra 7"]
    assert status.usage["characters"] == 8  # paused, never deleted
    with deps.uow() as uow:
        cast = uow.participants.cast_of(channel)
    assert [m.name for m in cast if m.active] == [f"Extra {i}" for i in range(5)]
    # The customer pays: the subscription is active again.
    fake_stripe.put_subscription("sub_1", "active", PRO, metadata={"ecosystem_id": str(eco)})
    paid = _event("evt_paid", "invoice.paid", {"id": "in_1", "object": "invoice",
                                                "subscription": "sub_1"})
    code, body = _post(server, *FakeStripe.signed(paid))
    assert code == 200 and body["outcome"] == "pro, active; resumed 3"
    status = billing.status(deps, eco)
    assert status.tier.name == "pro" and status.paused == [] and status.grace_until is None


def test_a_premium_package_is_bought_once_and_then_installable(
        webhook: tuple[Container, Running], fake_stripe: FakeStripe) -> None:
    c, server = webhook
    deps = c.deps
    eco, _ = _space(deps)
    now = deps.clock.now()
    with deps.uow() as uow:
        package_id = int(uow.billing.conn.execute(insert(packages).values(
            share_code="ABCD-EFGH", kind="cast", name="Gothic Manor", slug="gothic-manor",
            tags=[], premium=True, price_cents=499, latest_version="1.0.0", created_at=now,
            updated_at=now)).inserted_primary_key[0])  # type: ignore[index]
        uow.commit()
    with pytest.raises(billing.InvalidInput, match="premium package"):
        billing.check_install(deps, eco, package_id)
    url = billing.buy_package(deps, eco, package_id)
    assert url.startswith("https://checkout.stripe.com/")
    form = fake_stripe.requests_to("/v1/checkout/sessions")[0][3]
    assert form["mode"] == "payment" and form["metadata[package_id]"] == str(package_id)
    assert form["line_items[0][price_data][unit_amount]"] == "499"
    paid = _event("evt_buy", "checkout.session.completed", {
        "id": "cs_test_buy", "object": "checkout.session", "mode": "payment",
        "payment_status": "paid", "customer": "cus_7", "client_reference_id": str(eco),
        "metadata": {"ecosystem_id": str(eco), "package_id": str(package_id)}})
    assert _post(server, *FakeStripe.signed(paid))[1]["outcome"] == (
        f"entitlement to package {package_id}")
    assert billing.has_entitlement(deps, eco, package_id)
    billing.check_install(deps, eco, package_id)
    with pytest.raises(billing.InvalidInput, match="owns 'Gothic Manor' already"):
        billing.buy_package(deps, eco, package_id)
