"""Billing and Enterprise: accounts, usage, applied Stripe events, entitlements, and
Enterprise settings."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from engine.adapters.sql.schema.base import TS, metadata

__all__ = [
    "billing_accounts", "usage_counters", "stripe_events", "entitlements",
    "enterprise_settings",
]

# -- Billing (``engine.billing``, ``engine.services.billing``, migration 0013) -------------------
# One row per ecosystem that ever subscribed (none = the free tier). ``tier`` is what applies
# now; ``status`` mirrors the Stripe subscription (active, past_due, canceled, ...);
# ``grace_until`` is set when a payment failed: the paid tier holds until then, then the
# ecosystem is downgraded to the free tier (over-limit characters paused, never deleted).
billing_accounts = Table(
    "billing_accounts",
    metadata,
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), primary_key=True),
    Column("tier", String(32), nullable=False, server_default="free"),
    Column("status", String(24), nullable=False, server_default="none"),
    Column("stripe_customer_id", String(64)),
    Column("stripe_subscription_id", String(64)),
    Column("paid_tier", String(32)),
    Column("grace_until", TS),
    Column("updated_at", TS, nullable=False),
    Index(None, "stripe_subscription_id"),
    Index(None, "stripe_customer_id"),
)

# Usage per ecosystem, calendar month (``YYYY-MM``, UTC) and resource (exports, model calls).
usage_counters = Table(
    "usage_counters",
    metadata,
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("resource", String(32), primary_key=True),
    Column("count", Integer, nullable=False, server_default="0"),
)

# Stripe event ids already applied (webhooks arrive duplicated and retried for days).
stripe_events = Table(
    "stripe_events",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("type", String(80), nullable=False),
    Column("received_at", TS, nullable=False),
)

# Premium packages an ecosystem bought once (a paid Checkout Session in payment mode).
entitlements = Table(
    "entitlements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("package_id", ForeignKey("packages.id", ondelete="CASCADE"), nullable=False),
    Column("stripe_session_id", String(80)),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("ecosystem_id", "package_id"),
    UniqueConstraint("stripe_session_id"),
)

# Enterprise extras of an ecosystem: its own model endpoint and (encrypted) key, and the
# white-label name and avatar its bot uses. No row = the deployment's model, "Personae".
enterprise_settings = Table(
    "enterprise_settings",
    metadata,
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), primary_key=True),
    Column("model_base_url", String(500)),
    Column("model_name", String(200)),
    Column("model_key_encrypted", Text),
    Column("brand_name", String(80)),
    Column("brand_avatar_url", String(500)),
    Column("updated_by", String(120), nullable=False, server_default=""),
    Column("updated_at", TS, nullable=False),
)
