"""Characters' memories: the stream, its citations and sources, and the lexical index."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from engine.adapters.sql.schema.base import TS, BigId, metadata
from engine.adapters.sql.types import (
    EMBEDDING_DIM,
    Embedding,
)

__all__ = ["memories", "memory_citations", "memory_terms", "memory_term_stats", "memory_sources"]

memories = Table(
    "memories",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ecosystem_id", ForeignKey("ecosystems.id", ondelete="CASCADE"), nullable=False),
    Column("owner_id", ForeignKey("characters.id", ondelete="CASCADE"), nullable=False),
    Column("channel_id", ForeignKey("channels.id", ondelete="SET NULL")),
    Column("kind", String(16), nullable=False, server_default="observation"),
    Column("text", Text, nullable=False),
    Column("embedding", Embedding(EMBEDDING_DIM)),
    Column("importance", Float, nullable=False, server_default="1"),
    Column("emotional_tone", Float, nullable=False, server_default="0"),
    Column("archived", Boolean, nullable=False, server_default="0"),
    Column("created_at", TS, nullable=False),
    Column("last_accessed_at", TS, nullable=False),
    # Semantic knowledge (kind "knowledge") is about someone: a participant of the ecosystem.
    Column("subject_id", ForeignKey("participants.id", ondelete="CASCADE")),
    # Content words indexed in ``memory_terms`` (None: not indexed yet, see the lexical index).
    Column("lexical_len", Integer),
    Index(None, "owner_id", "created_at"),
    # Covers recall's "most important" order (importance, then newest): heuristic importances
    # take few values, so an index on importance alone leaves large ties to sort.
    Index(None, "owner_id", "importance", "created_at", "id"),
    Index(None, "owner_id", "subject_id"),
)

# Which memories a reflection or a piece of knowledge was drawn from (its citations).
memory_citations = Table(
    "memory_citations",
    metadata,
    Column("memory_id", ForeignKey("memories.id", ondelete="CASCADE"), primary_key=True),
    Column("cited_id", ForeignKey("memories.id", ondelete="CASCADE"), primary_key=True),
    Index(None, "cited_id"),
)

# The lexical index (``engine.lexical``): each memory's stemmed content words with their
# counts, for BM25 over a character's whole memory. ``owner_id`` and ``doc_len`` repeat the
# memory's owner and length so that one covering index answers a query; the term "" carries
# one row per memory (its length), from which the corpus size and mean length are counted.
memory_terms = Table(
    "memory_terms",
    metadata,
    Column("memory_id", ForeignKey("memories.id", ondelete="CASCADE"), primary_key=True),
    Column("term", String(64), primary_key=True),
    Column("owner_id", Integer, nullable=False),
    Column("tf", Integer, nullable=False),
    Column("doc_len", Integer, nullable=False),
    Index(None, "owner_id", "term", "memory_id", "tf", "doc_len"),
)

# BM25's statistics of one character's index, so that no query counts postings: per term, how
# many of its indexed memories hold it (``docs``) and how often in all (``total``); the term ""
# counts the memories and their summed length. Kept by triggers on ``memory_terms`` (migration
# 0008), whoever writes or deletes index rows (on SQLite, where triggers run per row, insertions
# are added by ``LexicalIndex.add``, the only writer); a row falling to 0 memories is deleted.
memory_term_stats = Table(
    "memory_term_stats",
    metadata,
    Column("owner_id", Integer, primary_key=True),
    Column("term", String(64), primary_key=True),
    Column("docs", Integer, nullable=False),
    Column("total", BigInteger, nullable=False),
    # A new random number at every change of the row: cached postings of the term are current
    # while it is unchanged (``engine.adapters.sql.lexical_index.POSTINGS_CACHE``).
    Column("version", BigInteger, nullable=False),
)

memory_sources = Table(
    "memory_sources",
    metadata,
    Column("memory_id", ForeignKey("memories.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Index(None, "event_id"),
)
