"""Recall on both backends: the owner filter never starves a top-k, and SQLite agrees with
PostgreSQL+pgvector.

pgvector applies ``WHERE`` after the HNSW scan, so a per-character top-k over a table shared by
many characters can come back short (DESIGN.md §4). These tests seed many owners whose vectors
interleave, so that the index's first candidates mostly belong to somebody else, and check the
answers against an exact computation made here in Python.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from bots.console.community import ConsoleCommunity
from engine.adapters.sql import memory_store, recall_pg
from engine.embedding import HashingEmbedder
from engine.lexical import bm25_texts, query_terms
from engine.memory import Memory, RetrievalWeights, rank
from engine.messages import IncomingMessage
from engine.personas import Character
from engine.services import setup
from engine.services.ingest import ingest
from engine.services.recall import SIDE_SHARE, recall
from workers.bootstrap import Container

DIM = 384
T0 = datetime(2026, 1, 1, tzinfo=UTC)


class TableEmbedder:
    """Known vectors for known queries (the seeded data's own geometry)."""

    dim = DIM

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = table

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.table[t] for t in texts]


def _f32(vector: np.ndarray) -> list[float]:
    """What the database keeps of a vector (float32), as Python floats."""
    return [float(x) for x in np.asarray(vector, dtype=np.float32)]


def _owners(container: Container, count: int, space: str = "recall") -> tuple[int, list[int]]:
    deps = container.deps
    eco, _ = setup.open_space(deps, "console", space, ["hall"])
    ids = setup.import_characters(
        deps, eco.id, [Character(name=f"Owner {i:02d}") for i in range(count)]
    )
    return eco.id, ids


def _store(container: Container, items: list[Memory], bulk: bool = False) -> None:
    """Store memories; ``bulk`` rebuilds the HNSW index once instead of growing it row by row
    (the migration's own definition, read back from the catalogue: seconds instead of a
    quarter of a minute for 10,000 vectors)."""
    with container.deps.uow() as uow:
        conn = uow.memories.conn
        rebuild = bulk and _is_postgres(container)
        if rebuild:
            definition = conn.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_memories_embedding_hnsw'"
            )).scalar_one()
            conn.execute(text("DROP INDEX ix_memories_embedding_hnsw"))
        uow.memories.add_many(items)
        if rebuild:
            conn.execute(text(definition))
            conn.execute(text("ANALYZE memories"))
        uow.commit()


def _is_postgres(container: Container) -> bool:
    return container.database.dialect == "postgresql"


def _exact_nearest(items: list[Memory], owner: int, query: np.ndarray, k: int,
                   archived: Collection[int] = ()) -> list[int]:
    """Brute force: cosine over the owner's visible embedded memories, ties to larger id."""
    mine = [m for m in items if m.owner_id == owner and m.embedding is not None
            and m.id not in archived]
    matrix = np.array([m.embedding for m in mine], dtype=np.float64)
    sims = matrix @ query / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    order = sorted(range(len(mine)), key=lambda i: (-sims[i], -(mine[i].id or 0)))
    return [mine[i].id or 0 for i in order[:k]]


def _hnsw_scans(container: Container) -> int:
    with container.deps.uow() as uow:
        return int(uow.memories.conn.execute(text(
            "SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes "
            "WHERE indexrelname = 'ix_memories_embedding_hnsw'"
        )).scalar_one())


# -- (a) the filtered top-k -----------------------------------------------------------------

OWNERS, PER_OWNER, TOPICS = 50, 200, 20


