"""Social network analytics: influence, communities, brokers, bridges, power, caching."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.relationships import Relationship
from engine.social.network import (
    AnalyticsCache,
    SocialGraph,
    negative_kind,
    tie_strength,
    valence,
)


def rel(a: int, b: int, **values: Any) -> Relationship:
    values.setdefault("label", "friend")
    return Relationship(source_id=a, target_id=b, ecosystem_id=1, **values)


def friends(a: int, b: int, affinity: float = 0.6) -> list[Relationship]:
    return [rel(a, b, affinity=affinity, trust=0.4, familiarity=0.5),
            rel(b, a, affinity=affinity, trust=0.4, familiarity=0.5)]


def two_cliques() -> list[Relationship]:
    rels = [r for group in (range(5), range(5, 10)) for a in group for b in group if a < b
            for r in friends(a, b)]
    return rels + friends(4, 5, affinity=0.3)


def random_rels(seed: int, n: int = 40, p: float = 0.12) -> list[Relationship]:
    rng = random.Random(seed)
    return [
        rel(a, b, affinity=rng.uniform(-0.7, 1), trust=rng.uniform(-1, 1), familiarity=rng.random(),
            rivalry=rng.uniform(0, 0.6), respect=rng.uniform(-1, 1), label="acquaintance")
        for a in range(n) for b in range(n) if a != b and rng.random() < p
    ]


def test_tie_strength_valence_and_hostility() -> None:
    friendly = rel(1, 2, affinity=0.5, familiarity=0.4, trust=0.2)
    assert tie_strength(friendly) == pytest.approx(0.6 * 0.5 + 0.3 * 0.4 + 0.1 * 0.2)
    assert valence(friendly) > 0 and negative_kind(friendly) == ""
    enemy = rel(1, 2, affinity=-0.7, familiarity=0.9, trust=-0.5, label="enemy")
    rival = rel(1, 2, affinity=0.3, familiarity=0.9, rivalry=0.6, label="friend")
    assert (negative_kind(enemy), negative_kind(rival)) == ("enemy", "rival")
    assert tie_strength(enemy) == tie_strength(rival) == 0.0  # hostility is never closeness
    assert valence(enemy) < 0
    edge = SocialGraph.from_relationships([enemy]).graph.edges[1, 2]
    assert edge["weight"] == 0.0 and edge["negative"] == pytest.approx(0.7)
    assert edge["negative_kind"] == "enemy" and edge["label"] == "enemy"


def test_star_centre_has_top_influence() -> None:
    rels = [r for leaf in range(1, 8) for r in friends(0, leaf)]
    analytics = SocialGraph.from_relationships(rels).analyse()
    assert analytics.top(analytics.influence, 1) == [0]
    assert analytics.power[0].influence_rank == 1
    assert sum(analytics.influence.values()) == pytest.approx(1.0)
    assert analytics.top(analytics.brokers, 1) == [0]


def test_two_cliques_joined_by_one_tie() -> None:
    analytics = SocialGraph.from_relationships(two_cliques()).analyse()
    assert set(analytics.communities) == {frozenset(range(5)), frozenset(range(5, 10))}
    assert analytics.communities_of(7) == (frozenset(range(5, 10)),)
    assert analytics.communities_of(99) == ()
    assert analytics.bridges == ((4, 5),) and not analytics.bridges_are_local
    assert set(analytics.top(analytics.brokers, 2)) == {4, 5}
    assert analytics.community_method == "louvain" and analytics.betweenness_sources is None


def test_local_bridges_when_no_tie_disconnects() -> None:
    # Two triangles joined by two parallel ties: nothing disconnects, both joins are local bridges.
    rels = [r for a, b in ((0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (0, 3), (2, 5))
            for r in friends(a, b)]
    analytics = SocialGraph.from_relationships(rels).analyse()
    assert analytics.bridges_are_local and analytics.bridges == ((0, 3), (2, 5))


def test_rivals_and_enemies_show_in_power_dynamics() -> None:
    rels = [rel(0, i, affinity=0.1, rivalry=0.6, label="rival") for i in (1, 2, 3)]
    rels += [rel(4, 0, affinity=-0.8, label="enemy"), rel(0, 4, rivalry=0.7, label="rival")]
    rels += [rel(i, 5, affinity=0.5, familiarity=0.5, respect=0.8) for i in (1, 2, 3, 4)]
    rels += friends(1, 2)
    analytics = SocialGraph.from_relationships(rels).analyse()
    power = analytics.power[0]
    assert power.rivals == (1, 2, 3) and power.enemies == (4,)
    assert analytics.power[1].rivals == (0,) and analytics.power[4].enemies == (0,)
    assert analytics.power[5].respect_in == pytest.approx(3.2)
    assert analytics.power[5].respected_by == 4
    assert analytics.power[5].dominance == pytest.approx(analytics.influence[5] * 4.2)
    assert analytics.top({n: p.dominance for n, p in analytics.power.items()}, 1) == [5]
    assert frozenset({0}) in analytics.communities  # hostile ties do not bind a community


def test_cache_reuses_a_version_and_recomputes_a_new_one() -> None:
    calls: list[int] = []

    def build() -> list[Relationship]:
        calls.append(1)
        return two_cliques()

    cache = AnalyticsCache(max_entries=2)
    first = cache.get(1, 7, build)
    assert cache.get(1, 7, build) is first and len(calls) == 1
    newer = cache.get(1, 8, build)
    assert newer is not first and len(calls) == 2 and newer == first
    cache.get(2, 1, build)
    cache.get(3, 1, build)  # evicts ecosystem 1, the least recently used
    cache.get(1, 8, build)
    assert len(calls) == 5
    cache.invalidate(1)
    cache.get(1, 8, build)
    assert len(calls) == 6


def test_update_matches_a_rebuild() -> None:
    rels = random_rels(3)
    graph = SocialGraph.from_relationships(rels[:-10])
    changed = [replace(r, affinity=-0.9, label="enemy") for r in rels[:5]]
    for r in [*rels[-10:], *changed, rel(100, 0, affinity=0.4, familiarity=0.3)]:
        graph.update(r)
    graph.update(rel(3, 3, affinity=1.0))  # a self-view is ignored
    final = {(r.source_id, r.target_id): r for r in rels}
    final.update({(r.source_id, r.target_id): r for r in changed})
    final[(100, 0)] = rel(100, 0, affinity=0.4, familiarity=0.3)
    rebuilt = SocialGraph.from_relationships(final.values())
    assert sorted(graph.graph.edges(data=True)) == sorted(rebuilt.graph.edges(data=True))
    assert graph.analyse() == rebuilt.analyse()


def test_results_do_not_depend_on_insertion_order() -> None:
    rels = random_rels(5)
    shuffled = rels[:]
    random.Random(1).shuffle(shuffled)
    assert SocialGraph.from_relationships(rels).analyse() == (
        SocialGraph.from_relationships(shuffled).analyse()
    )


@pytest.mark.parametrize("seed", range(8))
def test_algorithms_agree_with_networkx(seed: int) -> None:
    graph = SocialGraph.from_relationships(random_rels(seed, n=30))
    positive = nx.DiGraph()
    positive.add_nodes_from(sorted(graph.graph))  # the sample is drawn from sorted nodes
    for a, b, data in graph.graph.edges(data=True):
        if data["weight"] > 0:
            positive.add_edge(a, b, weight=data["weight"], d=1 / data["weight"])
    exact = graph.analyse()
    assert exact.influence == pytest.approx(nx.pagerank(positive, weight="weight"), abs=1e-9)
    assert exact.brokers == pytest.approx(nx.betweenness_centrality(positive, weight="d"))
    k = len(positive)
    all_sources = graph.analyse(exact_betweenness_max_nodes=0, betweenness_samples=k)
    assert all_sources.brokers == pytest.approx(exact.brokers, abs=1e-12)
    sampled = graph.analyse(exact_betweenness_max_nodes=0, betweenness_samples=10)
    estimate = nx.betweenness_centrality(positive, weight="d", k=10, seed=0)
    assert sampled.brokers == pytest.approx(estimate, abs=1e-12)
    assert sampled.betweenness_sources == 10
    undirected = positive.to_undirected()
    bridges = sorted(tuple(sorted(e)) for e in nx.bridges(undirected))
    local = sorted(tuple(sorted(e)) for e in nx.local_bridges(undirected, with_span=False))
    assert list(exact.bridges) == (bridges or local)
    assert exact.bridges_are_local == (not bridges)


def test_label_propagation_above_the_louvain_limit() -> None:
    analytics = SocialGraph.from_relationships(two_cliques()).analyse(louvain_max_nodes=5)
    assert analytics.community_method == "label propagation"
    assert set(analytics.communities) == {frozenset(range(5)), frozenset(range(5, 10))}


def test_empty_tiny_and_hostile_only_graphs() -> None:
    empty = SocialGraph.from_relationships([]).analyse()
    assert (empty.influence, empty.communities, empty.bridges, empty.power) == ({}, (), (), {})
    named = SocialGraph.from_relationships([], names={5: "Ada"})
    assert named.graph.nodes[5]["name"] == "Ada"
    assert named.analyse().influence == {5: 1.0}
    hostile = SocialGraph.from_relationships([rel(1, 2, affinity=-0.9, label="enemy")]).analyse()
    assert hostile.influence == pytest.approx({1: 0.5, 2: 0.5})
    assert set(hostile.communities) == {frozenset({1}), frozenset({2})}
    assert hostile.brokers == {1: 0.0, 2: 0.0} and hostile.bridges == ()
    pair = SocialGraph.from_relationships(friends(1, 2)).analyse(exact_betweenness_max_nodes=0)
    assert pair.bridges == ((1, 2),) and pair.brokers == {1: 0.0, 2: 0.0}


unit = st.floats(-1, 1, allow_nan=False)
Row = tuple[int, int, float, float, float, float, float]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12), unit, unit, unit, unit,
                          st.floats(0, 1)), max_size=60))
def test_analytics_stay_bounded(rows: list[Row]) -> None:
    rels = [rel(a, b, affinity=af, trust=tr, rivalry=rv, respect=rs, familiarity=fa)
            for a, b, af, tr, rv, rs, fa in rows]
    analytics = SocialGraph.from_relationships(rels).analyse()
    if analytics.influence:
        assert sum(analytics.influence.values()) == pytest.approx(1.0)
    for node, power in analytics.power.items():
        assert math.isfinite(power.dominance) and power.dominance >= 0
        assert 0.0 <= analytics.brokers[node] <= 1.0
        assert sum(node in c for c in analytics.communities) == 1
