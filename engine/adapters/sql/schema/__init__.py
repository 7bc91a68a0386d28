"""The schema, one module per area (``engine.adapters.sql.tables`` gathers them)."""
