"""Social network analytics: who is influential, who brokers, which groups form, who dominates.

A :class:`SocialGraph` is a weighted ``networkx.DiGraph`` (edge ``a -> b``: how ``a`` sees
``b``). Positive ties carry their strength in ``weight``; rival and enemy ties carry weight 0 and
their antagonism in ``negative``, so hostility never makes anyone look close. Analysis runs on
sorted nodes with seeded algorithms: results depend only on the relationships.

Cost picks the method, and :class:`Analytics` says which ran: exact betweenness (Brandes) up to
:data:`EXACT_BETWEENNESS_MAX_NODES` nodes, above that an estimate from
:data:`BETWEENNESS_SAMPLES` seeded sources; Louvain up to :data:`LOUVAIN_MAX_NODES` nodes, above
that networkx's seeded fast label propagation (linear time, about the same modularity here).
"""

from __future__ import annotations

import logging
import random
import threading
from collections import OrderedDict
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

EXACT_BETWEENNESS_MAX_NODES = 2_000
BETWEENNESS_SAMPLES = 200
LOUVAIN_MAX_NODES = 5_000
_SEED = 0
_WEIGHT, _RESPECT, _KIND = itemgetter("weight"), itemgetter("respect"), itemgetter("negative_kind")


def tie_strength(rel: Relationship) -> float:
    """Tie strength in [0, 1]: 0.6·affinity⁺ + 0.3·familiarity + 0.1·trust⁺, 0 if hostile."""
    if negative_kind(rel):
        return 0.0
    trust, familiarity = max(0.0, rel.trust), clamp(rel.familiarity, 0, 1)
    return 0.6 * max(0.0, rel.affinity) + 0.3 * familiarity + 0.1 * trust


def valence(rel: Relationship) -> float:
    """Signed feeling in [-1, 1]: mostly affinity, some trust, minus part of the rivalry."""
    return clamp(0.7 * rel.affinity + 0.3 * rel.trust - 0.3 * max(0.0, rel.rivalry))


def negative_kind(rel: Relationship) -> str:
    """``"enemy"``, ``"rival"`` or ``""``: the label, or the values that would earn it."""
    if rel.label == "enemy" or rel.affinity <= -0.5:
        return "enemy"
    if rel.label == "rival" or rel.rivalry >= 0.4:
        return "rival"
    return ""


@dataclass(frozen=True, slots=True)
class Power:
    """One character's standing. ``dominance`` = influence × (1 + respect_in)."""

    influence: float
    influence_rank: int  # 1 = most influential
    respect_in: float  # sum of the positive respect others hold for this character
    respected_by: int  # how many hold it any respect
    rivals: tuple[int, ...]
    enemies: tuple[int, ...]
    dominance: float


@dataclass(frozen=True)
class Analytics:
    """Everything :meth:`SocialGraph.analyse` computes. Treat the mappings as read-only.

    Attributes:
        influence: PageRank on positive tie strength (sums to 1 over the nodes).
        communities: A partition of the nodes, largest first (singletons for isolated nodes).
        brokers: Betweenness centrality (normalised; distance = 1 / tie strength).
        bridges: Undirected ``(low id, high id)`` ties whose loss splits a component, or, if the
            graph has none, local bridges (ties whose ends share no neighbour).
        bridges_are_local: Whether ``bridges`` holds local bridges.
        power: Standing per node.
        community_method: ``"louvain"`` or ``"label propagation"``.
        betweenness_sources: ``None`` when exact, else how many sampled sources estimated it.
    """

    influence: Mapping[int, float]
    communities: tuple[frozenset[int], ...]
    brokers: Mapping[int, float]
    bridges: tuple[tuple[int, int], ...]
    bridges_are_local: bool
    power: Mapping[int, Power]
    community_method: str
    betweenness_sources: int | None

    def communities_of(self, node: int) -> tuple[frozenset[int], ...]:
        """The communities ``node`` belongs to (one in a partition, none if unknown)."""
        return tuple(c for c in self.communities if node in c)

    def top(self, scores: Mapping[int, float], n: int = 5) -> list[int]:
        """The ``n`` best nodes of ``scores`` (e.g. ``influence``), ties by lower id."""
        return sorted(scores, key=lambda k: (-scores[k], k))[:n]


