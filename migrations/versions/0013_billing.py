"""Billing: accounts (tier, Stripe subscription, grace period), monthly usage counters, applied
Stripe event ids, and entitlements to premium packages

``billing_accounts`` holds an ecosystem's tier and its Stripe customer and subscription (no row
= the free tier); ``usage_counters`` counts story exports and model calls per ecosystem and
month; ``stripe_events`` the webhook event ids already applied; ``entitlements`` the premium
packages an ecosystem bought once.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.adapters.sql.types import UtcDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "billing_accounts",
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(32), server_default="free", nullable=False),
        sa.Column("status", sa.String(24), server_default="none", nullable=False),
        sa.Column("stripe_customer_id", sa.String(64), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(64), nullable=True),
        sa.Column("paid_tier", sa.String(32), nullable=True),
        sa.Column("grace_until", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ecosystem_id"], ["ecosystems.id"], ondelete="CASCADE",
                                name="fk_billing_accounts_ecosystem_id_ecosystems"),
        sa.PrimaryKeyConstraint("ecosystem_id", name="pk_billing_accounts"),
    )
    op.create_index("ix_billing_accounts_stripe_subscription_id", "billing_accounts",
                    ["stripe_subscription_id"])
    op.create_index("ix_billing_accounts_stripe_customer_id", "billing_accounts",
                    ["stripe_customer_id"])
    op.create_table(
        "usage_counters",
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("resource", sa.String(32), nullable=False),
        sa.Column("count", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["ecosystem_id"], ["ecosystems.id"], ondelete="CASCADE",
                                name="fk_usage_counters_ecosystem_id_ecosystems"),
        sa.PrimaryKeyConstraint("ecosystem_id", "month", "resource", name="pk_usage_counters"),
    )
    op.create_table(
        "stripe_events",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("type", sa.String(80), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stripe_events"),
    )
    op.create_table(
        "entitlements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("stripe_session_id", sa.String(80), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ecosystem_id"], ["ecosystems.id"], ondelete="CASCADE",
                                name="fk_entitlements_ecosystem_id_ecosystems"),
        sa.ForeignKeyConstraint(["package_id"], ["packages.id"], ondelete="CASCADE",
                                name="fk_entitlements_package_id_packages"),
        sa.PrimaryKeyConstraint("id", name="pk_entitlements"),
        sa.UniqueConstraint("ecosystem_id", "package_id",
                            name="uq_entitlements_ecosystem_id_package_id"),
        sa.UniqueConstraint("stripe_session_id", name="uq_entitlements_stripe_session_id"),
    )


def downgrade() -> None:
    op.drop_table("entitlements")
    op.drop_table("stripe_events")
    op.drop_table("usage_counters")
    op.drop_index("ix_billing_accounts_stripe_customer_id", table_name="billing_accounts")
    op.drop_index("ix_billing_accounts_stripe_subscription_id", table_name="billing_accounts")
    op.drop_table("billing_accounts")
