"""The database handle: one SQLAlchemy engine, tuned per backend, with a clear failure mode."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import StaticPool

from engine.adapters.sql import migrate
from engine.adapters.sql.recall_pg import postgres_session_settings
from engine.errors import ServiceUnavailable

__all__ = ["Database"]

log = logging.getLogger(__name__)

#: WAL pages (4 KiB) before SQLite checkpoints on its own, inside some unlucky commit.
AUTOCHECKPOINT_PAGES = 20_000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    # Checkpoints run from the scheduler tick (``Database.checkpoint``), not inside a member's
    # message; this large automatic threshold is only the safety net.
    cur.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    cur.close()


class Database:
    """Owns the SQLAlchemy engine for one URL.

    Args:
        url: ``sqlite:///path.db``, ``sqlite://`` (in memory) or ``postgresql+psycopg://...``
            (``postgresql://`` is accepted and given the psycopg driver).
    """

    def __init__(self, url: str) -> None:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise ServiceUnavailable(f"The database URL is not valid: {exc}") from exc
        self.url = parsed
        kwargs: dict[str, Any] = {"future": True}
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database in ("", ":memory:"):
                kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
            else:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                kwargs.update(connect_args={"check_same_thread": False, "timeout": 30})
        else:
            kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10,
                          connect_args={"connect_timeout": 5})
        self.engine: Engine = create_engine(parsed, **kwargs)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            event.listen(self.engine, "connect", postgres_session_settings)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def check(self) -> None:
        """Connect once; raise ServiceUnavailable with a readable reason if that fails."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            shown = self.url.render_as_string(hide_password=True)
            raise ServiceUnavailable(
                f"Cannot reach the database at {shown}: {reason}. "
                "Is it running? Set PERSONAE_DATABASE_URL to a reachable database."
            ) from exc

    def checkpoint(self) -> None:
        """Fold the SQLite write-ahead log back into the database (no-op elsewhere).

        Called by the scheduler tick so that the cost (an fsync, milliseconds) is not paid
        inside whichever commit happens to cross SQLite's automatic threshold.
        """
        if self.dialect != "sqlite" or self.url.database in (None, "", ":memory:"):
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def migrate(self) -> None:
        """Check the connection, then apply every pending migration."""
        self.check()
        migrate.upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
