"""The lexical index (``memory_terms``) agrees with the in-memory BM25, on both backends.

Written with the memories (lengths in the same INSERT), read as one character's corpus (never
another's), too-common words left out the same way as the reference, rebuilt when a text is
rewritten (forgetting redacts names).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from engine.adapters.sql.database import Database
from engine.adapters.sql.tables import memories, memory_term_stats, memory_terms
from engine.adapters.sql.uow import UnitOfWorkFactory
from engine.lexical import bm25_texts, index_terms, query_terms
from engine.memory import Memory
from engine.personas import Character
from engine.settings import Settings

T0 = datetime(2026, 1, 1, tzinfo=UTC)
WORDS = ("garden roses tea Lisbon cello sister ball officers rain library piano letter "
         "carriage bonnet walk").split()


@pytest.fixture
def store(settings_for: Callable[..., Settings], backend: str
          ) -> tuple[Database, UnitOfWorkFactory, int, int, int]:
    database = Database(settings_for(backend).database_url)
    database.migrate()
    uow = UnitOfWorkFactory(database.engine)
    with uow() as work:
        eco = work.spaces.ensure_ecosystem("console", f"lex-{backend}", "lex", T0)
        jane = work.participants.add_character(eco.id, Character(name="Jane"), T0)
        tom = work.participants.add_character(eco.id, Character(name="Tom"), T0)
        work.commit()
    return database, uow, eco.id, jane, tom


def _texts(n: int) -> list[str]:
    # "garden" is in every text (too common: left out), the others rotate.
    return [f"Tom said: the garden and {WORDS[1 + i % 14]} with {WORDS[1 + (i * 7) % 14]} "
            f"number {i}" for i in range(n)]


def test_scores_equal_the_reference_and_stay_within_one_character(
    store: tuple[Database, UnitOfWorkFactory, int, int, int],
) -> None:
    database, uow, eco, jane, tom = store
    mine = _texts(80)
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute",
                 lambda *a: statements.append(a[2]))
    with uow() as work:
        work.memories.add_many([Memory(eco, jane, t, 3.0, T0 + timedelta(minutes=i),
                                       T0 + timedelta(minutes=i)) for i, t in enumerate(mine)])
        # Tom's memories use the same words; they must not change Jane's statistics.
        work.memories.add_many([Memory(eco, tom, "Lisbon Lisbon cello", 3.0, T0, T0)
                                for _ in range(5)])
        work.commit()
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements)
    with database.engine.connect() as conn:
        stored = dict(conn.execute(select(memories.c.text, memories.c.lexical_len)
                                   .where(memories.c.owner_id == jane)).all())
    assert all(stored[t] == sum(index_terms(t).values()) for t in mine)
    for query in ("Lisbon cello", "the garden roses", "What did Tom say about the sister?"):
        with uow() as work:
            got = work.memories.lexical.scores(jane, query_terms(query))
            ids = [m.id for m in work.memories.recent_for(jane, 1000)][::-1]
        expected = bm25_texts(query, mine)
        assert {i: round(v, 9) for i, v in got.items()} == {
            i: round(v, 9) for i, v in zip(ids, expected, strict=True) if v > 0}
    with uow() as work:  # a word in every memory ("garden") is left out: it scores nothing
        assert work.memories.lexical.scores(jane, query_terms("garden")) == {}


def test_a_rewritten_text_is_indexed_again(
    store: tuple[Database, UnitOfWorkFactory, int, int, int],
) -> None:
    database, uow, eco, jane, _ = store
    with uow() as work:
        work.memories.add_many([Memory(eco, jane, "Mary said: I keep a parrot.", 3.0, T0, T0)])
        memory_id = work.memories.recent_for(jane, 1)[0].id or 0
        work.memories.conn.execute(memories.update().where(memories.c.id == memory_id)
                                   .values(text="someone said: I keep a parrot."))
        work.memories.lexical.reindex([memory_id])
        work.commit()
    with database.engine.connect() as conn:
        terms = {r[0] for r in conn.execute(select(memory_terms.c.term)
                                            .where(memory_terms.c.memory_id == memory_id))}
    assert "@mari" not in terms and "parrot" in terms


def test_statistics_follow_every_write_of_the_index(
    store: tuple[Database, UnitOfWorkFactory, int, int, int],
) -> None:
    """``memory_term_stats`` (kept by triggers) always equals counting ``memory_terms``:
    after inserts, a reindex, deleting memories (cascade) and deleting a character."""
    database, uow, eco, jane, tom = store
    texts = [" ".join(WORDS[i % 7: i % 7 + 1 + i % 5]) for i in range(40)]

    def counted() -> dict[tuple[int, str], tuple[int, int]]:
        with database.engine.connect() as conn:
            rows = conn.execute(select(memory_terms.c.owner_id, memory_terms.c.term,
                                       func.count(), func.sum(memory_terms.c.tf))
                                .group_by(memory_terms.c.owner_id, memory_terms.c.term))
            return {(int(o), str(t)): (int(n), int(s)) for o, t, n, s in rows}

    def kept() -> dict[tuple[int, str], tuple[int, int]]:
        with database.engine.connect() as conn:
            s = memory_term_stats.c
            return {(int(o), str(t)): (int(n), int(total)) for o, t, n, total in
                    conn.execute(select(s.owner_id, s.term, s.docs, s.total))}

    with uow() as work:
        work.memories.add_many([Memory(eco, who, text, 3.0, T0 + timedelta(minutes=i), T0)
                                for i, text in enumerate(texts) for who in (jane, tom)])
        work.commit()
    assert kept() == counted() and counted()
    with uow() as work:
        ids = [m.id or 0 for m in work.memories.recent_for(jane, 10)]
        work.memories.conn.execute(memories.update().where(memories.c.id == ids[0])
                                   .values(text="Mary said: a parrot called Zanzibar."))
        work.memories.lexical.reindex([ids[0]])
        work.memories.conn.execute(memories.delete().where(memories.c.id.in_(ids[1:])))
        work.commit()
    assert kept() == counted()
    with uow() as work:  # rolled back: nothing changes
        work.memories.conn.execute(memories.delete().where(memories.c.owner_id == tom))
    assert kept() == counted()
    with uow() as work:
        work.memories.conn.execute(memories.delete().where(memories.c.owner_id == tom))
        work.commit()
    assert kept() == counted() and all(owner == jane for owner, _ in kept())


def test_cached_postings_follow_every_change(
    store: tuple[Database, UnitOfWorkFactory, int, int, int],
) -> None:
    """The postings kept in process memory are used only while their term is unchanged:
    scores always equal the reference over what is stored now (after memories are added, a
    text is rewritten, memories are deleted, and after a rolled-back change seen in its own
    transaction)."""
    database, uow, eco, jane, _ = store
    query = "Lisbon cello with the sister"
    texts: dict[int, str] = {}

    def add(batch: list[str], start: int) -> None:
        with uow() as work:
            items = [Memory(eco, jane, t, 3.0, T0 + timedelta(minutes=start + i), T0)
                     for i, t in enumerate(batch)]
            work.memories.add_many(items)
            work.commit()
        texts.update({m.id or 0: m.text for m in items})

    def check() -> None:
        with uow() as work:
            got = work.memories.lexical.scores(jane, query_terms(query))
        ids = sorted(texts)
        expected = bm25_texts(query, [texts[i] for i in ids])
        assert {i: round(v, 9) for i, v in got.items()} == {
            i: round(v, 9) for i, v in zip(ids, expected, strict=True) if v > 0}

    add(_texts(60), 0)
    check()
    check()  # from the cache
    add(["Jane said: Lisbon in the spring, and the cello.", "Tom said: my sister."], 100)
    check()
    first = min(texts)
    with uow() as work:
        work.memories.conn.execute(memories.update().where(memories.c.id == first)
                                   .values(text="Tom said: Lisbon, Lisbon and the cello."))
        work.memories.lexical.reindex([first])
        work.commit()
    texts[first] = "Tom said: Lisbon, Lisbon and the cello."
    check()
    gone = sorted(texts)[1:6]
    with uow() as work:
        work.memories.conn.execute(memories.delete().where(memories.c.id.in_(gone)))
        work.commit()
    for memory_id in gone:
        del texts[memory_id]
    check()
    with uow() as work:  # seen (and cached) inside a transaction that is rolled back
        work.memories.add_many([Memory(eco, jane, "Lisbon cello sister " * 3, 3.0, T0, T0)])
        assert work.memories.lexical.scores(jane, query_terms(query))
    check()
