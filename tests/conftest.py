"""Shared fixtures: the real services, and a container per backend.

Tests that take ``container`` run twice: on the embedded mode (SQLite + fakeredis) and on the
real services (PostgreSQL + pgvector, Redis).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from engine.clock import ManualClock
from engine.settings import Settings
from tests.fakes.discord_fixture import fake_discord  # noqa: F401 - fixture
from tests.fakes.openai_fixture import fake_openai  # noqa: F401 - fixture
from tests.fakes.slack_fixture import fake_slack  # noqa: F401 - fixture
from tests.services import postgres_server, redis_server, services_required
from workers.bootstrap import Container, build, install

BACKENDS = ("embedded", "services")


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    try:
        with postgres_server() as url:
            yield url
    except Exception as exc:  # noqa: BLE001
        if services_required():
            raise
        pytest.skip(f"PostgreSQL with pgvector unavailable: {exc}")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    try:
        with redis_server() as url:
            yield url
    except Exception as exc:  # noqa: BLE001
        if services_required():
            raise
        pytest.skip(f"Redis unavailable: {exc}")


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty database on the session's PostgreSQL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, query = pg_admin_url.partition("?")
    url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings_for(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., Settings]:
    """Settings for a backend name, with test overrides."""

    def make(backend: str, **overrides: Any) -> Settings:
        if backend == "embedded":
            values: dict[str, Any] = {
                "database_url": f"sqlite:///{tmp_path}/test.db",
                "redis_url": "fakeredis://",
            }
        else:
            values = {
                "database_url": request.getfixturevalue("pg_url"),
                "redis_url": request.getfixturevalue("redis_url"),
            }
        values.update({"seed": 7, "queue_name": f"q-{uuid.uuid4().hex[:8]}"})
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_container(
    backend: str, settings_for: Callable[..., Settings]
) -> Iterator[Callable[..., Container]]:
    """Build containers on the current backend with a manual clock (simulated time)."""
    built: list[Container] = []

    def make(**overrides: Any) -> Container:
        clock = overrides.pop("clock", None) or ManualClock()
        renderer = overrides.pop("renderer", None)
        c = build(settings_for(backend, **overrides), clock=clock, renderer=renderer,
                  honour_delays=False)
        c.redis.flushdb()
        install(c)
        built.append(c)
        return c

    yield make
    install(None)
    for c in built:
        c.close()


@pytest.fixture
def container(make_container: Callable[..., Container]) -> Container:
    return make_container()
