"""Subscriptions and purchases: Checkout, the Customer Portal, webhook events, grace periods,
downgrades and upgrades.

- ``subscribe`` opens a Checkout Session (subscription mode) for a tier, referencing the
  ecosystem (``client_reference_id`` and metadata), with an idempotency key per ecosystem, tier
  and ten minutes (a double click opens the same session).
- ``portal`` opens the Customer Portal of the ecosystem's Stripe customer.
- ``buy_package`` opens a Checkout Session (payment mode) for a premium marketplace package;
  the paid session's webhook records an entitlement (``has_entitlement``,
  ``check_install``).
- ``handle_event`` applies one verified webhook event once (event ids are remembered in the
  same transaction as the change). Subscription events are never trusted for state: the
  subscription is re-read from the API, so events arriving out of order end in the state
  Stripe has now.
- A failed payment (``past_due``/``unpaid``) starts a grace period of
  ``PERSONAE_BILLING_GRACE_DAYS``; when it ends (``enforce_grace``) or the subscription is
  canceled, the ecosystem drops to the free tier and its characters over the limit are
  paused (``characters.status = 'paused'``: they neither answer nor start conversations; the
  newest are paused, the oldest keep going) — never deleted. An upgrade (the subscription
  active again) resumes them, oldest first, up to the new limit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from engine.adapters.sql.uow import UnitOfWork
from engine.billing.tiers import FREE, Tier, month_of
from engine.errors import InvalidInput, NotFound
from engine.services.deps import Deps
from engine.services.quotas import forget_priority

__all__ = [
    "BillingGateway", "BillingStatus", "gateway_for", "status", "subscribe", "portal",
    "buy_package", "has_entitlement", "check_install", "handle_event", "enforce_grace",
    "set_tier", "ACTIVE_STATUSES", "GRACE_STATUSES",
]

log = logging.getLogger(__name__)

ACTIVE_STATUSES = frozenset({"active", "trialing"})
GRACE_STATUSES = frozenset({"past_due", "unpaid"})
ENDED_STATUSES = frozenset({"canceled", "incomplete_expired", "paused"})
PAUSED = "paused"


class SubscriptionView(Protocol):
    id: str
    status: str
    customer: str | None
    price: str | None
    metadata: dict[str, str]


class BillingGateway(Protocol):
    """What billing needs of Stripe (``engine.adapters.stripe_billing.StripeBilling``)."""

    def checkout_subscription(self, *, ecosystem_id: int, price: str, tier: str,
                              success_url: str, cancel_url: str, customer: str | None,
                              idempotency_key: str) -> tuple[str, str]: ...

    def checkout_payment(self, *, ecosystem_id: int, package_id: int, name: str,
                         amount_cents: int, currency: str, success_url: str, cancel_url: str,
                         customer: str | None, idempotency_key: str) -> tuple[str, str]: ...

    def portal(self, customer: str, return_url: str) -> str: ...

    def subscription(self, subscription_id: str) -> Any: ...


def gateway_for(deps: Deps) -> BillingGateway:
    """Stripe as configured (``InvalidInput`` when billing is not set up)."""
    from engine.adapters.stripe_billing import StripeBilling

    return StripeBilling.from_settings(deps.settings)


@dataclass(frozen=True)
class BillingStatus:
    tier: Tier
    status: str
    grace_until: datetime | None
    usage: dict[str, int] = field(default_factory=dict)
    paused: list[str] = field(default_factory=list)


def status(deps: Deps, ecosystem_id: int) -> BillingStatus:
    """The tier, the subscription's status, this month's usage and the paused characters."""
    now = deps.clock.now()
    with deps.uow() as uow:
        account = uow.billing.account(ecosystem_id)
        usage = uow.billing.usage(ecosystem_id, month_of(now))
        usage["characters"] = uow.billing.count_characters(ecosystem_id)
        usage["relationships"] = uow.billing.count_relationship_pairs(ecosystem_id)
        paused = [n for _, n, s in uow.billing.characters_by_age(ecosystem_id) if s == PAUSED]
        return BillingStatus(uow.billing.tier(ecosystem_id, now),
                             account.status if account else "none",
                             account.grace_until if account else None, usage, paused)


def _return_url(deps: Deps, suffix: str) -> str:
    base = deps.settings.billing_return_url
    return base + ("&" if "?" in base else "?") + suffix


def subscribe(deps: Deps, ecosystem_id: int, tier: str = "pro",
              gateway: BillingGateway | None = None) -> str:
    """The URL of a Checkout Session that subscribes the ecosystem to ``tier``."""
    now = deps.clock.now()
    with deps.uow() as uow:
        if uow.spaces.get_ecosystem(ecosystem_id) is None:
            raise NotFound(f"No ecosystem {ecosystem_id}.")
        wanted = uow.billing.catalog.get(tier)
        if wanted.name != tier.strip().lower() or wanted.name == FREE:
            sold = [t.title for t in uow.billing.catalog.tiers if t.price]
            raise InvalidInput(f"No tier '{tier}' to subscribe to. "
                               f"Tiers: {', '.join(sold) or 'none on sale'}.")
        if not wanted.price:
            raise InvalidInput(f"{wanted.title} is not sold through Checkout here "
                               f"(no PERSONAE_STRIPE_PRICE_{wanted.name.upper()}).")
        account = uow.billing.account(ecosystem_id)
    if account is not None and account.tier == wanted.name and account.status in ACTIVE_STATUSES:
        raise InvalidInput(f"This community is on {wanted.title} already; /billing manages "
                           "the subscription.")
    gateway = gateway or gateway_for(deps)
    bucket = int(now.timestamp()) // 600
    _, url = gateway.checkout_subscription(
        ecosystem_id=ecosystem_id, price=wanted.price, tier=wanted.name,
        success_url=_return_url(deps, "session_id={CHECKOUT_SESSION_ID}"),
        cancel_url=_return_url(deps, "canceled=1"),
        customer=account.stripe_customer_id if account else None,
        idempotency_key=f"subscribe-{ecosystem_id}-{wanted.name}-{bucket}",
    )
    return url


def portal(deps: Deps, ecosystem_id: int, gateway: BillingGateway | None = None) -> str:
    """The URL of the ecosystem's Customer Portal session."""
    with deps.uow() as uow:
        account = uow.billing.account(ecosystem_id)
    if account is None or not account.stripe_customer_id:
        raise InvalidInput("This community has no subscription yet: /subscribe first.")
    gateway = gateway or gateway_for(deps)
    return gateway.portal(account.stripe_customer_id, deps.settings.billing_return_url)


