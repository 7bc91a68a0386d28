"""Social network analytics: who is influential, who brokers, which groups form, who dominates.

A :class:`SocialGraph` is a weighted DiGraph (edge ``a -> b``: how ``a`` sees ``b``); rival and
enemy ties weigh 0 and keep their antagonism in ``negative``. Analysis runs on sorted nodes with
seeded algorithms, so results depend only on the relationships. Size picks the method: exact
betweenness up to :data:`EXACT_BETWEENNESS_MAX_NODES` nodes, else an estimate from
:data:`BETWEENNESS_SAMPLES` sources; Louvain up to :data:`LOUVAIN_MAX_NODES`, else networkx's
fast label propagation (linear time, similar modularity). :class:`Analytics` says which ran.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from engine.relationships import Relationship, clamp

__all__ = [
    "SocialGraph", "Analytics", "Power", "AnalyticsCache", "tie_strength", "valence",
    "negative_kind", "EXACT_BETWEENNESS_MAX_NODES", "BETWEENNESS_SAMPLES", "LOUVAIN_MAX_NODES",
]

logger = logging.getLogger(__name__)

EXACT_BETWEENNESS_MAX_NODES = 500
BETWEENNESS_SAMPLES = 200
LOUVAIN_MAX_NODES = 5_000
_SEED = 0
_FIELDS = itemgetter("weight", "respect", "negative_kind")


def tie_strength(rel: Relationship) -> float:
    """Tie strength in [0, 1]: 0.6·affinity⁺ + 0.3·familiarity + 0.1·trust⁺, 0 if hostile."""
    strength = 0.6 * max(0.0, rel.affinity) + 0.3 * rel.familiarity + 0.1 * max(0.0, rel.trust)
    return 0.0 if negative_kind(rel) else strength


def valence(rel: Relationship) -> float:
    """Signed feeling in [-1, 1]: mostly affinity, some trust, minus part of the rivalry."""
    return clamp(0.7 * rel.affinity + 0.3 * rel.trust - 0.3 * max(0.0, rel.rivalry))


def negative_kind(rel: Relationship) -> str:
    """``"enemy"``, ``"rival"`` or ``""``: the label, or the values that would earn it."""
    if rel.label == "enemy" or rel.affinity <= -0.5:
        return "enemy"
    return "rival" if rel.label == "rival" or rel.rivalry >= 0.4 else ""


@dataclass(frozen=True, slots=True)
class Power:
    """One character's standing. ``dominance`` = influence × (1 + respect_in)."""

    influence: float
    influence_rank: int  # 1 = most influential
    respect_in: float  # sum of the positive respect others hold for this character
    respected_by: int  # how many hold it any respect
    rivals: tuple[int, ...]  # rival ties in either direction (enemies excluded)
    enemies: tuple[int, ...]  # enemy ties in either direction
    dominance: float


@dataclass(frozen=True)
class Analytics:
    """Everything :meth:`SocialGraph.analyse` computes. Treat the mappings as read-only."""

    influence: Mapping[int, float]  # PageRank on positive tie strength, sums to 1
    communities: tuple[frozenset[int], ...]  # a partition, largest first, isolates alone
    brokers: Mapping[int, float]  # normalised betweenness, distance = 1 / tie strength
    # (low id, high id) ties whose loss splits a component; if none, local bridges (below)
    bridges: tuple[tuple[int, int], ...]
    bridges_are_local: bool  # ties whose two ends share no neighbour
    power: Mapping[int, Power]
    community_method: str  # "louvain" or "label propagation"
    betweenness_sources: int | None  # None when exact, else the number of sampled sources

    def communities_of(self, node: int) -> tuple[frozenset[int], ...]:
        """The communities ``node`` belongs to (one in a partition, none if unknown)."""
        return tuple(c for c in self.communities if node in c)

    def top(self, scores: Mapping[int, float], n: int = 5) -> list[int]:
        """The ``n`` best nodes of ``scores`` (e.g. ``influence``), ties by lower id."""
        return sorted(scores, key=lambda k: (-scores[k], k))[:n]


