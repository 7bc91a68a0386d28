"""OAuth ``state`` values for the install flow, in Redis (any app process may get the
callback): issued once, valid ten minutes, consumed on use."""

from __future__ import annotations

import logging
import secrets

import redis
from slack_sdk.oauth.state_store import OAuthStateStore

__all__ = ["RedisOAuthStateStore"]

log = logging.getLogger(__name__)

PREFIX = "personae:slack:oauth-state"
TTL_S = 600


class RedisOAuthStateStore(OAuthStateStore):
    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: object, **kwargs: object) -> str:
        state = secrets.token_urlsafe(24)
        self.client.set(f"{PREFIX}:{state}", "1", ex=TTL_S)
        return state

    def consume(self, state: str) -> bool:
        return bool(self.client.delete(f"{PREFIX}:{state}"))