def buy_package(deps: Deps, ecosystem_id: int, package_id: int,
                gateway: BillingGateway | None = None) -> str:
    """The URL of a Checkout Session (payment mode) for a premium package, bought once."""
    now = deps.clock.now()
    with deps.uow() as uow:
        offer = uow.billing.package_offer(package_id)
        if offer is None:
            raise NotFound(f"No package {package_id}.")
        name, premium, cents = offer
        if not premium or cents <= 0:
            raise InvalidInput(f"'{name}' is free: install it.")
        if uow.billing.has_entitlement(ecosystem_id, package_id):
            raise InvalidInput(f"This community owns '{name}' already: install it.")
        account = uow.billing.account(ecosystem_id)
    gateway = gateway or gateway_for(deps)
    _, url = gateway.checkout_payment(
        ecosystem_id=ecosystem_id, package_id=package_id, name=name, amount_cents=cents,
        currency=deps.settings.billing_currency,
        success_url=_return_url(deps, "session_id={CHECKOUT_SESSION_ID}"),
        cancel_url=_return_url(deps, "canceled=1"),
        customer=account.stripe_customer_id if account else None,
        idempotency_key=f"buy-{ecosystem_id}-{package_id}-{int(now.timestamp()) // 600}",
    )
    return url


def has_entitlement(deps: Deps, ecosystem_id: int, package_id: int) -> bool:
    """Whether the ecosystem bought the (premium) package."""
    with deps.uow() as uow:
        return uow.billing.has_entitlement(ecosystem_id, package_id)


