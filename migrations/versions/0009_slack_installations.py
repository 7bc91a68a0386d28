"""Slack OAuth installations: the bot token of each workspace that installed the app

HTTP mode serves many workspaces; slack-bolt's installation store (``workers/slack/
installations.py``) keeps one row per install here, the newest per workspace in force.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.adapters.sql.types import JsonDoc, UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_installations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("enterprise_id", sa.String(32), server_default="", nullable=False),
        sa.Column("team_id", sa.String(32), server_default="", nullable=False),
        sa.Column("user_id", sa.String(32), server_default="", nullable=False),
        sa.Column("is_enterprise_install", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("bot_token", sa.Text(), nullable=True),
        sa.Column("data", JsonDoc, nullable=False),
        sa.Column("installed_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_slack_installations"),
    )
    op.create_index("ix_slack_installations_team_id_installed_at", "slack_installations",
                    ["team_id", "installed_at"])


def downgrade() -> None:
    op.drop_index("ix_slack_installations_team_id_installed_at",
                  table_name="slack_installations")
    op.drop_table("slack_installations")
