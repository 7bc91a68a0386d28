"""One Redis connection per process: a real server, or fakeredis in the embedded mode."""

from __future__ import annotations

import fakeredis
import redis

from engine.errors import ServiceUnavailable

__all__ = ["connect"]

_FAKE_SERVER = fakeredis.FakeServer()


def connect(url: str) -> redis.Redis:
    """A Redis client for ``url``; ``fakeredis://`` shares one in-process server.

    Raises:
        ServiceUnavailable: The server does not answer PING.
    """
    if url.startswith("fakeredis"):
        return fakeredis.FakeRedis(server=_FAKE_SERVER)
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)
    try:
        client.ping()
    except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
        raise ServiceUnavailable(
            f"Cannot reach Redis at {url}: {exc}. Is it running? "
            "Set PERSONAE_REDIS_URL, or use fakeredis:// for the embedded mode."
        ) from exc
    return client
