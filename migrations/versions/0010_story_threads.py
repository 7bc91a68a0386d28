"""Story threads: recognised stories with their arc, tension, predictions and timeline

``story_threads`` holds one row per story the engine follows (``engine.stories``);
``story_thread_events`` its timeline (the events that made it, with a role and a summary).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.adapters.sql.types import JsonDoc, UtcDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "story_threads",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(200), server_default="", nullable=False),
        sa.Column("seed_type", sa.String(32), nullable=False),
        sa.Column("genre", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16), server_default="seed", nullable=False),
        sa.Column("tension", sa.Float(), server_default="0", nullable=False),
        sa.Column("participants", JsonDoc, nullable=False),
        sa.Column("predictions", JsonDoc, nullable=False),
        sa.Column("state", JsonDoc, nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["ecosystem_id"], ["ecosystems.id"], ondelete="CASCADE",
                                name="fk_story_threads_ecosystem_id_ecosystems"),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], ondelete="SET NULL",
                                name="fk_story_threads_channel_id_channels"),
        sa.PrimaryKeyConstraint("id", name="pk_story_threads"),
    )
    op.create_index("ix_story_threads_ecosystem_id_stage", "story_threads",
                    ["ecosystem_id", "stage"])
    op.create_table(
        "story_thread_events",
        sa.Column("thread_id", _BIG_ID, nullable=False),
        sa.Column("event_id", _BIG_ID, nullable=False),
        sa.Column("role", sa.String(24), server_default="evidence", nullable=False),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["story_threads.id"], ondelete="CASCADE",
                                name="fk_story_thread_events_thread_id_story_threads"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE",
                                name="fk_story_thread_events_event_id_events"),
        sa.PrimaryKeyConstraint("thread_id", "event_id", name="pk_story_thread_events"),
    )
    op.create_index("ix_story_thread_events_event_id", "story_thread_events", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_story_thread_events_event_id", table_name="story_thread_events")
    op.drop_table("story_thread_events")
    op.drop_index("ix_story_threads_ecosystem_id_stage", table_name="story_threads")
    op.drop_table("story_threads")
