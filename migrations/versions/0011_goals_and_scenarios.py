"""Goals and scenarios: characters' goals with a life of their own, directed scenarios, and
scenario templates shared by code

``goals`` holds goals from scenarios and story beats, and card goals once settled
(``engine.goals``); ``scenarios`` the scenarios directors run (cast briefs and objectives as
JSON); ``scenario_templates`` scenarios saved to be installed elsewhere by their code.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.adapters.sql.types import JsonDoc, UtcDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("character_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("horizon", sa.String(8), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(64), server_default="", nullable=False),
        sa.Column("strategy", sa.String(16), nullable=False),
        sa.Column("target_ids", JsonDoc, nullable=False),
        sa.Column("satisfier", JsonDoc, nullable=True),
        sa.Column("status", sa.String(16), server_default="active", nullable=False),
        sa.Column("priority", sa.Float(), server_default="1", nullable=False),
        sa.Column("progress", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["ecosystem_id"], ["ecosystems.id"], ondelete="CASCADE",
                                name="fk_goals_ecosystem_id_ecosystems"),
        sa.ForeignKeyConstraint(["character_id"], ["characters.id"], ondelete="CASCADE",
                                name="fk_goals_character_id_characters"),
        sa.PrimaryKeyConstraint("id", name="pk_goals"),
    )
    op.create_index("ix_goals_character_id_status", "goals", ["character_id", "status"])
    op.create_index("ix_goals_ecosystem_id_source_ref", "goals", ["ecosystem_id", "source_ref"])
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("setting", sa.Text(), server_default="", nullable=False),
        sa.Column("mood", sa.String(200), server_default="", nullable=False),
        sa.Column("cast", JsonDoc, nullable=False),
        sa.Column("objectives", JsonDoc, nullable=False),
        sa.Column("data", JsonDoc, nullable=False),
        sa.Column("status", sa.String(16), server_default="draft", nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=True),
        sa.Column("stopped_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["ecosystem_id"], ["ecosystems.id"], ondelete="CASCADE",
                                name="fk_scenarios_ecosystem_id_ecosystems"),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], ondelete="SET NULL",
                                name="fk_scenarios_channel_id_channels"),
        sa.PrimaryKeyConstraint("id", name="pk_scenarios"),
    )
    op.create_index("ix_scenarios_ecosystem_id_status", "scenarios", ["ecosystem_id", "status"])
    op.create_table(
        "scenario_templates",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("data", JsonDoc, nullable=False),
        sa.Column("origin_ecosystem_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_scenario_templates"),
    )


def downgrade() -> None:
    op.drop_table("scenario_templates")
    op.drop_index("ix_scenarios_ecosystem_id_status", table_name="scenarios")
    op.drop_table("scenarios")
    op.drop_index("ix_goals_ecosystem_id_source_ref", table_name="goals")
    op.drop_index("ix_goals_character_id_status", table_name="goals")
    op.drop_table("goals")