def _many_owners(
    container: Container, count: int = OWNERS
) -> tuple[list[int], list[Memory], np.ndarray]:
    """50 owners x 200 memories; each owner has 10 memories on each of 20 shared topics.

    A topic's 500 memories are the query's nearest 500 in the whole table, and only 10 of them
    belong to the owner: an unfiltered scan's first candidates are mostly other owners'.
    """
    rng = np.random.default_rng(4)
    eco, owners = _owners(container, count)
    centres = rng.standard_normal((TOPICS, DIM))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    items: list[Memory] = []
    for n in range(PER_OWNER):
        for owner in owners:  # interleaved, so no owner's rows are contiguous either
            topic = n % TOPICS
            noise = rng.standard_normal(DIM) * (0.6 / np.sqrt(DIM))
            when = T0 + timedelta(minutes=len(items))
            items.append(Memory(
                eco, owner, f"memory {n} of {owner} on topic {topic}", float(rng.uniform(1, 10)),
                when, when, embedding=_f32(centres[topic] + noise),
            ))
    _store(container, items, bulk=True)
    return owners, items, centres


def test_nearest_returns_k_rows_and_the_exact_answer_under_the_owner_filter(
    container: Container, monkeypatch: pytest.MonkeyPatch,
) -> None:
    fallbacks: list[int] = []
    exact = memory_store.nearest_exact

    def counted(*args: Any, **kwargs: Any) -> Any:
        fallbacks.append(1)
        return exact(*args, **kwargs)

    monkeypatch.setattr(memory_store, "nearest_exact", counted)
    owners, items, centres = _many_owners(container)
    rng = np.random.default_rng(11)
    checks = [(owners[i], int(rng.integers(TOPICS))) for i in (0, 7, 23, 49)]
    plans = ["planner's choice"]
    if _is_postgres(container):
        plans += ["forced HNSW", "forced HNSW, scan budget spent"]
    for plan in plans:
        forced = plan.startswith("forced")
        scans_before = _hnsw_scans(container) if forced else 0
        with container.deps.uow() as uow:
            if forced:
                # Every session scans iteratively (set when the connection opened).
                assert uow.memories.conn.execute(
                    text("SHOW hnsw.iterative_scan")).scalar() == "relaxed_order"
                # Make any explicit sort look prohibitive: only the HNSW index gives the order.
                uow.memories.conn.execute(text("SET LOCAL enable_sort = off"))
            before: datetime | None = None
            fallbacks.clear()
            if plan.endswith("budget spent"):
                # Only each owner's first 15 memories are visible (made before ``before``):
                # the scan, asked for 20 rows, cannot find them and gives up after its budget
                # (30 tuples past its first pass); the answer must still be complete and exact.
                before = T0 + timedelta(minutes=OWNERS * 15)
                uow.memories.conn.execute(text("SET LOCAL hnsw.max_scan_tuples = 30"))
            for owner, topic in checks:
                query = centres[topic] + rng.standard_normal(DIM) * (0.3 / np.sqrt(DIM))
                got = uow.memories.nearest(owner, list(query), 10, before=before)
                if plan.endswith("budget spent"):
                    assert fallbacks, "the short scan was followed by the exact search"
                    fallbacks.clear()
                assert len(got) == 10, f"{plan}: a short top-k for owner {owner}"
                assert all(m.owner_id == owner for m in got)
                seen = [m for m in items if before is None or m.created_at < before]
                assert [m.id for m in got] == _exact_nearest(seen, owner, query, 10), plan
                # A random direction: no topic, nothing well separated; k rows all the same.
                wild = rng.standard_normal(DIM)
                assert len(uow.memories.nearest(owner, list(wild), 10)) == 10, plan
                big = uow.memories.nearest(owner, list(query), 150)
                assert len(big) == 150 and {m.owner_id for m in big} == {owner}, plan
            if forced:
                uow.memories.conn.execute(text("SELECT pg_stat_force_next_flush()"))
            uow.commit()
        if forced:
            assert _hnsw_scans(container) > scans_before, f"{plan}: the HNSW index was unused"


