"""What ties our rows to a platform's objects: a channel's webhook, a character's own account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from engine.adapters.sql.tables import channel_webhooks, character_accounts

__all__ = ["ChannelWebhook", "PlatformLinks"]


@dataclass(frozen=True)
class ChannelWebhook:
    channel_id: int
    webhook_id: str
    token: str


class PlatformLinks:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- webhooks ---------------------------------------------------------------------------
    def webhook(self, channel_id: int) -> ChannelWebhook | None:
        row = self.conn.execute(
            select(channel_webhooks).where(channel_webhooks.c.channel_id == channel_id)
        ).first()
        return ChannelWebhook(row.channel_id, row.webhook_id, row.token) if row else None

    def save_webhook(self, channel_id: int, webhook_id: str, token: str, now: datetime) -> None:
        """Remember the channel's webhook (replacing the one it had)."""
        self.conn.execute(delete(channel_webhooks)
                          .where(channel_webhooks.c.channel_id == channel_id))
        self.conn.execute(channel_webhooks.insert().values(
            channel_id=channel_id, webhook_id=webhook_id, token=token, created_at=now))

    def forget_webhook(self, channel_id: int, webhook_id: str) -> None:
        """Drop the channel's webhook if it is still ``webhook_id`` (another worker may have
        replaced it already)."""
        self.conn.execute(delete(channel_webhooks).where(
            channel_webhooks.c.channel_id == channel_id,
            channel_webhooks.c.webhook_id == webhook_id))

    def is_our_webhook(self, webhook_id: str) -> bool:
        return self.conn.execute(
            select(channel_webhooks.c.channel_id)
            .where(channel_webhooks.c.webhook_id == webhook_id)
        ).first() is not None

    def webhook_ids(self) -> set[str]:
        return {r.webhook_id for r in self.conn.execute(select(channel_webhooks.c.webhook_id))}

    # -- characters' own accounts -----------------------------------------------------------
    def link_account(self, character_id: int, platform: str, external_user_id: str,
                     now: datetime) -> None:
        """Record that ``character_id`` is the platform user ``external_user_id`` (replacing
        any earlier link of either)."""
        self.conn.execute(delete(character_accounts).where(
            (character_accounts.c.platform == platform)
            & ((character_accounts.c.character_id == character_id)
               | (character_accounts.c.external_user_id == external_user_id))))
        self.conn.execute(character_accounts.insert().values(
            character_id=character_id, platform=platform, external_user_id=external_user_id,
            created_at=now))

    def accounts(self, platform: str) -> dict[str, int]:
        """External user id → character id, for every character with its own account."""
        rows = self.conn.execute(
            select(character_accounts.c.external_user_id, character_accounts.c.character_id)
            .where(character_accounts.c.platform == platform))
        return {r.external_user_id: r.character_id for r in rows}

    def account_of(self, character_id: int, platform: str) -> str | None:
        row = self.conn.execute(
            select(character_accounts.c.external_user_id).where(
                character_accounts.c.character_id == character_id,
                character_accounts.c.platform == platform)).first()
        return row.external_user_id if row else None
