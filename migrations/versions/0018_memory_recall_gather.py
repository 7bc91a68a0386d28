"""PostgreSQL: recall's gathering statement as a function, ``memory_recall_gather``, planned once
per connection

Recall's first statement (``engine.adapters.sql.recall_pg``) gathers a character's candidates:
its nearest memories to the query, its most recent and most important ones, the lexical
statistics and postings of the query's words, and the ranking fields of every candidate packed
in binary. As a plain statement PostgreSQL planned it anew at every recall (a generic plan,
made once, chose an exact scan of the character's memories over the HNSW index, because
without the character's size the planner cannot tell which is cheaper): about 0.6-1 ms of the
server's 4-5 ms. As a function with ``plan_cache_mode = force_generic_plan`` its statements are
planned once per connection; ``enable_sort = off`` (applied while the function plans and
runs, nowhere else) makes the HNSW index the only way to the nearest without a sort, so the
generic plan keeps it.

Which way the nearest are found is decided from the character's size instead, read from the
lexical statistics (the memories indexed, archived ones included; a pk lookup):

- ``p_exact_below`` or more: the HNSW scan of migration 0016's search key, ``p_fetch`` rows in
  relaxed order, of which the ``p_nearest`` nearest by cosine distance are kept; when the scan
  comes back short (its ``hnsw.max_scan_tuples`` budget spent, or too few visible memories),
  the exact search below.
- fewer: the exact nearest by cosine distance (the character's rows through its index, sorted):
  cheaper than the HNSW scan for a small character (on the recall benchmark, 0.6 ms for 1,000
  memories where the HNSW scan takes 2.4), and exact, as SQLite's search is.

Returns one row: the candidates' packed fields (``heads``), the lexical statistics and postings
(``lex_stats``, ``lex_postings``) and how the nearest were found (``searched``: ``hnsw``,
``exact``, ``hnsw, then exact`` or ``none`` without a query vector). The function is ``STABLE``:
its statements see one snapshot (the lexical versions and postings agree). Changing recall's
first statement now means a migration replacing this function. SQLite has no such function.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-26
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from engine.adapters.sql.types import EMBEDDING_DIM

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = f"::vector({EMBEDDING_DIM + 1})"
_VISIBLE = """m.owner_id = p_owner AND m.archived IS false
                      AND (p_before IS NULL OR m.created_at < p_before)"""

_FUNCTION = f"""
CREATE FUNCTION memory_recall_gather(
    p_owner integer, p_vec vector, p_fetch integer, p_nearest integer, p_exact_below integer,
    p_recent integer, p_important integer, p_guess bigint[], p_before timestamptz,
    p_lex_terms text[], p_lex_share float8, p_lex_min_docs integer,
    p_lex_known_terms text[], p_lex_known_versions bigint[])
RETURNS TABLE (heads bytea, lex_stats bytea, lex_postings bytea, searched text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
SET enable_sort = off
AS $fn$
DECLARE
    near_ids bigint[] := '{{}}';
    scanned bigint := 0;
    how text := 'none';
BEGIN
    IF p_vec IS NOT NULL AND p_nearest > 0 THEN
        IF coalesce((SELECT s.docs FROM memory_term_stats AS s
                     WHERE s.owner_id = p_owner AND s.term = ''), 0) >= p_exact_below THEN
            SELECT count(*), (array_agg(n.id ORDER BY n.d, n.id DESC))[1:p_nearest]
              INTO scanned, near_ids
              FROM (SELECT m.id, m.embedding <=> p_vec AS d FROM memories AS m
                    WHERE {_VISIBLE}
                      AND m.embedding IS NOT NULL
                    ORDER BY memory_search_key(m.embedding, m.owner_id){_KEY}
                             <-> memory_search_key(p_vec, p_owner){_KEY}
                    LIMIT p_fetch) AS n;
            how := 'hnsw';
        END IF;
        IF how = 'none' OR scanned < p_fetch THEN
            SELECT coalesce(array_agg(e.id ORDER BY e.d, e.id DESC), '{{}}') INTO near_ids
              FROM (SELECT m.id, (m.embedding <=> p_vec) + 0 AS d FROM memories AS m
                    WHERE {_VISIBLE}
                      AND m.embedding IS NOT NULL
                    ORDER BY d, m.id DESC LIMIT p_nearest) AS e;
            how := CASE how WHEN 'hnsw' THEN 'hnsw, then exact' ELSE 'exact' END;
        END IF;
    END IF;
    RETURN QUERY
    WITH picked AS (
        SELECT u.id, 1 AS role FROM unnest(coalesce(near_ids, '{{}}')) AS u(id)
        UNION ALL SELECT r.id, 2 FROM (SELECT m.id FROM memories AS m WHERE {_VISIBLE}
            ORDER BY m.created_at DESC, m.id DESC LIMIT p_recent) AS r
        UNION ALL SELECT i.id, 2 FROM (SELECT m.id FROM memories AS m WHERE {_VISIBLE}
            ORDER BY m.importance DESC, m.created_at DESC, m.id DESC LIMIT p_important) AS i
        UNION ALL SELECT g.id, 0 FROM unnest(p_guess) AS g(id)),
    roles AS (SELECT p.id, bit_or(p.role) AS role FROM picked AS p GROUP BY p.id)
    SELECT
        (SELECT string_agg(int8send(m.id) || int2send(r.role::int2) || float8send(m.importance)
                           || timestamptz_send(m.created_at)
                           || timestamptz_send(m.last_accessed_at)
                           || float8send(coalesce(1 - (m.embedding <=> p_vec), 0)), ''::bytea)
         FROM roles AS r JOIN memories AS m ON m.id = r.id
         WHERE m.owner_id + 0 = p_owner AND m.archived IS false
           AND (p_before IS NULL OR m.created_at < p_before)),
        (SELECT string_agg(int4send(array_position(p_lex_terms, s.term)::int4)
                           || int4send(s.docs) || int8send(s.total) || int8send(s.version),
                           ''::bytea)
         FROM memory_term_stats AS s
         WHERE s.owner_id = p_owner AND s.term = ANY(p_lex_terms)),
        (SELECT string_agg(int4send(array_position(p_lex_terms, t.term)::int4)
                           || int8send(t.memory_id) || int4send(t.tf) || int4send(t.doc_len),
                           ''::bytea)
         FROM memory_terms AS t
         WHERE t.owner_id = p_owner AND t.term = ANY(ARRAY(
             SELECT s.term FROM memory_term_stats AS s
             WHERE s.owner_id = p_owner AND s.term = ANY(p_lex_terms)
               AND s.term <> '' AND s.docs > 0
               AND (s.docs <= p_lex_share * coalesce((
                        SELECT d.docs FROM memory_term_stats AS d
                        WHERE d.owner_id = p_owner AND d.term = ''), 0)
                    OR coalesce((SELECT d.docs FROM memory_term_stats AS d
                                 WHERE d.owner_id = p_owner AND d.term = ''), 0)
                       < p_lex_min_docs)
               AND NOT EXISTS (
                   SELECT 1 FROM unnest(p_lex_known_terms, p_lex_known_versions)
                                 AS k(term, version)
                   WHERE k.term = s.term AND k.version = s.version)))),
        how;
END
$fn$
"""
_SIGNATURE = ("memory_recall_gather(integer, vector, integer, integer, integer, integer, integer, "
              "bigint[], timestamptz, text[], float8, integer, text[], bigint[])")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION {_SIGNATURE}")