class SocialGraph:
    """Relationships as a DiGraph ``graph``: ``weight``, ``valence``, ``negative``,
    ``negative_kind``, ``respect`` and ``label`` on edges, ``name`` on the nodes named."""

    def __init__(self) -> None:
        self.graph: nx.DiGraph = nx.DiGraph()

    @classmethod
    def from_relationships(
        cls, rels: Iterable[Relationship], names: Mapping[int, str] | None = None
    ) -> SocialGraph:
        """Build the graph; self-relationships are ignored, a later duplicate pair wins."""
        social = cls()
        social.graph.add_nodes_from((node, {"name": name}) for node, name in (names or {}).items())
        social.graph.add_edges_from(
            (r.source_id, r.target_id, _attributes(r)) for r in rels if r.source_id != r.target_id
        )
        return social

    def update(self, rel: Relationship) -> None:
        """Replace the edge of one relationship without rebuilding the graph."""
        if rel.source_id != rel.target_id:
            self.graph.add_edge(rel.source_id, rel.target_id, **_attributes(rel))

    def analyse(
        self,
        *,
        exact_betweenness_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
        betweenness_samples: int = BETWEENNESS_SAMPLES,
        louvain_max_nodes: int = LOUVAIN_MAX_NODES,
    ) -> Analytics:
        """Compute influence, communities, brokers, bridges and power in one pass.

        Args:
            exact_betweenness_max_nodes: Above this many nodes betweenness is estimated.
            betweenness_samples: Sampled sources for the estimate.
            louvain_max_nodes: Above this many nodes communities come from label propagation.
        """
        nodes = sorted(self.graph)
        n = len(nodes)
        index = {node: i for i, node in enumerate(nodes)}
        sources_of, counts = [], []
        dst_list: list[int] = []
        fields: list[tuple[float, float, str]] = []
        for u, nbrs in self.graph.adjacency():  # C-level maps: this runs on every analysis
            sources_of.append(index[u])
            counts.append(len(nbrs))
            dst_list.extend(map(index.__getitem__, nbrs))
            fields.extend(map(_FIELDS, nbrs.values()))
        src = np.repeat(np.array(sources_of, dtype=np.int64), counts)
        dst = np.array(dst_list, dtype=np.int64)
        foes = sorted((int(src[i]), dst_list[i], f[2]) for i, f in enumerate(fields) if f[2])
        order = np.lexsort((dst, src))  # float sums must not depend on insertion order
        src, dst = src[order], dst[order]
        weight = np.array([f[0] for f in fields], dtype=np.float64)[order]
        respect = np.maximum(np.array([f[1] for f in fields], dtype=np.float64), 0.0)[order]
        respect_in = np.bincount(dst, weights=respect, minlength=n).tolist()
        respected_by = np.bincount(dst[respect > 0], minlength=n).tolist()
        pos = weight > 1e-9  # keeps 1 / weight finite; fainter ties are noise
        positive = sp.csr_array((weight[pos], (src[pos], dst[pos])), shape=(n, n))
        pagerank = _pagerank(positive)
        undirected = sp.triu(positive + positive.T, format="coo")
        louvain, cm = n <= louvain_max_nodes, nx.community
        detect = cm.louvain_communities if louvain else cm.fast_label_propagation_communities
        found = detect(nx.from_scipy_sparse_array(undirected), weight="weight", seed=_SEED)
        parts = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
        sources = None if n <= exact_betweenness_max_nodes else max(1, min(betweenness_samples, n))
        bridges, local = _bridges(undirected, n)
        return Analytics(
            influence=dict(zip(nodes, pagerank.tolist(), strict=True)),
            communities=tuple(frozenset(nodes[i] for i in c) for c in parts),
            brokers=dict(zip(nodes, _betweenness(positive, sources).tolist(), strict=True)),
            bridges=tuple(sorted((nodes[a], nodes[b]) for a, b in bridges)),
            bridges_are_local=local,
            power=_power(nodes, foes, pagerank, respect_in, respected_by),
            community_method="louvain" if louvain else "label propagation",
            betweenness_sources=sources,
        )


def _attributes(rel: Relationship) -> dict[str, float | str]:
    kind = negative_kind(rel)
    negative = max(0.0, rel.rivalry, -rel.affinity) if kind else 0.0
    return {"weight": 0.0 if kind else tie_strength(rel), "valence": valence(rel),
            "negative": negative, "negative_kind": kind, "respect": rel.respect, "label": rel.label}


def _pagerank(a: sp.csr_array, alpha: float = 0.85, tol: float = 1e-6) -> np.ndarray:
    """``nx.pagerank``'s iteration on a prebuilt matrix (it would rebuild it: the larger cost)."""
    n = a.shape[0]
    out = np.asarray(a.sum(axis=1)).ravel()
    m = sp.csr_array(sp.diags_array(np.divide(1.0, out, out=np.zeros(n), where=out != 0)) @ a)
    x = p = np.full(n, 1.0 / max(n, 1))
    for _ in range(100):
        x, last = alpha * (x @ m + x[out == 0].sum() * p) + (1 - alpha) * p, x
        if np.abs(x - last).sum() <= n * tol:
            return np.asarray(x)
    raise nx.PowerIterationFailedConvergence(100)


