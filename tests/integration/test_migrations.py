"""The Alembic migrations build exactly the schema the code declares, on both backends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from engine.adapters.sql.migrate import alembic_config, upgrade
from engine.adapters.sql.tables import metadata
from engine.settings import Settings

#: Created by raw SQL in migrations 0001 (pgvector HNSW) and 0012 (the marketplace's text
#: search), so not part of the table models.
RAW_SQL_INDEXES = {"ix_memories_embedding_hnsw", "ix_packages_search_tsv"}
#: Created by raw SQL on SQLite only in migration 0005 (the vector cache's versions).
RAW_SQL_TABLES = {"memory_versions"}


def _include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table" and name in RAW_SQL_TABLES:
        return False
    return not (type_ == "index" and name in RAW_SQL_INDEXES)


def test_migrations_match_the_models(backend: str, settings_for: Callable[..., Settings]) -> None:
    engine = create_engine(settings_for(backend).database_url.replace(
        "postgresql://", "postgresql+psycopg://"))
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _include,
                                                          "compare_type": False})
        assert compare_metadata(context, metadata) == []
        if backend == "services":
            options = conn.execute(text(
                "SELECT reloptions FROM pg_class WHERE relname = 'memories'")).scalar()
            assert "fillfactor=80" in (options or [])
            hnsw = conn.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_memories_embedding_hnsw'"
            )).scalar()
            assert hnsw is not None and "hnsw" in hnsw
            # Recall's gathering function (0018) plans generically, with sorts discouraged.
            config = conn.execute(text(
                "SELECT proconfig FROM pg_proc WHERE proname = 'memory_recall_gather'")).scalar()
            assert set(config or []) == {"plan_cache_mode=force_generic_plan",
                                         "enable_sort=off"}
    engine.dispose()


def test_recall_function_migration_goes_down_and_up_again(
    settings_for: Callable[..., Settings],
) -> None:
    """0018 is reversible: down to 0017 removes ``memory_recall_gather``, up brings it back."""
    engine = create_engine(settings_for("services").database_url.replace(
        "postgresql://", "postgresql+psycopg://"))
    count = "SELECT count(*) FROM pg_proc WHERE proname = 'memory_recall_gather'"
    upgrade(engine)
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0017")
        assert conn.execute(text(count)).scalar() == 0
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text(count)).scalar() == 1
    engine.dispose()