def test_nearest_counts_only_visible_embedded_memories(container: Container) -> None:
    owners, items, centres = _many_owners(container, 10)
    owner = owners[3]
    mine = [m for m in items if m.owner_id == owner]
    archived = {m.id or 0 for m in mine[:190]}
    loose = Memory(mine[0].ecosystem_id, owner, "not embedded yet", 10.0, T0, T0)
    _store(container, [loose])
    with container.deps.uow() as uow:
        uow.memories.archive(sorted(archived))
        uow.commit()
    query = centres[0]
    with container.deps.uow() as uow:
        got = uow.memories.nearest(owner, list(query), 50)
        # 200 - 190 archived = 10 left; the unembedded one cannot be near anything.
        assert [m.id for m in got] == _exact_nearest(items, owner, query, 50, archived)
        assert len(got) == 10
        cut = mine[195].created_at
        early = uow.memories.nearest(owner, list(query), 50, before=cut)
        assert {m.id for m in early} == {m.id for m in mine[190:195]}


# -- (b) the same answers on both backends ----------------------------------------------------

WORDS = (
    "ball netherfield officers regiment meryton bonnet lace letter rain walk pemberley "
    "library piano carriage dinner uncle sister estate fortune marriage dance militia "
    "garden shrubbery card game hat ribbon"
).split()


def _parity_data(
    eco: int, owners: list[int], selective: bool
) -> tuple[list[Memory], dict[str, list[float]], str]:
    """Seeded memories for one owner under test (plus neighbours), and the query.

    ``selective``: the owner's memories are clustered around 6 topics and the query sits on
    topic 0, whose visible memories are exactly the ``candidates`` nearest (well separated
    from the rest, so the answer does not hang on float noise). Otherwise the vectors come
    from the hashing embedder and the candidates cover everything visible.
    """
    rng = np.random.default_rng(21 if selective else 22)
    hashing = HashingEmbedder()
    centres = rng.standard_normal((6, DIM))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    items: list[Memory] = []
    for n in range(150):
        owner = owners[0] if n % 3 else owners[1 + n % 2]
        words = rng.choice(WORDS, size=int(rng.integers(3, 9)))
        body = f"Owner said: {' '.join(words)}"
        created = T0 + timedelta(hours=5 * n + float(rng.uniform(0, 4)))
        accessed = created + timedelta(hours=float(rng.choice([0, 0, 0, 30, 200])))
        if selective:
            topic = 0 if n % 2 == 1 else int(rng.integers(1, 6))
            vector = centres[topic] + rng.standard_normal(DIM) * (0.5 / np.sqrt(DIM))
        else:
            vector = np.array(hashing.embed([body])[0])
        items.append(Memory(
            eco, owner, body, round(float(rng.uniform(1, 10)), 3), created, accessed,
            embedding=_f32(vector),
        ))
    query = "Was the officers' ball at Netherfield or at Meryton?"
    if selective:
        vector = centres[0] + rng.standard_normal(DIM) * (0.2 / np.sqrt(DIM))
    else:
        vector = np.array(hashing.embed([query])[0])
    return items, {query: list(vector)}, query


