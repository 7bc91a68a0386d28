"""What the front doors keep: webhooks, characters' own accounts, Slack installations."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from engine.adapters.sql.schema.base import TS, metadata
from engine.adapters.sql.types import (
    JsonDoc,
)

__all__ = ["channel_webhooks", "character_accounts", "slack_installations"]

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