def check_install(deps: Deps, ecosystem_id: int, package_id: int) -> None:
    """Refuse installing a premium package the ecosystem has not bought (free ones pass)."""
    with deps.uow() as uow:
        offer = uow.billing.package_offer(package_id)
        if offer is None or not offer[1] or offer[2] <= 0:
            return
        if uow.billing.has_entitlement(ecosystem_id, package_id):
            return
    raise InvalidInput(f"'{offer[0]}' is a premium package ({offer[2] / 100:.2f} "
                       f"{deps.settings.billing_currency.upper()}, once): /marketplace buy "
                       f"{package_id} first.")


# -- webhooks ---------------------------------------------------------------------------------

def handle_event(deps: Deps, event: dict[str, Any], gateway: BillingGateway | None = None
                 ) -> str:
    """Apply one verified Stripe event, once. Returns what happened (for the log and the
    webhook's answer). Raises on a failure that Stripe should retry (nothing is recorded)."""
    event_id, kind = str(event["id"]), str(event["type"])
    obj: dict[str, Any] = (event.get("data") or {}).get("object") or {}
    with deps.uow() as uow:
        if uow.billing.seen_event(event_id):
            return "duplicate"
    gateway = gateway or gateway_for(deps)
    subscription = None
    sub_id = _subscription_id(kind, obj)
    if sub_id:
        subscription = gateway.subscription(sub_id)  # the truth, whatever the event's order
    now = deps.clock.now()
    with deps.uow() as uow:
        if not uow.billing.record_event(event_id, kind, now):
            return "duplicate"
        outcome = "ignored"
        if kind == "checkout.session.completed" and obj.get("mode") == "payment":
            outcome = _entitle(uow, obj, now)
        elif subscription is not None:
            eco = _ecosystem_of(uow, subscription, obj)
            if eco is None:
                outcome = f"no ecosystem for subscription {subscription.id}"
            else:
                outcome = _apply_subscription(deps, uow, eco, subscription, now)
        uow.commit()
    log.info("stripe event %s (%s): %s", event_id, kind, outcome)
    return outcome


def _subscription_id(kind: str, obj: dict[str, Any]) -> str | None:
    if kind.startswith("customer.subscription."):
        return str(obj.get("id")) if obj.get("id") else None
    if kind == "checkout.session.completed" and obj.get("mode") == "subscription":
        sub = obj.get("subscription")
        return str(sub.get("id") if isinstance(sub, dict) else sub) if sub else None
    if kind.startswith("invoice."):
        sub = obj.get("subscription") or ((obj.get("parent") or {}).get(
            "subscription_details") or {}).get("subscription")
        return str(sub) if sub else None
    return None


def _ecosystem_of(uow: UnitOfWork, sub: SubscriptionView, obj: dict[str, Any]) -> int | None:
    for value in (sub.metadata.get("ecosystem_id"), obj.get("client_reference_id"),
                  (obj.get("metadata") or {}).get("ecosystem_id")):
        if value and str(value).isdigit() and uow.spaces.get_ecosystem(int(value)) is not None:
            return int(value)
    known = uow.billing.by_subscription(sub.id) or (
        uow.billing.by_customer(sub.customer) if sub.customer else None)
    return known.ecosystem_id if known is not None else None


def _entitle(uow: UnitOfWork, session: dict[str, Any], now: datetime) -> str:
    meta = session.get("metadata") or {}
    eco, package = str(meta.get("ecosystem_id", "")), str(meta.get("package_id", ""))
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return "payment not completed"
    if not (eco.isdigit() and package.isdigit()):
        return "not a package purchase"
    if session.get("customer"):
        uow.billing.save_account(int(eco), now, stripe_customer_id=str(session["customer"]))
    added = uow.billing.add_entitlement(int(eco), int(package), str(session.get("id")), now)
    return f"entitlement to package {package}" + ("" if added else " (already)")


