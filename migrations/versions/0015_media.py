"""Media: images served at ``/media/<sha256>.<ext>`` (characters' avatars from marketplace
packages)

Content-addressed: the SHA-256 of the bytes is the key, so the same image installed by many
communities is stored once. Rows are never updated; uninstalling leaves them (they may be
shared).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.adapters.sql.types import UtcDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("bytes", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_media"),
    )


def downgrade() -> None:
    op.drop_table("media")