class SocialGraph:
    """Relationships as a weighted DiGraph (``graph``) with ``weight``, ``valence``,
    ``negative``, ``negative_kind``, ``respect`` and ``label`` on each edge and ``name`` on
    each node."""

    def __init__(self) -> None:
        self.graph: nx.DiGraph = nx.DiGraph()

    @classmethod
    def from_relationships(
        cls, rels: Iterable[Relationship], names: Mapping[int, str] | None = None
    ) -> SocialGraph:
        """Build the graph; self-relationships are ignored, a later duplicate pair wins."""
        social = cls()
        for node, name in (names or {}).items():
            social.graph.add_node(node, name=name)
        social.graph.add_edges_from(
            (r.source_id, r.target_id, _edge_attributes(r))
            for r in rels
            if r.source_id != r.target_id
        )
        for node in social.graph:
            social.graph.nodes[node].setdefault("name", str(node))
        return social

    def update(self, rel: Relationship) -> None:
        """Replace the edge of one relationship without rebuilding the graph."""
        if rel.source_id == rel.target_id:
            return
        for node in (rel.source_id, rel.target_id):
            if node not in self.graph:
                self.graph.add_node(node, name=str(node))
        self.graph.add_edge(rel.source_id, rel.target_id, **_edge_attributes(rel))

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
        sources_of, counts, dst_l, w_l, r_l, k_l = [], [], [], [], [], []
        for u, nbrs in self.graph.adjacency():  # C-level maps: this runs on every analysis
            sources_of.append(index[u])
            counts.append(len(nbrs))
            dst_l.extend(map(index.__getitem__, nbrs))
            w_l.extend(map(_WEIGHT, nbrs.values()))
            r_l.extend(map(_RESPECT, nbrs.values()))
            k_l.extend(map(_KIND, nbrs.values()))
        src = np.repeat(np.array(sources_of, dtype=np.int64), counts)
        dst = np.array(dst_l, dtype=np.int64)
        foes = sorted((int(src[i]), dst_l[i], k) for i, k in enumerate(k_l) if k)
        order = np.lexsort((dst, src))  # sum order must not depend on insertion order
        src, dst = src[order], dst[order]
        weight = np.array(w_l, dtype=float)[order]
        respect = np.maximum(np.array(r_l, dtype=float), 0.0)[order]
        pos = weight > 0
        positive = sp.csr_array((weight[pos], (src[pos], dst[pos])), shape=(n, n))
        pagerank = _pagerank(positive)
        undirected = sp.triu(positive + positive.T, format="coo")
        und = nx.Graph()
        und.add_nodes_from(range(n))
        und.add_weighted_edges_from(
            zip(undirected.row.tolist(), undirected.col.tolist(), undirected.data.tolist())
        )
        if n <= louvain_max_nodes:
            found = nx.community.louvain_communities(und, weight="weight", seed=_SEED)
            method = "louvain"
        else:
            found = nx.community.fast_label_propagation_communities(und, weight="weight", seed=_SEED)
            method = "label propagation"
        parts = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
        if n <= exact_betweenness_max_nodes:
            dist = nx.DiGraph()
            dist.add_nodes_from(range(n))
            dist.add_weighted_edges_from(
                zip(src[pos].tolist(), dst[pos].tolist(), (1.0 / weight[pos]).tolist()), "d"
            )
            exact = nx.betweenness_centrality(dist, weight="d")
            between, sources = np.array([exact[i] for i in range(n)]), None
        else:
            sources = max(1, min(betweenness_samples, n))
            between = _sampled_betweenness(positive, sources)
        bridges = _bridges(undirected, n)
        local = not bridges
        if local:
            bridges = _local_bridges(undirected)
        power = _power(nodes, foes, pagerank, dst, respect)
        return Analytics(
            influence=dict(zip(nodes, pagerank.tolist())),
            communities=tuple(frozenset(nodes[i] for i in c) for c in parts),
            brokers=dict(zip(nodes, between.tolist())),
            bridges=tuple(sorted((nodes[a], nodes[b]) for a, b in bridges)),
            bridges_are_local=local,
            power=power,
            community_method=method,
            betweenness_sources=sources,
        )


def _edge_attributes(rel: Relationship) -> dict[str, float | str]:
    kind = negative_kind(rel)
    return {
        "weight": 0.0 if kind else tie_strength(rel), "valence": valence(rel),
        "negative": max(0.0, rel.rivalry, -rel.affinity) if kind else 0.0,
        "negative_kind": kind, "respect": rel.respect, "label": rel.label,
    }


def _pagerank(a: sp.csr_array, alpha: float = 0.85, tol: float = 1e-6) -> np.ndarray:
    """networkx's scipy PageRank (same update and stop rule) on a prebuilt matrix.

    ``nx.pagerank`` would rebuild this matrix from the graph, which costs more than the
    iteration itself on large graphs.
    """
    n = a.shape[0]
    if n == 0:
        return np.zeros(0)
    out = np.asarray(a.sum(axis=1)).ravel()
    scale = np.divide(1.0, out, out=np.zeros(n), where=out != 0)
    m = sp.csr_array(sp.diags_array(scale) @ a)
    dangling = out == 0
    x = p = np.full(n, 1.0 / n)
    for _ in range(100):
        last = x
        x = alpha * (x @ m + x[dangling].sum() * p) + (1 - alpha) * p
        if np.abs(x - last).sum() < n * tol:
            return np.asarray(x)
    raise nx.PowerIterationFailedConvergence(100)


