"""Enterprise settings of an ecosystem: its own model endpoint and key, and a white-label name
and avatar for the bot

One row per ecosystem that set any of them (no row = the deployment's model and the Personae
name). The API key is stored encrypted (Fernet, with ``PERSONAE_SECRETS_KEY``), never in clear.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.adapters.sql.types import UtcDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enterprise_settings",
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("model_base_url", sa.String(500), nullable=True),
        sa.Column("model_name", sa.String(200), nullable=True),
        sa.Column("model_key_encrypted", sa.Text(), nullable=True),
        sa.Column("brand_name", sa.String(80), nullable=True),
        sa.Column("brand_avatar_url", sa.String(500), nullable=True),
        sa.Column("updated_by", sa.String(120), server_default="", nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ecosystem_id"], ["ecosystems.id"], ondelete="CASCADE",
                                name="fk_enterprise_settings_ecosystem_id_ecosystems"),
        sa.PrimaryKeyConstraint("ecosystem_id", name="pk_enterprise_settings"),
    )


def downgrade() -> None:
    op.drop_table("enterprise_settings")
