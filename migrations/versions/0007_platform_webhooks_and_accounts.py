"""front doors: a channel's webhook, and characters with their own platform account

Discord personas post through one bot-owned webhook per parent channel (``channel_webhooks``;
its id also recognises our own posts when the gateway echoes them). In dedicated-bot mode a
character runs as its own bot user; ``character_accounts`` maps that user id back to the
character so @mentions address it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.adapters.sql.types import UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_webhooks",
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.String(64), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], ondelete="CASCADE",
                                name="fk_channel_webhooks_channel_id_channels"),
        sa.PrimaryKeyConstraint("channel_id", name="pk_channel_webhooks"),
    )
    op.create_index("ix_channel_webhooks_webhook_id", "channel_webhooks", ["webhook_id"],
                    unique=True)
    op.create_table(
        "character_accounts",
        sa.Column("character_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("external_user_id", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["character_id"], ["characters.id"], ondelete="CASCADE",
                                name="fk_character_accounts_character_id_characters"),
        sa.PrimaryKeyConstraint("character_id", "platform", name="pk_character_accounts"),
        sa.UniqueConstraint("platform", "external_user_id",
                            name="uq_character_accounts_platform_external_user_id"),
    )


def downgrade() -> None:
    op.drop_table("character_accounts")
    op.drop_index("ix_channel_webhooks_webhook_id", table_name="channel_webhooks")
    op.drop_table("channel_webhooks")
