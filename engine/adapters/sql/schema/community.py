"""Communities, their channels and who is in them; the event log; intents (what a character
means to do next)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from engine.adapters.sql.schema.base import TS, BigId, metadata
from engine.adapters.sql.types import (
    JsonDoc,
)

__all__ = [
    "ecosystems", "channels", "participants", "characters", "platform_users", "channel_cast",
    "events", "intents",
]

ecosystems = Table(
    "ecosystems",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("name", String(200), nullable=False, server_default=""),
    Column("settings", JsonDoc, nullable=False),
    Column("created_at", TS, nullable=False),
    # Bumped on every relationship change: the key of cached social analytics.
    Column("social_version", Integer, nullable=False, server_default="0"),
    UniqueConstraint("platform", "external_id"),
)

channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("name", String(200), nullable=False, server_default=""),
    Column("settings", JsonDoc, nullable=False),
    Column("last_event_at", TS),
    Column("next_post_at", TS),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("ecosystem_id", "external_id"),
)

participants = Table(
    "participants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
    Index(None, "ecosystem_id", "kind"),
)

characters = Table(
    "characters",
    metadata,
    Column("id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("personality", Text, nullable=False, server_default=""),
    Column("scenario", Text, nullable=False, server_default=""),
    Column("first_mes", Text, nullable=False, server_default=""),
    Column("mes_example", Text, nullable=False, server_default=""),
    Column("alternate_greetings", JsonDoc, nullable=False),
    Column("system_prompt", Text, nullable=False, server_default=""),
    Column("post_history_instructions", Text, nullable=False, server_default=""),
    Column("creator_notes", Text, nullable=False, server_default=""),
    Column("tags", JsonDoc, nullable=False),
    Column("creator", String(200), nullable=False, server_default=""),
    Column("character_version", String(64), nullable=False, server_default=""),
    # Our extensions (data.extensions.personae), queryable columns where the engine needs them.
    Column("big_five", JsonDoc, nullable=False),
    # The card's traits before any drift: drift stays within a bound of these.
    Column("origin_big_five", JsonDoc),
    Column("values", JsonDoc, nullable=False),
    Column("goals", JsonDoc, nullable=False),
    Column("talkativeness", Float, nullable=False, server_default="0.5"),
    Column("autonomy_level", Integer, nullable=False, server_default="2"),
    Column("social_energy", Float, nullable=False, server_default="0.7"),
    Column("speech", JsonDoc, nullable=False),
    Column("aliases", JsonDoc, nullable=False),
    Column("avatar_url", Text),
    Column("memory_summary", Text, nullable=False, server_default=""),
    # The newest memory id the last consolidation considered, and when it ran.
    Column("consolidated_through", BigId, nullable=False, server_default="0"),
    Column("consolidated_at", TS),
    Column("card_extra", JsonDoc, nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("last_spoke_at", TS),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("ecosystem_id", "name"),
)

platform_users = Table(
    "platform_users",
    metadata,
    Column("id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("ecosystem_id", "external_id"),
)

channel_cast = Table(
    "channel_cast",
    metadata,
    Column("channel_id", ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
    Column("character_id", ForeignKey("characters.id", ondelete="CASCADE"), primary_key=True),
    Column("joined_at", TS, nullable=False),
    Index(None, "character_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("channel_id", ForeignKey("channels.id", ondelete="CASCADE")),
    Column("kind", String(24), nullable=False),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("external_id", String(100)),
    Column("author_id", ForeignKey("participants.id", ondelete="CASCADE")),
    Column("author_kind", String(16)),
    Column("author_name", String(200), nullable=False, server_default=""),
    Column("text", Text, nullable=False, server_default=""),
    Column("act", String(24)),
    Column("target_id", Integer),
    Column("addressed_ids", JsonDoc, nullable=False),
    Column("sentiment", Float, nullable=False, server_default="0"),
    Column("chain_depth", Integer, nullable=False, server_default="0"),
    Column("in_reply_to", BigId),
    Column("payload", JsonDoc, nullable=False),
    Column("created_at", TS, nullable=False),
    Index(None, "channel_id", "id"),
    Index(None, "ecosystem_id", "id"),
    Index(None, "channel_id", "external_id"),
)


intents = Table(
    "intents",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("channel_id", ForeignKey("channels.id", ondelete="CASCADE"), nullable=False),
    Column("character_id", ForeignKey("characters.id", ondelete="CASCADE"), nullable=False),
    Column("act", String(24), nullable=False),
    Column("target_id", Integer),
    Column("reason", String(200), nullable=False, server_default=""),
    Column("trigger_event_id", BigId),
    Column("chain_depth", Integer, nullable=False, server_default="0"),
    Column("due_at", TS, nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("result_event_id", BigId),
    Column("error", Text, nullable=False, server_default=""),
    Column("created_at", TS, nullable=False),
    Index(None, "channel_id", "status"),
    Index(None, "character_id", "status"),
)