def _sampled_betweenness(positive: sp.csr_array, k: int) -> np.ndarray:
    """Brandes' estimate from ``k`` seeded sources (the sources networkx's ``k=`` would pick).

    Each source contributes, to every node, the size of its subtree in one shortest-path tree
    (distance = 1 / strength), scaled as networkx scales a ``k``-sample. Equal-length paths are
    rare with real-valued strengths; where they occur one of them takes all the credit.
    """
    n = positive.shape[0]
    if n <= 2:
        return np.zeros(n)
    sources = np.array(random.Random(_SEED).sample(range(n), k), dtype=np.int64)
    dist = sp.csr_array((1.0 / positive.data, positive.indices, positive.indptr), shape=(n, n))
    _, pred = csgraph.dijkstra(dist, indices=sources, return_predecessors=True)
    pred = pred.astype(np.int64)
    offset = (np.arange(k, dtype=np.int64) * n)[:, None]
    up = np.where((pred >= 0) & (pred != sources[:, None]), pred + offset, -1).ravel()
    counts = np.zeros(n)
    current = up[up >= 0]
    while current.size:  # every node credits each ancestor between it and the source
        counts += np.bincount(current % n, minlength=n)
        current = up[current]
        current = current[current >= 0]
    scale = np.full(n, 1.0 / (k * (n - 2)))
    scale[sources] = 1.0 / ((k - 1) * (n - 2)) if k > 1 else 0.0
    return counts * scale


def _bridges(undirected: sp.coo_array, n: int) -> list[tuple[int, int]]:
    """Tarjan's bridge finding, iterative over a CSR adjacency (networkx's is ~10x slower)."""
    sym = sp.csr_array(undirected + undirected.T)
    indptr, indices = sym.indptr.tolist(), sym.indices.tolist()
    disc, low = [-1] * n, [0] * n
    found: list[tuple[int, int]] = []
    clock = 0
    for root in range(n):
        if disc[root] != -1:
            continue
        disc[root] = low[root] = clock
        clock += 1
        stack = [(root, -1, indptr[root])]
        while stack:
            u, parent, i = stack[-1]
            if i < indptr[u + 1]:
                stack[-1] = (u, parent, i + 1)
                v = indices[i]
                if disc[v] == -1:
                    disc[v] = low[v] = clock
                    clock += 1
                    stack.append((v, u, indptr[v]))
                elif v != parent and disc[v] < low[u]:
                    low[u] = disc[v]
                continue
            stack.pop()
            if stack:
                p = stack[-1][0]
                low[p] = min(low[p], low[u])
                if low[u] > disc[p]:
                    found.append((min(p, u), max(p, u)))
    return found


def _local_bridges(undirected: sp.coo_array) -> list[tuple[int, int]]:
    """Ties whose two ends have no neighbour in common (``nx.local_bridges`` without span)."""
    adj = sp.csr_array((undirected + undirected.T) > 0, dtype=np.int64)
    shared = adj @ adj
    ties = sp.triu(adj - adj.multiply(shared > 0), format="coo")
    return list(zip(ties.row.tolist(), ties.col.tolist()))


def _power(
    nodes: list[int],
    foe_ties: list[tuple[int, int, str]],
    pagerank: np.ndarray,
    dst: np.ndarray,
    respect: np.ndarray,
) -> dict[int, Power]:
    n = len(nodes)
    respect_in = np.bincount(dst, weights=respect, minlength=n)
    respected_by = np.bincount(dst[respect > 0], minlength=n)
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((np.arange(n), -pagerank))] = np.arange(1, n + 1)
    foes: dict[str, dict[int, set[int]]] = {"rival": {}, "enemy": {}}
    for a, b, kind in foe_ties:
        foes[kind].setdefault(a, set()).add(nodes[b])
        foes[kind].setdefault(b, set()).add(nodes[a])
    power: dict[int, Power] = {}
    for i, node in enumerate(nodes):
        enemies = foes["enemy"].get(i, set())
        power[node] = Power(
            influence=float(pagerank[i]),
            influence_rank=int(rank[i]),
            respect_in=float(respect_in[i]),
            respected_by=int(respected_by[i]),
            rivals=tuple(sorted(foes["rival"].get(i, set()) - enemies)),
            enemies=tuple(sorted(enemies)),
            dominance=float(pagerank[i] * (1.0 + respect_in[i])),
        )
    return power


class AnalyticsCache:
    """Analytics per ecosystem, reused while its relationship version stays the same.

    Thread-safe; the computation runs outside the lock, so two callers racing on a new version
    may both compute (the results are identical). Holds at most ``max_entries`` ecosystems.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self._entries: OrderedDict[int, tuple[int, Analytics]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(
        self, ecosystem_id: int, version: int, build: Callable[[], Iterable[Relationship]]
    ) -> Analytics:
        """The analytics of ``ecosystem_id`` at ``version``; ``build`` runs only on a miss."""
        with self._lock:
            entry = self._entries.get(ecosystem_id)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(ecosystem_id)
                return entry[1]
        analytics = SocialGraph.from_relationships(build()).analyse()
        logger.debug("social analytics computed for ecosystem %s v%s", ecosystem_id, version)
        with self._lock:
            self._entries[ecosystem_id] = (version, analytics)
            self._entries.move_to_end(ecosystem_id)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return analytics

    def invalidate(self, ecosystem_id: int) -> None:
        """Forget one ecosystem (e.g. after its data was deleted)."""
        with self._lock:
            self._entries.pop(ecosystem_id, None)
