"""Personae engine: the domain and its use cases, free of any platform, queue or front door.

The engine defines ports (``engine.ports``) for everything outside it; ``engine.adapters``
holds the implementations that need third-party libraries (SQLAlchemy, openai).
"""
