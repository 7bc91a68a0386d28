"""SQLAlchemy storage: tables, the database handle, repositories and the unit of work."""
