"""Billing storage: accounts (tier, Stripe ids, grace period), monthly usage counters, applied
Stripe event ids, entitlements, and the counts the limits are checked against."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import (
    billing_accounts,
    characters,
    entitlements,
    packages,
    participants,
    relationships,
    stripe_events,
    usage_counters,
)
from engine.billing.tiers import Catalog, Tier

__all__ = ["Account", "BillingStore"]

#: Subscription statuses during which a failed payment's grace period may run.
GRACE_STATUSES = frozenset({"past_due", "unpaid"})

@dataclass(frozen=True)
class Account:
    ecosystem_id: int
    tier: str
    status: str
    stripe_customer_id: str | None
    stripe_subscription_id: str | None
    paid_tier: str | None
    grace_until: datetime | None
    updated_at: datetime

class BillingStore:
    def __init__(self, conn: Connection, catalog: Catalog | None = None) -> None:
        self.conn = conn
        self.catalog = catalog or Catalog()

    def _insert(self) -> Any:
        return pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert

    # -- accounts ---------------------------------------------------------------------------
    def account(self, ecosystem_id: int) -> Account | None:
        row = self.conn.execute(select(billing_accounts).where(
            billing_accounts.c.ecosystem_id == ecosystem_id)).first()
        return _account(row) if row is not None else None

    def by_subscription(self, subscription_id: str) -> Account | None:
        row = self.conn.execute(select(billing_accounts).where(
            billing_accounts.c.stripe_subscription_id == subscription_id)).first()
        return _account(row) if row is not None else None

    def by_customer(self, customer_id: str) -> Account | None:
        row = self.conn.execute(select(billing_accounts).where(
            billing_accounts.c.stripe_customer_id == customer_id)
            .order_by(billing_accounts.c.updated_at.desc())).first()
        return _account(row) if row is not None else None

    def save_account(self, ecosystem_id: int, now: datetime, **values: Any) -> Account:
        """Create or change the account (only the given columns change)."""
        stmt = self._insert()(billing_accounts).values(
            ecosystem_id=ecosystem_id, updated_at=now, **values)
        self.conn.execute(stmt.on_conflict_do_update(
            index_elements=[billing_accounts.c.ecosystem_id],
            set_={"updated_at": now, **values}))
        found = self.account(ecosystem_id)
        assert found is not None
        return found

    def tier(self, ecosystem_id: int, now: datetime | None = None) -> Tier:
        """The tier that applies: the account's, or the free tier once a grace period ended
        (even before the downgrade job has paused anything)."""
        account = self.account(ecosystem_id)
        if account is None:
            return self.catalog.free
        if (now is not None and account.grace_until is not None
                and account.grace_until <= now and account.status in GRACE_STATUSES):
            return self.catalog.free
        return self.catalog.get(account.tier)

    def priority_ecosystems(self, ecosystem_ids: Sequence[int]) -> set[int]:
        """Those of ``ecosystem_ids`` whose tier has priority processing."""
        names = [t.name for t in self.catalog.tiers if t.priority]
        if not ecosystem_ids or not names:
            return set()
        rows = self.conn.execute(select(billing_accounts.c.ecosystem_id).where(
            billing_accounts.c.ecosystem_id.in_(list(set(ecosystem_ids))),
            billing_accounts.c.tier.in_(names)))
        return {int(r.ecosystem_id) for r in rows}

    def grace_ended(self, now: datetime) -> list[Account]:
        rows = self.conn.execute(select(billing_accounts).where(
            billing_accounts.c.grace_until.is_not(None), billing_accounts.c.grace_until <= now))
        return [_account(r) for r in rows]

    # -- usage ------------------------------------------------------------------------------
    def usage(self, ecosystem_id: int, month: str) -> dict[str, int]:
        rows = self.conn.execute(select(usage_counters.c.resource, usage_counters.c.count).where(
            usage_counters.c.ecosystem_id == ecosystem_id, usage_counters.c.month == month))
        return {r[0]: int(r[1]) for r in rows}

    def used(self, ecosystem_id: int, month: str, resource: str) -> int:
        value = self.conn.execute(select(usage_counters.c.count).where(
            usage_counters.c.ecosystem_id == ecosystem_id, usage_counters.c.month == month,
            usage_counters.c.resource == resource)).scalar()
        return int(value or 0)

    def add_usage(self, ecosystem_id: int, month: str, resource: str, amount: int = 1) -> None:
        stmt = self._insert()(usage_counters).values(
            ecosystem_id=ecosystem_id, month=month, resource=resource, count=amount)
        self.conn.execute(stmt.on_conflict_do_update(
            index_elements=[usage_counters.c.ecosystem_id, usage_counters.c.month,
                            usage_counters.c.resource],
            set_={"count": usage_counters.c.count + amount}))

    def consume(self, ecosystem_id: int, month: str, resource: str, limit: int | None,
                amount: int = 1) -> bool:
        """Count ``amount`` if it stays within ``limit`` (None: always), atomically (one
        conditional statement, so concurrent workers cannot both take the last one)."""
        if limit is None:
            self.add_usage(ecosystem_id, month, resource, amount)
            return True
        if amount > limit:
            return False
        self.conn.execute(self._insert()(usage_counters).values(
            ecosystem_id=ecosystem_id, month=month, resource=resource, count=0,
        ).on_conflict_do_nothing())
        result = self.conn.execute(update(usage_counters).where(
            usage_counters.c.ecosystem_id == ecosystem_id, usage_counters.c.month == month,
            usage_counters.c.resource == resource,
            usage_counters.c.count + amount <= limit,
        ).values(count=usage_counters.c.count + amount))
        return bool(result.rowcount)

    # -- what the limits count --------------------------------------------------------------
    def count_characters(self, ecosystem_id: int) -> int:
        return int(self.conn.execute(select(func.count()).select_from(characters).where(
            characters.c.ecosystem_id == ecosystem_id)).scalar() or 0)

    def count_relationship_pairs(self, ecosystem_id: int) -> int:
        """Tracked relationships: pairs of participants with a stored view either way."""
        back = relationships.alias("back")
        reverse = exists().where(and_(back.c.source_id == relationships.c.target_id,
                                      back.c.target_id == relationships.c.source_id))
        return int(self.conn.execute(select(func.count()).select_from(relationships).where(
            relationships.c.ecosystem_id == ecosystem_id,
            (relationships.c.source_id < relationships.c.target_id) | ~reverse)).scalar() or 0)

    def may_track_pair(self, ecosystem_id: int, now: datetime | None = None) -> bool:
        """Whether a pair meeting for the first time may become a tracked relationship."""
        if not self.catalog.enforced:  # limits off: no query on the per-message path
            return True
        limit = self.tier(ecosystem_id, now).relationships
        return limit is None or self.count_relationship_pairs(ecosystem_id) < limit

    def characters_by_age(self, ecosystem_id: int) -> list[tuple[int, str, str]]:
        """(id, name, status) of every character, oldest first."""
        rows = self.conn.execute(
            select(characters.c.id, participants.c.name, characters.c.status)
            .join(participants, participants.c.id == characters.c.id)
            .where(characters.c.ecosystem_id == ecosystem_id).order_by(characters.c.id))
        return [(int(r.id), r.name, r.status) for r in rows]

    def set_character_status(self, ids: Sequence[int], status: str) -> None:
        if ids:
            self.conn.execute(update(characters).where(characters.c.id.in_(list(ids)))
                              .values(status=status))

    # -- Stripe events and entitlements -----------------------------------------------------
    def seen_event(self, event_id: str) -> bool:
        return self.conn.execute(select(stripe_events.c.id).where(
            stripe_events.c.id == event_id)).first() is not None

    def record_event(self, event_id: str, event_type: str, now: datetime) -> bool:
        """Remember an applied event; False when it was applied already."""
        result = self.conn.execute(self._insert()(stripe_events).values(
            id=event_id, type=event_type, received_at=now).on_conflict_do_nothing())
        return bool(result.rowcount)

    def add_entitlement(self, ecosystem_id: int, package_id: int, session_id: str | None,
                        now: datetime) -> bool:
        result = self.conn.execute(self._insert()(entitlements).values(
            ecosystem_id=ecosystem_id, package_id=package_id, stripe_session_id=session_id,
            created_at=now).on_conflict_do_nothing())
        return bool(result.rowcount)

    def has_entitlement(self, ecosystem_id: int, package_id: int) -> bool:
        return self.conn.execute(select(entitlements.c.id).where(
            entitlements.c.ecosystem_id == ecosystem_id,
            entitlements.c.package_id == package_id)).first() is not None

    def package_offer(self, package_id: int) -> tuple[str, bool, int] | None:
        """(name, premium, price in cents) of a marketplace package."""
        row = self.conn.execute(select(packages.c.name, packages.c.premium,
                                       packages.c.price_cents)
                                .where(packages.c.id == package_id)).first()
        return (row.name, bool(row.premium), int(row.price_cents)) if row is not None else None

def _account(row: Any) -> Account:
    return Account(
        ecosystem_id=int(row.ecosystem_id), tier=row.tier, status=row.status,
        stripe_customer_id=row.stripe_customer_id,
        stripe_subscription_id=row.stripe_subscription_id, paid_tier=row.paid_tier,
        grace_until=row.grace_until, updated_at=row.updated_at,
    )
