"""lexical statistics per character, kept by triggers instead of counted per query

BM25 needs, for one character, how many memories it has indexed and their summed length, and for
each query term how many of them hold it. Recall used to count these from ``memory_terms`` on
every query (10,000 index rows for a character with 10,000 memories). ``memory_term_stats``
holds them per (owner, term) — the term ``""`` counts the memories and their length, as in
``memory_terms`` — and triggers on ``memory_terms`` keep it current in the same transaction,
whoever writes or deletes index rows (the store, reindexing, erasure, cascades from deleted
memories or characters). A row whose count falls to 0 is deleted (erasure leaves no word of a
forgotten member behind). Each change also gives the row a new random ``version``: a process may
keep a term's postings in memory (``engine.adapters.sql.lexical_index.POSTINGS_CACHE``) for as
long as that version is unchanged (random, not a counter: a rolled-back change must not leave a
version that a later, different change could repeat). On PostgreSQL the triggers are per
statement (transition tables: one aggregated upsert per INSERT, rows locked in (owner, term)
order). On SQLite, whose triggers run per row, deletions and updates have triggers but
insertions do not: ``LexicalIndex.add``, which writes every posting, updates the statistics in
one aggregated statement right after (a trigger per posting made writing memories twice as
slow).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_ADD = (
    "INSERT INTO memory_term_stats (owner_id, term, docs, total, version) "
    "VALUES (NEW.owner_id, NEW.term, 1, NEW.tf, random()) ON CONFLICT (owner_id, term) "
    "DO UPDATE SET docs = docs + 1, total = total + excluded.total, version = random();"
)
_SQLITE_REMOVE = (
    "UPDATE memory_term_stats SET docs = docs - 1, total = total - OLD.tf, version = random() "
    "WHERE owner_id = OLD.owner_id AND term = OLD.term; "
    "DELETE FROM memory_term_stats "
    "WHERE owner_id = OLD.owner_id AND term = OLD.term AND docs <= 0;"
)
#: SQLite: no trigger on INSERT (one per posting row doubled the cost of writing memories);
#: ``LexicalIndex.add``, the only writer of postings, adds them up in one statement instead.
SQLITE_TRIGGERS = {
    "memory_terms_stats_delete": f"AFTER DELETE ON memory_terms BEGIN {_SQLITE_REMOVE} END",
    "memory_terms_stats_update": (
        "AFTER UPDATE OF owner_id, term, tf ON memory_terms BEGIN "
        f"{_SQLITE_REMOVE} {_SQLITE_ADD} END"
    ),
}

#: A random bigint (PostgreSQL).
_PG_RANDOM = "(random() * 9.0e18)::bigint"
_PG_ADD = f"""
    INSERT INTO memory_term_stats AS s (owner_id, term, docs, total, version)
    SELECT owner_id, term, count(*), sum(tf), {_PG_RANDOM} FROM new_terms
    GROUP BY owner_id, term ORDER BY owner_id, term
    ON CONFLICT (owner_id, term)
    DO UPDATE SET docs = s.docs + excluded.docs, total = s.total + excluded.total,
                  version = excluded.version;
"""
_PG_REMOVE = f"""
    UPDATE memory_term_stats AS s SET docs = s.docs - d.docs, total = s.total - d.total,
                                      version = {_PG_RANDOM}
    FROM (SELECT owner_id, term, count(*) AS docs, sum(tf) AS total FROM old_terms
          GROUP BY owner_id, term) AS d
    WHERE s.owner_id = d.owner_id AND s.term = d.term;
    DELETE FROM memory_term_stats AS s USING (SELECT DISTINCT owner_id, term FROM old_terms) AS d
    WHERE s.owner_id = d.owner_id AND s.term = d.term AND s.docs <= 0;
"""
#: (function, trigger event, transition tables, body)
PG_TRIGGERS = (
    ("memory_term_stats_on_insert", "INSERT", "NEW TABLE AS new_terms", _PG_ADD),
    ("memory_term_stats_on_delete", "DELETE", "OLD TABLE AS old_terms", _PG_REMOVE),
    ("memory_term_stats_on_update", "UPDATE", "OLD TABLE AS old_terms NEW TABLE AS new_terms",
     _PG_REMOVE + _PG_ADD),
)


def upgrade() -> None:
    op.create_table(
        "memory_term_stats",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("docs", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "term", name=op.f("pk_memory_term_stats")),
    )
    random = "random()" if op.get_bind().dialect.name == "sqlite" else _PG_RANDOM
    op.execute("INSERT INTO memory_term_stats (owner_id, term, docs, total, version) "
               f"SELECT owner_id, term, count(*), sum(tf), {random} FROM memory_terms "
               "GROUP BY owner_id, term")
    if op.get_bind().dialect.name == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        return
    for name, when, tables, body in PG_TRIGGERS:
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {body} RETURN NULL; END $$")
        op.execute(f"CREATE TRIGGER {name} AFTER {when} ON memory_terms "
                   f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {name}()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        for name, *_ in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER {name} ON memory_terms")
            op.execute(f"DROP FUNCTION {name}()")
    op.drop_table("memory_term_stats")