def _betweenness(positive: sp.csr_array, k: int | None) -> np.ndarray:
    """Betweenness, distance 1/strength: exact (networkx) if ``k`` is None, else estimated from
    the ``k`` sources networkx's ``k=`` picks, each crediting nodes with their subtree in one
    shortest-path tree (scipy; real strengths rarely tie), scaled as networkx scales samples."""
    n = positive.shape[0]
    dist = sp.csr_array((1.0 / positive.data, positive.indices, positive.indptr), shape=(n, n))
    if k is None or n <= 2:
        graph = nx.from_scipy_sparse_array(dist, create_using=nx.DiGraph)
        exact = nx.betweenness_centrality(graph, weight="weight")
        return np.array([exact[i] for i in range(n)])
    sources = np.array(random.Random(_SEED).sample(range(n), k), dtype=np.int64)
    pred = csgraph.dijkstra(dist, indices=sources, return_predecessors=True)[1].astype(np.int64)
    offset = (np.arange(k, dtype=np.int64) * n)[:, None]
    up = np.where((pred >= 0) & (pred != sources[:, None]), pred + offset, -1).ravel()
    counts, current = np.zeros(n), up[up >= 0]
    while current.size:  # every node credits each ancestor between it and the source
        counts += np.bincount(current % n, minlength=n)
        current = up[current]
        current = current[current >= 0]
    scale = np.full(n, 1.0 / (k * (n - 2)))
    scale[sources] = 1.0 / ((k - 1) * (n - 2)) if k > 1 else 0.0
    return counts * scale


def _bridges(undirected: sp.coo_array, n: int) -> tuple[list[tuple[int, int]], bool]:
    """Tarjan's bridges, iterative over CSR (``nx.bridges`` is ~10x slower); if there are none,
    the local bridges: ties whose two ends share no neighbour (``nx.local_bridges``)."""
    sym = sp.csr_array(undirected + undirected.T)
    ptr, indices = sym.indptr.tolist(), sym.indices.tolist()
    disc, low, found, clock = [-1] * n, [0] * n, [], itertools.count()
    for root in (r for r in range(n) if disc[r] == -1):
        disc[root] = low[root] = next(clock)
        stack = [(root, -1, iter(indices[ptr[root] : ptr[root + 1]]))]
        while stack:
            u, parent, neighbours = stack[-1]
            v = next(neighbours, None)
            if v is None:
                stack.pop()
                if stack:
                    p = stack[-1][0]
                    low[p] = min(low[p], low[u])
                    if low[u] > disc[p]:
                        found.append((min(p, u), max(p, u)))
            elif disc[v] == -1:
                disc[v] = low[v] = next(clock)
                stack.append((v, u, iter(indices[ptr[v] : ptr[v + 1]])))
            elif v != parent:  # a simple graph: only the one edge back to the parent is skipped
                low[u] = min(low[u], disc[v])
    if found:
        return found, False
    adj = sp.csr_array(sym > 0, dtype=np.int64)
    ties = sp.triu(adj - adj.multiply((adj @ adj) > 0), format="coo")
    return list(zip(ties.row.tolist(), ties.col.tolist(), strict=True)), True


def _power(nodes: list[int], foe_ties: list[tuple[int, int, str]], pagerank: np.ndarray,
           respect_in: list[float], respected_by: list[int]) -> dict[int, Power]:
    rank = np.argsort(np.lexsort((np.arange(len(nodes)), -pagerank))) + 1  # ties: lower id
    enemies: dict[int, set[int]] = {}
    rivals: dict[int, set[int]] = {}
    for a, b, kind in foe_ties:
        for x, y in ((a, b), (b, a)):
            (enemies if kind == "enemy" else rivals).setdefault(x, set()).add(nodes[y])
    foes = {i: (tuple(sorted(rivals.get(i, set()) - enemies.get(i, set()))),
                tuple(sorted(enemies.get(i, ())))) for i in rivals.keys() | enemies.keys()}
    power: dict[int, Power] = {}
    ranked = zip(nodes, pagerank.tolist(), rank.tolist(), respect_in, respected_by, strict=True)
    for i, (node, share, place, received, by) in enumerate(ranked):
        rival, enemy = foes.get(i, ((), ()))
        power[node] = Power(share, place, received, by, rival, enemy, share * (1 + received))
    return power


class AnalyticsCache:
    """Analytics per ecosystem, reused while its relationship version stays the same: keeps the
    ``max_entries`` most recently used; thread-safe, computing outside the lock."""

    def __init__(self, max_entries: int = 256) -> None:
        self._entries: dict[int, tuple[int, Analytics]] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(
        self, ecosystem_id: int, version: int, build: Callable[[], Iterable[Relationship]]
    ) -> Analytics:
        """The analytics of ``ecosystem_id`` at ``version``; ``build`` runs only on a miss."""
        with self._lock:
            entry = self._entries.get(ecosystem_id)
            if entry is not None and entry[0] == version:
                self._entries[ecosystem_id] = self._entries.pop(ecosystem_id)  # most recent last
                return entry[1]
        analytics = SocialGraph.from_relationships(build()).analyse()
        logger.debug("social analytics computed for ecosystem %s v%s", ecosystem_id, version)
        with self._lock:
            self._entries.pop(ecosystem_id, None)
            self._entries[ecosystem_id] = (version, analytics)
            while len(self._entries) > self._max:
                del self._entries[next(iter(self._entries))]
        return analytics

    def invalidate(self, ecosystem_id: int) -> None:
        """Forget one ecosystem (e.g. after its data was deleted)."""
        with self._lock:
            self._entries.pop(ecosystem_id, None)
