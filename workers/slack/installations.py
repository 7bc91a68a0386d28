"""Slack OAuth installations on our database (table ``slack_installations``, migration 0009).

``SqlInstallationStore`` is slack-bolt's installation store in HTTP mode (many workspaces);
``InstallationTokens`` gives workers a workspace's bot token. One row per install: the newest
of a workspace is in force, older rows are history (an uninstall deletes them all).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from engine.adapters.sql.tables import slack_installations as table

__all__ = ["SqlInstallationStore", "InstallationTokens"]

log = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    return value.timestamp() if isinstance(value, datetime) else value


class SqlInstallationStore(InstallationStore):
    """slack_sdk's ``InstallationStore`` over SQLAlchemy Core and our schema."""

    def __init__(self, engine: Engine, client_id: str) -> None:
        self.engine, self.client_id = engine, client_id

    @property
    def logger(self) -> logging.Logger:
        return log

    def save(self, installation: Installation) -> None:
        data = {k: _plain(v) for k, v in installation.to_dict().items()}
        with self.engine.begin() as conn:
            conn.execute(table.insert().values(
                client_id=self.client_id,
                enterprise_id=installation.enterprise_id or "",
                team_id="" if installation.is_enterprise_install else installation.team_id or "",
                user_id=installation.user_id or "",
                is_enterprise_install=bool(installation.is_enterprise_install),
                bot_token=installation.bot_token,
                data=data,
                installed_at=datetime.fromtimestamp(installation.installed_at, tz=UTC),
            ))

    def save_bot(self, bot: Bot) -> None:  # saved with its installation
        return None

    def _latest(self, enterprise_id: str | None, team_id: str | None,
                is_enterprise_install: bool | None, user_id: str | None = None
                ) -> Installation | None:
        where = [table.c.client_id == self.client_id,
                 table.c.enterprise_id == (enterprise_id or "")]
        if not is_enterprise_install:
            where.append(table.c.team_id == (team_id or ""))
        if user_id is not None:
            where.append(table.c.user_id == user_id)
        with self.engine.connect() as conn:
            row = conn.execute(select(table.c.data).where(*where)
                               .order_by(table.c.installed_at.desc(), table.c.id.desc())
                               .limit(1)).first()
        return Installation(**row.data) if row else None

    def find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                          user_id: str | None = None,
                          is_enterprise_install: bool | None = False
                          ) -> Installation | None:
        return self._latest(enterprise_id, team_id, is_enterprise_install, user_id)

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        installation = self._latest(enterprise_id, team_id, is_enterprise_install)
        if installation is None or not installation.bot_token:
            return None
        return installation.to_bot()

    def delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                            user_id: str | None = None) -> None:
        where = [table.c.client_id == self.client_id,
                 table.c.enterprise_id == (enterprise_id or ""),
                 table.c.team_id == (team_id or "")]
        if user_id is not None:
            where.append(table.c.user_id == user_id)
        with self.engine.begin() as conn:
            conn.execute(delete(table).where(*where))

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.delete_installation(enterprise_id=enterprise_id, team_id=team_id)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.delete_installation(enterprise_id=enterprise_id, team_id=team_id)


class InstallationTokens:
    """``team id → bot token`` of the newest installation (None when not installed)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, team_id: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(table.c.bot_token).where(table.c.team_id == team_id)
                .order_by(table.c.installed_at.desc(), table.c.id.desc()).limit(1)).first()
        return row.bot_token if row else None
