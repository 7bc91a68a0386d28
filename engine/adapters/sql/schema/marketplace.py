"""The marketplace: packages, tags, versions, installations, ratings, reports, and the media
store of their images."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from engine.adapters.sql.schema.base import TS, metadata
from engine.adapters.sql.types import (
    JsonDoc,
    SearchVector,
)

__all__ = [
    "packages", "package_tags", "package_versions", "installations", "ratings", "reports",
    "media",
]

# -- The marketplace (``engine.marketplace``, ``engine.services.marketplace``) ------------------
# A package is a shared character, cast (with relationships) or scenario template; its content
# lives in versions. Creators and raters are named by a member key ("<platform>:<user id>"),
# not a participant id: a listing outlives any one community. ``search_text`` is the listing's
# name, description and tags normalized to lower-case words (the text search reads it: on
# PostgreSQL through ``search_vector``); ``rating_score`` is the
# Bayesian mean the "rating" order sorts by; ``install_count`` counts installs ever made.
# ``premium`` packages cost ``price_cents`` once (entitlements are the billing side's).
packages = Table(
    "packages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("share_code", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("name", String(120), nullable=False),
    Column("slug", String(80), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("tags", JsonDoc, nullable=False),
    Column("genre", String(32), nullable=False, server_default=""),
    Column("visibility", String(16), nullable=False, server_default="public"),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("premium", Boolean, nullable=False, server_default="0"),
    Column("price_cents", Integer, nullable=False, server_default="0"),
    Column("creator_key", String(100)),
    Column("creator_name", String(200), nullable=False, server_default=""),
    Column("creator_ecosystem_id", ForeignKey("ecosystems.id", ondelete="SET NULL")),
    Column("latest_version", String(32), nullable=False),
    Column("search_text", Text, nullable=False, server_default=""),
    # PostgreSQL: ``to_tsvector('simple', search_text)``, kept by a trigger (migration 0012)
    # and GIN-indexed; unused (NULL) on SQLite.
    Column("search_vector", SearchVector),
    Column("install_count", Integer, nullable=False, server_default="0"),
    Column("rating_count", Integer, nullable=False, server_default="0"),
    Column("rating_sum", Integer, nullable=False, server_default="0"),
    Column("rating_score", Float, nullable=False, server_default="0"),
    Column("takedown_reason", Text, nullable=False, server_default=""),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    UniqueConstraint("share_code"),
    Index(None, "status", "visibility", "rating_score", "id"),
    Index(None, "status", "visibility", "install_count", "id"),
    Index(None, "genre", "rating_score"),
    Index(None, "creator_key"),
)

# One row per tag of a package (lower-case), for tag filters.
package_tags = Table(
    "package_tags",
    metadata,
    Column("package_id", ForeignKey("packages.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(40), primary_key=True),
    Index(None, "tag", "package_id"),
)

package_versions = Table(
    "package_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("package_id", ForeignKey("packages.id", ondelete="CASCADE"), nullable=False),
    Column("version", String(32), nullable=False),
    Column("content", JsonDoc, nullable=False),
    Column("size_bytes", Integer, nullable=False, server_default="0"),
    Column("preview_png", LargeBinary),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("package_id", "version"),
)

# What an install added to an ecosystem (``created``: character ids by package key, scenario
# ids, relationship pairs), so that uninstall removes exactly that and update finds it again.
installations = Table(
    "installations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("package_id", ForeignKey("packages.id", ondelete="CASCADE"), nullable=False),
    Column("version", String(32), nullable=False),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("installed_by", String(100)),
    Column("created", JsonDoc, nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("installed_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index(None, "package_id", "status"),
    Index(None, "ecosystem_id", "status"),
)

# One rating (1-5 stars) and review per member and package, editable.
ratings = Table(
    "ratings",
    metadata,
    Column("package_id", ForeignKey("packages.id", ondelete="CASCADE"), primary_key=True),
    Column("member_key", String(100), primary_key=True),
    Column("member_name", String(200), nullable=False, server_default=""),
    Column("stars", Integer, nullable=False),
    Column("review", Text, nullable=False, server_default=""),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index(None, "member_key"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("package_id", ForeignKey("packages.id", ondelete="CASCADE"), nullable=False),
    Column("reporter_key", String(100)),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("resolution", Text, nullable=False, server_default=""),
    Column("created_at", TS, nullable=False),
    Column("resolved_at", TS),
    Index(None, "status", "package_id"),
    Index(None, "reporter_key"),
)


# Images served at /media/<sha256>.<ext> (avatars from marketplace packages). Content-addressed:
# the SHA-256 of the bytes is the key, so an image is stored once however often it is installed.
media = Table(
    "media",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content_type", String(64), nullable=False),
    Column("bytes", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
)
