"""Shared fixtures: the real services, and a container per backend.

Tests that take ``container`` run twice: on the embedded mode (SQLite + fakeredis) and on the
real services (PostgreSQL + pgvector, Redis).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine.adapters.sql.database import Database
from engine.clock import ManualClock
from engine.settings import Settings
from tests.fakes.discord_fixture import fake_discord  # noqa: F401 - fixture
from tests.fakes.openai_fixture import fake_openai  # noqa: F401 - fixture
from tests.fakes.slack_fixture import fake_slack  # noqa: F401 - fixture
from tests.fakes.stripe_fixture import fake_stripe  # noqa: F401 - fixture
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
def pg_url(request: pytest.FixtureRequest, pg_admin_url: str) -> Iterator[str]:
    """A fresh database on the session's PostgreSQL: empty, or for a test that builds
    containers (``make_container``, whose ``build`` migrates to head anyway) a copy of the
    session's migrated template, which is much faster than migrating."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    template = ""
    if "make_container" in request.fixturenames:
        template = f' TEMPLATE "{request.getfixturevalue("pg_template")}"'
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
    url = _with_database(pg_admin_url, name)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once per session; ``make_container`` copies it."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template(pg_admin_url: str) -> Iterator[str]:
    """A PostgreSQL database migrated to head once per session (the name of it);
    ``make_container`` clones it with ``CREATE DATABASE … TEMPLATE``."""
    name = f"tpl_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(_with_database(pg_admin_url, name))
    database.migrate()
    database.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    return base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")


def _start_migrated(request: pytest.FixtureRequest, url: str) -> None:
    """Give a test's SQLite database, before it exists, the session's migrated template, so
    that ``build`` finds it at head instead of running every migration (the same schema,
    sooner). PostgreSQL databases are cloned from the template by ``pg_url``."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return
    target = Path(parsed.database or "")
    if parsed.database not in (None, "", ":memory:") and not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)


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
    request: pytest.FixtureRequest, backend: str, settings_for: Callable[..., Settings]
) -> Iterator[Callable[..., Container]]:
    """Build containers on the current backend with a manual clock (simulated time).

    The test's database starts as a copy of the session's migrated template (when still
    empty); ``build`` then migrates it as always, which finds nothing to do."""
    built: list[Container] = []

    def make(**overrides: Any) -> Container:
        clock = overrides.pop("clock", None) or ManualClock()
        renderer = overrides.pop("renderer", None)
        settings = settings_for(backend, **overrides)
        _start_migrated(request, settings.database_url)
        c = build(settings, clock=clock, renderer=renderer, honour_delays=False)
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
