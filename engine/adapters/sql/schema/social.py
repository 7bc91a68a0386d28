"""Relationships and what moves them: their history, moods, confidences, alliances,
conflicts and personality drift."""

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
)

from engine.adapters.sql.schema.base import TS, BigId, metadata
from engine.adapters.sql.types import (
    JsonDoc,
)

__all__ = [
    "relationships", "relationship_changes", "moods", "confidences", "alliances", "conflicts",
    "personality_drift",
]

relationships = Table(
    "relationships",
    metadata,
    Column("source_id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    Column("target_id", ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("affinity", Float, nullable=False, server_default="0"),
    Column("trust", Float, nullable=False, server_default="0"),
    Column("familiarity", Float, nullable=False, server_default="0"),
    Column("romance", Float, nullable=False, server_default="0"),
    Column("rivalry", Float, nullable=False, server_default="0"),
    Column("respect", Float, nullable=False, server_default="0"),
    Column("grudge", Float, nullable=False, server_default="0"),
    # First impression (from personality compatibility): where values decay back to.
    Column("baseline", JsonDoc),
    Column("label", String(24), nullable=False, server_default="stranger"),
    Column("interactions", Integer, nullable=False, server_default="0"),
    Column("updated_at", TS, nullable=False),
    Index(None, "target_id"),
)


relationship_changes = Table(
    "relationship_changes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("source_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("target_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE")),
    Column("act", String(24)),
    Column("cause", Text, nullable=False, server_default=""),
    Column("deltas", JsonDoc, nullable=False),
    Column("old_label", String(24), nullable=False, server_default=""),
    Column("new_label", String(24), nullable=False, server_default=""),
    Column("created_at", TS, nullable=False),
    Index(None, "source_id", "target_id", "id"),
    Index(None, "ecosystem_id", "id"),
)

moods = Table(
    "moods",
    metadata,
    Column("character_id", ForeignKey("characters.id", ondelete="CASCADE"), primary_key=True),
    Column("valence", Float, nullable=False, server_default="0"),
    Column("arousal", Float, nullable=False, server_default="0"),
    Column("emotions", JsonDoc, nullable=False),
    Column("updated_at", TS, nullable=False),
)

confidences = Table(
    "confidences",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("owner_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("confidant_id", ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("subject", Text, nullable=False),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE")),
    Column("status", String(16), nullable=False, server_default="kept"),
    Column("revealed_by", Integer),
    Column("revealed_to", JsonDoc),
    Column("told_at", TS, nullable=False),
    Column("revealed_at", TS),
    Index(None, "confidant_id", "status"),
)

alliances = Table(
    "alliances",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("members", JsonDoc, nullable=False),
    Column("against", JsonDoc, nullable=False),
    Column("purpose", Text, nullable=False, server_default=""),
    Column("strength", Float, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("history", JsonDoc, nullable=False),
    Column("formed_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index(None, "ecosystem_id", "status"),
)

conflicts = Table(
    "conflicts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("parties", JsonDoc, nullable=False),
    Column("intensity", Float, nullable=False, server_default="0"),
    Column("stage", String(16), nullable=False, server_default="tension"),
    Column("history", JsonDoc, nullable=False),
    Column("updated_at", TS, nullable=False),
    Index(None, "ecosystem_id", "stage"),
)

personality_drift = Table(
    "personality_drift",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("character_id", ForeignKey("characters.id", ondelete="CASCADE"), nullable=False),
    Column("trait", String(24), nullable=False),
    Column("old", Float, nullable=False),
    Column("new", Float, nullable=False),
    Column("cause", Text, nullable=False, server_default=""),
    Column("created_at", TS, nullable=False),
    Index(None, "character_id", "id"),
)
