"""Alembic migrations: the only way the schema changes. One migration per change, named."""
