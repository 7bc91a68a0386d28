"""The marketplace: packages (characters, casts, scenario templates) with versions, tags,
installations, ratings and reviews, and reports

``packages`` are listings (a share code each, visibility, status, premium price, the counts the
marketplace sorts by); ``package_versions`` their versioned content and preview image;
``package_tags`` one row per tag; ``installations`` what an install added to an ecosystem;
``ratings`` one rating and review per member; ``reports`` members' reports for moderators.
On PostgreSQL the text search reads ``search_vector`` (``to_tsvector('simple', search_text)``,
kept by a trigger, so every writer keeps it right) through a GIN index; a stored vector, not an
expression index, because the planner often prefers walking the rating order and filtering,
which must then not parse every row's text again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.adapters.sql.types import JsonDoc, SearchVector, UtcDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The text search's index (raw SQL, PostgreSQL only: not part of the table models).
SEARCH_INDEX = "ix_packages_search_tsv"


def upgrade() -> None:
    op.create_table(
        "packages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("share_code", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("tags", JsonDoc, nullable=False),
        sa.Column("genre", sa.String(32), server_default="", nullable=False),
        sa.Column("visibility", sa.String(16), server_default="public", nullable=False),
        sa.Column("status", sa.String(16), server_default="active", nullable=False),
        sa.Column("premium", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("price_cents", sa.Integer(), server_default="0", nullable=False),
        sa.Column("creator_key", sa.String(100), nullable=True),
        sa.Column("creator_name", sa.String(200), server_default="", nullable=False),
        sa.Column("creator_ecosystem_id", sa.Integer(), nullable=True),
        sa.Column("latest_version", sa.String(32), nullable=False),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.Column("search_vector", SearchVector, nullable=True),
        sa.Column("install_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rating_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rating_sum", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rating_score", sa.Float(), server_default="0", nullable=False),
        sa.Column("takedown_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["creator_ecosystem_id"], ["ecosystems.id"], ondelete="SET NULL",
                                name="fk_packages_creator_ecosystem_id_ecosystems"),
        sa.PrimaryKeyConstraint("id", name="pk_packages"),
        sa.UniqueConstraint("share_code", name="uq_packages_share_code"),
    )
    op.create_index("ix_packages_status_visibility_rating_score_id", "packages",
                    ["status", "visibility", "rating_score", "id"])
    op.create_index("ix_packages_status_visibility_install_count_id", "packages",
                    ["status", "visibility", "install_count", "id"])
    op.create_index("ix_packages_genre_rating_score", "packages", ["genre", "rating_score"])
    op.create_index("ix_packages_creator_key", "packages", ["creator_key"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION packages_search_vector() RETURNS trigger AS $$
            BEGIN
                NEW.search_vector := to_tsvector('simple', NEW.search_text);
                RETURN NEW;
            END $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER packages_search_vector BEFORE INSERT OR UPDATE OF "
                   "search_text ON packages FOR EACH ROW EXECUTE FUNCTION "
                   "packages_search_vector()")
        op.execute(f"CREATE INDEX {SEARCH_INDEX} ON packages USING gin (search_vector)")
    op.create_table(
        "package_tags",
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(40), nullable=False),
        sa.ForeignKeyConstraint(["package_id"], ["packages.id"], ondelete="CASCADE",
                                name="fk_package_tags_package_id_packages"),
        sa.PrimaryKeyConstraint("package_id", "tag", name="pk_package_tags"),
    )
    op.create_index("ix_package_tags_tag_package_id", "package_tags", ["tag", "package_id"])
    op.create_table(
        "package_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("content", JsonDoc, nullable=False),
        sa.Column("size_bytes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("preview_png", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["package_id"], ["packages.id"], ondelete="CASCADE",
                                name="fk_package_versions_package_id_packages"),
        sa.PrimaryKeyConstraint("id", name="pk_package_versions"),
        sa.UniqueConstraint("package_id", "version", name="uq_package_versions_package_id_version"),
    )
    op.create_table(
        "installations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("installed_by", sa.String(100), nullable=True),
        sa.Column("created", JsonDoc, nullable=False),
        sa.Column("status", sa.String(16), server_default="active", nullable=False),
        sa.Column("installed_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["package_id"], ["packages.id"], ondelete="CASCADE",
                                name="fk_installations_package_id_packages"),
        sa.ForeignKeyConstraint(["ecosystem_id"], ["ecosystems.id"], ondelete="CASCADE",
                                name="fk_installations_ecosystem_id_ecosystems"),
        sa.PrimaryKeyConstraint("id", name="pk_installations"),
    )
    op.create_index("ix_installations_package_id_status", "installations",
                    ["package_id", "status"])
    op.create_index("ix_installations_ecosystem_id_status", "installations",
                    ["ecosystem_id", "status"])
    op.create_table(
        "ratings",
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("member_key", sa.String(100), nullable=False),
        sa.Column("member_name", sa.String(200), server_default="", nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("review", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["package_id"], ["packages.id"], ondelete="CASCADE",
                                name="fk_ratings_package_id_packages"),
        sa.PrimaryKeyConstraint("package_id", "member_key", name="pk_ratings"),
    )
    op.create_index("ix_ratings_member_key", "ratings", ["member_key"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("reporter_key", sa.String(100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), server_default="open", nullable=False),
        sa.Column("resolution", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["package_id"], ["packages.id"], ondelete="CASCADE",
                                name="fk_reports_package_id_packages"),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
    )
    op.create_index("ix_reports_status_package_id", "reports", ["status", "package_id"])
    op.create_index("ix_reports_reporter_key", "reports", ["reporter_key"])


def downgrade() -> None:
    op.drop_index("ix_reports_reporter_key", table_name="reports")
    op.drop_index("ix_reports_status_package_id", table_name="reports")
    op.drop_table("reports")
    op.drop_index("ix_ratings_member_key", table_name="ratings")
    op.drop_table("ratings")
    op.drop_index("ix_installations_ecosystem_id_status", table_name="installations")
    op.drop_index("ix_installations_package_id_status", table_name="installations")
    op.drop_table("installations")
    op.drop_table("package_versions")
    op.drop_index("ix_package_tags_tag_package_id", table_name="package_tags")
    op.drop_table("package_tags")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
        op.execute("DROP TRIGGER IF EXISTS packages_search_vector ON packages")
        op.execute("DROP FUNCTION IF EXISTS packages_search_vector()")
    op.drop_index("ix_packages_creator_key", table_name="packages")
    op.drop_index("ix_packages_genre_rating_score", table_name="packages")
    op.drop_index("ix_packages_status_visibility_install_count_id", table_name="packages")
    op.drop_index("ix_packages_status_visibility_rating_score_id", table_name="packages")
    op.drop_table("packages")
