"""The schema, as SQLAlchemy Core tables, gathered from ``engine.adapters.sql.schema`` (one module
per area). Alembic migrations (``migrations/``) create it.

Participants (characters and human members) share one id space, so relationships and events
refer to "a participant" without caring which kind it is; ``characters`` and
``platform_users`` extend ``participants`` one-to-one (same primary key).
"""

from __future__ import annotations

from engine.adapters.sql.schema.base import TS, BigId, metadata
from engine.adapters.sql.schema.billing import (
    billing_accounts,
    enterprise_settings,
    entitlements,
    stripe_events,
    usage_counters,
)
from engine.adapters.sql.schema.community import (
    channel_cast,
    channels,
    characters,
    ecosystems,
    events,
    intents,
    participants,
    platform_users,
)
from engine.adapters.sql.schema.marketplace import (
    installations,
    media,
    package_tags,
    package_versions,
    packages,
    ratings,
    reports,
)
from engine.adapters.sql.schema.memory import (
    memories,
    memory_citations,
    memory_sources,
    memory_term_stats,
    memory_terms,
)
from engine.adapters.sql.schema.platforms import (
    channel_webhooks,
    character_accounts,
    slack_installations,
)
from engine.adapters.sql.schema.social import (
    alliances,
    confidences,
    conflicts,
    moods,
    personality_drift,
    relationship_changes,
    relationships,
)
from engine.adapters.sql.schema.stories import (
    goals,
    scenario_templates,
    scenarios,
    story_thread_events,
    story_threads,
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
    "intents",
    "memories",
    "memory_citations",
    "memory_terms",
    "memory_term_stats",
    "memory_sources",
    "relationships",
    "relationship_changes",
    "moods",
    "confidences",
    "alliances",
    "conflicts",
    "personality_drift",
    "channel_webhooks",
    "character_accounts",
    "slack_installations",
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
    "media",
    "billing_accounts",
    "usage_counters",
    "stripe_events",
    "entitlements",
    "enterprise_settings",
    "BigId",
    "TS",
]
