"""Builds the Slack outbox from settings (called by ``workers.bootstrap.build``)."""

from __future__ import annotations

import redis
from sqlalchemy.engine import Engine

from engine.adapters.sql.uow import UnitOfWorkFactory
from engine.clock import Clock
from engine.settings import Settings
from workers.pacing import Pacer, Rate
from workers.slack.installations import InstallationTokens
from workers.slack.outbox import PACE_PREFIX, SlackOutbox
from workers.slack.threads import ThreadMap
from workers.slack.tokens import token_resolver

__all__ = ["slack_configured", "make_slack_outbox"]


def slack_configured(settings: Settings) -> bool:
    """A bot token (one workspace) or an OAuth client (many) is set."""
    return bool(settings.slack_bot_token or settings.slack_client_id)


def make_slack_outbox(settings: Settings, engine: Engine, client: redis.Redis,
                      clock: Clock) -> SlackOutbox:
    uow = UnitOfWorkFactory(engine)
    installed = InstallationTokens(engine) if settings.slack_client_id else None
    return SlackOutbox(
        token_resolver(settings.slack_bot_token, uow, installed),
        pacer=Pacer(client, PACE_PREFIX),
        rate=Rate.parse(settings.slack_channel_rate),
        uow=uow,
        clock=clock,
        threads=ThreadMap(client),
        api_base=settings.slack_api_base,
    )