def _apply_subscription(deps: Deps, uow: UnitOfWork, ecosystem_id: int,
                        sub: SubscriptionView, now: datetime) -> str:
    forget_priority(ecosystem_id)  # the render queue choice follows at once
    catalog = uow.billing.catalog
    paid = catalog.by_price(sub.price) or catalog.get(sub.metadata.get("tier"))
    account = uow.billing.account(ecosystem_id)
    ids = {"stripe_subscription_id": sub.id, "status": sub.status, "paid_tier": paid.name}
    if sub.customer:
        ids["stripe_customer_id"] = sub.customer
    if sub.status in ACTIVE_STATUSES:
        uow.billing.save_account(ecosystem_id, now, tier=paid.name, grace_until=None, **ids)
        resumed = _resume(uow, ecosystem_id, now)
        return f"{paid.name}, {sub.status}" + (f"; resumed {resumed}" if resumed else "")
    if sub.status in GRACE_STATUSES:
        grace = account.grace_until if account and account.grace_until else (
            now + timedelta(days=deps.settings.billing_grace_days))
        current = account.tier if account else FREE
        uow.billing.save_account(ecosystem_id, now, tier=current, grace_until=grace, **ids)
        if grace <= now:
            return _downgrade(uow, ecosystem_id, now)
        return f"{sub.status}: grace until {grace.isoformat()}"
    if sub.status in ENDED_STATUSES:
        uow.billing.save_account(ecosystem_id, now, grace_until=None, **ids)
        return _downgrade(uow, ecosystem_id, now)
    uow.billing.save_account(ecosystem_id, now, **ids)  # incomplete: nothing paid yet
    return f"{sub.status}: no change"


def _downgrade(uow: UnitOfWork, ecosystem_id: int, now: datetime) -> str:
    """To the free tier at once; characters over its limit paused (the newest), not deleted."""
    forget_priority(ecosystem_id)  # the render queue choice follows at once
    uow.billing.save_account(ecosystem_id, now, tier=FREE, grace_until=None)
    limit = uow.billing.tier(ecosystem_id, now).characters
    active = [(cid, name) for cid, name, s in uow.billing.characters_by_age(ecosystem_id)
              if s != PAUSED]
    over = active[limit:] if limit is not None else []
    uow.billing.set_character_status([cid for cid, _ in over], PAUSED)
    return "downgraded to free" + (f"; paused {len(over)}" if over else "")


def _resume(uow: UnitOfWork, ecosystem_id: int, now: datetime) -> int:
    """Paused characters back to active, oldest first, within the tier's limit."""
    limit = uow.billing.tier(ecosystem_id, now).characters
    everyone = uow.billing.characters_by_age(ecosystem_id)
    active = sum(1 for _, _, s in everyone if s != PAUSED)
    paused = [cid for cid, _, s in everyone if s == PAUSED]
    room = len(paused) if limit is None else max(0, limit - active)
    chosen = paused[:room]
    uow.billing.set_character_status(chosen, "active")
    return len(chosen)


def enforce_grace(deps: Deps) -> list[int]:
    """Downgrade every ecosystem whose grace period ended; returns their ids."""
    now = deps.clock.now()
    done = []
    with deps.uow() as uow:
        for account in uow.billing.grace_ended(now):
            if account.status in GRACE_STATUSES:
                _downgrade(uow, account.ecosystem_id, now)
                done.append(account.ecosystem_id)
            else:
                uow.billing.save_account(account.ecosystem_id, now, grace_until=None)
        uow.commit()
    return done


def set_tier(deps: Deps, ecosystem_id: int, tier: str) -> str:
    """Put an ecosystem on a tier by hand (operators: invoices paid outside Checkout,
    Enterprise contracts). Downgrading pauses over-limit characters; upgrading resumes."""
    forget_priority(ecosystem_id)  # the render queue choice follows at once
    now = deps.clock.now()
    with deps.uow() as uow:
        wanted = uow.billing.catalog.get(tier)
        if wanted.name != tier.strip().lower():
            raise InvalidInput(f"No tier '{tier}'. Tiers: "
                               f"{', '.join(t.name for t in uow.billing.catalog.tiers)}.")
        if wanted.name == FREE:
            outcome = _downgrade(uow, ecosystem_id, now)
        else:
            uow.billing.save_account(ecosystem_id, now, tier=wanted.name, grace_until=None)
            outcome = f"{wanted.name}; resumed {_resume(uow, ecosystem_id, now)}"
        uow.commit()
    return outcome
