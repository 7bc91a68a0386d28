"""The schema, as SQLAlchemy Core tables. Alembic migrations (``migrations/``) create it.

Participants (characters and human members) share one id space, so relationships and events
refer to "a participant" without caring which kind it is; ``characters`` and
``platform_users`` extend ``participants`` one-to-one (same primary key).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from engine.adapters.sql.types import (
    EMBEDDING_DIM,
    Embedding,
    JsonDoc,
    SearchVector,
    UtcDateTime,
)

__all__ = [
    "metadata",
    "ecosystems",
    "channels",
    "participants",
    "characters",
    "platform_users",
    "channel_cast",
    "events",
    "relationships",
    "memories",
    "memory_sources",
    "memory_citations",
    "memory_terms",
    "memory_term_stats",
    "intents",
    "relationship_changes",
    "moods",
    "confidences",
    "alliances",
    "conflicts",
    "personality_drift",
    "story_threads",
    "story_thread_events",
    "goals",
    "scenarios",
    "scenario_templates",
    "packages",
    "package_tags",
    "package_versions",
    "installations",
    "ratings",
    "reports",
]

# BigInteger ids that are still SQLite rowids (INTEGER PRIMARY KEY) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")
TS = UtcDateTime()

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

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

memories = Table(
    "memories",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("owner_id", ForeignKey("characters.id", ondelete="CASCADE"), nullable=False),
    Column("channel_id", ForeignKey("channels.id", ondelete="SET NULL")),
    Column("kind", String(16), nullable=False, server_default="observation"),
    Column("text", Text, nullable=False),
    Column("embedding", Embedding(EMBEDDING_DIM)),
    Column("importance", Float, nullable=False, server_default="1"),
    Column("emotional_tone", Float, nullable=False, server_default="0"),
    Column("archived", Boolean, nullable=False, server_default="0"),
    Column("created_at", TS, nullable=False),
    Column("last_accessed_at", TS, nullable=False),
    # Semantic knowledge (kind "knowledge") is about someone: a participant of the ecosystem.
    Column("subject_id", ForeignKey("participants.id", ondelete="CASCADE")),
    # Content words indexed in ``memory_terms`` (None: not indexed yet, see the lexical index).
    Column("lexical_len", Integer),
    Index(None, "owner_id", "created_at"),
    # Covers recall's "most important" order (importance, then newest): heuristic importances
    # take few values, so an index on importance alone leaves large ties to sort.
    Index(None, "owner_id", "importance", "created_at", "id"),
    Index(None, "owner_id", "subject_id"),
)

# Which memories a reflection or a piece of knowledge was drawn from (its citations).
memory_citations = Table(
    "memory_citations",
    metadata,
    Column("memory_id", ForeignKey("memories.id", ondelete="CASCADE"), primary_key=True),
    Column("cited_id", ForeignKey("memories.id", ondelete="CASCADE"), primary_key=True),
    Index(None, "cited_id"),
)

# The lexical index (``engine.lexical``): each memory's stemmed content words with their
# counts, for BM25 over a character's whole memory. ``owner_id`` and ``doc_len`` repeat the
# memory's owner and length so that one covering index answers a query; the term "" carries
# one row per memory (its length), from which the corpus size and mean length are counted.
memory_terms = Table(
    "memory_terms",
    metadata,
    Column("memory_id", ForeignKey("memories.id", ondelete="CASCADE"), primary_key=True),
    Column("term", String(64), primary_key=True),
    Column("owner_id", Integer, nullable=False),
    Column("tf", Integer, nullable=False),
    Column("doc_len", Integer, nullable=False),
    Index(None, "owner_id", "term", "memory_id", "tf", "doc_len"),
)

# BM25's statistics of one character's index, so that no query counts postings: per term, how
# many of its indexed memories hold it (``docs``) and how often in all (``total``); the term ""
# counts the memories and their summed length. Kept by triggers on ``memory_terms`` (migration
# 0008), whoever writes or deletes index rows (on SQLite, where triggers run per row, insertions
# are added by ``LexicalIndex.add``, the only writer); a row falling to 0 memories is deleted.
memory_term_stats = Table(
    "memory_term_stats",
    metadata,
    Column("owner_id", Integer, primary_key=True),
    Column("term", String(64), primary_key=True),
    Column("docs", Integer, nullable=False),
    Column("total", BigInteger, nullable=False),
    # A new random number at every change of the row: cached postings of the term are current
    # while it is unchanged (``engine.adapters.sql.lexical_index.POSTINGS_CACHE``).
    Column("version", BigInteger, nullable=False),
)

memory_sources = Table(
    "memory_sources",
    metadata,
    Column("memory_id", ForeignKey("memories.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Index(None, "event_id"),
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

# The webhook a front door posts through in a channel (Discord: one bot-owned webhook per
# parent channel; threads post through their parent's). Its token is a credential: it never
# leaves the database except to the delivering worker.
channel_webhooks = Table(
    "channel_webhooks",
    metadata,
    Column("channel_id", ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True),
    Column("webhook_id", String(64), nullable=False),
    Column("token", Text, nullable=False),
    Column("created_at", TS, nullable=False),
    Index(None, "webhook_id", unique=True),
)

# Characters that run as their own platform user (Discord's dedicated-bot mode): the user id
# resolves @mentions to the character; the token stays in the environment.
character_accounts = Table(
    "character_accounts",
    metadata,
    Column("character_id", ForeignKey("characters.id", ondelete="CASCADE"), primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("external_user_id", String(64), nullable=False),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("platform", "external_user_id"),
)

# Slack OAuth installations, one row per install (the newest per workspace wins): what
# slack-bolt's installation store reads in HTTP mode to serve many workspaces. ``data`` holds
# slack_sdk's whole Installation (tokens included: a credential, like a webhook's token).
slack_installations = Table(
    "slack_installations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(64), nullable=False),
    Column("enterprise_id", String(32), nullable=False, server_default=""),
    Column("team_id", String(32), nullable=False, server_default=""),
    Column("user_id", String(32), nullable=False, server_default=""),
    Column("is_enterprise_install", Boolean, nullable=False, server_default="0"),
    Column("bot_token", Text, nullable=True),
    Column("data", JsonDoc, nullable=False),
    Column("installed_at", TS, nullable=False),
    Index(None, "team_id", "installed_at"),
)

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

# -- Billing (``engine.billing``, ``engine.services.billing``, migration 0013) -------------------
# One row per ecosystem that ever subscribed (none = the free tier). ``tier`` is what applies
# now; ``status`` mirrors the Stripe subscription (active, past_due, canceled, ...);
# ``grace_until`` is set when a payment failed: the paid tier holds until then, then the
# ecosystem is downgraded to the free tier (over-limit characters paused, never deleted).
billing_accounts = Table(
    "billing_accounts",
    metadata,
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), primary_key=True),
    Column("tier", String(32), nullable=False, server_default="free"),
    Column("status", String(24), nullable=False, server_default="none"),
    Column("stripe_customer_id", String(64)),
    Column("stripe_subscription_id", String(64)),
    Column("paid_tier", String(32)),
    Column("grace_until", TS),
    Column("updated_at", TS, nullable=False),
    Index(None, "stripe_subscription_id"),
    Index(None, "stripe_customer_id"),
)

# Usage per ecosystem, calendar month (``YYYY-MM``, UTC) and resource (exports, model calls).
usage_counters = Table(
    "usage_counters",
    metadata,
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("resource", String(32), primary_key=True),
    Column("count", Integer, nullable=False, server_default="0"),
)

# Stripe event ids already applied (webhooks arrive duplicated and retried for days).
stripe_events = Table(
    "stripe_events",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("type", String(80), nullable=False),
    Column("received_at", TS, nullable=False),
)

# Premium packages an ecosystem bought once (a paid Checkout Session in payment mode).
entitlements = Table(
    "entitlements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("package_id", ForeignKey("packages.id", ondelete="CASCADE"), nullable=False),
    Column("stripe_session_id", String(80)),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("ecosystem_id", "package_id"),
    UniqueConstraint("stripe_session_id"),
)

# Enterprise extras of an ecosystem: its own model endpoint and (encrypted) key, and the
# white-label name and avatar its bot uses. No row = the deployment's model, "Personae".
enterprise_settings = Table(
    "enterprise_settings",
    metadata,
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), primary_key=True),
    Column("model_base_url", String(500)),
    Column("model_name", String(200)),
    Column("model_key_encrypted", Text),
    Column("brand_name", String(80)),
    Column("brand_avatar_url", String(500)),
    Column("updated_by", String(120), nullable=False, server_default=""),
    Column("updated_at", TS, nullable=False),
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