@pytest.mark.parametrize("search", ["as configured", "hnsw"])
@pytest.mark.parametrize("selective", [False, True], ids=["covering", "selective"])
def test_recall_is_the_same_on_both_backends(
    container: Container, selective: bool, search: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As configured, these small characters are searched exactly on both backends; "hnsw"
    makes PostgreSQL use its index for them as for a large character."""
    if search == "hnsw":
        if not _is_postgres(container):
            pytest.skip("SQLite always searches exactly")
        monkeypatch.setattr(recall_pg, "EXACT_BELOW", 0)
    eco, owners = _owners(container, 3)
    items, table, query = _parity_data(eco, owners, selective)
    _store(container, items)
    owner = owners[0]
    mine = [m for m in items if m.owner_id == owner]
    archived = {m.id or 0 for m in mine[::9]}
    with container.deps.uow() as uow:
        uow.memories.archive(sorted(archived))
        uow.commit()
    now = T0 + timedelta(days=40)
    before = T0 + timedelta(days=30)
    k = 8
    weights = RetrievalWeights()
    visible = [m for m in mine if m.id not in archived and m.created_at < before]
    qvec = np.array(table[query])
    # BM25 over all the owner's memories (archived and later ones count in the statistics).
    bm25 = dict(zip([m.id for m in mine], bm25_texts(query, [m.text for m in mine]),
                    strict=True))
    if selective:
        near = [m for m in visible if _topic0(m, qvec)]
        candidates = len(near)
        assert 20 <= candidates < len(visible) - 20  # a real selection, well separated
        side = max(k, candidates // SIDE_SHARE)
        recent = sorted(visible, key=lambda m: (m.created_at, m.id or 0), reverse=True)[:side]
        important = sorted(visible, key=lambda m: (m.importance, m.created_at, m.id or 0),
                           reverse=True)[:side]
        # The best lexical matches: twice as many as candidates, then the visible ones.
        matching = sorted((m for m in mine if bm25[m.id] > 0),
                          key=lambda m: (-bm25[m.id], -(m.id or 0)))[: 2 * candidates]
        shown = [m for m in matching if m in visible][:candidates]
        assert shown, "the query's words select some memories"
        pool = {m.id: m for m in near + recent + important + shown}
        expected_pool = [pool[i] for i in sorted(pool)]
        assert len(expected_pool) < len(visible)
    else:
        candidates = 200
        expected_pool = visible
    expected = rank(
        expected_pool, table[query], now, k, weights,
        lexical=[bm25[m.id] for m in expected_pool],
    )
    with container.deps.uow() as uow:
        got = recall(uow, TableEmbedder(table), owner_id=owner, query=query, now=now, k=k,
                     weights=weights, candidates=candidates, before=before)
        uow.commit()
    assert [m.id for m in got] == [m.id for m in expected]
    assert len(got) == k
    # Recalling counts as an access.
    with container.deps.uow() as uow:
        latest = {m.id: m for m in uow.memories.recent_for(owner, 1000)}
    assert all(latest[m.id].last_accessed_at == now for m in got)


def _topic0(memory: Memory, query: np.ndarray) -> bool:
    vector = np.array(memory.embedding or [])
    return float(vector @ query / (np.linalg.norm(vector) * np.linalg.norm(query))) > 0.5


# -- (c) only what was witnessed ----------------------------------------------------------------


def _embed_everything(container: Container) -> None:
    deps = container.deps
    with deps.uow() as uow:
        for memory in uow.memories.unembedded(None, 10_000):
            uow.memories.set_embedding(memory.id or 0, deps.embedder.embed([memory.text])[0])
        uow.commit()


def test_a_character_recalls_what_it_witnessed_and_not_what_it_did_not(
    container: Container,
) -> None:
    community = ConsoleCommunity(container, member_name="Mary")
    community.open()
    deps = community.deps
    eco, chans = setup.open_space(deps, "console", "local", ["garden"])
    lydia = setup.find_character(deps, eco.id, "Lydia Bennet")
    setup.add_to_cast(deps, chans[0].id, lydia.id or 0)
    ingest(deps, IncomingMessage(
        platform="console", space_id="local", channel_id="garden", author_id="member",
        author_name="Mary", text="The officers arrive at dawn, Lydia.", message_id="g1",
    ))
    community.say("Jane, the ball at Netherfield is on Tuesday.")
    _embed_everything(container)
    now = deps.clock.now() + timedelta(hours=1)
    with deps.uow() as uow:
        cast = uow.participants.cast_of(community.channel.id)
        recalled = {
            m.id: recall(uow, deps.embedder, owner_id=m.id, query="When do the officers arrive?",
                         now=now, k=5, weights=RetrievalWeights())
            for m in cast
        }
    assert len(cast) > 1
    assert recalled[lydia.id or 0][0].text.endswith("The officers arrive at dawn, Lydia.")
    for cid, memories in recalled.items():
        assert all(m.owner_id == cid for m in memories)
        if cid != lydia.id:
            assert memories, "they remember the ball"
            assert not any("officers" in m.text for m in memories)


# -- (d) archived memories stay archived ----------------------------------------------------------


def test_archived_memories_are_never_recalled(container: Container) -> None:
    eco, (owner,) = _owners(container, 1)
    embedder = HashingEmbedder()
    texts = [f"Mary said: the {w} was pleasant" for w in WORDS]
    secret = "Wickham said: my debts at Meryton are a secret, tell nobody"
    items = [Memory(eco, owner, t, 3.0, T0 + timedelta(hours=i), T0 + timedelta(hours=i),
                    embedding=embedder.embed([t])[0]) for i, t in enumerate(texts)]
    hidden = Memory(eco, owner, secret, 10.0, T0 + timedelta(days=3), T0 + timedelta(days=3),
                    embedding=embedder.embed([secret])[0])
    _store(container, [*items, hidden])
    ask = dict(owner_id=owner, query="Wickham's secret debts at Meryton", k=5,
               weights=RetrievalWeights())
    with container.deps.uow() as uow:
        first = recall(uow, embedder, now=T0 + timedelta(days=4), **ask)  # type: ignore[arg-type]
        assert first[0].id == hidden.id, "the most relevant, important and recent one"
        uow.memories.archive([hidden.id or 0])
        uow.commit()
    with container.deps.uow() as uow:
        again = recall(uow, embedder, now=T0 + timedelta(days=5), **ask)  # type: ignore[arg-type]
        assert again and hidden.id not in {m.id for m in again}
        store = uow.memories
        vector = embedder.embed([secret])[0]
        assert hidden.id not in {m.id for m in store.nearest(owner, vector, 100)}
        assert hidden.id not in {m.id for m in store.recent_for(owner, 100)}
        assert hidden.id not in {m.id for m in store.most_important(owner, 100)}


# -- (e) importance and recency count, not only similarity --------------------------------------


def test_an_important_or_recent_memory_surfaces_without_being_similar(
    container: Container,
) -> None:
    eco, (owner,) = _owners(container, 1)
    embedder = HashingEmbedder()
    rng = np.random.default_rng(5)
    weather = []
    for i in range(120):
        words = " ".join(rng.choice(["rain", "weather", "fine", "cold", "sunny", "wind"], 3))
        body = f"Mary said: the {words} at Longbourn today"
        when = T0 + timedelta(days=1, hours=i)
        weather.append(Memory(eco, owner, body, 2.0, when, when,
                              embedding=embedder.embed([body])[0]))
    confession = "Wickham said to me: I eloped with Georgiana once"
    old = T0  # older than any weather memory
    important = Memory(eco, owner, confession, 10.0, old, old,
                       embedding=embedder.embed([confession])[0])
    gossip = "Kitty said: Lady Lucas bought new bonnets"
    latest = T0 + timedelta(days=16)  # ten days after the last weather memory
    recent = Memory(eco, owner, gossip, 2.0, latest, latest,
                    embedding=embedder.embed([gossip])[0])
    _store(container, [important, *weather, recent])
    query = "Is the weather fine and sunny at Longbourn?"
    now = latest + timedelta(minutes=5)
    with container.deps.uow() as uow:
        near = {m.id for m in uow.memories.nearest(owner, embedder.embed([query])[0], 20)}
    assert important.id not in near and recent.id not in near  # neither is similar

    def ask(weights: RetrievalWeights) -> list[Memory]:
        with container.deps.uow() as uow:  # not committed: each question starts afresh
            return recall(uow, embedder, owner_id=owner, query=query, now=now, k=3,
                          weights=weights, candidates=20)

    assert ask(RetrievalWeights(importance=3.0))[0].id == important.id
    assert ask(RetrievalWeights(recency=3.0))[0].id == recent.id
    plain = ask(RetrievalWeights())
    assert all("weather" in m.text or "rain" in m.text or "fine" in m.text for m in plain[:1])


# -- (f) recall's own reads: a spent HNSW budget, stale guesses ----------------------------------


@pytest.mark.parametrize("path", ["small character", "hnsw", "hnsw comes back short"])
def test_recall_candidates_are_the_exact_nearest_whichever_way_they_are_searched(
    container: Container, path: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Recall's gathering statement (not ``nearest``) searches a character smaller than
    ``EXACT_BELOW`` exactly, a larger one through the HNSW index, and falls back to the exact
    search when that iterative scan comes back short: never fewer nearest than asked, and the
    exact ones (the pool says which way it went)."""
    if path != "small character":
        if not _is_postgres(container):
            pytest.skip("SQLite always searches exactly")
        # These characters have 200 memories each: make them count as large.
        monkeypatch.setattr(recall_pg, "EXACT_BELOW", 0)
    owners, items, centres = _many_owners(container)
    rng = np.random.default_rng(12)
    # Only the first 40 of each character's 200 memories were made before this: most of what
    # the index scan meets is filtered out after it. Short: 15, fewer than the 22 rows the
    # scan reads for 12 nearest, so it cannot complete (it gives up after its budget).
    before = T0 + timedelta(minutes=OWNERS * (15 if path.endswith("short") else 40))
    visible = [m for m in items if m.created_at < before]
    scans_before = _hnsw_scans(container) if _is_postgres(container) else 0
    with container.deps.uow() as uow:
        conn = uow.memories.conn
        if path == "hnsw comes back short":
            conn.execute(text("SET LOCAL hnsw.max_scan_tuples = 100"))
        for owner in (owners[0], owners[31]):
            query = centres[3] + rng.standard_normal(DIM) * (0.3 / np.sqrt(DIM))
            pool = uow.memories.recall_candidates(
                owner, list(query), nearest=12, recent=0, important=0, before=before)
            assert sorted(pool.ids) == sorted(_exact_nearest(visible, owner, query, 12)), path
            assert len(pool) == 12 and set(pool.relevance.tolist()) != {0.0}
            assert pool.searched == {"small character": "exact", "hnsw": "hnsw",
                                     "hnsw comes back short": "hnsw, then exact"}[path]
            # Without a query vector, nothing is searched (only recent and important).
            side = uow.memories.recall_candidates(owner, None, nearest=12, recent=3,
                                                  important=0, before=before)
            assert side.searched == "none" and len(side) == 3
            assert {m.id for m in visible if m.owner_id == owner
                    and m.created_at >= before - timedelta(minutes=OWNERS * 3)} == set(side.ids)
        if _is_postgres(container):
            conn.execute(text("SELECT pg_stat_force_next_flush()"))
        uow.commit()
    if _is_postgres(container):
        used = _hnsw_scans(container) > scans_before
        assert used == (path != "small character"), f"{path}: HNSW index used: {used}"


def test_recall_stays_exact_when_the_words_changed_since_the_last_recall(
    container: Container,
) -> None:
    """PostgreSQL's first statement reads the rows of the lexical matches guessed from what the
    last recall read; new memories, an archived best match and a new word must not change the
    answer (compared with a recall that guesses nothing, with the process's caches emptied)."""
    from engine.adapters.sql.lexical_index import POSTINGS_CACHE
    from engine.adapters.sql.recall_pg import SEEN_STATS

    eco, (owner,) = _owners(container, 1)
    embedder = HashingEmbedder()
    rng = np.random.default_rng(8)

    def memories(count: int, start: int) -> list[Memory]:
        made = []
        for n in range(start, start + count):
            words = " ".join(rng.choice(WORDS, size=int(rng.integers(3, 8))))
            body = f"Mary said: {words}"
            when = T0 + timedelta(hours=n)
            made.append(Memory(eco, owner, body, float(rng.uniform(1, 10)), when, when,
                               embedding=embedder.embed([body])[0]))
        return made

    first = memories(120, 0)
    _store(container, first)
    # "Brighton" is in no memory until the last change.
    query = "The officers' ball at Netherfield, the rain and the letter from Meryton or Brighton"
    now = T0 + timedelta(days=30)

    def pools() -> tuple[list[tuple[int, float, float]], list[tuple[int, float, float]]]:
        with container.deps.uow() as uow:
            ask = dict(vector=embedder.embed([query])[0], nearest=10, recent=4,
                       important=4, terms=query_terms(query), lexical=10)
            warm = uow.memories.recall_candidates(owner, **ask)  # type: ignore[arg-type]
            SEEN_STATS.clear()
            POSTINGS_CACHE.clear()
            cold = uow.memories.recall_candidates(owner, **ask)  # type: ignore[arg-type]
        return ([(i, r, x) for i, r, x in zip(warm.ids, warm.relevance, warm.lexical,
                                              strict=True)],
                [(i, r, x) for i, r, x in zip(cold.ids, cold.relevance, cold.lexical,
                                              strict=True)])

    for change in ("none", "more memories", "best match archived", "a new word"):
        with container.deps.uow() as uow:  # the caches as the last recall left them
            recall(uow, embedder, owner_id=owner, query=query, now=now, k=5,
                   weights=RetrievalWeights())
        if change == "more memories":
            _store(container, memories(30, 200))
        elif change == "best match archived":
            with container.deps.uow() as uow:
                best = uow.memories.lexical.scores(owner, query_terms(query))
                uow.memories.archive([max(best, key=lambda i: (best[i], i))])
                uow.commit()
        elif change == "a new word":
            body = "Mary said: the officers marched to Brighton"
            when = T0 + timedelta(days=20)
            _store(container, [Memory(eco, owner, body, 9.0, when, when,
                                      embedding=embedder.embed([body])[0])])
        warm, cold = pools()
        assert warm == cold, change
        assert any(x > 0 for _, _, x in warm), "the query's words select some memories"


def test_recalling_marks_access_in_the_callers_transaction(
    container: Container,
) -> None:
    """Recalling writes the access times in the caller's transaction: seen by the rest of it,
    kept by its commit, dropped by a rollback, never carried into the next transaction on the
    same pooled connection."""
    eco, (owner,) = _owners(container, 1)
    embedder = HashingEmbedder()
    texts = [f"Mary said: the {w} was pleasant" for w in WORDS]
    items = [Memory(eco, owner, t, 3.0, T0 + timedelta(hours=i), T0 + timedelta(hours=i),
                    embedding=embedder.embed([t])[0]) for i, t in enumerate(texts)]
    _store(container, items)
    ask = dict(owner_id=owner, query="the ball at Netherfield", k=3, weights=RetrievalWeights())

    def accessed() -> dict[int, datetime]:
        with container.deps.uow() as uow:
            return {m.id or 0: m.last_accessed_at for m in uow.memories.recent_for(owner, 100)}

    before = accessed()
    later = T0 + timedelta(days=60)
    with container.deps.uow() as uow:  # rolled back
        dropped = recall(uow, embedder, now=later, **ask)  # type: ignore[arg-type]
    assert dropped and accessed() == before
    with container.deps.uow() as uow:  # rolled back, after a read in the same transaction
        seen = recall(uow, embedder, now=later, **ask)  # type: ignore[arg-type]
        inside = {m.id: m.last_accessed_at for m in uow.memories.recent_for(owner, 100)}
        assert all(inside[m.id] == later for m in seen)
    assert accessed() == before
    with container.deps.uow() as uow:  # committed
        kept = recall(uow, embedder, now=later, **ask)  # type: ignore[arg-type]
        uow.commit()
        after_commit = {m.id: m.last_accessed_at for m in uow.memories.recent_for(owner, 100)}
    now = accessed()
    assert all(now[m.id or 0] == later for m in kept) and after_commit == now
    assert all(now[i] == before[i] for i in now if i not in {m.id for m in kept})
