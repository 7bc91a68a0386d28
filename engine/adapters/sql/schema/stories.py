"""Story threads and their timelines, goals, scenarios and scenario templates."""

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

__all__ = ["story_threads", "story_thread_events", "goals", "scenarios", "scenario_templates"]

# Story threads (``engine.stories``): a recognised story with its arc stage, tension (0-100),
# participants (ids) and predictions; ``state`` holds the lifecycle's bookkeeping (peak tension,
# last activity). ``scenario_id`` names the scenario it unfolds in, if any (no foreign key: the
# scenarios' table is a later migration's).
story_threads = Table(
    "story_threads",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("channel_id", ForeignKey("channels.id", ondelete="SET NULL")),
    Column("title", String(200), nullable=False, server_default=""),
    Column("seed_type", String(32), nullable=False),
    Column("genre", String(16), nullable=False),
    Column("stage", String(16), nullable=False, server_default="seed"),
    Column("tension", Float, nullable=False, server_default="0"),
    Column("participants", JsonDoc, nullable=False),
    Column("predictions", JsonDoc, nullable=False),
    Column("state", JsonDoc, nullable=False),
    Column("scenario_id", Integer),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("resolved_at", TS),
    Index(None, "ecosystem_id", "stage"),
)

# A thread's timeline: the events that made it, each with its role and a one-line summary.
story_thread_events = Table(
    "story_thread_events",
    metadata,
    Column("thread_id", ForeignKey("story_threads.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(24), nullable=False, server_default="evidence"),
    Column("summary", Text, nullable=False, server_default=""),
    Column("at", TS, nullable=False),
    Index(None, "event_id"),
)

# Goals that have a life of their own (``engine.goals``): from scenarios and story beats, and
# card goals once they are settled (a card goal is not stored while it is simply active).
# ``target_ids`` may name members: forgetting one deletes the goals aimed at them.
goals = Table(
    "goals",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("character_id", ForeignKey("characters.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("horizon", String(8), nullable=False),
    Column("source", String(16), nullable=False),
    Column("source_ref", String(64), nullable=False, server_default=""),
    Column("strategy", String(16), nullable=False),
    Column("target_ids", JsonDoc, nullable=False),
    Column("satisfier", JsonDoc),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("priority", Float, nullable=False, server_default="1"),
    Column("progress", Integer, nullable=False, server_default="0"),
    Column("reason", Text, nullable=False, server_default=""),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("expires_at", TS),
    Index(None, "character_id", "status"),
    Index(None, "ecosystem_id", "source_ref"),
)

# Scenarios run by directors (``engine.scenarios``): cast briefs and objectives (hidden ones
# included) as JSON documents; ``created_by`` is the directing member (nulled when they are
# forgotten).
scenarios = Table(
    "scenarios",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("channel_id", ForeignKey("channels.id", ondelete="SET NULL")),
    Column("slug", String(80), nullable=False),
    Column("title", String(200), nullable=False),
    Column("setting", Text, nullable=False, server_default=""),
    Column("mood", String(200), nullable=False, server_default=""),
    Column("cast", JsonDoc, nullable=False),
    Column("objectives", JsonDoc, nullable=False),
    Column("data", JsonDoc, nullable=False),
    Column("status", String(16), nullable=False, server_default="draft"),
    Column("created_by", Integer),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("started_at", TS),
    Column("stopped_at", TS),
    Index(None, "ecosystem_id", "status"),
)

# Scenario templates, shared by code between ecosystems (installed from the code elsewhere).
scenario_templates = Table(
    "scenario_templates",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("data", JsonDoc, nullable=False),
    Column("origin_ecosystem_id", Integer),
    Column("created_by", Integer),
    Column("created_at", TS, nullable=False),
)
